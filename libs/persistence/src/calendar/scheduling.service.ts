import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError } from '@steward/domain';
import {
  DEFAULT_HORIZON_DAYS,
  nextEligibleInterval,
  type CiRef,
  type EligibleInterval,
  type FreezePeriod,
  type MaintenanceWindowRule,
} from '@steward/domain/calendar';
import { DataSource, In, type EntityManager } from 'typeorm';
import { ConfigurationItemEntity } from '../cmdb/configuration-item.entity';
import { ChangeFreezeEntity, MaintenanceWindowEntity } from './calendar.entities';

const DAY_MS = 86_400_000;

/** What a caller asks: when may a change to these CIs run for this long? */
export interface NextIntervalQuery {
  ciKeys: readonly string[];
  durationMinutes: number;
  /** Nothing earlier is offered: now, as the caller's clock has it. */
  after: Date;
  emergency?: boolean;
  /** The requester's own bounds; a start before `after` means "from `after`". */
  requested?: { start: Date; end: Date };
}

/** A stored window as the calendar rules take it. */
export function windowRuleOf(window: MaintenanceWindowEntity): MaintenanceWindowRule {
  return {
    id: String(window.id),
    name: window.name,
    rrule: window.rrule,
    durationMinutes: window.durationMinutes,
    timezone: window.timezone,
    scope: { cis: window.scopeCis, tags: window.scopeTags },
  };
}

/** A stored freeze as the calendar rules take it. */
export function freezePeriodOf(freeze: ChangeFreezeEntity): FreezePeriod {
  return {
    id: String(freeze.id),
    name: freeze.name,
    start: freeze.startAt,
    end: freeze.endAt,
    reason: freeze.reason,
    scope: { cis: freeze.scopeCis, tags: freeze.scopeTags },
    allowEmergency: freeze.allowEmergency,
  };
}

// Rows whose scope can cover one of the CIs: named, tagged, or unscoped (which covers every CI).
const scopeMatches = (alias: string): string =>
  `(${alias}.scope_cis && CAST(:keys AS text[]) OR ${alias}.scope_tags && CAST(:tags AS text[]) OR (cardinality(${alias}.scope_cis) = 0 AND cardinality(${alias}.scope_tags) = 0))`;

function validDate(name: string, value: Date): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new StewardError('invalid', `${name} must be a valid date`);
  return value.getTime();
}

/**
 * The calendar's answer to "when may this change run", over the windows and freezes in the
 * database. The API asks it for `GET /api/calendar/next-interval`; the change workflow's
 * activities ask it before the workflow sleeps until its window.
 */
@Injectable()
export class SchedulingService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * nextEligibleInterval for these CIs, loading only what can matter: windows whose scope
   * covers one of the CIs (none for an emergency, which ignores windows), and freezes covering
   * one of them that end after `after` and begin before the search ends. `end` is where the
   * whole eligible stretch closes, not `start + durationMinutes`. Null when nothing fits within
   * the horizon. Throws a StewardError `invalid` for a bad query, with unknown CI keys listed
   * in `details.unknownCis`.
   */
  async nextInterval(query: NextIntervalQuery, manager: EntityManager = this.db.manager): Promise<EligibleInterval | null> {
    const after = validDate('after', query.after);
    const requested = query.requested ? { start: validDate('requested.start', query.requested.start), end: validDate('requested.end', query.requested.end) } : undefined;
    const keys = [...new Set(query.ciKeys)];
    const found = keys.length === 0 ? [] : await manager.find(ConfigurationItemEntity, { select: { key: true, tags: true }, where: { key: In(keys) } });
    const unknown = keys.filter((key) => !found.some((ci) => ci.key === key));
    if (unknown.length > 0) throw new StewardError('invalid', `unknown configuration items: ${unknown.join(', ')}`, { unknownCis: unknown });
    const cis: CiRef[] = keys.map((key) => found.find((ci) => ci.key === key) as ConfigurationItemEntity).map((ci) => ({ key: ci.key, tags: ci.tags }));
    const scope = { keys, tags: [...new Set(cis.flatMap((ci) => ci.tags))] };

    const windows = query.emergency
      ? []
      : await manager.createQueryBuilder(MaintenanceWindowEntity, 'w').where(scopeMatches('w'), scope).orderBy('w.id', 'ASC').getMany();
    // The search starts at `after` or the later requested start and stops at its horizon or the requested end.
    const from = Math.max(after, requested?.start ?? after);
    const searchEnd = Math.min(from + DEFAULT_HORIZON_DAYS * DAY_MS, requested?.end ?? Infinity);
    const freezes = await manager
      .createQueryBuilder(ChangeFreezeEntity, 'f')
      .where('f.end_at > :after AND f.start_at < :searchEnd', { after: new Date(after), searchEnd: new Date(Math.max(searchEnd, after)) })
      .andWhere(scopeMatches('f'), scope)
      .orderBy('f.start_at', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getMany();

    return nextEligibleInterval({
      cis,
      windows: windows.map(windowRuleOf),
      freezes: freezes.map(freezePeriodOf),
      after: query.after,
      durationMinutes: query.durationMinutes,
      emergency: query.emergency ?? false,
      requested: query.requested,
    });
  }
}
