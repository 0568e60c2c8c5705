import { describe, expect, it } from 'vitest';
import { DAY, flagInput, quietEnriched, rulesWith } from '../../../test/support/domain-fixtures.ts';
import { contractDispute, healthDeclining, latePaymentHistory, paymentFailedRecently, renewalApproaching } from './customer-flags.ts';

const issued = quietEnriched().invoice.issuedAt!;

describe('HEALTH_DECLINING (drop of 10 within 90 days, or score under 50)', () => {
  const rules = rulesWith('HEALTH_DECLINING', { dropPoints: 10, maxWindowDays: 90, floorScore: 50, severity: 'medium', bothSeverity: 'high' });
  it.each([
    { delta: -9, window: 60, score: 70, severity: null, why: 'drop just under the threshold' },
    { delta: -10, window: 60, score: 70, severity: 'medium', why: 'drop exactly at the threshold' },
    { delta: -11, window: 60, score: 70, severity: 'medium', why: 'drop over the threshold' },
    { delta: -20, window: 90, score: 70, severity: 'medium', why: 'window exactly at the maximum' },
    { delta: -20, window: 91, score: 70, severity: null, why: 'window too long' },
    { delta: 0, window: 60, score: 50, severity: null, why: 'score exactly at the floor' },
    { delta: 0, window: 60, score: 49, severity: 'medium', why: 'score just under the floor' },
    { delta: -15, window: 30, score: 45, severity: 'high', why: 'both a drop and under the floor' },
    { delta: 12, window: 30, score: 80, severity: null, why: 'improving' },
  ])('$why → $severity', ({ delta, window, score, severity }) => {
    const enriched = { ...quietEnriched({ context: { health: { score, asOf: issued, history: [] } } }), healthTrend: { direction: 'declining' as const, fromScore: score - delta, toScore: score, deltaPoints: delta, windowDays: window } };
    const flag = healthDeclining(flagInput(enriched, rules));
    expect(flag?.severity ?? null).toBe(severity);
    if (flag) expect(flag.facts).toMatchObject({ score: String(score), floorScore: '50', deltaPoints: String(delta), windowDays: String(window) });
  });

  it('reads like a sentence with the numbers', () => {
    const enriched = { ...quietEnriched({ context: { health: { score: 45, asOf: issued, history: [] } } }), healthTrend: { direction: 'declining' as const, fromScore: 60, toScore: 45, deltaPoints: -15, windowDays: 30 } };
    expect(healthDeclining(flagInput(enriched, rules))!.message).toBe("Acme Corp's health score fell 15 points in 30 days (60 → 45) and is 45, under the floor of 50.");
  });

  it('works from the floor alone when there is no trend', () => {
    const enriched = { ...quietEnriched({ context: { health: { score: 30, asOf: issued, history: [] } } }), healthTrend: null };
    expect(healthDeclining(flagInput(enriched, rules))).toMatchObject({ severity: 'medium', facts: { underFloor: 'true', dropped: 'false' } });
  });
});

describe('LATE_PAYMENT_HISTORY (2 late, high from 4 or a poor history)', () => {
  const rules = rulesWith('LATE_PAYMENT_HISTORY', { minLatePayments: 2, highLatePayments: 4, highClassifications: ['poor'], severity: 'medium' });
  it.each([
    { paidLate: 1, overdue: 0, cls: 'good', severity: null },
    { paidLate: 2, overdue: 0, cls: 'fair', severity: 'medium' },
    { paidLate: 1, overdue: 1, cls: 'fair', severity: 'medium' },
    { paidLate: 3, overdue: 0, cls: 'fair', severity: 'medium' },
    { paidLate: 3, overdue: 1, cls: 'fair', severity: 'high' },
    { paidLate: 2, overdue: 0, cls: 'poor', severity: 'high' },
    { paidLate: 0, overdue: 0, cls: 'poor', severity: null },
  ] as const)('$paidLate paid late + $overdue overdue, $cls → $severity', ({ paidLate, overdue, cls, severity }) => {
    const flag = latePaymentHistory(flagInput(quietEnriched({ payment: { paidLate, overdue, classification: cls, averageDaysLate: 6.5, maxDaysLate: 14 } }), rules));
    expect(flag?.severity ?? null).toBe(severity);
    if (flag) expect(flag.facts).toMatchObject({ latePayments: String(paidLate + overdue), paidLate: String(paidLate), overdue: String(overdue), classification: cls });
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
