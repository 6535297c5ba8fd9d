import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError } from '@steward/domain';
import { findConflicts, toICalendar, type ICalendarEvent } from '@steward/domain/calendar';
import { ChangeFreezeEntity, ChangeRequestEntity, MaintenanceWindowEntity, SchedulingService } from '@steward/persistence';
import { DataSource } from 'typeorm';
import { invalidFields } from '../common/validation';
import { toFreezeView, windowOccurrencesIn, type CalendarView, type NextIntervalView } from './calendar.views';
import { parseInstant, type CalendarRangeQuery, type NextIntervalQueryDto } from './dtos/calendar.dtos';

const DAY_MS = 86_400_000;
/** The longest range one request may ask for: a year and a bit, for year-on-year planning. */
export const MAX_RANGE_DAYS = 400;
/** JSON: the month ahead. */
const VIEW_DEFAULT = { before: 0, after: 30 };
/** iCalendar (API.md): 30 days back to 365 days ahead. */
const ICS_DEFAULT = { before: 30, after: 365 };
/** States whose schedule will never run and never ran. */
const NEVER_RUN = ['cancelled', 'rejected'];

const PRODID = '-//Steward//Change Calendar//EN';

function listed(values: readonly string[]): string {
  return values.join(', ');
}

function scopeText(scope: { cis: string[]; tags: string[] }): string {
  if (scope.cis.length === 0 && scope.tags.length === 0) return 'every configuration item';
  return [scope.cis.length > 0 ? `CIs ${listed(scope.cis)}` : '', scope.tags.length > 0 ? `CIs tagged ${listed(scope.tags)}` : ''].filter(Boolean).join('; ');
}

/** The change calendar: windows, freezes and scheduled changes in a range, as JSON or iCalendar. */
@Injectable()
export class CalendarService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly scheduling: SchedulingService,
  ) {}

  /**
   * [from, to) from the query. Left out, both take the default around now; one given alone
   * takes the default span from (or to) it. Refused when empty, inverted or too long.
   */
  private range(query: CalendarRangeQuery, defaults: { before: number; after: number }, now: Date): { from: Date; to: Date } {
    const span = (defaults.before + defaults.after) * DAY_MS;
    const given = { from: query.from ? parseInstant(query.from) : undefined, to: query.to ? parseInstant(query.to) : undefined };
    const from = given.from ?? (given.to !== undefined ? given.to - span : now.getTime() - defaults.before * DAY_MS);
    const to = given.to ?? (given.from !== undefined ? given.from + span : now.getTime() + defaults.after * DAY_MS);
    if (to <= from) throw invalidFields([{ field: 'to', message: `must be after from (${new Date(from).toISOString()})` }]);
    if (to - from > MAX_RANGE_DAYS * DAY_MS) throw invalidFields([{ field: 'to', message: `may be at most ${MAX_RANGE_DAYS} days after from; ask for a shorter range` }]);
    return { from: new Date(from), to: new Date(to) };
  }

  async view(query: CalendarRangeQuery): Promise<CalendarView> {
    const { from, to } = this.range(query, VIEW_DEFAULT, new Date());
    return this.load(from, to);
  }

  /** Every window occurrence, freeze and scheduled change overlapping the range as one VEVENT each. */
  async ics(query: CalendarRangeQuery): Promise<string> {
    const now = new Date();
    const { from, to } = this.range(query, ICS_DEFAULT, now);
    const calendar = await this.load(from, to);
    const events: ICalendarEvent[] = [];
    for (const w of calendar.windows) {
      const start = new Date(w.start);
      events.push({
        uid: `window-${w.id}-${Math.floor(start.getTime() / 1000)}@steward`,
        start,
        end: new Date(w.end),
        summary: w.name,
        description: `Maintenance window (${w.timezone}): changes to ${scopeText(w.scope)} may run.`,
        categories: ['maintenance-window'],
        transparent: true,
      });
    }
    for (const f of calendar.freezes) {
      events.push({
        uid: `freeze-${f.id}@steward`,
        start: new Date(f.start),
        end: new Date(f.end),
        summary: f.name,
        description: `${f.reason}\nFrozen: ${scopeText(f.scope)}.\nEmergency changes ${f.allowEmergency ? 'allowed' : 'not allowed'}.`,
        categories: ['freeze'],
        transparent: true,
      });
    }
    for (const c of calendar.changes) {
      const clashes = calendar.conflicts.filter((k) => k.a === c.id || k.b === c.id).map((k) => `Conflicts with ${k.a === c.id ? k.b : k.a} on ${listed(k.cis)}.`);
      events.push({
        uid: `change-${c.id}@steward`,
        start: new Date(c.start),
        end: new Date(c.end),
        summary: `${c.id}: ${c.title}`,
        description: [`State: ${c.state}.`, `CIs: ${listed(c.cis)}.`, ...clashes].join('\n'),
        categories: ['change'],
      });
    }
    events.sort((x, y) => x.start.getTime() - y.start.getTime() || (x.uid < y.uid ? -1 : x.uid > y.uid ? 1 : 0));
    return toICalendar(events, { prodId: PRODID, stamp: now, name: 'Steward change calendar' });
  }

  private async load(from: Date, to: Date): Promise<CalendarView> {
    const windows = await this.db.getRepository(MaintenanceWindowEntity).find({ order: { id: 'ASC' } });
    const freezes = await this.db
      .getRepository(ChangeFreezeEntity)
      .createQueryBuilder('f')
      .where('f.start_at < :to AND f.end_at > :from', { from, to })
      .orderBy('f.start_at', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getMany();
    const changes = await this.db
      .getRepository(ChangeRequestEntity)
      .createQueryBuilder('c')
      .select(['c.id', 'c.title', 'c.state', 'c.ciKeys', 'c.scheduleStart', 'c.scheduleEnd'])
      // An empty or inverted schedule names no time at all; iCalendar could not carry it either.
      .where('c.schedule_start IS NOT NULL AND c.schedule_end > c.schedule_start')
      .andWhere('c.schedule_start < :to AND c.schedule_end > :from', { from, to })
      .andWhere('c.state NOT IN (:...neverRun)', { neverRun: NEVER_RUN })
      .orderBy('c.schedule_start', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .getMany();

    // One query for every depends_on edge among the CIs the changes touch, either direction.
    const keys = [...new Set(changes.flatMap((c) => c.ciKeys))];
    const edges =
      changes.length < 2
        ? []
        : ((await this.db.query(`SELECT source_key, target_key FROM ci_relationship WHERE type = 'depends_on' AND source_key = ANY($1::text[]) AND target_key = ANY($1::text[])`, [
            keys,
          ])) as Array<{ source_key: string; target_key: string }>);
    const dependsOn = new Set(edges.map((e) => `${e.source_key}\u0000${e.target_key}`));
    const conflicts = findConflicts(
      changes.map((c) => ({ id: c.id, cis: c.ciKeys, start: c.scheduleStart as Date, end: c.scheduleEnd as Date })),
      (a, b) => dependsOn.has(`${a}\u0000${b}`),
    );

    return {
      from: from.toISOString(),
      to: to.toISOString(),
      windows: windows
        .flatMap((w) => windowOccurrencesIn(w, from, to))
        .sort((x, y) => Date.parse(x.start) - Date.parse(y.start) || Number(x.id) - Number(y.id)),
      freezes: freezes.map(toFreezeView),
      changes: changes.map((c) => ({
        id: c.id,
        title: c.title,
        state: c.state,
        start: (c.scheduleStart as Date).toISOString(),
        end: (c.scheduleEnd as Date).toISOString(),
        cis: c.ciKeys,
      })),
      conflicts,
    };
  }

  async nextInterval(query: NextIntervalQueryDto): Promise<NextIntervalView> {
    if ((query.requestedStart === undefined) !== (query.requestedEnd === undefined)) {
      const missing = query.requestedStart === undefined ? 'requestedStart' : 'requestedEnd';
      throw invalidFields([{ field: missing, message: `${missing} is required with ${missing === 'requestedStart' ? 'requestedEnd' : 'requestedStart'}` }]);
    }
    let interval;
    try {
      interval = await this.scheduling.nextInterval({
        ciKeys: query.cis,
        durationMinutes: query.durationMinutes,
        after: query.after ? new Date(parseInstant(query.after)) : new Date(),
        emergency: query.emergency ?? false,
        requested:
          query.requestedStart && query.requestedEnd ? { start: new Date(parseInstant(query.requestedStart)), end: new Date(parseInstant(query.requestedEnd)) } : undefined,
      });
    } catch (error) {
      const unknown = error instanceof StewardError ? (error.details?.unknownCis as string[] | undefined) : undefined;
      if (unknown) throw invalidFields([{ field: 'cis', message: `unknown configuration items: ${unknown.join(', ')}` }]);
      throw error;
    }
    if (!interval) return { interval: null, reason: query.requestedStart ? 'nothing fits within the requested window and the horizon' : 'nothing fits within the horizon' };
    return { interval: { start: interval.start.toISOString(), end: interval.end.toISOString() }, reason: interval.reason };
  }
}
