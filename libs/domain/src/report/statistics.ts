/**
 * The statistics the reports publish, defined once in plain code. PostgreSQL computes them for
 * the API (avg, percentile_cont); these definitions are what its figures are checked against.
 */

/** Arithmetic mean; null for no values (a mean of nothing is not zero). */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * The continuous percentile (PostgreSQL `percentile_cont`): linear interpolation between the
 * two closest ranks, so p90 of a handful of incidents is not just the largest one.
 */
export function percentileCont(values: readonly number[], fraction: number): number | null {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError('fraction must be between 0 and 1');
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = fraction * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** A share in [0, 1] rounded to 4 decimals, or null when the whole is 0 (no basis, not 0 %). */
export function ratio(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.round((part / whole) * 10_000) / 10_000;
}

/**
 * A duration as `h:mm:ss`, hours unbounded (`27:03:09` is a day and three hours): how service
 * desks read MTTA and MTTR. Rounded to the nearest second; null stays null.
 */
export function formatDuration(ms: number | null): string | null {
  if (ms === null) return null;
  if (!Number.isFinite(ms)) throw new RangeError('duration must be finite');
  const sign = ms < 0 ? '-' : '';
  const total = Math.round(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return `${sign}${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}
