import { DateTime } from 'luxon';
import { rrulestr } from 'rrule';
import { StewardError } from '../steward-error';
import type { MaintenanceWindowRule } from './maintenance-window';
import { MAX_WINDOW_OCCURRENCES, expandWindow, upcomingOccurrences, validateWindowRule, windowOccurrences } from './maintenance-window';
import { wallClockToInstant } from './wall-clock';

const window = (rrule: string, over: Partial<MaintenanceWindowRule> = {}): MaintenanceWindowRule => ({
  id: 'mw-1',
  name: 'Saturday night',
  rrule,
  durationMinutes: 240,
  timezone: 'Europe/Paris',
  scope: { tags: ['payments'] },
  ...over,
});
const iso = (text: string): Date => new Date(text);
const starts = (rule: MaintenanceWindowRule, from: string, to: string): string[] => expandWindow(rule, iso(from), iso(to)).map((o) => o.start.toISOString());
const local = (date: Date, zone: string): string => DateTime.fromJSDate(date, { zone }).toISO({ suppressMilliseconds: true }) as string;

describe('validateWindowRule', () => {
  const valid = { rrule: 'DTSTART;TZID=Europe/Paris:20261205T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA', durationMinutes: 240, timezone: 'Europe/Paris' };

  it('accepts DTSTART with or without the TZID, and COUNT or UNTIL', () => {
    expect(validateWindowRule(valid)).toEqual([]);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261205T220000\r\nRRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=10' })).toEqual([]);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261205T220000\nFREQ=WEEKLY;UNTIL=20271231T235959' })).toEqual([]);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261205T220000\nRRULE:FREQ=MONTHLY;BYDAY=-1SA;UNTIL=20271231T225959Z' })).toEqual([]);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261205T020000\nRRULE:FREQ=HOURLY;INTERVAL=6' })).toEqual([]);
  });

  it('refuses a rule without DTSTART: a window needs its start time', () => {
    expect(validateWindowRule({ ...valid, rrule: 'RRULE:FREQ=WEEKLY;BYDAY=SA' })).toEqual([expect.stringMatching(/^rrule: DTSTART is missing/)]);
    expect(validateWindowRule({ ...valid, rrule: 'FREQ=WEEKLY;BYDAY=SA' })).toEqual([expect.stringMatching(/^rrule: DTSTART is missing/)]);
  });

  it('refuses a TZID that is not the window timezone, and a UTC or date-only DTSTART', () => {
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART;TZID=Europe/Berlin:20261205T220000\nRRULE:FREQ=WEEKLY' })).toEqual([
      'rrule: DTSTART TZID "Europe/Berlin" differs from timezone "Europe/Paris"',
    ]);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261205T210000Z\nRRULE:FREQ=WEEKLY' })).toEqual([expect.stringMatching(/^rrule: DTSTART must be a local time in Europe\/Paris/)]);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART;VALUE=DATE:20261205\nRRULE:FREQ=WEEKLY' })).toHaveLength(2);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20260230T220000\nRRULE:FREQ=WEEKLY' })).toEqual([expect.stringMatching(/^rrule: DTSTART "20260230T220000" is not a real date/)]);
  });

  it('refuses unparsable and nonsensical rules, naming the part', () => {
    const problems = (rule: string): string[] => validateWindowRule({ ...valid, rrule: `DTSTART:20261205T220000\nRRULE:${rule}` });
    expect(problems('FREQ=FORTNIGHTLY')).toEqual([expect.stringMatching(/^rrule: FREQ must be one of/)]);
    expect(problems('FREQ=WEEKLY;BYDAY=XX')).toEqual([expect.stringMatching(/^rrule: BYDAY must list days/)]);
    expect(problems('FREQ=DAILY;BYHOUR=25')).toEqual(['rrule: BYHOUR must list numbers from 0 to 23, got "25"']);
    expect(problems('FREQ=WEEKLY;COLOR=blue')).toEqual(['rrule: unsupported RRULE property "COLOR"']);
    expect(problems('FREQ=WEEKLY;COUNT=0')).toEqual(['rrule: COUNT must be a whole number from 1, got "0"']);
    expect(problems('FREQ=WEEKLY;COUNT=3;UNTIL=20271231T000000')).toEqual(['rrule: COUNT and UNTIL cannot both be given']);
    expect(problems('FREQ=WEEKLY;BYDAY=1SA')).toEqual([expect.stringMatching(/^rrule: BYDAY with a number/)]);
    expect(problems('BYDAY=SA')).toEqual(['rrule: FREQ is missing']);
    expect(problems('FREQ=WEEKLY;UNTIL=20261201T000000')).toEqual(['rrule: UNTIL is before the first occurrence']);
  });

  it('refuses rules more frequent than hourly', () => {
    const problems = (rule: string): string[] => validateWindowRule({ ...valid, rrule: `DTSTART:20261205T220000\nRRULE:${rule}` });
    expect(problems('FREQ=MINUTELY;INTERVAL=90')).toEqual([expect.stringMatching(/^rrule: FREQ=MINUTELY is more frequent than hourly/)]);
    expect(problems('FREQ=SECONDLY')).toEqual([expect.stringMatching(/^rrule: FREQ=SECONDLY is more frequent than hourly/)]);
    expect(problems('FREQ=HOURLY;BYMINUTE=0,30')).toEqual([expect.stringMatching(/^rrule: BYMINUTE may list one minute only/)]);
    // An interval that does not divide the day would wander round the clock.
    expect(problems('FREQ=HOURLY;INTERVAL=5')).toEqual(['rrule: with FREQ=HOURLY, INTERVAL must divide 24 (1, 2, 3, 4, 6, 8 or 12)']);
  });

  it('refuses a rule that can never fire, and does so quickly', () => {
    const started = process.hrtime.bigint();
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261205T220000\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30' })).toEqual([
      expect.stringMatching(/^rrule: the rule never produces an occurrence/),
    ]);
    // Leap days every fourth year from a non-leap year never meet.
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20250101T220000\nRRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29' })).toHaveLength(1);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20240101T220000\nRRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29' })).toEqual([]);
    // Every 7th day from a Sunday is never a Monday; every 4th hour from 22:00 is never 03:00.
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261206T220000\nRRULE:FREQ=DAILY;INTERVAL=7;BYDAY=MO' })).toHaveLength(1);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261206T220000\nRRULE:FREQ=HOURLY;INTERVAL=4;BYHOUR=3' })).toHaveLength(1);
    expect(validateWindowRule({ ...valid, rrule: 'DTSTART:20261206T220000\nRRULE:FREQ=HOURLY;INTERVAL=4;BYHOUR=2' })).toEqual([]);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3_000);
  });

  it('names every bad field at once', () => {
    expect(validateWindowRule({ rrule: 'RRULE:FREQ=WEEKLY', durationMinutes: 0, timezone: 'Mars/Olympus_Mons' })).toEqual([
      expect.stringMatching(/^rrule: DTSTART is missing/),
      'durationMinutes: must be a whole number of minutes from 1 to 10080 (one week)',
      'timezone: must be an IANA time zone such as Europe/Paris, got "Mars/Olympus_Mons"',
    ]);
    expect(validateWindowRule({ rrule: 42, durationMinutes: 10_081, timezone: undefined }).map((p) => p.split(':')[0])).toEqual(['rrule', 'durationMinutes', 'timezone']);
    expect(validateWindowRule({ ...valid, durationMinutes: 90.5 })).toEqual([expect.stringMatching(/^durationMinutes:/)]);
  });
});

describe('expandWindow', () => {
  it('expands a weekly window at its local time', () => {
    const saturdays = window('DTSTART;TZID=Europe/Paris:20261205T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA');
    const occurrences = expandWindow(saturdays, iso('2026-12-01T00:00:00Z'), iso('2027-01-01T00:00:00Z'));
    expect(occurrences.map((o) => [o.start.toISOString(), o.end.toISOString()])).toEqual([
      ['2026-12-05T21:00:00.000Z', '2026-12-06T01:00:00.000Z'],
      ['2026-12-12T21:00:00.000Z', '2026-12-13T01:00:00.000Z'],
      ['2026-12-19T21:00:00.000Z', '2026-12-20T01:00:00.000Z'],
      ['2026-12-26T21:00:00.000Z', '2026-12-27T01:00:00.000Z'],
    ]);
  });

  it('keeps the local time across DST: 22:00 Paris is 20:00Z in summer and 21:00Z in winter', () => {
    const saturdays = window('DTSTART:20260606T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA');
    expect(starts(saturdays, '2026-10-17T00:00:00Z', '2026-11-01T00:00:00Z')).toEqual(['2026-10-17T20:00:00.000Z', '2026-10-24T20:00:00.000Z', '2026-10-31T21:00:00.000Z']);
  });

  it('includes an occurrence that began before the range and is still open, and none that has ended', () => {
    const saturdays = window('DTSTART:20261205T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA');
    expect(starts(saturdays, '2026-12-06T00:30:00Z', '2026-12-06T02:00:00Z')).toEqual(['2026-12-05T21:00:00.000Z']);
    expect(starts(saturdays, '2026-12-06T01:00:00Z', '2026-12-06T02:00:00Z')).toEqual([]);
    expect(starts(saturdays, '2026-12-05T20:00:00Z', '2026-12-05T21:00:00Z')).toEqual([]);
  });

  it('moves a daily 02:30 Paris window to 03:30 on the spring-forward day (2027-03-28)', () => {
    const nightly = window('DTSTART;TZID=Europe/Paris:20270301T023000\nRRULE:FREQ=DAILY', { durationMinutes: 60 });
    const occurrences = expandWindow(nightly, iso('2027-03-27T00:00:00Z'), iso('2027-03-30T00:00:00Z'));
    expect(occurrences.map((o) => local(o.start, 'Europe/Paris'))).toEqual(['2027-03-27T02:30:00+01:00', '2027-03-28T03:30:00+02:00', '2027-03-29T02:30:00+02:00']);
    expect(occurrences[1].end.toISOString()).toBe('2027-03-28T02:30:00.000Z');
  });

  it('keeps a daily 01:30 Paris window at 01:30 CEST on the fall-back day (2026-10-25)', () => {
    const nightly = window('DTSTART:20261001T013000\nRRULE:FREQ=DAILY', { durationMinutes: 60 });
    expect(starts(nightly, '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z')).toEqual(['2026-10-24T23:30:00.000Z', '2026-10-26T00:30:00.000Z']);
  });

  it('opens a window whose time repeats on the fall-back day at its first occurrence', () => {
    const nightly = window('DTSTART:20261001T023000\nRRULE:FREQ=DAILY', { durationMinutes: 30 });
    expect(starts(nightly, '2026-10-24T22:00:00Z', '2026-10-25T22:00:00Z')).toEqual(['2026-10-25T00:30:00.000Z']);
  });

  it('ends a window that spans the fall-back hour after its duration of real time', () => {
    // 00:00 CEST plus 240 real minutes is 03:00 CET: the hour from 02:00 to 03:00 happens twice.
    const sunday = window('DTSTART:20261025T000000\nRRULE:FREQ=WEEKLY;BYDAY=SU', { durationMinutes: 240 });
    const [first] = expandWindow(sunday, iso('2026-10-24T00:00:00Z'), iso('2026-10-26T00:00:00Z'));
    expect([first.start.toISOString(), first.end.toISOString()]).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T02:00:00.000Z']);
    expect(local(first.end, 'Europe/Paris')).toBe('2026-10-25T03:00:00+01:00');
  });

  it('handles America/New_York on both of its 2026-2027 transitions', () => {
    const sunday = window('DTSTART;TZID=America/New_York:20261004T013000\nRRULE:FREQ=WEEKLY;BYDAY=SU', { timezone: 'America/New_York', durationMinutes: 120 });
    // 2026-11-01 01:30 happens twice: the first is EDT (-04:00); a week later it is EST.
    expect(starts(sunday, '2026-10-31T00:00:00Z', '2026-11-09T00:00:00Z')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-08T06:30:00.000Z']);
    const early = window('DTSTART;TZID=America/New_York:20270101T023000\nRRULE:FREQ=DAILY', { timezone: 'America/New_York', durationMinutes: 60 });
    const [occurrence] = expandWindow(early, iso('2027-03-14T05:00:00Z'), iso('2027-03-14T12:00:00Z'));
    expect(local(occurrence.start, 'America/New_York')).toBe('2027-03-14T03:30:00-04:00');
  });

  it('does not open an hourly window twice when a gap moves one start onto the next', () => {
    const hourly = window('DTSTART:20270301T003000\nRRULE:FREQ=HOURLY', { durationMinutes: 15 });
    const occurrences = expandWindow(hourly, iso('2027-03-27T23:00:00Z'), iso('2027-03-28T22:00:00Z'));
    // 2027-03-28 in Paris has 23 hours, so 23 starts at :30, one of them moved from 02:30 to 03:30.
    expect(occurrences).toHaveLength(23);
    expect(new Set(occurrences.map((o) => o.start.getTime())).size).toBe(23);
  });

  it('honours COUNT and UNTIL', () => {
    expect(starts(window('DTSTART:20261205T220000\nRRULE:FREQ=WEEKLY;COUNT=2'), '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z')).toHaveLength(2);
    expect(starts(window('DTSTART:20261205T220000\nRRULE:FREQ=WEEKLY;UNTIL=20261219T220000'), '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z')).toHaveLength(3);
    // In UTC, UNTIL is an instant: 21:00Z is 22:00 in Paris in December, so the 19th is kept.
    expect(starts(window('DTSTART:20261205T220000\nRRULE:FREQ=WEEKLY;UNTIL=20261219T210000Z'), '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z')).toHaveLength(3);
    expect(starts(window('DTSTART:20261205T220000\nRRULE:FREQ=WEEKLY;UNTIL=20261219T205959Z'), '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z')).toHaveLength(2);
  });

  it('gives the same occurrences years after DTSTART as a walk from DTSTART would', () => {
    // The expansion starts rrule close to the range; these rules pin the phase it must keep.
    // The reference walks rrule from the real DTSTART and places each reading in the zone.
    const rules = [
      'DTSTART:20190102T220000\nRRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=WE,SA',
      'DTSTART:20190131T013000\nRRULE:FREQ=MONTHLY;INTERVAL=5',
      'DTSTART:20190131T013000\nRRULE:FREQ=MONTHLY;BYDAY=-1SU;BYHOUR=2,4',
      'DTSTART:20190105T060000\nRRULE:FREQ=DAILY;INTERVAL=9;BYHOUR=6,18',
      'DTSTART:20190105T061500\nRRULE:FREQ=HOURLY;INTERVAL=8',
      'DTSTART:20160229T230000\nRRULE:FREQ=YEARLY;INTERVAL=2',
      'DTSTART:20190105T060000\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    ];
    const [from, to] = [iso('2028-02-01T00:00:00Z'), iso('2029-03-01T00:00:00Z')];
    for (const text of rules) {
      const reference = rrulestr(text)
        .between(new Date('2028-01-01T00:00:00Z'), new Date('2029-04-01T00:00:00Z'), true)
        .map((reading) => wallClockToInstant(reading, 'Europe/Paris'))
        .filter((start) => start.getTime() + 3_600_000 > from.getTime() && start < to)
        .map((start) => start.toISOString());
      expect(reference.length).toBeGreaterThan(0);
      expect([text, starts(window(text, { durationMinutes: 60 }), from.toISOString(), to.toISOString())]).toEqual([text, reference]);
    }
  });

  it('refuses an invalid rule and a range with too many occurrences', () => {
    const broken = window('RRULE:FREQ=WEEKLY');
    expect(() => expandWindow(broken, iso('2026-01-01T00:00:00Z'), iso('2027-01-01T00:00:00Z'))).toThrow(StewardError);
    const hourly = window('DTSTART:20260101T000000\nRRULE:FREQ=HOURLY', { durationMinutes: 30 });
    expect(() => expandWindow(hourly, iso('2026-01-01T00:00:00Z'), iso('2027-01-01T00:00:00Z'))).toThrow(`more than ${MAX_WINDOW_OCCURRENCES} times`);
    // One start per real hour: the spring-forward day has 23 of them, and 23 starts.
    expect(expandWindow(hourly, iso('2026-01-01T00:00:00Z'), iso('2026-06-01T00:00:00Z'))).toHaveLength(151 * 24);
  });

  it('gives nothing for an empty range', () => {
    expect(expandWindow(window('DTSTART:20261205T220000\nRRULE:FREQ=DAILY'), iso('2026-12-10T00:00:00Z'), iso('2026-12-10T00:00:00Z'))).toEqual([]);
  });
});

describe('windowOccurrences', () => {
  it('expands a range too long for one expansion, listing each occurrence once', () => {
    const hourly = window('DTSTART:20260101T000000\nRRULE:FREQ=HOURLY', { durationMinutes: 90 });
    const all = windowOccurrences(hourly, iso('2026-01-01T00:00:00Z'), iso('2027-01-01T00:00:00Z'));
    // Every real hour of 2026 but the one the spring-forward skips, and the starts of the
    // last evening of 2025 (Paris is an hour ahead) whose 90 minutes reach into the range.
    expect(all.length).toBeGreaterThan(MAX_WINDOW_OCCURRENCES);
    const starts = all.map((o) => o.start.getTime());
    expect(new Set(starts).size).toBe(starts.length);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(all[0].start.toISOString()).toBe('2025-12-31T23:00:00.000Z');
    expect(all[all.length - 1].start.toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(all).toHaveLength(365 * 24);
  });

  it('gives what expandWindow gives for a short range', () => {
    const rule = window('DTSTART:20261205T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA');
    expect(windowOccurrences(rule, iso('2026-12-01T00:00:00Z'), iso('2027-01-01T00:00:00Z'))).toEqual(expandWindow(rule, iso('2026-12-01T00:00:00Z'), iso('2027-01-01T00:00:00Z')));
  });
});

describe('upcomingOccurrences', () => {
  const saturday = window('DTSTART;TZID=Europe/Paris:20261003T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA');

  it('lists the next three, the one open now first', () => {
    const next = (at: string) => upcomingOccurrences(saturday, iso(at)).map((o) => o.start.toISOString());
    expect(next('2026-10-20T12:00:00Z')).toEqual(['2026-10-24T20:00:00.000Z', '2026-10-31T21:00:00.000Z', '2026-11-07T21:00:00.000Z']);
    expect(next('2026-10-24T22:00:00Z')[0]).toBe('2026-10-24T20:00:00.000Z');
  });

  it('looks past a slice for rare windows, and stops at the horizon', () => {
    const yearly = window('DTSTART:20261231T220000\nRRULE:FREQ=YEARLY', { durationMinutes: 60 });
    expect(upcomingOccurrences(yearly, iso('2026-06-01T00:00:00Z')).map((o) => o.start.getUTCFullYear())).toEqual([2026, 2027, 2028]);
    expect(upcomingOccurrences(yearly, iso('2026-06-01T00:00:00Z'), 3, 400)).toHaveLength(1);
    const ended = window('DTSTART:20261205T220000\nRRULE:FREQ=WEEKLY;COUNT=2');
    expect(upcomingOccurrences(ended, iso('2027-01-01T00:00:00Z'))).toEqual([]);
  });
});
