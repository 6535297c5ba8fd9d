import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { AuditLog, MaintenanceWindowEntity } from '@steward/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { assertMayWriteScope, scopeOf } from './calendar-scope';
import { toWindowView, type MaintenanceWindowView } from './calendar.views';
import type { CreateMaintenanceWindowDto } from './dtos/calendar.dtos';
import { WaitingChangesNotifier } from './waiting-changes.notifier';

const WHAT = 'maintenance window';

/** Declares and withdraws recurring maintenance windows; each write is audited with it. */
@Injectable()
export class MaintenanceWindowService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly waiting: WaitingChangesNotifier,
  ) {}

  private async mustFind(manager: EntityManager, id: string, lock = false): Promise<MaintenanceWindowEntity> {
    const window = await manager.findOne(MaintenanceWindowEntity, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!window) throw new StewardError('not_found', `${WHAT} ${id} not found`);
    return window;
  }

  /** The DTO has already checked the rule with validateWindowRule, field by field. */
  async create(caller: Principal, dto: CreateMaintenanceWindowDto): Promise<MaintenanceWindowView> {
    const scope = scopeOf(dto.scope);
    const created = await this.db.transaction(async (tx) => {
      await assertMayWriteScope(tx, caller, scope, WHAT, { checkCis: true });
      const saved = await tx.save(
        tx.create(MaintenanceWindowEntity, {
          name: dto.name,
          rrule: dto.rrule,
          durationMinutes: dto.durationMinutes,
          timezone: dto.timezone,
          scopeCis: scope.cis,
          scopeTags: scope.tags,
          createdBy: caller.id,
        }),
      );
      await this.audit.append(tx, {
        entity: 'maintenance_window',
        entityId: String(saved.id),
        action: 'calendar.window_created',
        actor: caller.id,
        data: { name: dto.name, rrule: dto.rrule, durationMinutes: dto.durationMinutes, timezone: dto.timezone, scope: { ...scope } },
      });
      return toWindowView(await this.mustFind(tx, String(saved.id)), new Date());
    });
    await this.waiting.notify(scope, `maintenance window ${created.id} '${dto.name}' added`);
    return created;
  }

  async list(): Promise<MaintenanceWindowView[]> {
    const now = new Date();
    const windows = await this.db.getRepository(MaintenanceWindowEntity).find({ order: { id: 'ASC' } });
    return windows.map((window) => toWindowView(window, now));
  }

  async get(id: string): Promise<MaintenanceWindowView> {
    return toWindowView(await this.mustFind(this.db.manager, id), new Date());
  }

  async remove(caller: Principal, id: string): Promise<void> {
    const removed = await this.db.transaction(async (tx) => {
      const window = await this.mustFind(tx, id, true);
      await assertMayWriteScope(tx, caller, { cis: window.scopeCis, tags: window.scopeTags }, WHAT, { checkCis: false });
      await tx.delete(MaintenanceWindowEntity, { id });
      await this.audit.append(tx, {
        entity: 'maintenance_window',
        entityId: id,
        action: 'calendar.window_deleted',
        actor: caller.id,
        data: {
          name: window.name,
          rrule: window.rrule,
          durationMinutes: window.durationMinutes,
          timezone: window.timezone,
          scope: { cis: window.scopeCis, tags: window.scopeTags },
        },
      });
      return window;
    });
    await this.waiting.notify({ cis: removed.scopeCis, tags: removed.scopeTags }, `maintenance window ${id} '${removed.name}' removed`);
  }
}
