import { StewardError, cmdbWriteRefusal } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { ConfigurationItemEntity } from '@steward/persistence';
import { In, type EntityManager } from 'typeorm';
import { invalidFields } from '../common/validation';
import type { CalendarScopeDto } from './dtos/calendar.dtos';

export interface StoredScope {
  cis: string[];
  tags: string[];
}

export function scopeOf(dto: CalendarScopeDto | undefined): StoredScope {
  return { cis: dto?.cis ?? [], tags: dto?.tags ?? [] };
}

/**
 * Calendar writes (API.md, Identity): admins and change managers always; otherwise members of
 * the owner group of every CI the scope names. A scope with tags, or none at all, reaches CIs
 * no single group answers for, so it needs an admin or change manager.
 *
 * On create (`checkCis`), CI keys the CMDB does not know are a 400 naming `scope.cis`. On
 * delete they are not, but a CI that has left the CMDB has no owner group to act for it.
 */
export async function assertMayWriteScope(
  manager: EntityManager,
  caller: Principal,
  scope: StoredScope,
  what: string,
  options: { checkCis: boolean },
): Promise<void> {
  const found = scope.cis.length === 0 ? [] : await manager.find(ConfigurationItemEntity, { select: { key: true, ownerGroup: true }, where: { key: In(scope.cis) } });
  const unknown = scope.cis.filter((key) => !found.some((ci) => ci.key === key));
  if (options.checkCis && unknown.length > 0) throw invalidFields([{ field: 'scope.cis', message: `unknown configuration items: ${unknown.join(', ')}` }]);
  if (caller.roles.includes('admin') || caller.roles.includes('change_manager')) return;
  if (scope.tags.length > 0 || scope.cis.length === 0) {
    throw new StewardError('forbidden', `a ${what} scoped by tags or covering every CI requires the role admin or change_manager`);
  }
  if (unknown.length > 0) throw new StewardError('forbidden', `a ${what} naming CIs no longer in the CMDB (${unknown.join(', ')}) requires the role admin or change_manager`);
  const refusal = cmdbWriteRefusal(caller, [...new Set(found.map((ci) => ci.ownerGroup))].sort());
  if (refusal) throw new StewardError('forbidden', refusal);
}
