import { StewardError } from '../steward-error';
import type { EligibilityQuery } from './eligibility';
import { nextEligibleInterval } from './eligibility';
import type { FreezePeriod } from './freeze';
import type { MaintenanceWindowRule } from './maintenance-window';

const db = { key: 'db-orders', tags: ['database'] };
const payments = { key: 'svc-payments', tags: ['payments'] };
const web = { key: 'svc-web', tags: [] };

// Sundays 01:00-04:00 Paris (00:00Z-03:00Z in December), for databases.
const sundayNight: MaintenanceWindowRule = {
  id: 'mw-sun',
  name: 'Sunday night',
  rrule: 'DTSTART;TZID=Europe/Paris:20261206T010000\nRRULE:FREQ=WEEKLY;BYDAY=SU',
  durationMinutes: 180,
  timezone: 'Europe/Paris',
  scope: { tags: ['database'] },
};
// Saturdays 20:00 to Sunday 02:00 Paris, for the payments service only.
const saturdayEvening: MaintenanceWindowRule = {
  id: 'mw-sat',
  name: 'Saturday evening',
  rrule: 'DTSTART:20261205T200000\nRRULE:FREQ=WEEKLY;BYDAY=SA',
  durationMinutes: 360,
  timezone: 'Europe/Paris',
  scope: { cis: ['svc-payments'] },
};
const windows = [sundayNight, saturdayEvening];

const freeze = (id: string, start: string, end: string, over: Partial<FreezePeriod> = {}): FreezePeriod => ({
  id,
  name: id,
  start: new Date(start),
  end: new Date(end),
  reason: 'release freeze',
  allowEmergency: false,
  ...over,
});

const WEDNESDAY = '2026-12-02T10:00:00.000Z';
const query = (over: Partial<EligibilityQuery>): EligibilityQuery => ({ cis: [db], windows, freezes: [], after: new Date(WEDNESDAY), durationMinutes: 60, ...over });
const found = (over: Partial<EligibilityQuery>): [string, string, string] | null => {
  const result = nextEligibleInterval(query(over));
  return result && [result.start.toISOString(), result.end.toISOString(), result.reason];
};

describe('nextEligibleInterval', () => {
  describe('maintenance windows', () => {
    it('finds the next weekly window and returns where it closes', () => {
      expect(found({})).toEqual(['2026-12-06T00:00:00.000Z', '2026-12-06T03:00:00.000Z', "maintenance window 'Sunday night' (Europe/Paris)"]);
    });

    it('starts now when a window is already open, keeping its real end', () => {
      expect(found({ after: new Date('2026-12-06T01:15:00Z') })?.slice(0, 2)).toEqual(['2026-12-06T01:15:00.000Z', '2026-12-06T03:00:00.000Z']);
    });

    it('skips what is left of a window too short for the change, to the next window', () => {
      expect(found({ after: new Date('2026-12-06T02:30:00Z') })?.slice(0, 2)).toEqual(['2026-12-13T00:00:00.000Z', '2026-12-13T03:00:00.000Z']);
    });

    it('returns null when no window in the horizon is long enough', () => {
      expect(found({ durationMinutes: 181 })).toBeNull();
      expect(found({ horizonDays: 3 })).toBeNull();
    });

    it('needs every CI open at once: the intersection of their windows', () => {
      // Saturday 20:00-Sunday 02:00 meets Sunday 01:00-04:00 for one hour.
      expect(found({ cis: [db, payments] })).toEqual([
        '2026-12-06T00:00:00.000Z',
        '2026-12-06T01:00:00.000Z',
        "maintenance windows 'Sunday night' (Europe/Paris) and 'Saturday evening' (Europe/Paris)",
      ]);
      expect(found({ cis: [db, payments], durationMinutes: 61 })).toBeNull();
    });

    it('lets a CI without windows follow the CI that has them', () => {
      expect(found({ cis: [web, db] })).toEqual(found({ cis: [db] }));
    });

    it('joins windows that touch into one stretch and names the window in use', () => {
      const after: MaintenanceWindowRule = { ...sundayNight, id: 'mw-after', name: 'Sunday morning', rrule: 'DTSTART:20261206T040000\nRRULE:FREQ=WEEKLY;BYDAY=SU', durationMinutes: 120 };
      expect(found({ windows: [sundayNight, after] })).toEqual(['2026-12-06T00:00:00.000Z', '2026-12-06T05:00:00.000Z', "maintenance window 'Sunday night' (Europe/Paris)"]);
      expect(found({ windows: [sundayNight, after], durationMinutes: 240 })?.[2]).toBe("maintenance windows 'Sunday night' (Europe/Paris) and 'Sunday morning' (Europe/Paris)");
    });

    it('uses the real length of a window on a DST night', () => {
      // 00:00-04:00 Paris on 2026-10-25 lasts four real hours, to 03:00 CET, because 02:00-03:00 repeats.
      const fallBack: MaintenanceWindowRule = { ...sundayNight, rrule: 'DTSTART:20261025T000000\nRRULE:FREQ=WEEKLY;BYDAY=SU', durationMinutes: 240 };
      expect(found({ windows: [fallBack], after: new Date('2026-10-20T00:00:00Z'), durationMinutes: 240 })?.slice(0, 2)).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T02:00:00.000Z']);
    });
  });

  describe('no window in scope', () => {
    it('allows any time, up to the horizon', () => {
      expect(found({ cis: [web] })).toEqual([WEDNESDAY, '2027-12-03T10:00:00.000Z', 'no maintenance window in scope: any time outside freezes']);
      expect(found({ cis: [web], horizonDays: 1 })?.[1]).toBe('2026-12-03T10:00:00.000Z');
    });

    it('waits for a freeze on the CI to end, and ignores freezes on other CIs', () => {
      const freezes = [freeze('web', WEDNESDAY, '2026-12-04T00:00:00Z', { scope: { cis: ['svc-web'] } }), freeze('db', WEDNESDAY, '2026-12-10T00:00:00Z', { scope: { tags: ['database'] } })];
      expect(found({ cis: [web], freezes })?.slice(0, 2)).toEqual(['2026-12-04T00:00:00.000Z', '2027-12-03T10:00:00.000Z']);
    });

    it('joins stretches that slices of the horizon cut apart', () => {
      // A daily 12:00 window of 23 hours in UTC, and a freeze until just before the 120th day:
      // the only fitting stretch runs across the slice boundary at 2026-05-01T00:00Z.
      const daily: MaintenanceWindowRule = { ...sundayNight, rrule: 'DTSTART:20260101T120000\nRRULE:FREQ=DAILY', durationMinutes: 1380, timezone: 'UTC' };
      const freezes = [freeze('long', '2026-01-01T00:00:00Z', '2026-04-30T12:00:00Z')];
      expect(found({ windows: [daily], freezes, after: new Date('2026-01-01T00:00:00Z'), durationMinutes: 1380 })?.slice(0, 2)).toEqual(['2026-04-30T12:00:00.000Z', '2026-05-01T11:00:00.000Z']);
    });
  });

  describe('freezes', () => {
    it('cut a window so that a remainder too short is skipped', () => {
      const freezes = [freeze('db', '2026-12-06T00:00:00Z', '2026-12-06T01:30:00Z', { scope: { cis: ['db-orders'] } })];
      expect(found({ freezes })?.slice(0, 2)).toEqual(['2026-12-06T01:30:00.000Z', '2026-12-06T03:00:00.000Z']);
      expect(found({ freezes, durationMinutes: 120 })?.slice(0, 2)).toEqual(['2026-12-13T00:00:00.000Z', '2026-12-13T03:00:00.000Z']);
    });

    it('block the whole change when they cover any one of its CIs', () => {
      const freezes = [freeze('payments', WEDNESDAY, '2026-12-07T00:00:00Z', { scope: { cis: ['svc-payments'] } })];
      expect(found({ cis: [web, payments], windows: [], freezes })?.[0]).toBe('2026-12-07T00:00:00.000Z');
      expect(found({ cis: [web], windows: [], freezes })?.[0]).toBe(WEDNESDAY);
    });
  });

  describe('emergency changes', () => {
    it('ignore windows', () => {
      expect(found({ emergency: true })).toEqual([WEDNESDAY, '2027-12-03T10:00:00.000Z', 'emergency change: windows do not apply']);
    });

    it('pass freezes that allow emergencies, and wait for those that do not', () => {
      const lenient = freeze('Year-end close', WEDNESDAY, '2026-12-31T00:00:00Z', { allowEmergency: true });
      const strict = freeze('Datacenter move', WEDNESDAY, '2026-12-03T10:00:00Z', { scope: { tags: ['database'] } });
      expect(found({ emergency: true, freezes: [lenient] })).toEqual([WEDNESDAY, '2027-12-03T10:00:00.000Z', "emergency change: windows do not apply; 'Year-end close' allows emergency changes"]);
      expect(found({ emergency: true, freezes: [lenient, strict] })?.[0]).toBe('2026-12-03T10:00:00.000Z');
      // A normal change waits for both.
      expect(found({ freezes: [lenient, strict] })?.[0]).toBe('2027-01-03T00:00:00.000Z');
    });
  });

  describe('requested window', () => {
    it('narrows the search to the requested range', () => {
      const requested = { start: new Date('2026-12-10T00:00:00Z'), end: new Date('2026-12-31T00:00:00Z') };
      expect(found({ requested })).toEqual(['2026-12-13T00:00:00.000Z', '2026-12-13T03:00:00.000Z', "maintenance window 'Sunday night' (Europe/Paris), within the requested window"]);
    });

    it('ends the stretch where the requested range ends', () => {
      const requested = { start: new Date('2026-12-10T00:00:00Z'), end: new Date('2026-12-13T01:30:00Z') };
      expect(found({ requested })?.slice(0, 2)).toEqual(['2026-12-13T00:00:00.000Z', '2026-12-13T01:30:00.000Z']);
      expect(found({ requested, durationMinutes: 120 })).toBeNull();
    });

    it('reads a requested start in the past as "from now"', () => {
      const requested = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-31T00:00:00Z') };
      expect(found({ cis: [web], requested })?.slice(0, 2)).toEqual([WEDNESDAY, '2026-12-31T00:00:00.000Z']);
      expect(found({ requested })?.[0]).toBe('2026-12-06T00:00:00.000Z');
    });

    it('returns null for a requested range that is over', () => {
      expect(found({ cis: [web], requested: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-11-02T00:00:00Z') } })).toBeNull();
    });
  });

  describe('bad queries', () => {
    it('refuses a change without CIs, a non-positive duration and an inverted requested range', () => {
      expect(() => nextEligibleInterval(query({ cis: [] }))).toThrow(StewardError);
      expect(() => nextEligibleInterval(query({ durationMinutes: 0 }))).toThrow('durationMinutes');
      expect(() => nextEligibleInterval(query({ requested: { start: new Date('2026-12-10T00:00:00Z'), end: new Date('2026-12-09T00:00:00Z') } }))).toThrow('requested.end');
      expect(() => nextEligibleInterval(query({ after: new Date('not a date') }))).toThrow('after');
    });

    it('refuses rather than ignores an invalid window in scope, which would free its CIs', () => {
      const broken = { ...sundayNight, rrule: 'RRULE:FREQ=WEEKLY;BYDAY=SU' };
      expect(() => nextEligibleInterval(query({ windows: [broken] }))).toThrow(/Sunday night' is invalid: rrule: DTSTART is missing/);
    });
  });
});
