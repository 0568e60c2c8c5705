import { describe, expect, it } from 'vitest';
import { DAY, flagInput, past, quietEnriched, rulesWith } from '../../../test/support/domain-fixtures.ts';
import { isoDate } from '../format.ts';
import { emptyHistory } from '../history.ts';
import { amountChange, firstInvoice } from './history-flags.ts';

describe('FIRST_INVOICE (no earlier invoice anywhere; contract not older than one billing period + 14 days)', () => {
  const issued = quietEnriched().invoice.issuedAt!;
  const noHistory = { invoices: 0, paidOnTime: 0, paidLate: 0, averageDaysLate: 0, maxDaysLate: 0, failed: 0, overdue: 0, lastFailedAt: null, classification: 'good' as const };
  const contract = quietEnriched().context!.contract!;
  /** A matched account the enricher has no payment history of, its contract started at startAt (default: the day before). */
  const account = (o: { startAt?: number | null; period?: [number | null, number | null]; payment?: Partial<typeof noHistory>; matched?: boolean } = {}) =>
    quietEnriched({
      invoice: o.period ? { periodStart: o.period[0], periodEnd: o.period[1] } : {},
      context: { contract: { ...contract, startDate: o.startAt === undefined ? issued - DAY : o.startAt } },
      payment: { ...noHistory, ...o.payment },
      enriched: { matched: o.matched ?? true },
    });
  const first = (enriched: ReturnType<typeof account>, history = emptyHistory) => firstInvoice(flagInput(enriched, undefined, history));
  const month: [number, number] = [issued - 30 * DAY, issued];

  it.each([
    { why: 'a new contract, nothing on record', e: account(), raised: true },
    { why: 'an earlier invoice in the scorer history', e: account(), history: { previousForAccount: past(), previousForSubscription: null }, raised: false },
    { why: 'one invoice in the payment history (e.g. backfilled)', e: account({ payment: { invoices: 1, paidOnTime: 1 } }), raised: false },
    { why: 'unmatched: unknown', e: account({ matched: false }), raised: false },
    { why: 'no contract start known', e: account({ startAt: null }), raised: true },
    { why: 'invoice period 30 days: start exactly 30 + 14 days before', e: account({ period: month, startAt: issued - 44 * DAY }), raised: true },
    { why: 'invoice period 30 days: start 1 ms more than 30 + 14 days before', e: account({ period: month, startAt: issued - 44 * DAY - 1 }), raised: false },
    { why: 'no period: default 31 days, start exactly 31 + 14 days before', e: account({ period: [null, null], startAt: issued - 45 * DAY }), raised: true },
    { why: 'no period: default 31 days, start 1 ms more than 45 days before', e: account({ period: [null, null], startAt: issued - 45 * DAY - 1 }), raised: false },
    { why: 'zero-length period (Stripe first invoice): the default', e: account({ period: [issued, issued], startAt: issued - 45 * DAY }), raised: true },
    { why: 'period under a day: the default', e: account({ period: [issued - DAY + 1, issued], startAt: issued - 45 * DAY - 1 }), raised: false },
    { why: 'quarter billed in arrears: start 100 days before a 91-day period', e: account({ period: [issued - 91 * DAY, issued], startAt: issued - 100 * DAY }), raised: true },
    { why: 'a customer since three years, nothing in any history (rollout)', e: account({ startAt: issued - 3 * 365 * DAY }), raised: false },
    { why: 'contract starting after the invoice (billed in advance)', e: account({ startAt: issued + 13 * DAY }), raised: true },
  ])('$why → raised=$raised', ({ e, history, raised }) => {
    expect(first(e, history) !== null).toBe(raised);
  });

  it('says what it rests on: no history anywhere and the contract start', () => {
    const flag = first(account({ period: month, startAt: issued - 3 * DAY }));
    expect(flag).toMatchObject({
      code: 'FIRST_INVOICE', severity: 'low',
      facts: { earlierInvoices: '0', historyInvoices: '0', windowMonths: '12', totalMinor: '500000', currency: 'EUR', contractStart: isoDate(issued - 3 * DAY), daysSinceContractStart: '3', billingPeriodDays: '30', contractGraceDays: '14' },
    });
    expect(flag!.message).toBe(`This is the first invoice for Acme Corp (EUR 5,000.00): no earlier invoice is on record (none in our history, none in the last 12 months of payment history) and the contract started on ${isoDate(issued - 3 * DAY)}, 3 days before this invoice. First bills are where billing contacts, PO numbers and payment methods go wrong.`);
    expect(first(account({ startAt: issued + 13 * DAY }))!.message).toContain(`the contract starts on ${isoDate(issued + 13 * DAY)}, 13 days after this invoice`);
    expect(first(account({ startAt: null }))!.message).toContain('and no contract start date is known.');
  });

  it('is not raised when the rule is disabled', () => {
    expect(firstInvoice(flagInput(account(), rulesWith('FIRST_INVOICE', { enabled: false })))).toBeNull();
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
