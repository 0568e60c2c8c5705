import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

describe('rate limiter', () => {
  it('allows a burst, refuses beyond it, and refills with time', () => {
    const limiter = createRateLimiter({ perSecond: 2, burst: 3 });
    const t = 10_000;
    expect([limiter.take(t), limiter.take(t), limiter.take(t)]).toEqual([0, 0, 0]);
    expect(limiter.take(t)).toBe(1);
    expect(limiter.take(t + 500)).toBe(0); // one token back after half a second at 2/s
    expect(limiter.take(t + 500)).toBeGreaterThan(0);
  });
});
