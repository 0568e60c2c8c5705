import { describe, expect, it } from 'vitest';
import { flagInput, past, quietEnriched, rulesWith } from '../../../test/support/domain-fixtures.ts';
import { amountChange, firstInvoice } from './history-flags.ts';

describe('FIRST_INVOICE', () => {
  it.each([
    { earlier: false, matched: true, raised: true },
    { earlier: true, matched: true, raised: false },
    { earlier: false, matched: false, raised: false },
  ])('earlier invoice in history=$earlier, matched=$matched → raised=$raised', ({ earlier, matched, raised }) => {
    const enriched = quietEnriched({ enriched: { matched } });
    const history = { previousForAccount: earlier ? past() : null, previousForSubscription: null };
    const flag = firstInvoice(flagInput(enriched, undefined, history));
    expect(flag !== null).toBe(raised);
    if (flag) {
      expect(flag).toMatchObject({ code: 'FIRST_INVOICE', severity: 'low', facts: { earlierInvoices: '0', totalMinor: '500000', currency: 'EUR' } });
      expect(flag.message).toContain('first invoice we have seen for Acme Corp (EUR 5,000.00)');
    }
  });

  it('is not raised when the rule is disabled', () => {
    expect(firstInvoice(flagInput(quietEnriched(), rulesWith('FIRST_INVOICE', { enabled: false })))).toBeNull();
  });
});

describe('AMOUNT_CHANGE (up 25%, down 20%, at least 1,000 minor units; high from 100%)', () => {
  const rules = rulesWith('AMOUNT_CHANGE', { increasePercent: 25, decreasePercent: 20, highSeverityPercent: 100, minAbsoluteMinor: { default: 1_000, JPY: 50_000 } });
  const history = (previous: ReturnType<typeof past> | null, bySub: ReturnType<typeof past> | null = null) => ({ previousForAccount: previous, previousForSubscription: bySub });

  it.each([
    { prev: 100_000, now: 124_999, severity: null, why: 'just under +25%' },
    { prev: 100_000, now: 125_000, severity: 'medium', why: 'exactly +25%' },
    { prev: 100_000, now: 125_001, severity: 'medium', why: 'just over +25%' },
    { prev: 100_000, now: 80_001, severity: null, why: 'just under -20%' },
    { prev: 100_000, now: 80_000, severity: 'medium', why: 'exactly -20%' },
    { prev: 100_000, now: 199_999, severity: 'medium', why: 'just under +100%' },
    { prev: 100_000, now: 200_000, severity: 'high', why: 'exactly +100% (high)' },
    { prev: 100_000, now: 100_000, severity: null, why: 'no change' },
    { prev: 2_000, now: 2_999, severity: null, why: '+50% but only 999 minor units' },
    { prev: 2_000, now: 3_000, severity: 'medium', why: '+50% and exactly 1,000 minor units' },
    { prev: 0, now: 1_000, severity: 'high', why: 'from zero' },
    { prev: 0, now: 999, severity: null, why: 'from zero, under the absolute threshold' },
  ])('$why: $prev → $now gives $severity', ({ prev, now, severity }) => {
    const enriched = quietEnriched({ invoice: { totalMinor: now } });
    const flag = amountChange(flagInput(enriched, rules, history(past({ totalMinor: prev }))));
    expect(flag?.severity ?? null).toBe(severity);
    if (flag) {
      expect(flag.facts).toMatchObject({ previousTotalMinor: String(prev), totalMinor: String(now), deltaMinor: String(now - prev), direction: now > prev ? 'up' : 'down' });
    }
  });

  it('uses the per-currency absolute threshold (JPY)', () => {
    const jpy = (now: number) => amountChange(flagInput(quietEnriched({ invoice: { currency: 'JPY', totalMinor: now } }), rules, history(past({ currency: 'JPY', totalMinor: 100_000 }))));
    expect(jpy(149_999)).toBeNull();
    expect(jpy(150_000)).toMatchObject({ code: 'AMOUNT_CHANGE', facts: { minAbsoluteMinor: '50000', currency: 'JPY' } });
    expect(jpy(150_000)!.message).toContain('JPY 150,000, up 50% (JPY 50,000) from JPY 100,000');
  });

  it('compares only within the same currency', () => {
    const flag = amountChange(flagInput(quietEnriched({ invoice: { currency: 'EUR', totalMinor: 900_000 } }), rules, history(past({ currency: 'USD', totalMinor: 100_000 }))));
    expect(flag).toBeNull();
  });

  it('prefers the previous invoice of the same subscription over the account', () => {
    const enriched = quietEnriched({ invoice: { totalMinor: 150_000, subscriptionId: 'sub_123' } });
    const account = past({ invoiceId: 'stripe:in_other_sub', subscriptionId: 'sub_other', totalMinor: 150_000 });
    const sameSub = past({ invoiceId: 'stripe:in_same_sub', totalMinor: 100_000 });
    const flag = amountChange(flagInput(enriched, rules, history(account, sameSub)));
    expect(flag?.facts).toMatchObject({ comparedBy: 'subscription', previousInvoiceId: 'stripe:in_same_sub', deltaPercent: '50.0' });
    expect(flag?.message).toContain('EUR 1,500.00, up 50% (EUR 500.00) from EUR 1,000.00 on the previous invoice of the same subscription (2026-10-01)');
  });

  it('falls back to the previous invoice of the account', () => {
    const flag = amountChange(flagInput(quietEnriched({ invoice: { totalMinor: 50_000 } }), rules, history(past({ totalMinor: 100_000 }))));
    expect(flag?.facts).toMatchObject({ comparedBy: 'account', direction: 'down', deltaPercent: '-50.0' });
  });

  it('raises nothing without a previous invoice', () => {
    expect(amountChange(flagInput(quietEnriched(), rules, history(null)))).toBeNull();
  });
});
