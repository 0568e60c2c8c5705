/** Percentiles and formatting shared by every part of the bench. */

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN };
}

export const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}` : v === Number.POSITIVE_INFINITY ? '∞' : '–');
export const fixed = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
export const ratio = (ours: number, reference: number) => {
  if (!(Number.isFinite(ours) && Number.isFinite(reference) && reference > 0)) return '–';
  const r = ours / reference;
  return r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}× (1/${Math.round(1 / r)})`;
};
export const mib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : '–');
export const triple = (s: Summary) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
