/**
 * A token bucket per key: `perSecond` tokens refill continuously up to `burst`. The clock is
 * passed in so the logic stays pure and testable.
 */
export function createRateLimiter(opts: { perSecond: number; burst?: number }) {
  const burst = opts.burst ?? opts.perSecond * 2;
  let tokens = burst;
  let last = 0;
  return {
    /** Takes a token; returns 0 when allowed, else the seconds until one is available. */
    take(nowMs: number): number {
      tokens = Math.min(burst, tokens + ((nowMs - last) / 1000) * opts.perSecond);
      last = nowMs;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - tokens) / opts.perSecond);
    },
  };
}
