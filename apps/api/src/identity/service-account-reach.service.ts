import { Injectable } from '@nestjs/common';
import { StewardError } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { AuditLog } from '@steward/persistence';
import { changeWithinReach, ciWithinReach } from '../access-policy';

/**
 * The object-level half of the access policy for service accounts: an API key restricted to
 * CIs reaches only changes whose CIs are all among them. A refusal is a 403 naming the rule,
 * on record in the audit log with the key id.
 */
@Injectable()
export class ServiceAccountReach {
  constructor(private readonly audit: AuditLog) {}

  async assertChange(caller: Principal, change: { id: string; ciKeys: readonly string[] }, what: string): Promise<void> {
    if (changeWithinReach(caller, change.ciKeys)) return;
    await this.refuse(caller, what, `API key restricted to CIs ${caller.serviceAccount!.cis!.join(', ')}: ${change.id} touches ${change.ciKeys.join(', ')}`);
  }

  async assertCis(caller: Principal, cis: readonly string[], what: string): Promise<void> {
    const outside = cis.filter((ci) => !ciWithinReach(caller, ci));
    if (outside.length === 0) return;
    await this.refuse(caller, what, `API key restricted to CIs ${caller.serviceAccount!.cis!.join(', ')}: ${outside.join(', ')} outside them`);
  }

  private async refuse(caller: Principal, what: string, reason: string): Promise<never> {
    await this.audit.record({ entity: 'api_key', entityId: caller.serviceAccount!.keyId, action: 'api_key.refused', actor: caller.id, data: { route: what, reason } });
    throw new StewardError('forbidden', reason);
  }
}
