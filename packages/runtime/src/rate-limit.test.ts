import { describe, expect, it } from 'vitest';
import { createKeyedRateLimiter, createRateLimiter } from './rate-limit.ts';

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

describe('keyed rate limiter (failed attempts per client)', () => {
  it('lets a key try until its failures use up the burst, then tells it when to come back', () => {
    const limiter = createKeyedRateLimiter({ perSecond: 20, burst: 40, maxKeys: 100 });
    const t = 50_000;
    for (let i = 0; i < 40; i++) {
      expect(limiter.wait('10.0.0.1', t)).toBe(0);
      limiter.charge('10.0.0.1', t);
    }
    expect(limiter.wait('10.0.0.1', t)).toBe(1);
    expect(limiter.wait('10.0.0.2', t)).toBe(0); // another client is not affected
    expect(limiter.wait('10.0.0.1', t + 50)).toBe(0); // one token back after 50 ms at 20/s
  });

  it('charges failures that passed the check together, but never more than one burst in debt', () => {
    const limiter = createKeyedRateLimiter({ perSecond: 10, burst: 5, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.charge('ip', 0);
    expect(limiter.wait('ip', 0)).toBe(1); // (1 - -5) / 10 = 0.6 s, rounded up
    expect(limiter.wait('ip', 599)).toBe(1);
    expect(limiter.wait('ip', 600)).toBe(0);
  });

  it('keeps at most maxKeys buckets, dropping the least recently charged', () => {
    const limiter = createKeyedRateLimiter({ perSecond: 1, burst: 1, maxKeys: 3 });
    for (const ip of ['a', 'b', 'c']) limiter.charge(ip, 0);
    limiter.charge('a', 0); // a is recent again
    limiter.charge('d', 0);
    expect(limiter.size).toBe(3);
    expect(limiter.wait('b', 0)).toBe(0); // evicted: forgotten
    expect([limiter.wait('a', 0), limiter.wait('c', 0), limiter.wait('d', 0)]).toEqual([2, 1, 1]);
    for (let i = 0; i < 10_000; i++) limiter.charge(`10.1.${i >> 8}.${i & 255}`, i);
    expect(limiter.size).toBe(3);
  });
});
