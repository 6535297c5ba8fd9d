import { StewardError } from '../steward-error';

/** Day of week as JavaScript numbers it: 0 Sunday .. 6 Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Business hours on one weekday, local wall-clock time: `start` 'HH:MM' up to `end` 'HH:MM' (or '24:00'), end excluded. */
export interface BusinessHours {
  day: Weekday;
  start: string;
  end: string;
}

/**
 * A weekly business-hours calendar at a FIXED offset from UTC (local = UTC + utcOffsetMinutes).
 *
 * This is deliberately not a time zone: this code runs inside Temporal workflows, which must be
 * deterministic and cannot bundle zone data (no luxon, no Intl zone lookups). A DST-aware
 * calendar (say Europe/Berlin) is resolved by an activity into the fixed offset in force for
 * each period, and the SLA clock is re-targeted with the new offset when the period changes;
 * within one calendar value the offset never changes, so an hour around a DST switch can be
 * counted at the other offset. Overnight hours are two entries (22:00-24:00 and 00:00-06:00 of
 * the next day); overlapping entries count once. Holidays are not modelled here.
 */
export interface BusinessCalendar {
  weekly: BusinessHours[];
  utcOffsetMinutes: number;
}

const MINUTE = 60_000;
export const HOUR_MS = 60 * MINUTE;
const DAY = 24 * HOUR_MS;
const WEEK = 7 * DAY;
/**
 * A "business day" in SLA targets is 8 business hours, whatever the calendar's own day length:
 * "3 business days" means 24 business hours, so a target reads the same on every calendar.
 */
export const BUSINESS_DAY_MS = 8 * HOUR_MS;
// Unix time 0 was a Thursday, so the first Sunday 00:00 is three days later. Weeks are counted from there.
const WEEK_ORIGIN = 3 * DAY;
const MAX_OFFSET_MINUTES = 14 * 60;

/** Seed calendar (editable): Monday to Friday, 09:00-17:00 UTC, eight business hours a day. */
export const STANDARD_BUSINESS_CALENDAR: BusinessCalendar = {
  weekly: ([1, 2, 3, 4, 5] as const).map((day) => ({ day, start: '09:00', end: '17:00' })),
  utcOffsetMinutes: 0,
};

/** A calendar turned into sorted, disjoint [start, end) spans in ms from Sunday 00:00 local, and their weekly total. */
interface WeekShape {
  spans: Array<[number, number]>;
  weeklyMs: number;
  offsetMs: number;
}

/** Problems with a calendar, as sentences; empty when it is valid. */
export function businessCalendarProblems(calendar: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (!calendar || typeof calendar !== 'object') return ['a calendar is required'];
  const offset = calendar.utcOffsetMinutes;
  if (!Number.isInteger(offset) || Math.abs(offset) > MAX_OFFSET_MINUTES) problems.push(`utcOffsetMinutes must be an integer within ±${MAX_OFFSET_MINUTES}`);
  if (!Array.isArray(calendar.weekly) || calendar.weekly.length === 0) {
    problems.push('a calendar needs at least one business-hours entry');
    return problems;
  }
  calendar.weekly.forEach((entry, i) => {
    const n = i + 1;
    if (!Number.isInteger(entry.day) || entry.day < 0 || entry.day > 6) problems.push(`entry ${n}: day must be an integer 0..6 (0 is Sunday)`);
    const start = minutesOf(entry.start, false);
    const end = minutesOf(entry.end, true);
    if (start === null) problems.push(`entry ${n}: start must be 'HH:MM' within 00:00..23:59`);
    if (end === null) problems.push(`entry ${n}: end must be 'HH:MM' within 00:01..24:00`);
    if (start !== null && end !== null && start >= end) problems.push(`entry ${n}: start must be before end (split overnight hours into two entries)`);
  });
  return problems;
}

/**
 * Business milliseconds in [from, to): the part of that stretch that falls inside the
 * calendar's hours. An inverted range counts as zero. Throws StewardError 'invalid' for a bad
 * calendar or date.
 */
export function businessMsBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const shape = shapeOf(calendar);
  const a = instant('from', from);
  const b = instant('to', to);
  if (b <= a) return 0;
  return businessBefore(shape, b) - businessBefore(shape, a);
}

/**
 * The earliest instant at which `ms` business milliseconds have passed since `from`. Zero gives
 * `from` itself, even outside business hours; otherwise the answer lies inside (or at the end
 * of) business hours, never in the closed time after them. Throws StewardError 'invalid' for a
 * negative or non-finite `ms`, a bad calendar or date.
 */
export function addBusinessMs(calendar: BusinessCalendar, from: Date, ms: number): Date {
  const shape = shapeOf(calendar);
  const start = instant('from', from);
  if (!Number.isFinite(ms) || ms < 0) throw new StewardError('invalid', 'business time to add must be a finite number >= 0', { ms });
  if (ms === 0) return new Date(start);
  return new Date(instantAtBusiness(shape, businessBefore(shape, start) + ms));
}

/** Whether `at` falls inside the calendar's business hours. */
export function isBusinessTime(calendar: BusinessCalendar, at: Date): boolean {
  const shape = shapeOf(calendar);
  const pos = weekPosition(instant('at', at) + shape.offsetMs).pos;
  return shape.spans.some(([s, e]) => s <= pos && pos < e);
}

function minutesOf(value: unknown, isEnd: boolean): number | null {
  if (typeof value !== 'string') return null;
  if (isEnd && value === '24:00') return 24 * 60;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function shapeOf(calendar: BusinessCalendar): WeekShape {
  const problems = businessCalendarProblems(calendar);
  if (problems.length > 0) throw new StewardError('invalid', `business calendar is invalid: ${problems.join('; ')}`, { problems });
  const raw = calendar.weekly
    .map((e) => [e.day * DAY + minutesOf(e.start, false)! * MINUTE, e.day * DAY + minutesOf(e.end, true)! * MINUTE] as [number, number])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const spans: Array<[number, number]> = [];
  for (const [s, e] of raw) {
    const last = spans[spans.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else spans.push([s, e]);
  }
  return { spans, weeklyMs: spans.reduce((sum, [s, e]) => sum + e - s, 0), offsetMs: calendar.utcOffsetMinutes * MINUTE };
}

function instant(name: string, date: Date): number {
  const t = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(t)) throw new StewardError('invalid', `${name} must be a valid date`);
  return t;
}

function weekPosition(localMs: number): { week: number; pos: number } {
  const week = Math.floor((localMs - WEEK_ORIGIN) / WEEK);
  return { week, pos: localMs - WEEK_ORIGIN - week * WEEK };
}

/**
 * Business ms from the week origin to the UTC instant `t`: a non-decreasing function of t, so
 * the business time between two instants is a difference of two calls and no loop over days.
 */
function businessBefore(shape: WeekShape, t: number): number {
  const { week, pos } = weekPosition(t + shape.offsetMs);
  let within = 0;
  for (const [s, e] of shape.spans) {
    if (pos <= s) break;
    within += Math.min(pos, e) - s;
  }
  return week * shape.weeklyMs + within;
}

/** The earliest UTC instant t with businessBefore(t) === target (the inverse of businessBefore). */
function instantAtBusiness(shape: WeekShape, target: number): number {
  let week = Math.floor(target / shape.weeklyMs);
  let rem = target - week * shape.weeklyMs;
  // Exactly a whole number of weeks is reached at the end of the previous week's last span,
  // not at the start of the next week's first one, which may be days later.
  if (rem <= 0) {
    week -= 1;
    rem += shape.weeklyMs;
  }
  let before = 0;
  for (const [s, e] of shape.spans) {
    if (before + (e - s) >= rem) return WEEK_ORIGIN + week * WEEK + s + (rem - before) - shape.offsetMs;
    before += e - s;
  }
  // Unreachable: rem <= weeklyMs, the sum of the spans.
  throw new StewardError('invalid', 'business time out of range');
}
