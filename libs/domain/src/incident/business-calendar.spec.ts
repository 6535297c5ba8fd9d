import { StewardError } from '../steward-error';
import {
  BUSINESS_DAY_MS,
  HOUR_MS,
  STANDARD_BUSINESS_CALENDAR,
  addBusinessMs,
  businessCalendarProblems,
  businessMsBetween,
  isBusinessTime,
  type BusinessCalendar,
} from './business-calendar';

// 2026-03-02 is a Monday. at('Mon', 10) is 10:00 UTC that day; minutes optional.
const DAYS = { Sun: 1, Mon: 2, Tue: 3, Wed: 4, Thu: 5, Fri: 6, Sat: 7, nextMon: 9 } as const;
const at = (day: keyof typeof DAYS, hour: number, minute = 0): Date => new Date(Date.UTC(2026, 2, DAYS[day], hour, minute));
const hours = (ms: number): number => ms / HOUR_MS;
const CAL = STANDARD_BUSINESS_CALENDAR;

describe('business time on the standard calendar (Mon-Fri 09:00-17:00 UTC)', () => {
  it('counts hours within one business day', () => {
    expect(hours(businessMsBetween(CAL, at('Mon', 10), at('Mon', 12, 30)))).toBe(2.5);
    expect(hours(businessMsBetween(CAL, at('Mon', 7), at('Mon', 20)))).toBe(8);
  });

  it('skips the night', () => {
    expect(hours(businessMsBetween(CAL, at('Mon', 16), at('Tue', 10)))).toBe(2);
  });

  it('skips the weekend', () => {
    expect(hours(businessMsBetween(CAL, at('Fri', 16), at('nextMon', 10)))).toBe(2);
    expect(businessMsBetween(CAL, at('Sat', 9), at('Sat', 17))).toBe(0);
    expect(hours(businessMsBetween(CAL, at('Sun', 0), at('nextMon', 0)))).toBe(40);
  });

  it('counts an inverted or empty range as zero', () => {
    expect(businessMsBetween(CAL, at('Tue', 10), at('Mon', 10))).toBe(0);
    expect(businessMsBetween(CAL, at('Tue', 10), at('Tue', 10))).toBe(0);
  });

  it('counts across many weeks and before 1970 alike', () => {
    expect(hours(businessMsBetween(CAL, at('Mon', 9), new Date(at('Mon', 9).getTime() + 52 * 7 * 24 * HOUR_MS)))).toBe(52 * 40);
    // 1969-12-29 was a Monday.
    expect(hours(businessMsBetween(CAL, new Date(Date.UTC(1969, 11, 29, 12)), new Date(Date.UTC(1970, 0, 1, 12))))).toBe(5 + 8 + 8 + 3);
  });

  it('defines a business day as eight business hours, the standard calendar day', () => {
    expect(BUSINESS_DAY_MS).toBe(8 * HOUR_MS);
    expect(businessMsBetween(CAL, at('Wed', 0), at('Thu', 0))).toBe(BUSINESS_DAY_MS);
  });
});

describe('addBusinessMs', () => {
  it('moves over nights and weekends', () => {
    expect(addBusinessMs(CAL, at('Mon', 10), 2 * HOUR_MS)).toEqual(at('Mon', 12));
    expect(addBusinessMs(CAL, at('Mon', 16), 2 * HOUR_MS)).toEqual(at('Tue', 10));
    expect(addBusinessMs(CAL, at('Fri', 16), 2 * HOUR_MS)).toEqual(at('nextMon', 10));
    expect(addBusinessMs(CAL, at('Sat', 12), HOUR_MS)).toEqual(at('nextMon', 10));
  });

  it('stops at the end of business hours rather than at the next opening', () => {
    expect(addBusinessMs(CAL, at('Fri', 15), 2 * HOUR_MS)).toEqual(at('Fri', 17));
    // Exactly one business week: Friday 17:00, not next Monday 09:00.
    expect(addBusinessMs(CAL, at('Mon', 9), 40 * HOUR_MS)).toEqual(at('Fri', 17));
    expect(addBusinessMs(CAL, at('Sat', 12), 40 * HOUR_MS)).toEqual(new Date(Date.UTC(2026, 2, 13, 17)));
  });

  it('gives the start itself for zero, even outside business hours', () => {
    expect(addBusinessMs(CAL, at('Sat', 3), 0)).toEqual(at('Sat', 3));
  });

  it('is the earliest inverse of businessMsBetween', () => {
    // A fixed pseudo-random walk: deterministic, and covers many positions in the week.
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const base = at('Sun', 0).getTime();
    for (let i = 0; i < 300; i++) {
      const from = new Date(base + next(14 * 24 * 60) * 60_000);
      const amount = 1 + next(100 * 60) * 60_000;
      const due = addBusinessMs(CAL, from, amount);
      expect(businessMsBetween(CAL, from, due)).toBe(amount);
      expect(businessMsBetween(CAL, from, new Date(due.getTime() - 1))).toBe(amount - 1);
    }
  });

  it('refuses a negative or non-finite amount', () => {
    expect(() => addBusinessMs(CAL, at('Mon', 9), -1)).toThrow(StewardError);
    expect(() => addBusinessMs(CAL, at('Mon', 9), Infinity)).toThrow(StewardError);
    expect(() => addBusinessMs(CAL, new Date(NaN), 1)).toThrow(StewardError);
  });
});

describe('calendars at a fixed UTC offset', () => {
  it('reads business hours as local wall-clock time', () => {
    const cet: BusinessCalendar = { ...CAL, utcOffsetMinutes: 60 };
    expect(hours(businessMsBetween(cet, at('Mon', 7, 30), at('Mon', 8, 30)))).toBe(0.5);
    expect(addBusinessMs(cet, at('Mon', 7), 8 * HOUR_MS)).toEqual(at('Mon', 16));
    const newYork: BusinessCalendar = { ...CAL, utcOffsetMinutes: -300 };
    expect(hours(businessMsBetween(newYork, at('Fri', 21), at('Fri', 23)))).toBe(1);
  });

  it('handles a local week that starts on the UTC Sunday', () => {
    const sydney: BusinessCalendar = { ...CAL, utcOffsetMinutes: 600 };
    // Monday 09:00 in Sydney is Sunday 23:00 UTC.
    expect(hours(businessMsBetween(sydney, at('Sun', 22), at('Sun', 23, 30)))).toBe(0.5);
    expect(isBusinessTime(sydney, at('Sun', 23))).toBe(true);
    expect(isBusinessTime(sydney, at('Mon', 9))).toBe(false);
  });
});

describe('calendar shapes', () => {
  it('counts overnight hours written as two entries', () => {
    const nights: BusinessCalendar = {
      weekly: [
        { day: 1, start: '22:00', end: '24:00' },
        { day: 2, start: '00:00', end: '06:00' },
      ],
      utcOffsetMinutes: 0,
    };
    expect(hours(businessMsBetween(nights, at('Mon', 23), at('Tue', 1)))).toBe(2);
    expect(addBusinessMs(nights, at('Mon', 12), 3 * HOUR_MS)).toEqual(at('Tue', 1));
  });

  it('counts overlapping entries once', () => {
    const overlapping: BusinessCalendar = {
      weekly: [
        { day: 3, start: '09:00', end: '13:00' },
        { day: 3, start: '12:00', end: '17:00' },
        { day: 3, start: '10:00', end: '11:00' },
      ],
      utcOffsetMinutes: 0,
    };
    expect(hours(businessMsBetween(overlapping, at('Wed', 0), at('Thu', 0)))).toBe(8);
  });

  it('names the problems of an invalid calendar and refuses to compute with it', () => {
    expect(businessCalendarProblems(CAL)).toEqual([]);
    const bad: BusinessCalendar[] = [
      { weekly: [], utcOffsetMinutes: 0 },
      { weekly: [{ day: 7 as 0, start: '09:00', end: '17:00' }], utcOffsetMinutes: 0 },
      { weekly: [{ day: 1, start: '9:00', end: '17:00' }], utcOffsetMinutes: 0 },
      { weekly: [{ day: 1, start: '24:00', end: '24:00' }], utcOffsetMinutes: 0 },
      { weekly: [{ day: 1, start: '17:00', end: '09:00' }], utcOffsetMinutes: 0 },
      { weekly: [{ day: 1, start: '09:00', end: '17:60' }], utcOffsetMinutes: 0 },
      { weekly: [{ day: 1, start: '09:00', end: '17:00' }], utcOffsetMinutes: 15 * 60 },
      { weekly: [{ day: 1, start: '09:00', end: '17:00' }], utcOffsetMinutes: 1.5 },
    ];
    for (const calendar of bad) {
      expect(businessCalendarProblems(calendar).length).toBeGreaterThan(0);
      expect(() => businessMsBetween(calendar, at('Mon', 0), at('Tue', 0))).toThrow(StewardError);
    }
  });
});
