import { StewardError } from '../steward-error';
import type { Interval } from './intervals';
import { readRecurrence } from './recurrence';
import type { Recurrence } from './recurrence';
import { ruleFrom } from './recurrence';
import type { CalendarScope } from './scope';
import { instantToWallClock, isKnownTimeZone, wallClockToInstant } from './wall-clock';

/**
 * A recurring period in which changes to the CIs in scope may run. `rrule` is RFC 5545 text
 * whose DTSTART is a wall-clock time in `timezone`:
 * `DTSTART;TZID=Europe/Paris:20261205T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA` (the TZID may be
 * left out; when given it must name `timezone`).
 */
export interface MaintenanceWindowRule {
  id: string;
  name: string;
  rrule: string;
  durationMinutes: number;
  timezone: string;
  scope: CalendarScope;
}

/** One week: a longer "window" is a standing permission, which is what no window already means. */
export const MAX_WINDOW_MINUTES = 10_080;
/** The most occurrences one expansion returns; a longer range is refused rather than cut short. */
export const MAX_WINDOW_OCCURRENCES = 5_000;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The fields of a window rule that decide when it opens, as they arrive from a client. */
export interface WindowRuleInput {
  rrule: unknown;
  durationMinutes: unknown;
  timezone: unknown;
}

function read(input: WindowRuleInput): { recurrence?: Recurrence; problems: string[] } {
  const problems: string[] = [];
  const zoneKnown = typeof input.timezone === 'string' && isKnownTimeZone(input.timezone);
  const timezone = typeof input.timezone === 'string' ? input.timezone : '';
  let recurrence: Recurrence | undefined;
  if (typeof input.rrule !== 'string' || input.rrule.trim() === '') {
    problems.push('rrule: must be RFC 5545 text such as "DTSTART;TZID=Europe/Paris:20261205T220000\\nRRULE:FREQ=WEEKLY;BYDAY=SA"');
  } else {
    const reading = readRecurrence(input.rrule, timezone, zoneKnown);
    problems.push(...reading.problems);
    recurrence = reading.recurrence;
  }
  const duration = input.durationMinutes;
  if (!(typeof duration === 'number' && Number.isInteger(duration) && duration >= 1 && duration <= MAX_WINDOW_MINUTES)) {
    problems.push(`durationMinutes: must be a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES} (one week)`);
  }
  if (!zoneKnown) problems.push(`timezone: must be an IANA time zone such as Europe/Paris, got ${JSON.stringify(input.timezone ?? null)}`);
  return problems.length > 0 ? { problems } : { recurrence, problems };
}

/**
 * Everything wrong with a maintenance window's recurrence, duration and zone, each problem
 * prefixed with the field it concerns (`rrule: DTSTART is missing ...`). Empty when valid.
 */
export function validateWindowRule(input: WindowRuleInput): string[] {
  return read(input).problems;
}

/**
 * The window's occurrences whose [start, end) overlaps [from, to), sorted by start. Each start
 * is the DTSTART wall-clock time on that day placed in the window's zone (a start inside a
 * spring-forward gap moves forward by the gap, one inside a fall-back overlap takes the first
 * instant); each end is `durationMinutes` of real time later, so a window that spans a DST
 * change is as long as declared. Throws a StewardError `invalid` for a rule that does not
 * validate, or when more than MAX_WINDOW_OCCURRENCES occurrences fall in the range.
 */
export function expandWindow(rule: MaintenanceWindowRule, from: Date, to: Date): Interval[] {
  const { recurrence, problems } = read(rule);
  if (!recurrence) {
    throw new StewardError('invalid', `maintenance window '${rule.name}' is invalid: ${problems.join('; ')}`, { windowId: rule.id, problems });
  }
  if (!(from.getTime() < to.getTime())) return [];
  const length = rule.durationMinutes * MINUTE_MS;
  // A reading and its instant differ by the zone offset (under a day) and by a DST gap, so a
  // day of margin either side catches every start whose occurrence can overlap the range.
  const firstWall = new Date(instantToWallClock(from, rule.timezone).getTime() - length - DAY_MS);
  const lastWall = new Date(instantToWallClock(to, rule.timezone).getTime() + DAY_MS);
  const starts = new Set<number>();
  let tooMany = false;
  ruleFrom(recurrence, firstWall).between(firstWall, lastWall, true, (wall) => {
    const start = wallClockToInstant(wall, rule.timezone).getTime();
    if (start < to.getTime() && start + length > from.getTime()) {
      // Around a gap two readings can land on one instant (02:30 moved to 03:30, and 03:30).
      starts.add(start);
      tooMany = starts.size > MAX_WINDOW_OCCURRENCES;
    }
    return !tooMany;
  });
  if (tooMany) {
    throw new StewardError('invalid', `maintenance window '${rule.name}' opens more than ${MAX_WINDOW_OCCURRENCES} times in the range asked for; ask for a shorter range`, {
      windowId: rule.id,
    });
  }
  // Readings in a gap move forward past later readings, so the instants need sorting.
  return [...starts].sort((a, b) => a - b).map((start) => ({ start: new Date(start), end: new Date(start + length) }));
}

/*
 * 120 days stay under MAX_WINDOW_OCCURRENCES for any valid rule: it starts at most once an hour,
 * so a slice holds at most 2,880 starts plus the week of margin a long window brings.
 */
const SLICE_MS = 120 * DAY_MS;

/**
 * expandWindow over a range of any length: walked in slices that each stay under
 * MAX_WINDOW_OCCURRENCES, for calendars that show a year of an hourly window. Same order and
 * overlap rule as expandWindow; an occurrence that straddles a slice boundary is listed once.
 */
export function windowOccurrences(rule: MaintenanceWindowRule, from: Date, to: Date): Interval[] {
  const occurrences: Interval[] = [];
  let last = -Infinity;
  for (let start = from.getTime(); start < to.getTime(); start += SLICE_MS) {
    for (const occurrence of expandWindow(rule, new Date(start), new Date(Math.min(start + SLICE_MS, to.getTime())))) {
      // Slices are walked in order, so anything new starts after everything listed.
      if (occurrence.start.getTime() <= last) continue;
      occurrences.push(occurrence);
      last = occurrence.start.getTime();
    }
  }
  return occurrences;
}

/**
 * The window's next `count` occurrences that have not ended at `after` (one that is open at
 * `after` comes first), looking at most `horizonDays` ahead: a rule that opens rarely or has
 * ended gives fewer. Throws like expandWindow for an invalid rule.
 */
export function upcomingOccurrences(rule: MaintenanceWindowRule, after: Date, count = 3, horizonDays = 4 * 366): Interval[] {
  const found: Interval[] = [];
  const limit = after.getTime() + horizonDays * DAY_MS;
  for (let start = after.getTime(); start < limit && found.length < count; start += SLICE_MS) {
    for (const occurrence of expandWindow(rule, new Date(start), new Date(Math.min(start + SLICE_MS, limit)))) {
      const previous = found[found.length - 1];
      if (!previous || occurrence.start.getTime() > previous.start.getTime()) found.push(occurrence);
    }
  }
  return found.slice(0, count);
}
