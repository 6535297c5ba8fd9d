import { StewardError } from '../steward-error';
import type { FreezePeriod } from './freeze';
import { freezeBlocks } from './freeze';
import type { Interval } from './intervals';
import { durationMs, intersectIntervals, overlaps, subtractIntervals, unionIntervals } from './intervals';
import type { MaintenanceWindowRule } from './maintenance-window';
import { expandWindow } from './maintenance-window';
import type { CiRef } from './scope';
import { appliesTo } from './scope';

/** How far ahead a change is scheduled before the calendar is declared to have no room for it. */
export const DEFAULT_HORIZON_DAYS = 366;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/*
 * The search walks the horizon in slices so that no single expansion can pass
 * MAX_WINDOW_OCCURRENCES: a valid rule starts at most 24 times a wall-clock day (one start an
 * hour), and a slice of 120 days plus a week-long window and margins stays near 3,100 starts.
 */
const SLICE_DAYS = 120;

/** What the change workflow asks the calendar, through an activity, before it sleeps. */
export interface EligibilityQuery {
  /** The change's configuration items; every one of them must be changeable at once. */
  cis: readonly CiRef[];
  windows: readonly MaintenanceWindowRule[];
  freezes: readonly FreezePeriod[];
  /** Now, as the workflow's clock has it; nothing earlier is offered. */
  after: Date;
  /** The time the plan needs, uninterrupted. */
  durationMinutes: number;
  emergency?: boolean;
  /** The requester's own bounds; a start in the past means "from `after`". */
  requested?: { start: Date; end: Date };
  /** Counted from where the search starts (`after`, or a later requested start). */
  horizonDays?: number;
}

/** A stretch in which the change may run, and why, in words for the change's timeline. */
export interface EligibleInterval extends Interval {
  reason: string;
}

function requireInstant(name: string, value: unknown): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new StewardError('invalid', `${name} must be a valid date`);
  return value.getTime();
}

function checkQuery(query: EligibilityQuery): { from: number; limit: number; need: number } {
  const after = requireInstant('after', query.after);
  if (query.cis.length === 0) throw new StewardError('invalid', 'a change names at least one configuration item');
  if (!(Number.isFinite(query.durationMinutes) && query.durationMinutes > 0)) throw new StewardError('invalid', 'durationMinutes must be a positive number');
  const horizonDays = query.horizonDays ?? DEFAULT_HORIZON_DAYS;
  if (!(Number.isFinite(horizonDays) && horizonDays > 0)) throw new StewardError('invalid', 'horizonDays must be a positive number');
  let from = after;
  let requestedEnd = Infinity;
  if (query.requested) {
    const start = requireInstant('requested.start', query.requested.start);
    requestedEnd = requireInstant('requested.end', query.requested.end);
    if (requestedEnd <= start) throw new StewardError('invalid', 'requested.end must be after requested.start');
    from = Math.max(after, start);
  }
  return { from, limit: Math.min(from + horizonDays * DAY_MS, requestedEnd), need: query.durationMinutes * MINUTE_MS };
}

// Windows that constrain each CI; empty for a CI that no window covers, which is free.
function windowsPerCi(query: EligibilityQuery): Array<readonly MaintenanceWindowRule[]> {
  if (query.emergency) return [];
  return query.cis.map((ci) => query.windows.filter((window) => appliesTo(window.scope, ci))).filter((windows) => windows.length > 0);
}

// The eligible parts of [from, limit), slice by slice, in order. Pieces of one stretch that a
// slice boundary cuts come out touching, for the caller to join.
function* eligiblePieces(query: EligibilityQuery, constraints: Array<readonly MaintenanceWindowRule[]>, from: number, limit: number): Generator<Interval> {
  const frozen = unionIntervals(query.freezes.filter((freeze) => freezeBlocks(freeze, query.cis, query.emergency)));
  for (let sliceStart = from; sliceStart < limit; sliceStart += SLICE_DAYS * DAY_MS) {
    const slice = { start: new Date(sliceStart), end: new Date(Math.min(sliceStart + SLICE_DAYS * DAY_MS, limit)) };
    const expanded = new Map<MaintenanceWindowRule, Interval[]>();
    const occurrences = (window: MaintenanceWindowRule): Interval[] => {
      if (!expanded.has(window)) expanded.set(window, expandWindow(window, slice.start, slice.end));
      return expanded.get(window) as Interval[];
    };
    // A CI is open inside any of its windows; the change needs every CI open at once.
    let open: Interval[] = [slice];
    for (const windows of constraints) {
      if (open.length === 0) break;
      open = intersectIntervals(open, unionIntervals(...windows.map(occurrences)));
    }
    yield* subtractIntervals(open, frozen);
  }
}

function listed(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function reasonFor(query: EligibilityQuery, constraints: Array<readonly MaintenanceWindowRule[]>, stretch: Interval, need: number): string {
  const used: Interval = { start: stretch.start, end: new Date(stretch.start.getTime() + need) };
  let reason: string;
  if (query.emergency) {
    reason = 'emergency change: windows do not apply';
    const passed = query.freezes.filter((freeze) => freeze.allowEmergency && overlaps(freeze, used) && freezeBlocks(freeze, query.cis, false));
    if (passed.length > 0) reason += `; ${listed(passed.map((freeze) => `'${freeze.name}'`))} ${passed.length === 1 ? 'allows' : 'allow'} emergency changes`;
  } else if (constraints.length === 0) {
    reason = 'no maintenance window in scope: any time outside freezes';
  } else {
    const windows = [...new Set(constraints.flat())].filter((window) => expandWindow(window, used.start, used.end).length > 0);
    const names = windows.map((window) => `'${window.name}' (${window.timezone})`);
    reason = `maintenance window${names.length === 1 ? '' : 's'} ${listed(names)}`;
  }
  return query.requested ? `${reason}, within the requested window` : reason;
}

/**
 * The earliest stretch at or after `after` in which the change may run for `durationMinutes`
 * without a break, or null when none starts and fits within the horizon (and the requested
 * window). A CI that no window covers may change at any time; one that windows cover, only
 * inside one of them; all the change's CIs must be open together. A freeze covering any of
 * the CIs closes the time. An emergency change ignores windows and passes the freezes that
 * allow emergencies.
 *
 * `end` is where the whole contiguous stretch closes (cut at the horizon or the requested
 * end), not `start + durationMinutes`: the workflow uses it to know when the window shuts.
 * Throws a StewardError `invalid` for a bad query or an invalid window rule in scope.
 */
export function nextEligibleInterval(query: EligibilityQuery): EligibleInterval | null {
  const { from, limit, need } = checkQuery(query);
  if (limit - from < need) return null;
  const constraints = windowsPerCi(query);
  let stretch: Interval | undefined;
  for (const piece of eligiblePieces(query, constraints, from, limit)) {
    if (stretch && piece.start.getTime() <= stretch.end.getTime()) {
      stretch = { start: stretch.start, end: piece.end };
      continue;
    }
    if (stretch && durationMs(stretch) >= need) break;
    stretch = piece;
  }
  if (!stretch || durationMs(stretch) < need) return null;
  return { start: stretch.start, end: stretch.end, reason: reasonFor(query, constraints, stretch, need) };
}
