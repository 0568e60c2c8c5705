import { describe, expect, it } from 'vitest';
import { CurrencyError, formatMinor, iso4217Exponents, minorExponent, minorToDecimal, toMinor, vendorMinorToIso } from './currency.ts';

describe('the ISO 4217 table', () => {
  it('has the exponents ISO gives, not the display digits Intl (CLDR) reports', () => {
    // Intl says 0 for every one of these: the table must not follow it.
    for (const code of ['HUF', 'IDR', 'COP', 'PKR', 'ALL', 'MGA', 'AFN', 'IRR', 'LAK', 'LBP', 'MMK', 'SOS', 'SYP', 'YER', 'KPW']) expect(minorExponent(code), code).toBe(2);
    expect(minorExponent('IQD')).toBe(3);
    for (const code of ['JPY', 'KRW', 'ISK', 'UGX', 'CLP', 'VND', 'XOF']) expect(minorExponent(code), code).toBe(0);
    for (const code of ['KWD', 'BHD', 'JOD', 'OMR', 'TND', 'LYD']) expect(minorExponent(code), code).toBe(3);
    expect(minorExponent('CLF')).toBe(4);
    expect(minorExponent('eur')).toBe(2);
  });

  it('differs from Intl exactly where ISO and CLDR disagree', () => {
    const intlDigits = (c: string) => new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions().maximumFractionDigits;
    const disagree = Object.keys(iso4217Exponents).filter((c) => intlDigits(c) !== iso4217Exponents[c]).sort();
    expect(disagree).toEqual(['AFN', 'ALL', 'COP', 'HUF', 'IDR', 'IQD', 'IRR', 'KPW', 'LAK', 'LBP', 'MGA', 'MMK', 'MRO', 'PKR', 'SLL', 'SOS', 'STD', 'SYP', 'YER']);
  });

  it('refuses a code it does not know', () => {
    for (const code of ['XAU', 'ABC', 'DEM', '']) expect(() => minorExponent(code)).toThrow(CurrencyError);
  });
});

describe('vendor rules', () => {
  it('knows where Stripe and Chargebee differ from ISO', () => {
    expect(minorExponent('ISK', 'stripe')).toBe(2);
    expect(minorExponent('UGX', 'stripe')).toBe(2);
    expect(minorExponent('MGA', 'stripe')).toBe(0);
    expect(minorExponent('HUF', 'stripe')).toBe(2);
    expect(minorExponent('TWD', 'stripe')).toBe(2);
    expect(minorExponent('KWD', 'stripe')).toBe(3);
    expect(minorExponent('KWD', 'chargebee')).toBe(2);
    expect(minorExponent('JPY', 'chargebee')).toBe(0);
  });

  it('converts a vendor integer to ISO minor units exactly, refusing fractions ISO cannot hold', () => {
    expect(vendorMinorToIso(500, 'ISK', 'stripe')).toBe(5);
    expect(vendorMinorToIso(1000, 'MGA', 'stripe')).toBe(100_000);
    expect(vendorMinorToIso(1234, 'KWD', 'chargebee')).toBe(12_340);
    expect(vendorMinorToIso(123_456, 'HUF', 'stripe')).toBe(123_456);
    expect(() => vendorMinorToIso(550, 'UGX', 'stripe')).toThrow('550 is not a whole UGX minor unit: stripe sends UGX with 2 decimals, ISO 4217 has 0');
    expect(() => vendorMinorToIso(Number.MAX_SAFE_INTEGER, 'MGA', 'stripe')).toThrow(/too large/);
  });
});

describe('toMinor and minorToDecimal', () => {
  it('converts decimal strings to minor units without float error', () => {
    expect(toMinor('0.29', 'EUR')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floats
    expect(toMinor('1234.5', 'USD')).toBe(123_450);
    expect(toMinor('-10.01', 'GBP')).toBe(-1001);
    expect(toMinor('1.005', 'KWD')).toBe(1005);
    expect(toMinor('10000000.00', 'IDR')).toBe(1_000_000_000);
    expect(toMinor('1500', 'HUF')).toBe(150_000);
    expect(toMinor(19.99, 'EUR')).toBe(1999);
    expect(toMinor('5000.00', 'JPY')).toBe(5000);
    expect(() => toMinor('10.5', 'JPY')).toThrow('10.5 has more decimals than JPY allows (0)');
    expect(() => toMinor('1e3', 'EUR')).toThrow(/expected a decimal amount/);
  });

  it('writes minor units back as an exact decimal', () => {
    expect(minorToDecimal(123_456, 'EUR')).toBe('1234.56');
    expect(minorToDecimal(5, 'KWD')).toBe('0.005');
    expect(minorToDecimal(-5, 'EUR')).toBe('-0.05');
    expect(minorToDecimal(5000, 'JPY')).toBe('5000');
    expect(minorToDecimal(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('90071992547409.91');
  });
});

describe('formatMinor', () => {
  it.each([
    { minor: 1_000_000_000, currency: 'IDR', symbol: 'IDR 10,000,000.00', code: 'IDR 10,000,000.00' },
    { minor: 5000, currency: 'JPY', symbol: '¥5,000', code: 'JPY 5,000' },
    { minor: 1234, currency: 'KWD', symbol: 'KWD 1.234', code: 'KWD 1.234' },
    { minor: 123_456, currency: 'EUR', symbol: '€1,234.56', code: 'EUR 1,234.56' },
    { minor: 150_000, currency: 'HUF', symbol: 'HUF 1,500.00', code: 'HUF 1,500.00' },
    { minor: 5, currency: 'ISK', symbol: 'ISK 5', code: 'ISK 5' },
    { minor: -5, currency: 'USD', symbol: '-$0.05', code: 'USD -0.05' },
    { minor: Number.MAX_SAFE_INTEGER, currency: 'USD', symbol: '$90,071,992,547,409.91', code: 'USD 90,071,992,547,409.91' },
  ])('$minor $currency → $symbol / $code', ({ minor, currency, symbol, code }) => {
    expect(formatMinor(minor, currency)).toBe(symbol);
    expect(formatMinor(minor, currency, 'code')).toBe(code);
  });

  it('shows an unknown code as minor units instead of guessing a scale', () => {
    expect(formatMinor(1234, 'XAU')).toBe('XAU 1234 (minor units)');
  });
});
