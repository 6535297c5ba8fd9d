import { formatDuration, mean, percentileCont, ratio } from './statistics';

describe('mean', () => {
  it('is null for nothing and the average otherwise', () => {
    expect(mean([])).toBeNull();
    expect(mean([5])).toBe(5);
    expect(mean([60_000, 120_000, 300_000])).toBe(160_000);
  });
});

describe('percentileCont', () => {
  it('is null for nothing and the value itself for one', () => {
    expect(percentileCont([], 0.9)).toBeNull();
    expect(percentileCont([7], 0.9)).toBe(7);
  });

  it('interpolates between ranks like PostgreSQL percentile_cont', () => {
    // rank = 0.9 * (10 - 1) = 8.1: 9 + 0.1 * (10 - 9)
    expect(percentileCont([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
    // rank = 0.9 * 3 = 2.7 over sorted [10, 20, 40, 80]: 40 + 0.7 * 40
    expect(percentileCont([80, 10, 40, 20], 0.9)).toBeCloseTo(68, 10);
    expect(percentileCont([3, 1, 2], 0.5)).toBe(2);
    expect(percentileCont([3, 1, 2], 0)).toBe(1);
    expect(percentileCont([3, 1, 2], 1)).toBe(3);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentileCont(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses a fraction outside [0, 1]', () => {
    expect(() => percentileCont([1], 1.5)).toThrow(RangeError);
    expect(() => percentileCont([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('ratio', () => {
  it('is null when there is no basis, rounded to 4 decimals otherwise', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(0, 3)).toBe(0);
    expect(ratio(2, 3)).toBe(0.6667);
    expect(ratio(3, 3)).toBe(1);
  });
});

describe('formatDuration', () => {
  it('writes h:mm:ss with unbounded hours', () => {
    expect(formatDuration(0)).toBe('0:00:00');
    expect(formatDuration(59_000)).toBe('0:00:59');
    expect(formatDuration(90_000)).toBe('0:01:30');
    expect(formatDuration(3_600_000 + 5 * 60_000 + 7_000)).toBe('1:05:07');
    expect(formatDuration(27 * 3_600_000 + 3 * 60_000 + 9_000)).toBe('27:03:09');
  });

  it('rounds to the nearest second', () => {
    expect(formatDuration(1_499)).toBe('0:00:01');
    expect(formatDuration(1_500)).toBe('0:00:02');
    expect(formatDuration(3_599_600)).toBe('1:00:00');
  });

  it('keeps null and the sign of a negative duration', () => {
    expect(formatDuration(null)).toBeNull();
    expect(formatDuration(-61_000)).toBe('-0:01:01');
  });
});
