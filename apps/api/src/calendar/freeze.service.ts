import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { AuditLog, ChangeFreezeEntity } from '@steward/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { invalidFields } from '../common/validation';
import { assertMayWriteScope, scopeOf } from './calendar-scope';
import { toFreezeView, type FreezeView } from './calendar.views';
import { parseInstant, type CalendarRangeQuery, type CreateFreezeDto } from './dtos/calendar.dtos';
import { WaitingChangesNotifier } from './waiting-changes.notifier';

const WHAT = 'freeze';

/** Declares and lifts change freezes; each write is audited with it. */
@Injectable()
export class FreezeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly waiting: WaitingChangesNotifier,
  ) {}

  private async mustFind(manager: EntityManager, id: string, lock = false): Promise<ChangeFreezeEntity> {
    const freeze = await manager.findOne(ChangeFreezeEntity, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!freeze) throw new StewardError('not_found', `${WHAT} ${id} not found`);
    return freeze;
  }

  async create(caller: Principal, dto: CreateFreezeDto): Promise<FreezeView> {
    const scope = scopeOf(dto.scope);
    const [start, end] = [new Date(parseInstant(dto.start)), new Date(parseInstant(dto.end))];
    const created = await this.db.transaction(async (tx) => {
      await assertMayWriteScope(tx, caller, scope, WHAT, { checkCis: true });
      const saved = await tx.save(
        tx.create(ChangeFreezeEntity, {
          name: dto.name,
          startAt: start,
          endAt: end,
          reason: dto.reason,
          scopeCis: scope.cis,
          scopeTags: scope.tags,
          allowEmergency: dto.allowEmergency ?? false,
          createdBy: caller.id,
        }),
      );
      await this.audit.append(tx, {
        entity: 'freeze',
        entityId: String(saved.id),
        action: 'calendar.freeze_created',
        actor: caller.id,
        data: { name: dto.name, start: start.toISOString(), end: end.toISOString(), reason: dto.reason, scope: { ...scope }, allowEmergency: dto.allowEmergency ?? false },
      });
      return toFreezeView(await this.mustFind(tx, String(saved.id)));
    });
    // After the commit: the workflows re-read the calendar and must see the freeze.
    await this.waiting.notify(scope, `freeze ${created.id} '${dto.name}' declared`);
    return created;
  }

  /** Freezes overlapping [from, to), by start; either bound may be left out. */
  async list(query: CalendarRangeQuery): Promise<FreezeView[]> {
    const [from, to] = [query.from ? new Date(parseInstant(query.from)) : undefined, query.to ? new Date(parseInstant(query.to)) : undefined];
    if (from && to && to <= from) throw invalidFields([{ field: 'to', message: 'to must be after from' }]);
    const qb = this.db.getRepository(ChangeFreezeEntity).createQueryBuilder('f');
    if (from) qb.andWhere('f.end_at > :from', { from });
    if (to) qb.andWhere('f.start_at < :to', { to });
    const freezes = await qb.orderBy('f.start_at', 'ASC').addOrderBy('f.id', 'ASC').getMany();
    return freezes.map(toFreezeView);
  }

  async get(id: string): Promise<FreezeView> {
    return toFreezeView(await this.mustFind(this.db.manager, id));
  }

  async remove(caller: Principal, id: string): Promise<void> {
    const freeze = await this.db.transaction(async (tx) => {
      const freeze = await this.mustFind(tx, id, true);
      await assertMayWriteScope(tx, caller, { cis: freeze.scopeCis, tags: freeze.scopeTags }, WHAT, { checkCis: false });
      await tx.delete(ChangeFreezeEntity, { id });
      await this.audit.append(tx, {
        entity: 'freeze',
        entityId: id,
        action: 'calendar.freeze_deleted',
        actor: caller.id,
        data: {
          name: freeze.name,
          start: freeze.startAt.toISOString(),
          end: freeze.endAt.toISOString(),
          reason: freeze.reason,
          scope: { cis: freeze.scopeCis, tags: freeze.scopeTags },
          allowEmergency: freeze.allowEmergency,
        },
      });
      return freeze;
    });
    await this.waiting.notify({ cis: freeze.scopeCis, tags: freeze.scopeTags }, `freeze ${id} '${freeze.name}' lifted`);
  }
}
