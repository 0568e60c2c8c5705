import { describe, expect, it } from 'vitest';
import { currencyExponent, decimalToMinor, minorInteger, normaliseCurrency } from './money.ts';

describe('money', () => {
  it('converts decimal strings to minor units without float error', () => {
    expect(decimalToMinor('0.29', 'EUR')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floats
    expect(decimalToMinor('1234.5', 'USD')).toBe(123450);
    expect(decimalToMinor('1234.50', 'usd')).toBe(123450);
    expect(decimalToMinor('-10.01', 'GBP')).toBe(-1001);
    expect(decimalToMinor('1.005', 'KWD')).toBe(1005);
    expect(decimalToMinor(19.99, 'EUR')).toBe(1999);
  });

  it('knows zero-decimal currencies', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('krw')).toBe(0);
    expect(decimalToMinor('5000', 'JPY')).toBe(5000);
    expect(decimalToMinor('5000.00', 'JPY')).toBe(5000);
  });

  it('refuses more decimals than the currency has, naming the field', () => {
    expect(() => decimalToMinor('10.5', 'JPY', 'total')).toThrow('total: 10.5 has more decimals than JPY allows (0)');
    expect(() => decimalToMinor('1.001', 'EUR', 'total')).toThrow(/EUR allows \(2\)/);
  });

  it('refuses what is not a decimal', () => {
    for (const bad of ['', 'abc', '1,5', '1e3', null, undefined, Number.NaN, '12.']) {
      expect(() => decimalToMinor(bad, 'EUR', 'total')).toThrow(/^total: expected a decimal amount/);
    }
  });

  it('checks minor integers and currencies', () => {
    expect(minorInteger(500, 'amount_due')).toBe(500);
    expect(minorInteger(undefined, 'amount_due', 0)).toBe(0);
    expect(() => minorInteger(5.5, 'amount_due')).toThrow('amount_due: expected an integer amount in minor units, got 5.5');
    expect(normaliseCurrency(' eur')).toBe('EUR');
    expect(() => normaliseCurrency('EURO')).toThrow('currency: expected a 3-letter ISO 4217 code');
    expect(() => normaliseCurrency('NaN')).toThrow('is not an ISO 4217 currency code');
  });
});
