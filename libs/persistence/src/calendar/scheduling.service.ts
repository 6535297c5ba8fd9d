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
import { DataSource, type EntityManager } from 'typeorm';

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

type WindowRow = { id: string; name: string; rrule: string; duration_minutes: number; timezone: string; scope_cis: string[]; scope_tags: string[] };
type FreezeRow = { id: string; name: string; start_at: Date; end_at: Date; reason: string; scope_cis: string[]; scope_tags: string[]; allow_emergency: boolean };

// Rows whose scope can cover one of the CIs: named, tagged, or unscoped (which covers all).
const SCOPE_MATCHES = `(scope_cis && $1::text[] OR scope_tags && $2::text[] OR (cardinality(scope_cis) = 0 AND cardinality(scope_tags) = 0))`;

export function toWindowRule(row: WindowRow): MaintenanceWindowRule {
  return { id: String(row.id), name: row.name, rrule: row.rrule, durationMinutes: Number(row.duration_minutes), timezone: row.timezone, scope: { cis: row.scope_cis, tags: row.scope_tags } };
}

export function toFreezePeriod(row: FreezeRow): FreezePeriod {
  return {
    id: String(row.id),
    name: row.name,
    start: new Date(row.start_at),
    end: new Date(row.end_at),
    reason: row.reason,
    scope: { cis: row.scope_cis, tags: row.scope_tags },
    allowEmergency: row.allow_emergency,
  };
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
   * nextEligibleInterval for these CIs with the windows and freezes that can matter: those
   * whose scope covers one of the CIs (or every CI), and freezes that end after `after` and
   * begin before the search can end. `end` is where the whole eligible stretch closes.
   * Throws a StewardError `invalid` naming unknown CIs in `details.unknownCis`.
   */
  async nextInterval(query: NextIntervalQuery, manager: EntityManager = this.db.manager): Promise<EligibleInterval | null> {
    const keys = [...new Set(query.ciKeys)];
    const cis = (await manager.query(`SELECT key, tags FROM configuration_item WHERE key = ANY($1::text[])`, [keys])) as CiRef[];
    const unknown = keys.filter((key) => !cis.some((ci) => ci.key === key));
    if (unknown.length > 0) throw new StewardError('invalid', `unknown configuration items: ${unknown.join(', ')}`, { unknownCis: unknown });
    const tags = [...new Set(cis.flatMap((ci) => ci.tags))];

    // The search cannot look past its horizon, counted from where it starts, nor past the requested end.
    const from = Math.max(query.after.getTime(), query.requested?.start.getTime() ?? -Infinity);
    const searchEnd = Math.min(from + DEFAULT_HORIZON_DAYS * DAY_MS, query.requested?.end.getTime() ?? Infinity);
    const [windows, freezes] = await Promise.all([
      // An emergency change ignores windows.
      query.emergency
        ? Promise.resolve([] as WindowRow[])
        : (manager.query(`SELECT id, name, rrule, duration_minutes, timezone, scope_cis, scope_tags FROM maintenance_window WHERE ${SCOPE_MATCHES} ORDER BY id`, [keys, tags]) as Promise<WindowRow[]>),
      manager.query(
        `SELECT id, name, start_at, end_at, reason, scope_cis, scope_tags, allow_emergency FROM change_freeze
          WHERE end_at > $3 AND start_at < $4 AND ${SCOPE_MATCHES} ORDER BY start_at, id`,
        [keys, tags, query.after, new Date(Number.isFinite(searchEnd) ? searchEnd : from)],
      ) as Promise<FreezeRow[]>,
    ]);

    return nextEligibleInterval({
      cis: keys.map((key) => cis.find((ci) => ci.key === key) as CiRef),
      windows: windows.map(toWindowRule),
      freezes: freezes.map(toFreezePeriod),
      after: query.after,
      durationMinutes: query.durationMinutes,
      emergency: query.emergency ?? false,
      requested: query.requested,
    });
  }
}
