import { RRule, Weekday } from 'rrule';
import type { Frequency, Options } from 'rrule';
import { instantToWallClock } from './wall-clock';

/*
 * The recurrence of a maintenance window, read strictly. The rrule library is lenient (it
 * turns `BYDAY=XX` into nothing and `BYHOUR=25` into a rule that never fires), and a window
 * that silently never opens holds changes forever, so every property is checked here first and
 * rrule only ever sees options built from checked values.
 *
 * rrule runs without a TZID, on floating readings (see wall-clock.ts): DTSTART and every
 * occurrence are wall-clock readings in the window's zone, placed in real time afterwards.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const FREQUENCIES: Readonly<Record<string, Frequency>> = {
  YEARLY: RRule.YEARLY,
  MONTHLY: RRule.MONTHLY,
  WEEKLY: RRule.WEEKLY,
  DAILY: RRule.DAILY,
  HOURLY: RRule.HOURLY,
};
// Periods of each frequency in 400 Gregorian years, after which weekdays and leap years repeat.
const PERIODS_PER_400_YEARS: Readonly<Record<number, number>> = {
  [RRule.YEARLY]: 400,
  [RRule.MONTHLY]: 4_800,
  [RRule.WEEKLY]: 20_871,
  [RRule.DAILY]: 146_097,
  [RRule.HOURLY]: 3_506_328,
};
// rrule gives up at this year; a rule with no occurrence is iterated all the way to it.
const RRULE_LAST_YEAR = 9999;
const FIRST_YEAR = 1900;

const PROPERTIES = ['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST'];

type Numbers = number[] | null;

/** A checked recurrence: explicit rrule options whose dates are floating readings. */
export interface Recurrence {
  /** The DTSTART reading. */
  readonly start: Date;
  /** Options with every default rrule would derive from DTSTART made explicit. */
  readonly options: Readonly<Partial<Options>> & { freq: Frequency; interval: number; dtstart: Date };
}

/** What reading a rule gave: the recurrence when it is sound, else every problem found. */
export interface RecurrenceReading {
  recurrence?: Recurrence;
  problems: string[];
}

// `20261205T220000` as a floating reading; undefined for anything else or a date that does not exist.
function readDateTime(value: string): { wall?: Date; utc: boolean } {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(value);
  if (!match) return { utc: false };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 30 February over into March; a reading that moved did not exist.
  const exists =
    wall.getUTCFullYear() === year && wall.getUTCMonth() === month - 1 && wall.getUTCDate() === day && wall.getUTCHours() === hour && wall.getUTCMinutes() === minute && wall.getUTCSeconds() === second;
  return { wall: exists ? wall : undefined, utc: match[7] === 'Z' };
}

function readNumbers(name: string, value: string, min: number, max: number, signed: boolean, problems: string[]): Numbers {
  const pattern = signed ? /^[+-]?\d{1,3}$/ : /^\d{1,2}$/;
  const numbers = value.split(',').map((part) => (pattern.test(part) ? Number(part) : NaN));
  // Signed lists count from the end (-1 is the last day), so only their size is bounded.
  if (numbers.every((n) => Math.abs(n) >= min && Math.abs(n) <= max)) return numbers;
  problems.push(`rrule: ${name} must list numbers from ${min} to ${max}${signed ? ` or -${max} to -${min}` : ''}, got "${value}"`);
  return null;
}

function readWeekdays(value: string, problems: string[]): { days: Weekday[] | null; ordinals: boolean } {
  const days: Weekday[] = [];
  let ordinals = false;
  for (const part of value.split(',')) {
    const match = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(part);
    const n = match?.[1] === undefined ? undefined : Number(match[1]);
    if (!match || (n !== undefined && (n === 0 || Math.abs(n) > 53))) {
      problems.push(`rrule: BYDAY must list days such as MO, SA or 1SU and -1FR, got "${value}"`);
      return { days: null, ordinals };
    }
    ordinals ||= n !== undefined;
    days.push(new Weekday(WEEKDAYS.indexOf(match[2] as (typeof WEEKDAYS)[number]), n));
  }
  return { days, ordinals };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function withYear(date: Date, year: number): Date {
  const copy = new Date(date.getTime());
  copy.setUTCFullYear(year);
  return copy;
}

/**
 * Reads `DTSTART[;TZID=zone]:yyyymmddThhmmss` and one `RRULE:` (or bare `FREQ=...`) line.
 * `zoneKnown` says whether `timezone` passed its own check; the rule is only built when it has.
 */
export function readRecurrence(text: string, timezone: string, zoneKnown: boolean): RecurrenceReading {
  const problems: string[] = [];
  // RFC 5545 folds long lines by starting the continuation with a space.
  const lines = text
    .replace(/\r?\n[ \t]/g, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const starts: string[] = [];
  const rules: string[] = [];
  for (const line of lines) {
    if (/^DTSTART[;:]/i.test(line)) starts.push(line);
    else if (/^RRULE:/i.test(line)) rules.push(line.slice('RRULE:'.length));
    else if (/^[A-Z]+=[^:]*$/i.test(line)) rules.push(line);
    else problems.push(`rrule: unsupported line "${line.split(/[;:]/)[0]}": only DTSTART and RRULE are accepted`);
  }
  if (starts.length === 0) problems.push(`rrule: DTSTART is missing; a window needs its start time, e.g. DTSTART;TZID=${timezone || 'Europe/Paris'}:20261205T220000`);
  if (starts.length > 1) problems.push('rrule: more than one DTSTART');
  if (rules.length === 0) problems.push('rrule: RRULE is missing, e.g. RRULE:FREQ=WEEKLY;BYDAY=SA');
  if (rules.length > 1) problems.push('rrule: more than one RRULE; declare one window per rule');

  const start = starts.length === 1 ? readStart(starts[0], timezone, problems) : undefined;
  const options = rules.length === 1 ? readRule(rules[0].toUpperCase(), problems) : undefined;
  // Without a known zone an UNTIL in UTC cannot be placed; the zone's own problem is reported.
  if (!start || !options || problems.length > 0 || !zoneKnown) return { problems };

  let until: Date | null = null;
  if (options.until) {
    // An UNTIL in UTC is an instant; the floating clock needs the reading it shows in the zone.
    until = options.until.utc ? instantToWallClock(options.until.wall, timezone) : options.until.wall;
  }
  const recurrence: Recurrence = { start, options: withDefaults({ ...options.rule, until, dtstart: start }) };
  if (!patternFires(recurrence)) {
    problems.push('rrule: the rule never produces an occurrence; its parts exclude each other (like BYMONTH=2;BYMONTHDAY=30)');
  } else if (until && !new RRule(recurrence.options).after(start, true)) {
    problems.push('rrule: UNTIL is before the first occurrence');
  }
  return problems.length > 0 ? { problems } : { recurrence, problems };
}

function readStart(line: string, timezone: string, problems: string[]): Date | undefined {
  const match = /^DTSTART((?:;[^:;=]+=(?:"[^"]*"|[^:;"]*))*):(.*)$/i.exec(line);
  if (!match) {
    problems.push('rrule: DTSTART must look like DTSTART:20261205T220000 or DTSTART;TZID=Europe/Paris:20261205T220000');
    return undefined;
  }
  let ok = true;
  for (const parameter of match[1].split(';').filter(Boolean)) {
    const [name, raw] = [parameter.slice(0, parameter.indexOf('=')).toUpperCase(), parameter.slice(parameter.indexOf('=') + 1).replace(/^"|"$/g, '')];
    if (name === 'TZID' && raw !== timezone) {
      problems.push(`rrule: DTSTART TZID "${raw}" differs from timezone "${timezone}"`);
      ok = false;
    } else if (name === 'VALUE' && raw.toUpperCase() !== 'DATE-TIME') {
      problems.push('rrule: DTSTART must be a date and time; a window needs the hour it opens');
      ok = false;
    } else if (name !== 'TZID' && name !== 'VALUE') {
      problems.push(`rrule: unsupported DTSTART parameter ${name}`);
      ok = false;
    }
  }
  const { wall, utc } = readDateTime(match[2].trim().toUpperCase());
  if (utc) {
    // A UTC start would pin the window to UTC and make it drift an hour at every DST change.
    problems.push(`rrule: DTSTART must be a local time in ${timezone || 'the window\'s time zone'}, without a trailing Z`);
    return undefined;
  }
  if (!wall) {
    problems.push(`rrule: DTSTART "${match[2]}" is not a real date and time like 20261205T220000`);
    return undefined;
  }
  if (wall.getUTCFullYear() < FIRST_YEAR) {
    problems.push(`rrule: DTSTART must be in ${FIRST_YEAR} or later`);
    return undefined;
  }
  return ok ? wall : undefined;
}

interface RuleReading {
  rule: Partial<Options> & { freq: Frequency; interval: number };
  until?: { wall: Date; utc: boolean };
}

function readRule(text: string, problems: string[]): RuleReading | undefined {
  const before = problems.length;
  const values = new Map<string, string>();
  for (const part of text.split(';').filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq) : part;
    if (!PROPERTIES.includes(name)) problems.push(`rrule: unsupported RRULE property "${name}"`);
    else if (values.has(name)) problems.push(`rrule: ${name} is given twice`);
    else values.set(name, eq > 0 ? part.slice(eq + 1) : '');
  }
  const freqText = values.get('FREQ');
  let freq: Frequency | undefined;
  if (freqText === undefined) problems.push('rrule: FREQ is missing');
  else if (freqText === 'MINUTELY' || freqText === 'SECONDLY') problems.push(`rrule: FREQ=${freqText} is more frequent than hourly, which makes no sense for a maintenance window`);
  else if (!(freqText in FREQUENCIES)) problems.push(`rrule: FREQ must be one of ${Object.keys(FREQUENCIES).join(', ')}, got "${freqText}"`);
  else freq = FREQUENCIES[freqText];

  const positive = (name: string): number | null => {
    const value = values.get(name);
    if (value === undefined) return null;
    if (/^\d{1,6}$/.test(value) && Number(value) >= 1) return Number(value);
    problems.push(`rrule: ${name} must be a whole number from 1, got "${value}"`);
    return null;
  };
  const numbers = (name: string, min: number, max: number, signed: boolean): Numbers => {
    const value = values.get(name);
    return value === undefined ? null : readNumbers(name, value, min, max, signed, problems);
  };
  const count = positive('COUNT');
  const interval = positive('INTERVAL') ?? 1;
  const bysecond = numbers('BYSECOND', 0, 59, false);
  const byminute = numbers('BYMINUTE', 0, 59, false);
  const byhour = numbers('BYHOUR', 0, 23, false);
  const bymonth = numbers('BYMONTH', 1, 12, false);
  const bymonthday = numbers('BYMONTHDAY', 1, 31, true);
  const byyearday = numbers('BYYEARDAY', 1, 366, true);
  const byweekno = numbers('BYWEEKNO', 1, 53, true);
  const bysetpos = numbers('BYSETPOS', 1, 366, true);
  const weekdays = values.has('BYDAY') ? readWeekdays(values.get('BYDAY') as string, problems) : { days: null, ordinals: false };
  const wkst = values.get('WKST');
  if (wkst !== undefined && !WEEKDAYS.includes(wkst as (typeof WEEKDAYS)[number])) problems.push(`rrule: WKST must be one of ${WEEKDAYS.join(', ')}, got "${wkst}"`);

  let until: RuleReading['until'];
  const untilText = values.get('UNTIL');
  if (untilText !== undefined) {
    const read = readDateTime(untilText);
    if (!read.wall) problems.push(`rrule: UNTIL must be a date and time like 20271231T235959 (local) or 20271231T225959Z (UTC), got "${untilText}"`);
    else until = { wall: read.wall, utc: read.utc };
  }
  if (count !== null && untilText !== undefined) problems.push('rrule: COUNT and UNTIL cannot both be given');
  // One minute and one second at most: with FREQ at least hourly, that caps a rule at one start per hour.
  if (byminute && byminute.length > 1) problems.push('rrule: BYMINUTE may list one minute only: maintenance windows start at most hourly');
  if (bysecond && bysecond.length > 1) problems.push('rrule: BYSECOND may list one second only: maintenance windows start at most hourly');

  // Combinations RFC 5545 §3.3.10 forbids; rrule would guess at their meaning.
  if (freq !== undefined) {
    if (weekdays.ordinals && freq !== RRule.MONTHLY && freq !== RRule.YEARLY) problems.push('rrule: BYDAY with a number (1SU, -1FR) needs FREQ=MONTHLY or FREQ=YEARLY');
    if (weekdays.ordinals && freq === RRule.YEARLY && byweekno) problems.push('rrule: BYDAY with a number cannot be combined with BYWEEKNO');
    if (bymonthday && freq === RRule.WEEKLY) problems.push('rrule: BYMONTHDAY cannot be used with FREQ=WEEKLY');
    if (byyearday && [RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY].includes(freq)) problems.push('rrule: BYYEARDAY cannot be used with FREQ=MONTHLY, WEEKLY or DAILY');
    if (byweekno && freq !== RRule.YEARLY) problems.push('rrule: BYWEEKNO needs FREQ=YEARLY');
  }
  if (bysetpos && ![bysecond, byminute, byhour, bymonth, bymonthday, byyearday, byweekno, weekdays.days].some(Boolean)) {
    problems.push('rrule: BYSETPOS needs another BYxxx part to pick from');
  }
  if (freq === RRule.HOURLY && 24 % interval !== 0) {
    // Anything else drifts around the clock from day to day, which no operations team plans by.
    problems.push('rrule: with FREQ=HOURLY, INTERVAL must divide 24 (1, 2, 3, 4, 6, 8 or 12)');
  }
  if (problems.length > before || freq === undefined) return undefined;
  const rule: RuleReading['rule'] = { freq, interval, count, bysecond, byminute, byhour, bymonth, bymonthday, byyearday, byweekno, bysetpos, byweekday: weekdays.days };
  if (wkst !== undefined) rule.wkst = WEEKDAYS.indexOf(wkst as (typeof WEEKDAYS)[number]);
  return { rule, until };
}

// rrule fills missing parts from DTSTART (a weekly rule repeats on DTSTART's weekday, at its
// hour). Spelling them out lets the rule start from a later DTSTART without changing meaning.
function withDefaults(options: RuleReading['rule'] & { dtstart: Date; until: Date | null }): Recurrence['options'] {
  const start = options.dtstart;
  const explicit = { ...options };
  const { freq } = options;
  if (!(options.byweekno || options.byyearday || options.bymonthday || options.byweekday)) {
    if (freq === RRule.YEARLY) {
      explicit.bymonth = options.bymonth ?? [start.getUTCMonth() + 1];
      explicit.bymonthday = [start.getUTCDate()];
    } else if (freq === RRule.MONTHLY) {
      explicit.bymonthday = [start.getUTCDate()];
    } else if (freq === RRule.WEEKLY) {
      explicit.byweekday = [new Weekday((start.getUTCDay() + 6) % 7)];
    }
  }
  if (!options.byhour && freq !== RRule.HOURLY) explicit.byhour = [start.getUTCHours()];
  if (!options.byminute) explicit.byminute = [start.getUTCMinutes()];
  if (!options.bysecond) explicit.bysecond = [start.getUTCSeconds()];
  return explicit;
}

// Whether the rule's pattern, ignoring COUNT and UNTIL, ever fires. rrule walks a rule that
// never fires (30 February) period by period up to year 9999, which takes seconds for a daily
// rule, so the question is answered in bounded steps:
// 1. the days a weekly, daily or hourly rule may fall on are looked for with a yearly rule,
//    a few hundred steps for 400 years, after which the Gregorian calendar repeats;
// 2. an hourly rule's hours repeat daily (its interval divides 24), so BYHOUR is checked by
//    arithmetic;
// 3. the rule itself is then walked for one full cycle of calendar and interval, started that
//    span before rrule's last year with the same weekday, leap-year and interval phase. Only a
//    rule whose interval never lands on its days (every 7th day, Mondays, from a Sunday) gets
//    this far without an occurrence, and it costs at most one step per day of the cycle.
function patternFires(recurrence: Recurrence): boolean {
  const { options, start } = recurrence;
  const { freq, interval } = options;
  const year = start.getUTCFullYear();
  if (freq === RRule.WEEKLY || freq === RRule.DAILY || freq === RRule.HOURLY) {
    const days = { bymonth: options.bymonth, bymonthday: options.bymonthday, byyearday: options.byyearday, byweekday: options.byweekday };
    if (days.bymonthday || days.byyearday || days.byweekday) {
      // Started 400 years before rrule's last year, so that "none" takes 400 steps, not 8,000.
      const dtstart = new Date(Date.UTC(year + 400 * Math.floor((RRULE_LAST_YEAR - 400 - year) / 400), 0, 1));
      if (!new RRule({ ...days, freq: RRule.YEARLY, byhour: [0], byminute: [0], bysecond: [0], dtstart }).after(dtstart, true)) return false;
    }
  }
  if (freq === RRule.HOURLY && options.byhour) {
    const reached = (hour: number): boolean => (hour - start.getUTCHours()) % interval === 0;
    if (!(options.byhour as number[]).some(reached)) return false;
  }
  const cycleYears = 400 * (interval / gcd(PERIODS_PER_400_YEARS[freq], interval));
  const cycles = Math.max(0, Math.floor((RRULE_LAST_YEAR - year - cycleYears) / cycleYears));
  const dtstart = withYear(start, year + cycles * cycleYears);
  return new RRule({ ...options, count: null, until: null, dtstart }).after(dtstart, true) !== null;
}

/**
 * An rrule for the recurrence that yields the same starts from `wall` on, but begins close
 * before it. rrule always walks from DTSTART, so a window declared years ago would otherwise
 * cost an hourly rule tens of thousands of steps on every query. The new DTSTART keeps the
 * interval's phase and lies a whole period before `wall`, so nothing at or after `wall` is lost.
 * A rule with COUNT must be walked from its real DTSTART to count.
 */
export function ruleFrom(recurrence: Recurrence, wall: Date): RRule {
  const { freq, interval, count } = recurrence.options;
  const start = recurrence.start;
  if (count || wall.getTime() <= start.getTime()) return new RRule(recurrence.options);
  let dtstart = start;
  if (freq === RRule.HOURLY || freq === RRule.DAILY || freq === RRule.WEEKLY) {
    const unit = interval * (freq === RRule.HOURLY ? HOUR_MS : freq === RRule.DAILY ? DAY_MS : 7 * DAY_MS);
    const skip = Math.floor((wall.getTime() - start.getTime()) / unit) - 1;
    if (skip > 0) dtstart = new Date(start.getTime() + skip * unit);
  } else {
    // Months and years vary in length, so step by calendar and restart at the first of a month:
    // the defaults are explicit, so only which starts precede DTSTART depends on its day.
    const months = (wall.getUTCFullYear() - start.getUTCFullYear()) * 12 + wall.getUTCMonth() - start.getUTCMonth();
    const unit = freq === RRule.MONTHLY ? interval : 12 * interval;
    const skip = Math.floor(months / unit) - 1;
    if (skip > 0) {
      dtstart = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + skip * unit, 1));
    }
  }
  return new RRule({ ...recurrence.options, dtstart });
}
