import { describe, expect, it } from 'vitest';
import type { PaymentHistorySummary, TrendDirection } from '@invoice-signal/events';
import { DAY, flagInput, quietEnriched, rulesWith } from '../../../test/support/domain-fixtures.ts';
import { contractDispute, healthDeclining, latePaymentHistory, paymentFailedRecently, renewalApproaching } from './customer-flags.ts';

const issued = quietEnriched().invoice.issuedAt!;

describe('HEALTH_DECLINING (drop of 10 within 90 days, or score under 50; never against the trend shown)', () => {
  const rules = rulesWith('HEALTH_DECLINING', { dropPoints: 10, maxWindowDays: 90, floorScore: 50, severity: 'medium', bothSeverity: 'high' });
  // The enricher's default trend: a move of 5 points or more, else stable.
  const directionOf = (delta: number): TrendDirection => (delta <= -5 ? 'declining' : delta >= 5 ? 'improving' : 'stable');
  const withHealth = (score: number, delta: number, window: number, direction = directionOf(delta)) =>
    ({ ...quietEnriched({ context: { health: { score, asOf: issued, history: [] } } }), healthTrend: { direction, fromScore: score - delta, toScore: score, deltaPoints: delta, windowDays: window } });
  it.each([
    { delta: -9, window: 60, score: 70, severity: null, why: 'drop just under the threshold' },
    { delta: -10, window: 60, score: 70, severity: 'medium', why: 'drop exactly at the threshold' },
    { delta: -11, window: 60, score: 70, severity: 'medium', why: 'drop over the threshold' },
    { delta: -20, window: 90, score: 70, severity: 'medium', why: 'window exactly at the maximum' },
    { delta: -20, window: 91, score: 70, severity: null, why: 'window too long' },
    { delta: 0, window: 60, score: 50, severity: null, why: 'score exactly at the floor' },
    { delta: 0, window: 60, score: 49, severity: 'medium', why: 'score just under the floor, stable' },
    { delta: -15, window: 30, score: 45, severity: 'high', why: 'both a drop and under the floor' },
    { delta: 12, window: 30, score: 80, severity: null, why: 'improving' },
    { delta: 15, window: 30, score: 45, severity: null, why: 'under the floor but improving: the trend shown says improving' },
    { delta: 4, window: 30, score: 45, severity: 'medium', why: 'under the floor, up less than a move (stable)' },
  ] as const)('$why → $severity', ({ delta, window, score, severity }) => {
    const flag = healthDeclining(flagInput(withHealth(score, delta, window), rules));
    expect(flag?.severity ?? null).toBe(severity);
    if (flag) expect(flag.facts).toMatchObject({ score: String(score), floorScore: '50', deltaPoints: String(delta), windowDays: String(window), trend: directionOf(delta) });
  });

  it('a drop counts only when the trend shown beside it says declining (an enricher with a wider move threshold)', () => {
    expect(healthDeclining(flagInput(withHealth(70, -12, 30, 'stable'), rules))).toBeNull();
    expect(healthDeclining(flagInput(withHealth(70, -12, 30, 'declining'), rules))).toMatchObject({ facts: { dropped: 'true' } });
  });

  it('reads like a sentence with the numbers', () => {
    expect(healthDeclining(flagInput(withHealth(45, -15, 30), rules))!.message).toBe("Acme Corp's health score fell 15 points in 30 days (60 → 45) and is 45, under the floor of 50.");
  });

  it('works from the floor alone when there is no trend', () => {
    const enriched = { ...quietEnriched({ context: { health: { score: 30, asOf: issued, history: [] } } }), healthTrend: null };
    expect(healthDeclining(flagInput(enriched, rules))).toMatchObject({ severity: 'medium', facts: { underFloor: 'true', dropped: 'false' } });
  });
});

describe('LATE_PAYMENT_HISTORY (exactly the fair and poor ratings; high when poor)', () => {
  const rules = rulesWith('LATE_PAYMENT_HISTORY', { severity: 'medium', poorSeverity: 'high' });
  const history = (p: Partial<PaymentHistorySummary>) => quietEnriched({ payment: { invoices: 10, paidOnTime: 10, paidLate: 0, averageDaysLate: 0, maxDaysLate: 0, failed: 0, overdue: 0, lastFailedAt: null, ...p } });
  it.each([
    { why: 'excellent', p: { classification: 'excellent' }, severity: null },
    { why: 'good with one late payment', p: { paidOnTime: 9, paidLate: 1, averageDaysLate: 3, maxDaysLate: 3, classification: 'good' }, severity: null },
    { why: 'good with two late payments of nine (the former rule raised it)', p: { invoices: 9, paidOnTime: 7, paidLate: 2, averageDaysLate: 5, maxDaysLate: 9, classification: 'good' }, severity: null },
    { why: 'good without any history', p: { invoices: 0, paidOnTime: 0, classification: 'good' }, severity: null },
    { why: 'fair from one late payment of 15 days', p: { paidOnTime: 9, paidLate: 1, averageDaysLate: 15, maxDaysLate: 15, classification: 'fair' }, severity: 'medium' },
    { why: 'fair from one failed payment, nothing late', p: { failed: 1, lastFailedAt: issued - 200 * DAY, classification: 'fair' }, severity: 'medium' },
    { why: 'fair from one overdue invoice', p: { paidOnTime: 9, overdue: 1, classification: 'fair' }, severity: 'medium' },
    { why: 'poor from two failed payments, nothing late', p: { failed: 2, lastFailedAt: issued - 100 * DAY, classification: 'poor' }, severity: 'high' },
    { why: 'poor from half paid late', p: { paidOnTime: 5, paidLate: 5, averageDaysLate: 8, maxDaysLate: 20, classification: 'poor' }, severity: 'high' },
  ] as const)('$why → $severity', ({ p, severity }) => {
    const flag = latePaymentHistory(flagInput(history(p), rules));
    expect(flag?.severity ?? null).toBe(severity);
    if (flag) expect(flag.facts).toMatchObject({ classification: p.classification, paidLate: String(p.paidLate ?? 0), overdue: String(p.overdue ?? 0), failedPayments: String(p.failed ?? 0) });
  });

  it('gives the figures the rating rests on: paid late x of n, days late, overdue, failures', () => {
    const flag = latePaymentHistory(flagInput(history({ invoices: 11, paidOnTime: 7, paidLate: 3, averageDaysLate: 6.5, maxDaysLate: 14, failed: 1, overdue: 1, lastFailedAt: Date.UTC(2026, 9, 20), classification: 'fair' }), rules));
    expect(flag!.message).toBe("Acme Corp's payment history is fair over the last 12 months (11 invoices): 3 of 10 paid invoices were paid late (on average 6.5 days, at worst 14 days); 1 invoice still overdue; 1 failed payment, the last on 2026-10-20.");
    expect(flag!.facts).toMatchObject({ lateSharePercent: '30', averageDaysLate: '6.5', maxDaysLate: '14', lastFailedAt: '2026-10-20', invoices: '11', paidOnTime: '7' });
  });

  it('a poor rating from failures alone says so, without inventing late payments', () => {
    const flag = latePaymentHistory(flagInput(history({ failed: 2, lastFailedAt: Date.UTC(2026, 6, 1), classification: 'poor' }), rules));
    expect(flag!.message).toBe("Acme Corp's payment history is poor over the last 12 months (10 invoices): 2 failed payments, the last on 2026-07-01.");
  });

  it('is not raised when the rule is disabled', () => {
    expect(latePaymentHistory(flagInput(history({ classification: 'poor', overdue: 2 }), rulesWith('LATE_PAYMENT_HISTORY', { enabled: false })))).toBeNull();
  });
});

describe('CONTRACT_DISPUTE (within 365 days, high within 90)', () => {
  const rules = rulesWith('CONTRACT_DISPUTE', { lookbackDays: 365, highWithinDays: 90, severity: 'medium' });
  it.each([
    { count: 0, daysAgo: 10, severity: null },
    { count: 1, daysAgo: 366, severity: null },
    { count: 1, daysAgo: 365, severity: 'medium' },
    { count: 2, daysAgo: 91, severity: 'medium' },
    { count: 1, daysAgo: 90, severity: 'high' },
    { count: 1, daysAgo: 0, severity: 'high' },
    { count: 1, daysAgo: null, severity: 'medium' },
  ])('$count dispute(s), last $daysAgo days before → $severity', ({ count, daysAgo, severity }) => {
    const lastAt = daysAgo === null ? null : issued - daysAgo * DAY;
    const flag = contractDispute(flagInput(quietEnriched({ context: { disputes: { count, lastAt } } }), rules));
    expect(flag?.severity ?? null).toBe(severity);
    if (flag) expect(flag.facts.disputes).toBe(String(count));
    if (flag && daysAgo !== null) expect(flag.facts.daysSinceLastDispute).toBe(String(daysAgo));
  });
});

describe('PAYMENT_FAILED_RECENTLY (within 60 days)', () => {
  const rules = rulesWith('PAYMENT_FAILED_RECENTLY', { withinDays: 60, severity: 'high' });
  it.each([
    { daysAgo: null, raised: false },
    { daysAgo: 61, raised: false },
    { daysAgo: 60, raised: true },
    { daysAgo: 59, raised: true },
    { daysAgo: 0, raised: true },
    { daysAgo: -2, raised: true },
  ])('last failure $daysAgo days before the invoice → raised=$raised', ({ daysAgo, raised }) => {
    const lastFailedAt = daysAgo === null ? null : issued - daysAgo * DAY;
    const flag = paymentFailedRecently(flagInput(quietEnriched({ payment: { lastFailedAt, failed: 1 } }), rules));
    expect(flag !== null).toBe(raised);
    if (flag) expect(flag).toMatchObject({ severity: 'high', facts: { daysSinceFailure: String(daysAgo), failedPayments: '1' } });
  });
});

describe('RENEWAL_APPROACHING (renewal at most 30 days after the due date)', () => {
  const rules = rulesWith('RENEWAL_APPROACHING', { withinDaysOfDue: 30, severity: 'low' });
  const due = issued + 30 * DAY;
  it.each([
    { renewal: null, raised: false, why: 'no renewal date' },
    { renewal: due + 31 * DAY, raised: false, why: '31 days after the due date' },
    { renewal: due + 30 * DAY, raised: true, why: 'exactly 30 days after the due date' },
    { renewal: due + 29 * DAY, raised: true, why: '29 days after the due date' },
    { renewal: due - 10 * DAY, raised: true, why: 'before the due date' },
    { renewal: issued - DAY, raised: false, why: 'already passed at the invoice date' },
  ])('$why → raised=$raised', ({ renewal, raised }) => {
    const enriched = quietEnriched({ invoice: { dueAt: due }, context: { contract: { ...quietEnriched().context!.contract!, renewalDate: renewal } } });
    const flag = renewalApproaching(flagInput(enriched, rules));
    expect(flag !== null).toBe(raised);
    if (flag) expect(flag.facts.daysFromDueToRenewal).toBe(String(Math.trunc((renewal! - due) / DAY)));
  });

  it('uses the invoice date when there is no due date', () => {
    const enriched = quietEnriched({ invoice: { dueAt: null }, context: { contract: { ...quietEnriched().context!.contract!, renewalDate: issued + 30 * DAY } } });
    expect(renewalApproaching(flagInput(enriched, rules))?.facts).toMatchObject({ daysFromDueToRenewal: '30' });
  });
});
