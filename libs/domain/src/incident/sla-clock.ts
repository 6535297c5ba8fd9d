import { StewardError } from '../steward-error';
import { BUSINESS_DAY_MS, HOUR_MS, addBusinessMs, businessCalendarProblems, businessMsBetween, type BusinessCalendar } from './business-calendar';
import type { Priority } from './priority';

/** What an SLA clock measures: time to acknowledge (response) or to resolve (resolution). */
export type SlaTargetKind = 'response' | 'resolution';

/** One target of an SLA definition. `businessHours` targets run on the service's calendar when one is configured, else around the clock. */
export interface SlaTarget {
  targetMs: number;
  businessHours: boolean;
}

/** The two targets for one priority; null means the priority has no such target. */
export interface SlaTargets {
  response: SlaTarget | null;
  resolution: SlaTarget | null;
}

const MINUTE_MS = 60_000;

/**
 * Seed SLA targets from issue 6 (editable per service and priority): P1 15 min / 4 h and P2
 * 30 min / 8 h around the clock; P3 4 business hours / 3 business days; P4 1 business day /
 * 10 business days (a business day is 8 business hours, see BUSINESS_DAY_MS); P5 is planned
 * work, scheduled rather than raced against a clock, so it has no target.
 */
export const DEFAULT_SLA_TARGETS: Readonly<Record<Priority, SlaTargets>> = {
  P1: { response: { targetMs: 15 * MINUTE_MS, businessHours: false }, resolution: { targetMs: 4 * HOUR_MS, businessHours: false } },
  P2: { response: { targetMs: 30 * MINUTE_MS, businessHours: false }, resolution: { targetMs: 8 * HOUR_MS, businessHours: false } },
  P3: { response: { targetMs: 4 * HOUR_MS, businessHours: true }, resolution: { targetMs: 3 * BUSINESS_DAY_MS, businessHours: true } },
  P4: { response: { targetMs: BUSINESS_DAY_MS, businessHours: true }, resolution: { targetMs: 10 * BUSINESS_DAY_MS, businessHours: true } },
  P5: { response: null, resolution: null },
};

/** The target of one kind for a priority, or null when it has none (P5). */
export function slaTargetFor(priority: Priority, kind: SlaTargetKind, targets: Readonly<Record<Priority, SlaTargets>> = DEFAULT_SLA_TARGETS): SlaTarget | null {
  return targets[priority]?.[kind] ?? null;
}

/** One entry of the pause ledger. `until` is null while the pause lasts. */
export interface SlaPause {
  readonly from: string;
  readonly until: string | null;
  readonly reason: string;
  /** Who or what caused the pause (a user id, `system`, a third party's reference). */
  readonly by: string;
  /** Who resumed the clock; null while paused, or when the clock was stopped during the pause. */
  readonly resumedBy: string | null;
}

/**
 * An SLA clock as an immutable value: the start, the pause ledger and the stop are the only
 * facts kept, and every figure (elapsed, remaining, due, breached) is computed from them, so
 * nothing can be edited into a total (principle 4). Instants are stored as ISO strings so the
 * value survives JSON unchanged: workflow state, query results and continue-as-new arguments.
 * Operations return a new, frozen clock.
 */
export interface SlaClock {
  readonly target: SlaTargetKind;
  readonly targetMs: number;
  /** null: the clock runs around the clock. */
  readonly calendar: BusinessCalendar | null;
  readonly startedAt: string;
  readonly pauses: readonly SlaPause[];
  /** When the clock was stopped (acknowledged, resolved); null while it runs. */
  readonly stoppedAt: string | null;
}

export interface StartClockInput {
  target: SlaTargetKind;
  targetMs: number;
  calendar?: BusinessCalendar | null;
  startedAt: Date;
}

/** A running clock, started at `startedAt`. Throws StewardError 'invalid' for bad input. */
export function startClock(input: StartClockInput): SlaClock {
  if (input.target !== 'response' && input.target !== 'resolution') throw new StewardError('invalid', "target must be 'response' or 'resolution'", { target: input.target });
  return freeze({
    target: input.target,
    targetMs: checkTarget(input.targetMs),
    calendar: copyCalendar(input.calendar ?? null),
    startedAt: iso('startedAt', input.startedAt),
    pauses: [],
    stoppedAt: null,
  });
}

/**
 * The clock paused at `at`, for `reason`, caused by `by`. Throws StewardError 'conflict' when
 * it is already paused or stopped, 'invalid' when `at` is before the ledger's last entry.
 */
export function pause(clock: SlaClock, at: Date, reason: string, by: string): SlaClock {
  if (clock.stoppedAt !== null) throw new StewardError('conflict', 'the SLA clock is stopped and cannot be paused');
  if (openPause(clock)) throw new StewardError('conflict', 'the SLA clock is already paused');
  const when = notBefore(clock, at);
  return freeze({ ...clock, pauses: [...clock.pauses, { from: when, until: null, reason: text('reason', reason), by: text('by', by), resumedBy: null }] });
}

/** The clock resumed at `at` by `by`. Throws StewardError 'conflict' when it is not paused. */
export function resume(clock: SlaClock, at: Date, by: string): SlaClock {
  if (clock.stoppedAt !== null) throw new StewardError('conflict', 'the SLA clock is stopped and cannot be resumed');
  const open = openPause(clock);
  if (!open) throw new StewardError('conflict', 'the SLA clock is not paused');
  const when = notBefore(clock, at);
  const resumer = text('by', by);
  return freeze({ ...clock, pauses: clock.pauses.map((p) => (p === open ? { ...p, until: when, resumedBy: resumer } : p)) });
}

/**
 * The clock stopped at `at` (its target met or missed for good: acknowledged, resolved).
 * A pause still open ends there, with no one named as resuming it. Throws StewardError
 * 'conflict' when it is already stopped.
 */
export function stop(clock: SlaClock, at: Date): SlaClock {
  if (clock.stoppedAt !== null) throw new StewardError('conflict', 'the SLA clock is already stopped');
  const when = notBefore(clock, at);
  const open = openPause(clock);
  return freeze({ ...clock, pauses: clock.pauses.map((p) => (p === open ? { ...p, until: when } : p)), stoppedAt: when });
}

/**
 * The clock with a new target and, when `newCalendar` is given, a new calendar (null: around
 * the clock; undefined: keep the current one). The start, the pause ledger and any stop are
 * KEPT, so elapsed and paused time carry over instead of starting again from zero (the GLPI
 * failure, its issues 6902 and 15605). A re-classification corrects what the incident was all
 * along, so with a new calendar the whole history is measured on that calendar, pauses still
 * excluded (ServiceNow's "retroactive start" and "retroactive pause"); the figures stay a
 * function of the recorded timestamps only.
 */
export function retarget(clock: SlaClock, newTargetMs: number, newCalendar?: BusinessCalendar | null): SlaClock {
  return freeze({
    ...clock,
    targetMs: checkTarget(newTargetMs),
    calendar: newCalendar === undefined ? clock.calendar : copyCalendar(newCalendar),
  });
}

/** Whether the clock is paused at `now` (by the ledger as it stood then). */
export function isPaused(clock: SlaClock, now: Date): boolean {
  return openPause(asOf(clock, ms('now', now))) !== undefined;
}

/**
 * Time counted against the target by `now`: from the start, pauses excluded, up to the stop;
 * business time when the clock has a calendar. Ledger entries after `now` are ignored, so a
 * past `now` gives the figure as it stood then.
 */
export function elapsed(clock: SlaClock, now: Date): number {
  const t = ms('now', now);
  return activeSpans(asOf(clock, t), t).reduce((sum, [a, b]) => sum + measure(clock, a, b), 0);
}

/** Paused time by `now`, measured like `elapsed` (business time when there is a calendar). */
export function pausedMs(clock: SlaClock, now: Date): number {
  const t = ms('now', now);
  const view = asOf(clock, t);
  const end = view.stoppedAt === null ? t : Math.min(t, Date.parse(view.stoppedAt));
  return view.pauses.reduce((sum, p) => sum + measure(clock, Date.parse(p.from), Math.min(end, p.until === null ? end : Date.parse(p.until))), 0);
}

/** Target minus elapsed: negative once breached, by how much the target was overrun. */
export function remaining(clock: SlaClock, now: Date): number {
  return clock.targetMs - elapsed(clock, now);
}

/**
 * Whether the target is breached at `now`. The target instant itself is a breach: the allowed
 * time is [0, target), half-open like every interval in Steward, so a durable timer set to
 * `dueAt` finds the clock breached when it fires.
 */
export function breached(clock: SlaClock, now: Date): boolean {
  return elapsed(clock, now) >= clock.targetMs;
}

/**
 * The instant the clock breaches if nothing changes after `now`; null while paused or once
 * stopped. For a running clock already breached it is the past instant the breach happened.
 */
export function dueAt(clock: SlaClock, now: Date): Date | null {
  const view = asOf(clock, ms('now', now));
  if (view.stoppedAt !== null || openPause(view)) return null;
  let counted = 0;
  for (const [a, b] of activeSpans(view, Infinity)) {
    const span = b === Infinity ? Infinity : measure(clock, a, b);
    if (counted + span >= clock.targetMs) return advance(clock, a, clock.targetMs - counted);
    counted += span;
  }
  // Unreachable: a running clock's last span is open-ended.
  return null;
}

function freeze(clock: SlaClock): SlaClock {
  return Object.freeze({ ...clock, pauses: Object.freeze(clock.pauses.map((p) => Object.freeze({ ...p }))) });
}

// A private, frozen copy, so that editing the caller's calendar later cannot change the clock.
function copyCalendar(calendar: BusinessCalendar | null): BusinessCalendar | null {
  if (calendar === null) return null;
  const problems = businessCalendarProblems(calendar);
  if (problems.length > 0) throw new StewardError('invalid', `business calendar is invalid: ${problems.join('; ')}`, { problems });
  return Object.freeze({
    weekly: Object.freeze(calendar.weekly.map((e) => Object.freeze({ day: e.day, start: e.start, end: e.end }))) as BusinessCalendar['weekly'],
    utcOffsetMinutes: calendar.utcOffsetMinutes,
  });
}

function checkTarget(targetMs: number): number {
  if (!Number.isInteger(targetMs) || targetMs <= 0) throw new StewardError('invalid', 'targetMs must be a positive integer', { targetMs });
  return targetMs;
}

function text(name: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new StewardError('invalid', `${name} is required`);
  return value;
}

function ms(name: string, date: Date): number {
  const t = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(t)) throw new StewardError('invalid', `${name} must be a valid date`);
  return t;
}

function iso(name: string, date: Date): string {
  return new Date(ms(name, date)).toISOString();
}

function openPause(clock: SlaClock): SlaPause | undefined {
  const last = clock.pauses[clock.pauses.length - 1];
  return last && last.until === null ? last : undefined;
}

// The ledger is append-only in time: an entry before the latest one would rewrite history.
function notBefore(clock: SlaClock, at: Date): string {
  const t = ms('at', at);
  const last = clock.pauses[clock.pauses.length - 1];
  const latest = Math.max(Date.parse(clock.startedAt), last ? Date.parse(last.until ?? last.from) : -Infinity);
  if (t < latest) throw new StewardError('invalid', `at (${new Date(t).toISOString()}) is before the clock's last entry (${new Date(latest).toISOString()})`);
  return new Date(t).toISOString();
}

/** The clock as it stood at t: later pauses dropped, a pause that ended later still open, a later stop undone. */
function asOf(clock: SlaClock, t: number): SlaClock {
  return {
    ...clock,
    pauses: clock.pauses.filter((p) => Date.parse(p.from) <= t).map((p) => (p.until !== null && Date.parse(p.until) > t ? { ...p, until: null, resumedBy: null } : p)),
    stoppedAt: clock.stoppedAt !== null && Date.parse(clock.stoppedAt) <= t ? clock.stoppedAt : null,
  };
}

/** The stretches [a, b) in which the clock ran, from its start up to `until` (may be Infinity) or its stop. */
function activeSpans(clock: SlaClock, until: number): Array<[number, number]> {
  const end = clock.stoppedAt === null ? until : Math.min(until, Date.parse(clock.stoppedAt));
  const spans: Array<[number, number]> = [];
  let cursor = Date.parse(clock.startedAt);
  for (const p of clock.pauses) {
    const from = Date.parse(p.from);
    if (from >= end) break;
    if (from > cursor) spans.push([cursor, from]);
    cursor = p.until === null ? Infinity : Date.parse(p.until);
    if (cursor >= end) break;
  }
  if (cursor < end) spans.push([cursor, end]);
  return spans;
}

function measure(clock: SlaClock, a: number, b: number): number {
  if (b <= a) return 0;
  return clock.calendar ? businessMsBetween(clock.calendar, new Date(a), new Date(b)) : b - a;
}

function advance(clock: SlaClock, a: number, by: number): Date {
  return clock.calendar ? addBusinessMs(clock.calendar, new Date(a), by) : new Date(a + by);
}
