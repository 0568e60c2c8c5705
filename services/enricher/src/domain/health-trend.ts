import type { Health, HealthTrend, TrendDirection } from '@invoice-signal/events';

const DAY_MS = 24 * 3600 * 1000;

export interface TrendOptions {
  /** How far back the earlier score may be. Default 90 days. */
  windowDays?: number;
  /** Smallest change, in points, that counts as a move rather than noise. Default 5. */
  minDeltaPoints?: number;
}

/**
 * Compares the current score with the OLDEST history point inside the window (so a slow slide
 * over the quarter shows, not just the last wobble). Without an earlier point the trend is
 * `unknown`; a move smaller than minDeltaPoints is `stable`.
 */
export function healthTrend(health: Health | null, opts: TrendOptions = {}): HealthTrend | null {
  if (!health) return null;
  const windowDays = opts.windowDays ?? 90;
  const minDelta = opts.minDeltaPoints ?? 5;
  const earliest = health.history
    .filter((p) => p.asOf < health.asOf && p.asOf >= health.asOf - windowDays * DAY_MS)
    .sort((a, b) => a.asOf - b.asOf)[0];
  if (!earliest) return { direction: 'unknown', fromScore: health.score, toScore: health.score, deltaPoints: 0, windowDays: 0 };
  const delta = health.score - earliest.score;
  const direction: TrendDirection = delta <= -minDelta ? 'declining' : delta >= minDelta ? 'improving' : 'stable';
  return { direction, fromScore: earliest.score, toScore: health.score, deltaPoints: delta, windowDays: Math.round((health.asOf - earliest.asOf) / DAY_MS) };
}
