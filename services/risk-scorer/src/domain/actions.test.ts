import { describe, expect, it } from 'vitest';
import { DAY, quietEnriched, shippedRules } from '../../test/support/domain-fixtures.ts';
import { assess } from './assess.ts';
import { emptyHistory } from './history.ts';

const rules = shippedRules;
const issued = quietEnriched().invoice.issuedAt!;
const due = issued + 30 * DAY;
const outreachBy = due - rules.config.actions.outreachLeadDays * DAY;
const earlierHistory = { previousForAccount: { invoiceId: 'stripe:in_prev', subscriptionId: 'sub_other', currency: 'EUR', totalMinor: 500_000, issuedAt: issued - 30 * DAY }, previousForSubscription: null };

/** A contract that started the day before, nothing in the payment history yet (the enricher rates that good). */
const newAccount = {
  context: { contract: { ...quietEnriched().context!.contract!, startDate: issued - DAY } },
  payment: { invoices: 0, paidOnTime: 0, classification: 'good' as const },
};

describe('recommended actions follow the flags', () => {
  it.each([
    { why: 'a quiet account with history', over: {}, history: earlierHistory, codes: [] },
    { why: 'a first invoice', over: newAccount, history: emptyHistory, codes: ['CONFIRM_BILLING_CONTACT'] },
    { why: 'a recent failed payment (rated fair)', over: { payment: { lastFailedAt: issued - 5 * DAY, failed: 1, classification: 'fair' as const } }, history: earlierHistory, codes: ['PROACTIVE_OUTREACH', 'UPDATE_PAYMENT_METHOD', 'CONFIRM_PAYMENT_DATE'] },
    { why: 'an unmatched account', over: { enriched: { matched: false, accountId: 'unmatched:stripe:cus_Acme001' }, context: null }, history: emptyHistory, codes: ['LINK_ACCOUNT'] },
  ])('$why → $codes', ({ over, history, codes }) => {
    const { value } = assess(quietEnriched({ invoice: { dueAt: due }, ...over }), history, rules, 0);
    expect(value.actions.map((a) => a.code)).toEqual(codes);
    for (const action of value.actions) {
      expect(action.forFlags.length).toBeGreaterThan(0);
      for (const code of action.forFlags) expect(value.flags.map((f) => f.code)).toContain(code);
    }
  });

  it('proactive outreach is due lead days before the due date and lists every flag that calls for it', () => {
    const enriched = quietEnriched({ invoice: { dueAt: due }, payment: { lastFailedAt: issued - 5 * DAY, failed: 1, paidLate: 3, classification: 'fair' } });
    const { value } = assess(enriched, earlierHistory, rules, 0);
    const outreach = value.actions.find((a) => a.code === 'PROACTIVE_OUTREACH')!;
    expect(outreach).toMatchObject({ dueBy: outreachBy, forFlags: ['PAYMENT_FAILED_RECENTLY', 'LATE_PAYMENT_HISTORY'] });
    expect(outreach.text).toBe('Reach out to Acme Corp before 2026-11-24 (the invoice is due 2026-12-01) to make sure invoice ACME-0042 (EUR 5,000.00) gets paid on time.');
  });

  it('the payment-date action quotes the rating and the figures behind it', () => {
    const enriched = quietEnriched({ payment: { invoices: 10, paidOnTime: 10, failed: 1, lastFailedAt: Date.UTC(2026, 5, 1), classification: 'fair' } });
    const { value } = assess(enriched, earlierHistory, rules, 0);
    expect(value.actions.find((a) => a.code === 'CONFIRM_PAYMENT_DATE')!.text).toBe('Confirm with Acme Corp when invoice ACME-0042 (EUR 5,000.00) will be paid: their payment history is fair (1 failed payment, the last on 2026-06-01).');
  });

  it('the amount-change action quotes the change', () => {
    const previous = { invoiceId: 'stripe:in_prev', subscriptionId: 'sub_123', currency: 'EUR', totalMinor: 250_000, issuedAt: issued - 30 * DAY };
    const { value } = assess(quietEnriched(), { previousForAccount: previous, previousForSubscription: previous }, rules, 0);
    expect(value.actions.find((a) => a.code === 'EXPLAIN_AMOUNT_CHANGE')!.text).toBe('Walk Acme Corp through why invoice ACME-0042 (EUR 5,000.00) is up 100.0% on the previous invoice before they query it.');
  });

  it('outreach is never due before the invoice date', () => {
    const { value } = assess(quietEnriched({ invoice: { dueAt: issued + 2 * DAY }, payment: { lastFailedAt: issued - DAY, failed: 1 } }), earlierHistory, rules, 0);
    expect(value.actions.find((a) => a.code === 'PROACTIVE_OUTREACH')!.dueBy).toBe(issued);
  });
});
