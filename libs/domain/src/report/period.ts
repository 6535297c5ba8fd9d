const DAY_MS = 86_400_000;

/** A report covers the last 30 days unless asked otherwise. */
export const REPORT_DEFAULT_DAYS = 30;

export interface ReportPeriod {
  from: Date;
  to: Date;
}

/**
 * The half-open period [from, to) a report covers. `to` defaults to now and `from` to 30 days
 * before `to`, so `?from=` alone means "since then". Returns the field at fault when the period
 * is empty or inverted (the caller answers 400 naming it).
 */
export function reportPeriod(given: { from?: number; to?: number }, now: number): ReportPeriod | { field: 'from' | 'to'; message: string } {
  const to = given.to ?? now;
  const from = given.from ?? to - REPORT_DEFAULT_DAYS * DAY_MS;
  if (from >= to) {
    return given.to === undefined
      ? { field: 'from', message: `from must be before to, which defaults to now (${new Date(now).toISOString()})` }
      : { field: 'to', message: `to must be after from (${new Date(from).toISOString()})` };
  }
  return { from: new Date(from), to: new Date(to) };
}
