import { CurrencyError, isCurrency, toMinor, vendorMinorToIso, type Vendor } from '@invoice-signal/events';
import { invalid } from '../errors.ts';

/** Upper-cases and checks an ISO 4217 alphabetic code against the shared currency table. */
export function normaliseCurrency(value: unknown, field = 'currency'): string {
  if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value.trim())) throw invalid(field, `expected a 3-letter ISO 4217 code, got ${JSON.stringify(value)}`);
  const code = value.trim().toUpperCase();
  if (!isCurrency(code)) throw invalid(field, `${JSON.stringify(value)} is not an ISO 4217 currency code`);
  return code;
}

/** The shared table's errors as a 400 naming the field. */
function asInvalid<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CurrencyError) throw invalid(field, error.message);
    throw error;
  }
}

/** A decimal amount in major units (Salesforce, uploads) to ISO minor units; see `toMinor`. */
export function decimalToMinor(value: unknown, currency: string, field = 'amount'): number {
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(field, `expected a decimal amount like 1234.50, got ${JSON.stringify(value)}`);
  return asInvalid(field, () => toMinor(value, currency));
}

/** A vendor amount that is already an integer in minor units (Stripe, Chargebee), checked. */
export function minorInteger(value: unknown, field: string, fallback?: number): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, `expected an integer amount in minor units, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A vendor's minor-unit integer as ISO 4217 minor units, which is what our events carry: Stripe
 * sends ISK and UGX with two decimals (ISO: none) and MGA with none (ISO: two); Chargebee sends
 * three-decimal currencies with two.
 */
export function vendorMinor(vendor: Vendor, value: unknown, currency: string, field: string, fallback?: number): number {
  const amount = minorInteger(value, field, fallback);
  return asInvalid(field, () => vendorMinorToIso(amount, currency, vendor));
}
