/**
 * Token buckets keyed by a string (a client address, a principal): each key holds at most
 * `perMinute` tokens and regains them evenly over a minute. Taking from an empty bucket is
 * refused with the number of seconds until a token is back (the `Retry-After` value).
 *
 * Kept in this process's memory: right for one API process; several processes each keep their
 * own buckets, so the effective limit is the per-process limit times the process count.
 * Memory stays bounded: full buckets are forgotten, and past `maxKeys` the oldest keys go first.
 */
export interface BucketVerdict {
  allowed: boolean;
  /** Whole seconds until the next token, at least 1 when refused; 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;
  private operations = 0;

  constructor(
    /** 0 disables: every take is allowed. */
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 50_000,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Takes one token for `key` if there is one. */
  take(key: string): BucketVerdict {
    if (!this.enabled) return { allowed: true, retryAfterSeconds: 0 };
    const bucket = this.current(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.store(key, bucket);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    this.store(key, bucket);
    return { allowed: false, retryAfterSeconds: this.secondsUntilToken(bucket) };
  }

  /** Whether a take would be allowed now, without taking. */
  peek(key: string): BucketVerdict {
    if (!this.enabled) return { allowed: true, retryAfterSeconds: 0 };
    const existing = this.buckets.get(key);
    if (!existing) return { allowed: true, retryAfterSeconds: 0 };
    const bucket = this.current(key);
    return bucket.tokens >= 1 ? { allowed: true, retryAfterSeconds: 0 } : { allowed: false, retryAfterSeconds: this.secondsUntilToken(bucket) };
  }

  /** Takes a token whether or not one is left (the bucket may go empty, never below zero). */
  spend(key: string): void {
    if (!this.enabled) return;
    const bucket = this.current(key);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.store(key, bucket);
  }

  get size(): number {
    return this.buckets.size;
  }

  private current(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.perMinute, updatedMs: now };
    const refilled = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.updatedMs) * this.refillPerMs);
    return { tokens: refilled, updatedMs: now };
  }

  private secondsUntilToken(bucket: Bucket): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }

  private store(key: string, bucket: Bucket): void {
    // Re-inserting moves the key to the end: Map order is then least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (++this.operations % 1000 === 0) this.forgetFull();
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }

  /** A bucket that has refilled is the same as no bucket. */
  private forgetFull(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedMs) * this.refillPerMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}

/** Counts open things (event streams) per key against a cap; 0 disables the cap. */
export class OpenSlots {
  private readonly open = new Map<string, number>();

  constructor(readonly cap: number) {}

  /** A release function when a slot was free, undefined when the key is at its cap. */
  acquire(key: string): (() => void) | undefined {
    const count = this.open.get(key) ?? 0;
    if (this.cap > 0 && count >= this.cap) return undefined;
    this.open.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left <= 0) this.open.delete(key);
      else this.open.set(key, left);
    };
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}
