import { describe, expect, it } from 'vitest';
import { flagInput, quietEnriched, rulesWith } from '../../../test/support/domain-fixtures.ts';
import { highValue, unmatchedAccount } from './invoice-flags.ts';

describe('HIGH_VALUE (USD 10,000 of amount due; 1 EUR = 1.16 USD, 1 JPY = 0.0066 USD, no SEK rate)', () => {
  const fx = { base: 'USD', asOf: '2026-11-01', rates: { EUR: '1.16', JPY: '0.0066' } };
  const rules = rulesWith('HIGH_VALUE', { threshold: { amount: '10000', currency: 'USD' }, fx, severity: 'info' });
  const invoice = (currency: string, due: number, total = due) => quietEnriched({ invoice: { currency, amountDueMinor: due, totalMinor: total } });
  it.each([
    { currency: 'EUR', due: 862_068, raised: false },
    { currency: 'EUR', due: 862_069, raised: true, threshold: 862_069 },
    { currency: 'USD', due: 1_000_000, raised: true, threshold: 1_000_000 },
    { currency: 'JPY', due: 1_515_151, raised: false },
    { currency: 'JPY', due: 1_515_152, raised: true, threshold: 1_515_152 },
  ])('$currency $due due → raised=$raised', ({ currency, due, raised, threshold }) => {
    const flag = highValue(flagInput(invoice(currency, due), rules));
    expect(flag !== null).toBe(raised);
    if (flag) expect(flag.facts).toMatchObject({ amountDueMinor: String(due), currency, thresholdMinor: String(threshold), threshold: 'USD 10,000.00', ratesAsOf: '2026-11-01' });
  });

  it('compares the amount due, not the total', () => {
    expect(highValue(flagInput(invoice('EUR', 100_000, 5_000_000), rules))).toBeNull();
    expect(highValue(flagInput(invoice('EUR', 5_000_000, 5_000_000), rules))).not.toBeNull();
  });

  it('states the amounts in major units with the rate used', () => {
    const flag = highValue(flagInput(invoice('JPY', 2_000_000), rules))!;
    expect(flag.message).toBe('High-value invoice: JPY 2,000,000 due, at or above the JPY 1,515,152 threshold (USD 10,000.00).');
    expect(flag.facts.rate).toBe('1 JPY = 0.0066 USD');
  });

  it('raises a currency without a rate, saying the rate is missing', () => {
    const flag = highValue(flagInput(invoice('SEK', 100), rules))!;
    expect(flag.facts).toMatchObject({ reason: 'no_fx_rate', currency: 'SEK', amountDueMinor: '100' });
    expect(flag.message).toBe('No exchange rate for SEK in the FX table (rates of 2026-11-01): SEK 1.00 due is treated as high value until a rate lets it be compared with the USD 10,000.00 threshold.');
  });

  it('raises nothing when the rule is disabled', () => {
    expect(highValue(flagInput(invoice('SEK', 100), { ...rules, HIGH_VALUE: { ...rules.HIGH_VALUE, enabled: false } }))).toBeNull();
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
