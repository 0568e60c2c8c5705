import { describe, expect, it } from 'vitest';
import { healthTrend } from './health-trend.ts';

const now = Date.UTC(2026, 10, 1);
const day = 24 * 3600 * 1000;
const health = (score: number, history: Array<[number, number]>) => ({ score, asOf: now, history: history.map(([s, d]) => ({ score: s, asOf: now - d * day })) });

describe('health trend', () => {
  it.each([
    ['a fall of 5 points is declining', 70, [[75, 30]], 'declining', -5],
    ['a fall of 4 points is stable', 71, [[75, 30]], 'stable', -4],
    ['a rise of 4 points is stable', 79, [[75, 30]], 'stable', 4],
    ['a rise of 5 points is improving', 80, [[75, 30]], 'improving', 5],
  ] as const)('%s', (_t, score, history, direction, delta) => {
    expect(healthTrend(health(score, history as unknown as Array<[number, number]>))).toMatchObject({ direction, deltaPoints: delta });
  });

  it('compares with the oldest point inside the window, whatever order history comes in', () => {
    expect(healthTrend(health(62, [[71, 30], [80, 60], [95, 120]]))).toEqual({ direction: 'declining', fromScore: 80, toScore: 62, deltaPoints: -18, windowDays: 60 });
  });

  it('includes a point exactly at the window edge and ignores older ones', () => {
    expect(healthTrend(health(60, [[90, 90]]))).toMatchObject({ fromScore: 90, windowDays: 90 });
    expect(healthTrend(health(60, [[90, 91]]))).toMatchObject({ direction: 'unknown', windowDays: 0 });
  });

  it('is unknown without history and absent without health', () => {
    expect(healthTrend(health(55, []))).toEqual({ direction: 'unknown', fromScore: 55, toScore: 55, deltaPoints: 0, windowDays: 0 });
    expect(healthTrend(null)).toBeNull();
  });
});
