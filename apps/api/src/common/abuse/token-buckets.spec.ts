import { OpenSlots, TokenBuckets } from './token-buckets';

describe('TokenBuckets', () => {
  it('allows perMinute takes at once, then refuses with the seconds until the next token', () => {
    let now = 0;
    const buckets = new TokenBuckets(3, () => now);
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    // One token per 20 s at 3 per minute.
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    now = 15_000;
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 5 });
    now = 20_000;
    expect(buckets.take('a').allowed).toBe(true);
  });

  it('keeps keys apart', () => {
    const buckets = new TokenBuckets(1, () => 0);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('refills no higher than the limit', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, () => now);
    buckets.take('a');
    now = 3_600_000;
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, false]);
  });

  it('peeks without taking; spend empties the bucket', () => {
    const buckets = new TokenBuckets(2, () => 0);
    expect(buckets.peek('a').allowed).toBe(true);
    buckets.spend('a');
    buckets.spend('a');
    buckets.spend('a');
    expect(buckets.peek('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('0 disables the limit', () => {
    const buckets = new TokenBuckets(0, () => 0);
    for (let i = 0; i < 1000; i++) expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.size).toBe(0);
  });

  it('forgets the least recently used keys beyond maxKeys, so memory stays bounded', () => {
    const buckets = new TokenBuckets(5, () => 0, 3);
    for (const key of ['a', 'b', 'c', 'd']) buckets.take(key);
    expect(buckets.size).toBe(3);
  });
});

describe('OpenSlots', () => {
  it('refuses beyond the cap and frees a slot on release, once', () => {
    const slots = new OpenSlots(2);
    const first = slots.acquire('alice');
    const second = slots.acquire('alice');
    expect(first && second).toBeTruthy();
    expect(slots.acquire('alice')).toBeUndefined();
    expect(slots.acquire('bob')).toBeDefined();
    first!();
    first!();
    expect(slots.count('alice')).toBe(1);
    expect(slots.acquire('alice')).toBeDefined();
    expect(slots.acquire('alice')).toBeUndefined();
  });

  it('0 disables the cap', () => {
    const slots = new OpenSlots(0);
    for (let i = 0; i < 100; i++) expect(slots.acquire('a')).toBeDefined();
  });
});
