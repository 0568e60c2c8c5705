import { formatMinor, isTimeZone, localDateOf } from '@invoice-signal/events';

/** Formatting for sentences a CSM reads and for the string-valued facts maps. Deterministic: en-US; dates in a given zone, else UTC. */

export const DAY_MS = 24 * 3600 * 1000;

// Building an Intl.NumberFormat costs far more than using one: keep one per shape.
const formatters = new Map<string, Intl.NumberFormat>();
function formatter(min: number, max: number): Intl.NumberFormat {
  const key = `${min}:${max}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
    formatters.set(key, f);
  }
  return f;
}

/** `EUR 12,500.00` from 1250000 minor units, `IDR 10,000,000.00` from 1000000000: the shared ISO 4217 table decides the decimals. */
export const money = (minor: number, currency: string) => formatMinor(minor, currency, 'code');

/** `2026-12-01`: the calendar date of `ms` in `zone` (the CSM's, so a due date reads as on their calendar; UTC when unknown). */
export const isoDate = (ms: number, zone: string | null = 'UTC') => localDateOf(ms, zone && isTimeZone(zone) ? zone : 'UTC');

/** A number for a sentence: grouping, at most `digits` decimals. */
export const num = (n: number, digits = 2) => formatter(0, digits).format(n);

/** Whole days from `from` to `to`, rounded toward zero (negative when `to` is earlier). */
export const daysBetween = (from: number, to: number) => Math.trunc((to - from) / DAY_MS);

export const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

/** Facts are a map of strings in the schema; nulls are left out rather than written as "null". */
export function facts(values: Record<string, string | number | boolean | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}
