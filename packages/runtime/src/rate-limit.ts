/**
 * Token buckets: `perSecond` tokens refill continuously up to `burst` (default 2 s worth). The
 * clock is passed in so the logic stays pure and testable.
 */
interface Bucket {
  tokens: number;
  at: number;
}

interface Rate {
  perSecond: number;
  burst: number;
}

const rateOf = (opts: { perSecond: number; burst?: number }): Rate => ({ perSecond: opts.perSecond, burst: opts.burst ?? opts.perSecond * 2 });

/** The bucket's tokens at `nowMs` (refilled since its last update, capped at the burst). */
const tokensAt = (b: Bucket, rate: Rate, nowMs: number) => Math.min(rate.burst, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * rate.perSecond);

/** Whole seconds until the bucket holds one token again (Retry-After); 0 when it has one now. */
const secondsUntilToken = (tokens: number, rate: Rate) => (tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / rate.perSecond)));

export function createRateLimiter(opts: { perSecond: number; burst?: number }) {
  const rate = rateOf(opts);
  const bucket: Bucket = { tokens: rate.burst, at: 0 };
  return {
    /** Takes a token; returns 0 when allowed, else the seconds until one is available. */
    take(nowMs: number): number {
      bucket.tokens = tokensAt(bucket, rate, nowMs);
      bucket.at = nowMs;
      const wait = secondsUntilToken(bucket.tokens, rate);
      if (wait === 0) bucket.tokens -= 1;
      return wait;
    },
  };
}

/**
 * One bucket per key (a client IP), checked and charged separately: `wait` before the costly
 * work, `charge` after it failed. Only charged keys get a bucket, and at most `maxKeys` are kept
 * (the least recently charged go first), so memory stays bounded whatever the number of clients.
 * A bucket may go below zero when many requests passed the check at once and then all failed,
 * down to minus one burst: the client waits for the failures it really caused, not longer.
 */
export function createKeyedRateLimiter(opts: { perSecond: number; burst?: number; maxKeys: number }) {
  const rate = rateOf(opts);
  const buckets = new Map<string, Bucket>();
  return {
    /** Seconds until `key` may try again (0: now). Takes nothing. */
    wait(key: string, nowMs: number): number {
      const bucket = buckets.get(key);
      return bucket ? secondsUntilToken(tokensAt(bucket, rate, nowMs), rate) : 0;
    },
    /** Spends one token of `key`. */
    charge(key: string, nowMs: number): void {
      const bucket = buckets.get(key);
      const tokens = bucket ? tokensAt(bucket, rate, nowMs) : rate.burst;
      // Re-inserting keeps the Map in least-recently-charged order, oldest first.
      buckets.delete(key);
      buckets.set(key, { tokens: Math.max(-rate.burst, tokens - 1), at: nowMs });
      if (buckets.size > opts.maxKeys) buckets.delete(buckets.keys().next().value!);
    },
    get size() {
      return buckets.size;
    },
  };
}
