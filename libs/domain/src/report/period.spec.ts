import { REPORT_DEFAULT_DAYS, reportPeriod } from './period';

const NOW = Date.parse('2026-03-31T12:00:00Z');
const DAY = 86_400_000;

describe('reportPeriod', () => {
  it('defaults to the last 30 days', () => {
    expect(reportPeriod({}, NOW)).toEqual({ from: new Date(NOW - REPORT_DEFAULT_DAYS * DAY), to: new Date(NOW) });
  });

  it('takes from alone as "since then, up to now"', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    expect(reportPeriod({ from }, NOW)).toEqual({ from: new Date(from), to: new Date(NOW) });
  });

  it('takes to alone as the 30 days before it', () => {
    const to = Date.parse('2026-02-01T00:00:00Z');
    expect(reportPeriod({ to }, NOW)).toEqual({ from: new Date(to - 30 * DAY), to: new Date(to) });
  });

  it('refuses an empty or inverted period, naming the field at fault', () => {
    expect(reportPeriod({ from: NOW, to: NOW }, NOW)).toMatchObject({ field: 'to' });
    expect(reportPeriod({ from: NOW + DAY, to: NOW }, NOW)).toMatchObject({ field: 'to' });
    expect(reportPeriod({ from: NOW + DAY }, NOW)).toMatchObject({ field: 'from', message: expect.stringContaining('defaults to now') });
  });
});
