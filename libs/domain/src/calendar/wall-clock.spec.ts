import { instantToWallClock, isKnownTimeZone, wallClockToInstant } from './wall-clock';

// A floating reading: the UTC fields of the Date hold the local clock.
const reading = (text: string): Date => new Date(`${text}Z`);
const instant = (text: string, zone: string): string => wallClockToInstant(reading(text), zone).toISOString();

describe('wallClockToInstant', () => {
  it('places an ordinary reading with the offset in force', () => {
    expect(instant('2026-12-05T22:00:00', 'Europe/Paris')).toBe('2026-12-05T21:00:00.000Z');
    expect(instant('2026-07-04T22:00:00', 'Europe/Paris')).toBe('2026-07-04T20:00:00.000Z');
  });

  it('moves a reading inside a spring-forward gap forward by the gap', () => {
    // Paris skips 02:00-03:00 on 2027-03-28: 02:30 is read as 03:30 CEST.
    expect(instant('2027-03-28T02:30:00', 'Europe/Paris')).toBe('2027-03-28T01:30:00.000Z');
    // New York skips 02:00-03:00 on 2027-03-14: 02:30 is read as 03:30 EDT.
    expect(instant('2027-03-14T02:30:00', 'America/New_York')).toBe('2027-03-14T07:30:00.000Z');
  });

  it('takes the first of the two instants of a reading in a fall-back overlap', () => {
    // Paris repeats 02:00-03:00 on 2026-10-25: the first 02:30 is CEST (+02:00).
    expect(instant('2026-10-25T02:30:00', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
    // New York repeats 01:00-02:00 on 2026-11-01: the first 01:30 is EDT (-04:00).
    expect(instant('2026-11-01T01:30:00', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('leaves readings beside a transition alone', () => {
    expect(instant('2026-10-25T01:30:00', 'Europe/Paris')).toBe('2026-10-24T23:30:00.000Z');
    expect(instant('2026-10-25T03:00:00', 'Europe/Paris')).toBe('2026-10-25T02:00:00.000Z');
  });
});

describe('instantToWallClock', () => {
  it('reads the zone clock at an instant', () => {
    expect(instantToWallClock(new Date('2026-10-25T00:30:00Z'), 'Europe/Paris').toISOString()).toBe('2026-10-25T02:30:00.000Z');
    expect(instantToWallClock(new Date('2026-10-25T01:30:00Z'), 'Europe/Paris').toISOString()).toBe('2026-10-25T02:30:00.000Z');
  });
});

describe('isKnownTimeZone', () => {
  it('knows IANA zones and nothing else', () => {
    expect(isKnownTimeZone('Europe/Paris')).toBe(true);
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('UTC+2')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
  });
});
