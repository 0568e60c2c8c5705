import { describe, expect, it } from 'vitest';
import { decimalToMinor, minorInteger, normaliseCurrency, vendorMinor } from './money.ts';

describe('money', () => {
  it('converts decimal strings with the shared table', () => {
    expect(decimalToMinor('1234.50', 'USD')).toBe(123_450);
    expect(decimalToMinor('10000000.00', 'IDR')).toBe(1_000_000_000);
    expect(decimalToMinor('1500', 'HUF')).toBe(150_000); // Intl's CLDR digits would say 1500
    expect(decimalToMinor(19.99, 'EUR')).toBe(1999);
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

  it('converts vendor minor units to ISO minor units, naming the field when it cannot', () => {
    expect(vendorMinor('stripe', 500, 'ISK', 'data.object.total')).toBe(5);
    expect(vendorMinor('stripe', 1000, 'MGA', 'data.object.total')).toBe(100_000);
    expect(vendorMinor('chargebee', undefined, 'EUR', 'content.invoice.amount_due', 0)).toBe(0);
    expect(() => vendorMinor('stripe', 550, 'UGX', 'data.object.total')).toThrow('data.object.total: 550 is not a whole UGX minor unit');
  });

  it('checks minor integers and currencies', () => {
    expect(minorInteger(500, 'amount_due')).toBe(500);
    expect(() => minorInteger(5.5, 'amount_due')).toThrow('amount_due: expected an integer amount in minor units, got 5.5');
    expect(normaliseCurrency(' eur')).toBe('EUR');
    expect(() => normaliseCurrency('EURO')).toThrow('currency: expected a 3-letter ISO 4217 code');
    expect(() => normaliseCurrency('NaN')).toThrow('is not an ISO 4217 currency code');
    expect(() => normaliseCurrency('XAU')).toThrow('is not an ISO 4217 currency code');
  });
});
