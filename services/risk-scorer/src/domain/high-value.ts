import { z } from 'zod';
import { isCalendarDate, isCurrency, minorExponent, toMinor } from '@invoice-signal/events';

/**
 * "High value", one definition: the amount due of an invoice, converted to a reference currency
 * with an FX table of approximate rates, at or above a threshold in that currency. The notifier
 * routes on the HIGH_VALUE flag this decides; nothing else compares amounts against a bar.
 *
 * A currency the table has no rate for is treated as high value, with a reason saying so: a
 * missing rate must show up (flag, log line, metric), never make a currency silently never high.
 */

const decimal = z.union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d+(\.\d+)?$/.test(v) && /[1-9]/.test(v), 'a positive decimal such as 1.08 (no exponent)');
const code = z.string().refine(isCurrency, 'an ISO 4217 code in upper case');

/** The FX table: how many `base` units one unit of each currency is worth. */
export const fxTableSchema = z.strictObject({
  doc: z.string().optional(),
  base: code,
  asOf: z.string().refine(isCalendarDate, 'a date, YYYY-MM-DD'),
  rates: z.record(code, decimal),
});
export type FxTable = z.infer<typeof fxTableSchema>;

/** Threshold and table as the rule set records them (so a decision can be explained later). */
export const highValuePolicyFields = { threshold: z.strictObject({ amount: decimal, currency: code }), fx: fxTableSchema };

/** The threshold's currency must have a rate, and the amount must fit that currency's minor unit. */
export function checkPolicy(p: { threshold: { amount: string; currency: string }; fx: FxTable }, ctx: z.RefinementCtx): void {
  if (p.threshold.currency !== p.fx.base && !(p.threshold.currency in p.fx.rates)) {
    ctx.addIssue({ code: 'custom', path: ['threshold', 'currency'], message: `${p.threshold.currency} has no rate in the FX table (base ${p.fx.base})` });
  }
  try {
    toMinor(p.threshold.amount, p.threshold.currency);
  } catch (error) {
    ctx.addIssue({ code: 'custom', path: ['threshold', 'amount'], message: (error as Error).message });
  }
}

export const highValuePolicySchema = z.strictObject(highValuePolicyFields).superRefine(checkPolicy);
export type HighValuePolicy = z.infer<typeof highValuePolicySchema>;

/** An exact decimal as numerator / 10^scale. */
function rational(text: string): { n: bigint; scale: bigint } {
  const [whole, fraction = ''] = text.split('.');
  return { n: BigInt(whole! + fraction), scale: 10n ** BigInt(fraction.length) };
}

/** The rate of a currency to the table's base, or undefined when the table has none. */
function rateOf(fx: FxTable, currency: string): string | undefined {
  return currency === fx.base ? '1' : fx.rates[currency];
}

/**
 * The threshold in a currency's ISO minor units: the smallest amount worth at least the threshold
 * (rounded up), computed exactly. Undefined when the currency has no rate.
 */
export function thresholdMinor(policy: HighValuePolicy, currency: string): number | undefined {
  const rate = isCurrency(currency) ? rateOf(policy.fx, currency) : undefined;
  if (rate === undefined) return undefined;
  const t = rational(policy.threshold.amount);
  const ref = rational(rateOf(policy.fx, policy.threshold.currency)!);
  const own = rational(rate);
  // amount ≥ threshold × ref / own, in minor units (× 10^exponent); ceil of a positive fraction.
  const num = t.n * ref.n * own.scale * 10n ** BigInt(minorExponent(currency));
  const den = t.scale * ref.scale * own.n;
  const minor = (num + den - 1n) / den;
  return minor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(minor);
}

export type HighValueDecision =
  | { high: true; reason: 'at_or_above'; thresholdMinor: number }
  | { high: false; reason: 'below'; thresholdMinor: number }
  | { high: true; reason: 'no_fx_rate' };

/** Whether an amount due is high value under the policy. */
export function decideHighValue(amountDueMinor: number, currency: string, policy: HighValuePolicy): HighValueDecision {
  const threshold = thresholdMinor(policy, currency);
  if (threshold === undefined) return { high: true, reason: 'no_fx_rate' };
  return amountDueMinor >= threshold ? { high: true, reason: 'at_or_above', thresholdMinor: threshold } : { high: false, reason: 'below', thresholdMinor: threshold };
}

/**
 * Overrides as an operator writes them in one variable: "EUR=1.09,JPY=0.0066". Returns the rates,
 * or the problem with the entry that is wrong.
 */
export function parseRateOverrides(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [currency, rate, extra] = entry.split('=').map((p) => p.trim());
    if (!currency || !rate || extra !== undefined) throw new Error(`expected CODE=rate entries separated by commas, got ${JSON.stringify(entry)}`);
    out[currency] = rate;
  }
  return out;
}
