import { invalid } from './errors.ts';

/**
 * ISO 4217 minor-unit exponents that are not 2. Stripe treats ISK and UGX as zero-decimal too,
 * and in its API they are zero-decimal, which matches the table below.
 */
const exponents: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export function currencyExponent(currency: string): number {
  return exponents[currency.toUpperCase()] ?? 2;
}

/** ISO 4217 codes as the runtime's ICU data knows them (about 300), so "NAN" or "ABC" are refused. */
const iso4217 = new Set(Intl.supportedValuesOf('currency'));

/** Upper-cases and checks an ISO 4217 alphabetic code. */
export function normaliseCurrency(value: unknown, field = 'currency'): string {
  if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value.trim())) throw invalid(field, `expected a 3-letter ISO 4217 code, got ${JSON.stringify(value)}`);
  const code = value.trim().toUpperCase();
  if (!iso4217.has(code)) throw invalid(field, `${JSON.stringify(value)} is not an ISO 4217 currency code`);
  return code;
}

/**
 * A decimal amount in major units ("1234.5", "-0.01", "1e3" is refused) to integer minor units,
 * by string arithmetic so no float rounding creeps in. More fraction digits than the currency has
 * is an error rather than a silent rounding.
 */
export function decimalToMinor(value: unknown, currency: string, field = 'amount'): number {
  const text = typeof value === 'number' ? numberText(value) : typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw invalid(field, `expected a decimal amount like 1234.50, got ${JSON.stringify(value)}`);
  const [, sign, whole, fraction = ''] = match;
  const exp = currencyExponent(currency);
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > exp) throw invalid(field, `${text} has more decimals than ${currency.toUpperCase()} allows (${exp})`);
  const minor = BigInt(whole + trimmed.padEnd(exp, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(field, `${text} is too large`);
  return Number(sign === '-' ? -minor : minor);
}

/** Numbers from JSON are written back without exponent so "0.1" stays "0.1". */
function numberText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const s = String(n);
  return /e/i.test(s) ? undefined : s;
}

/** A vendor amount that is already in minor units (Stripe, Chargebee). */
export function minorInteger(value: unknown, field: string, fallback?: number): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, `expected an integer amount in minor units, got ${JSON.stringify(value)}`);
  return value;
}
