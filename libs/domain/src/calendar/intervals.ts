/**
 * A stretch of real time, half-open: it includes `start` and excludes `end`, so a window that
 * ends at 06:00 and one that starts at 06:00 touch without overlapping.
 */
export interface Interval {
  start: Date;
  end: Date;
}

const ms = (date: Date): number => date.getTime();
const span = (start: number, end: number): Interval => ({ start: new Date(start), end: new Date(end) });

/** Whether two intervals share at least one instant. Touching intervals do not overlap. */
export function overlaps(a: Interval, b: Interval): boolean {
  return ms(a.start) < ms(b.end) && ms(b.start) < ms(a.end);
}

/** Length in whole milliseconds; an inverted interval counts as empty. */
export function durationMs(interval: Interval): number {
  return Math.max(0, ms(interval.end) - ms(interval.start));
}

/**
 * The union of any intervals as a sorted list of disjoint ones. Touching intervals are joined,
 * because for scheduling a window that ends when the next begins is one contiguous stretch.
 * Empty and inverted intervals are dropped. The inputs are not modified.
 */
export function unionIntervals(...lists: ReadonlyArray<readonly Interval[]>): Interval[] {
  const all = lists
    .flat()
    .map((i) => [ms(i.start), ms(i.end)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of all) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]) => span(start, end));
}

/** The instants that lie in both lists (each taken as a union first). */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const left = unionIntervals(a);
  const right = unionIntervals(b);
  const result: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const start = Math.max(ms(left[i].start), ms(right[j].start));
    const end = Math.min(ms(left[i].end), ms(right[j].end));
    if (end > start) result.push(span(start, end));
    // Whichever ends first can meet nothing further in the other list.
    if (ms(left[i].end) <= ms(right[j].end)) i++;
    else j++;
  }
  return result;
}

/** The instants of `from` that lie in none of `remove` (each taken as a union first). */
export function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const holes = unionIntervals(remove);
  const result: Interval[] = [];
  let h = 0;
  for (const piece of unionIntervals(from)) {
    let cursor = ms(piece.start);
    const end = ms(piece.end);
    // Holes that end before this piece cannot touch any later piece either: the lists are sorted.
    while (h < holes.length && ms(holes[h].end) <= cursor) h++;
    let k = h;
    while (k < holes.length && ms(holes[k].start) < end) {
      if (ms(holes[k].start) > cursor) result.push(span(cursor, ms(holes[k].start)));
      cursor = Math.max(cursor, ms(holes[k].end));
      k++;
    }
    if (cursor < end) result.push(span(cursor, end));
  }
  return result;
}

/** The part of the intervals that falls inside [from, to). */
export function clipIntervals(list: readonly Interval[], from: Date, to: Date): Interval[] {
  return intersectIntervals(list, [{ start: from, end: to }]);
}
