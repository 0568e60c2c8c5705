/**
 * Currencies: how many decimals a minor unit has, by ISO 4217 and by each vendor, and how an amount
 * is converted and shown. Every service reads and shows amounts through this module.
 *
 * Our events always carry ISO 4217 minor units. The exponents are written here as data, never
 * derived from Intl: Intl reports CLDR's *display* digits, which differ from ISO for HUF, IDR, COP,
 * PKR, IQD, ALL, MGA and others (an IDR invoice of 10,000,000.00 would show as IDR 1,000,000,000).
 */

/**
 * ISO 4217 list one, minor units ("N.A." entries such as XAU, XDR, XTS are left out: they have no
 * minor unit and no invoice is billed in them). Source: ISO 4217 maintenance agency (SIX), list one.
 */
const iso2 = [
  'AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BMD', 'BND', 'BOB', 'BOV', 'BRL', 'BSD',
  'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF', 'CHW', 'CNY', 'COP', 'COU', 'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP',
  'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF',
  'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL',
  'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MXV', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR',
  'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP',
  'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD',
  'USN', 'UYU', 'UZS', 'VED', 'VES', 'WST', 'XCD', 'XCG', 'YER', 'ZAR', 'ZMW', 'ZWG',
  // Withdrawn from list one, still sent by vendors for older records (Stripe "std", Chargebee "MRO",
  // "HRK"): they keep the exponent they had.
  'ANG', 'BGN', 'CUC', 'HRK', 'MRO', 'SLL', 'STD', 'ZWL',
];
const iso0 = ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];
const iso3 = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const iso4 = ['CLF', 'UYW'];

const table = (groups: Array<[number, string[]]>): Readonly<Record<string, number>> =>
  Object.freeze(Object.fromEntries(groups.flatMap(([exp, codes]) => codes.map((c) => [c, exp]))));

/** ISO 4217 minor-unit exponent of every currency we accept. */
export const iso4217Exponents = table([[2, iso2], [0, iso0], [3, iso3], [4, iso4]]);

/** Vendors whose API sends amounts as integers in *their* minor unit. */
export type Vendor = 'stripe' | 'chargebee';

/**
 * Each vendor's own documented rule: the exponent of its integer amounts.
 *
 * Stripe (https://docs.stripe.com/currencies, "Zero-decimal currencies", "Three-decimal currencies",
 * "Special cases"): two decimals unless listed. Zero-decimal: the list below (its UGX entry is
 * overridden by the special case). Special cases: ISK and UGX "transitioned to a zero-decimal
 * currency, but backward compatibility requires you to represent it as a two-decimal value, where
 * the decimal amount is always 00" (amount 500 = 5 ISK), so Stripe's exponent is 2 where ISO's is 0.
 * HUF and TWD are zero-decimal for *payouts* only; invoices and charges carry two decimals, as ISO.
 * MGA is zero-decimal at Stripe while ISO gives it 2.
 *
 * Chargebee (https://apidocs.chargebee.com/docs/api/currencies, "Currency values"): amounts are
 * whole numbers "in cents": zero-decimal currencies in the major unit, every other currency with
 * two decimals ("multiplying it by 100"), three-decimal ISO currencies included.
 */
const vendorRules: Record<Vendor, { exponents: Readonly<Record<string, number>>; otherwise: number }> = {
  stripe: {
    exponents: table([
      [0, ['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']],
      [3, ['BHD', 'JOD', 'KWD', 'OMR', 'TND']],
      [2, ['ISK', 'UGX', 'HUF', 'TWD']],
    ]),
    otherwise: 2,
  },
  chargebee: {
    exponents: table([[0, ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']]]),
    otherwise: 2,
  },
};

/** A currency code or amount this module cannot accept; the message names the value. */
export class CurrencyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CurrencyError';
  }
}

/** Whether the code (upper case) is a currency we know the minor unit of. */
export const isCurrency = (code: string): boolean => Object.hasOwn(iso4217Exponents, code);

/** Minor-unit exponent: ISO 4217's, or the vendor's for amounts that vendor sends. Unknown code → CurrencyError. */
export function minorExponent(currency: string, vendor?: Vendor): number {
  const code = currency.toUpperCase();
  if (!isCurrency(code)) throw new CurrencyError(`${JSON.stringify(currency)} is not an ISO 4217 currency we know`);
  if (!vendor) return iso4217Exponents[code]!;
  const rule = vendorRules[vendor];
  return rule.exponents[code] ?? rule.otherwise;
}

/**
 * A vendor's minor-unit integer as ISO minor units. Stripe ISK 500 (5 ISK) → 5; Stripe MGA 1000
 * (1,000 MGA) → 100000. An amount that does not divide exactly (a fraction the ISO unit cannot
 * hold) is refused rather than rounded.
 */
export function vendorMinorToIso(amount: number, currency: string, vendor: Vendor): number {
  const shift = minorExponent(currency) - minorExponent(currency, vendor);
  if (shift === 0) return amount;
  if (shift > 0) return checkedSafe(amount * 10 ** shift, `${amount} ${currency}`);
  const divisor = 10 ** -shift;
  if (amount % divisor !== 0) throw new CurrencyError(`${amount} is not a whole ${currency.toUpperCase()} minor unit: ${vendor} sends ${currency.toUpperCase()} with ${minorExponent(currency, vendor)} decimals, ISO 4217 has ${minorExponent(currency)}`);
  return amount / divisor;
}

function checkedSafe(n: number, what: string): number {
  if (!Number.isSafeInteger(n)) throw new CurrencyError(`${what} is too large`);
  return n;
}

/**
 * A decimal amount in major units ("1234.5", "-0.01"; "1e3" is refused) to ISO minor units, by
 * string arithmetic so no float rounding creeps in. More fraction digits than the currency has is
 * an error rather than a silent rounding.
 */
export function toMinor(decimal: string | number, currency: string): number {
  const text = typeof decimal === 'number' ? numberText(decimal) : decimal.trim();
  const match = text === undefined ? null : /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new CurrencyError(`expected a decimal amount like 1234.50, got ${JSON.stringify(decimal)}`);
  const [, sign, whole, fraction = ''] = match;
  const exp = minorExponent(currency);
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > exp) throw new CurrencyError(`${text} has more decimals than ${currency.toUpperCase()} allows (${exp})`);
  const minor = BigInt(whole + trimmed.padEnd(exp, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new CurrencyError(`${text} is too large`);
  return Number(sign === '-' ? -minor : minor);
}

/** Numbers from JSON are written back without exponent so 0.1 stays "0.1". */
function numberText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const s = String(n);
  return /e/i.test(s) ? undefined : s;
}

/** ISO minor units as an exact decimal string in major units: 123456 EUR → "1234.56", 5 KWD → "0.005". */
export function minorToDecimal(minor: number, currency: string): string {
  const exp = minorExponent(currency);
  const digits = (minor < 0 ? -BigInt(minor) : BigInt(minor)).toString().padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  return `${minor < 0 ? '-' : ''}${whole}${exp ? `.${digits.slice(-exp)}` : ''}`;
}

// Building an Intl.NumberFormat costs far more than using one: keep one per currency and style.
const formatters = new Map<string, Intl.NumberFormat>();

/**
 * ISO minor units for people: the table's number of decimals, always shown, with grouping.
 * `symbol` (default): "€1,234.56", "¥5,000", "IDR 10,000,000.00"; `code`: "EUR 1,234.56".
 * Intl supplies only the grouping and the symbol; the number is the exact decimal string.
 * A code we do not know is shown as its minor units rather than guessed.
 */
export function formatMinor(minor: number, currency: string, style: 'symbol' | 'code' = 'symbol'): string {
  const code = currency.toUpperCase();
  if (!isCurrency(code)) return `${code} ${minor} (minor units)`;
  const exp = iso4217Exponents[code]!;
  const key = `${code}:${style}`;
  let f = formatters.get(key);
  if (!f) {
    const digits = { minimumFractionDigits: exp, maximumFractionDigits: exp };
    f = style === 'symbol' ? new Intl.NumberFormat('en', { style: 'currency', currency: code, ...digits }) : new Intl.NumberFormat('en', digits);
    formatters.set(key, f);
  }
  // Intl formats a decimal string exactly (no float division); ICU's no-break spaces become plain ones.
  const text = f.format(minorToDecimal(minor, code) as Intl.StringNumericLiteral).replace(/\u00a0/g, ' ');
  return style === 'symbol' ? text : `${code} ${text}`;
}
