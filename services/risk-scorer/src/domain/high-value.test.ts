import { describe, expect, it } from 'vitest';
import { decideHighValue, highValueBar, highValuePolicySchema, parseRateOverrides, thresholdMinor, type HighValuePolicy } from './high-value.ts';

// Rates stated here, so the thresholds below are plain arithmetic: 10,000 USD ÷ rate, rounded up to the minor unit.
const fx = { base: 'USD', asOf: '2026-11-01', rates: { EUR: '1.16', JPY: '0.0066', KRW: '0.0007', IDR: '0.00006', KWD: '3.26' } };
const usd10k: HighValuePolicy = { threshold: { amount: '10000', currency: 'USD' }, fx };
const usd10kBar = highValueBar(usd10k);

describe('high value: amount due converted to the reference currency', () => {
  it.each([
    { currency: 'USD', threshold: 1_000_000 }, // USD 10,000.00
    { currency: 'EUR', threshold: 862_069 }, // 10,000 / 1.16 = 8,620.689… → EUR 8,620.69
    { currency: 'JPY', threshold: 1_515_152 }, // 10,000 / 0.0066 = 1,515,151.5… → ¥1,515,152 (no minor unit)
    { currency: 'KRW', threshold: 14_285_715 }, // 10,000 / 0.0007 = 14,285,714.28… → ₩14,285,715
    { currency: 'IDR', threshold: 16_666_666_667 }, // 10,000 / 0.00006 = 166,666,666.666… → IDR 166,666,666.67 (two decimals, ISO)
    { currency: 'KWD', threshold: 3_067_485 }, // 10,000 / 3.26 = 3,067.4846… → KWD 3,067.485 (three decimals)
  ])('$currency: $threshold minor units is the first high amount', ({ currency, threshold }) => {
    expect(thresholdMinor(usd10k, currency)).toBe(threshold);
    expect(usd10kBar.thresholds.get(currency)).toBe(threshold);
    expect(decideHighValue(threshold - 1, currency, usd10kBar)).toEqual({ high: false, reason: 'below', thresholdMinor: threshold });
    expect(decideHighValue(threshold, currency, usd10kBar)).toEqual({ high: true, reason: 'at_or_above', thresholdMinor: threshold });
    expect(decideHighValue(threshold + 1, currency, usd10kBar).high).toBe(true);
  });

  it('the old bar of 1,000,000 minor units in any currency is no longer high in JPY, KRW or IDR', () => {
    for (const currency of ['JPY', 'KRW', 'IDR']) expect(decideHighValue(1_000_000, currency, usd10kBar).high, currency).toBe(false);
  });

  it('a currency with no rate (or unknown to the currency table) is high value, saying why', () => {
    expect(decideHighValue(1, 'SEK', usd10kBar)).toEqual({ high: true, reason: 'no_fx_rate' });
    expect(decideHighValue(1, 'XAU', usd10kBar)).toEqual({ high: true, reason: 'no_fx_rate' });
    expect(thresholdMinor(usd10k, 'SEK')).toBeUndefined();
  });

  it('another reference currency goes through the base: EUR 10,000 in JPY', () => {
    const eur10k = { threshold: { amount: '10000', currency: 'EUR' }, fx };
    expect(thresholdMinor(eur10k, 'JPY')).toBe(1_757_576); // 10,000 × 1.16 / 0.0066 = 1,757,575.75…
    expect(thresholdMinor(eur10k, 'EUR')).toBe(1_000_000);
  });
});

describe('high-value policy validation', () => {
  it('accepts a valid policy and numbers for rates', () => {
    expect(highValuePolicySchema.parse({ ...usd10k, fx: { ...fx, rates: { EUR: 1.16 } } }).fx.rates.EUR).toBe('1.16');
  });

  it.each([
    { policy: { ...usd10k, threshold: { amount: '10000', currency: 'CHF' } }, problem: 'threshold.currency: CHF has no rate in the FX table (base USD)' },
    { policy: { ...usd10k, threshold: { amount: '10000.001', currency: 'USD' } }, problem: 'threshold.amount: 10000.001 has more decimals than USD allows (2)' },
    { policy: { ...usd10k, fx: { ...fx, rates: { EUR: '-1' } } }, problem: 'fx.rates.EUR: a positive decimal' },
    { policy: { ...usd10k, fx: { ...fx, rates: { EUR: '0' } } }, problem: 'fx.rates.EUR: a positive decimal' },
    { policy: { ...usd10k, fx: { ...fx, rates: { EUR: '1e3' } } }, problem: 'fx.rates.EUR: a positive decimal' },
    { policy: { ...usd10k, fx: { ...fx, rates: { EURO: '1.1' } } }, problem: 'fx.rates.EURO' },
    { policy: { ...usd10k, fx: { ...fx, asOf: 'yesterday' } }, problem: 'fx.asOf: a date' },
  ])('refuses: $problem', ({ policy, problem }) => {
    const result = highValuePolicySchema.safeParse(policy);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain(problem);
  });

  it('reads single-rate overrides', () => {
    expect(parseRateOverrides('EUR=1.09, SEK = 0.1')).toEqual({ EUR: '1.09', SEK: '0.1' });
    expect(() => parseRateOverrides('EUR:1.09')).toThrow('expected CODE=rate entries separated by commas, got "EUR:1.09"');
  });
});
