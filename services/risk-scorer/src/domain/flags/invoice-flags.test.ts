import { describe, expect, it } from 'vitest';
import { flagInput, quietEnriched, rulesWith } from '../../../test/support/domain-fixtures.ts';
import { highValue, unmatchedAccount } from './invoice-flags.ts';

describe('HIGH_VALUE (EUR 10,000.00, JPY 1,500,000 in minor units)', () => {
  const rules = rulesWith('HIGH_VALUE', { thresholdMinor: { EUR: 1_000_000, JPY: 1_500_000 }, severity: 'info' });
  it.each([
    { currency: 'EUR', total: 999_999, raised: false },
    { currency: 'EUR', total: 1_000_000, raised: true },
    { currency: 'EUR', total: 1_000_001, raised: true },
    { currency: 'JPY', total: 1_499_999, raised: false },
    { currency: 'JPY', total: 1_500_000, raised: true },
    { currency: 'SEK', total: 999_999_999, raised: false },
  ])('$currency $total → raised=$raised', ({ currency, total, raised }) => {
    const flag = highValue(flagInput(quietEnriched({ invoice: { currency, totalMinor: total } }), rules));
    expect(flag !== null).toBe(raised);
    if (flag) expect(flag.facts).toEqual({ totalMinor: String(total), currency, thresholdMinor: String(rules.HIGH_VALUE.thresholdMinor[currency]) });
  });

  it('states the amounts in major units', () => {
    expect(highValue(flagInput(quietEnriched({ invoice: { totalMinor: 1_250_000 } }), rules))!.message).toBe('High-value invoice: EUR 12,500.00, at or above the EUR 10,000.00 threshold.');
  });
});

describe('UNMATCHED_ACCOUNT', () => {
  it.each([
    { matched: true, raised: false },
    { matched: false, raised: true },
  ])('matched=$matched → raised=$raised', ({ matched, raised }) => {
    const enriched = quietEnriched({ context: matched ? {} : null, enriched: { matched, accountId: matched ? 'acc_acme' : 'unmatched:stripe:cus_Acme001', owner: { id: 'csm_fallback', email: null, slackUserId: null, timeZone: null, team: null } } });
    const flag = unmatchedAccount(flagInput(enriched));
    expect(flag !== null).toBe(raised);
    if (flag) {
      expect(flag.facts).toEqual({ source: 'stripe', vendorCustomerId: 'cus_Acme001', accountId: 'unmatched:stripe:cus_Acme001', fallbackOwner: 'csm_fallback' });
      expect(flag.message).toContain('stripe customer cus_Acme001, which is not mapped to any account');
    }
  });
});
