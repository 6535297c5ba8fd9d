import type { Interval } from './intervals';
import { clipIntervals, durationMs, intersectIntervals, overlaps, subtractIntervals, unionIntervals } from './intervals';

// Hours of one day keep the cases readable: at(2, 5) is 02:00 to 05:00 UTC.
const at = (start: number, end: number): Interval => ({ start: new Date(Date.UTC(2026, 0, 1, start)), end: new Date(Date.UTC(2026, 0, 1, end)) });
const hours = (list: Interval[]): Array<[number, number]> => list.map((i) => [i.start.getUTCHours(), i.end.getUTCHours()]);

describe('unionIntervals', () => {
  it('sorts, merges overlapping and touching intervals, and drops empty ones', () => {
    expect(hours(unionIntervals([at(8, 9), at(1, 3), at(2, 4)], [at(4, 5), at(6, 6), at(7, 6)]))).toEqual([
      [1, 5],
      [8, 9],
    ]);
  });

  it('keeps a contained interval inside its container', () => {
    expect(hours(unionIntervals([at(1, 10), at(2, 3)]))).toEqual([[1, 10]]);
  });

  it('does not modify its inputs', () => {
    const input = [at(2, 4), at(1, 3)];
    unionIntervals(input);
    expect(hours(input)).toEqual([
      [2, 4],
      [1, 3],
    ]);
  });
});

describe('intersectIntervals', () => {
  it('keeps what both lists cover', () => {
    expect(hours(intersectIntervals([at(1, 5), at(7, 10)], [at(0, 2), at(4, 8), at(9, 12)]))).toEqual([
      [1, 2],
      [4, 5],
      [7, 8],
      [9, 10],
    ]);
  });

  it('gives nothing for touching intervals or an empty side', () => {
    expect(intersectIntervals([at(1, 2)], [at(2, 3)])).toEqual([]);
    expect(intersectIntervals([at(1, 2)], [])).toEqual([]);
  });
});

describe('subtractIntervals', () => {
  it('cuts holes, including holes that span several pieces', () => {
    expect(hours(subtractIntervals([at(0, 4), at(5, 9), at(10, 12)], [at(1, 2), at(3, 6), at(8, 11)]))).toEqual([
      [0, 1],
      [2, 3],
      [6, 8],
      [11, 12],
    ]);
  });

  it('removes a piece that a hole covers and keeps one no hole touches', () => {
    expect(hours(subtractIntervals([at(1, 2), at(5, 6)], [at(0, 3)]))).toEqual([[5, 6]]);
    expect(hours(subtractIntervals([at(1, 2)], []))).toEqual([[1, 2]]);
  });
});

describe('clipIntervals, overlaps and durationMs', () => {
  it('clips to a range', () => {
    expect(hours(clipIntervals([at(0, 3), at(5, 9)], at(2, 6).start, at(2, 6).end))).toEqual([
      [2, 3],
      [5, 6],
    ]);
  });

  it('treats intervals as half-open', () => {
    expect(overlaps(at(1, 3), at(2, 4))).toBe(true);
    expect(overlaps(at(1, 2), at(2, 3))).toBe(false);
    expect(durationMs(at(1, 3))).toBe(2 * 3_600_000);
    expect(durationMs(at(3, 1))).toBe(0);
  });
});
