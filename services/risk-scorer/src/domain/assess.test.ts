import { describe, expect, it } from 'vitest';
import { sampleEnrichedInvoice } from '@invoice-signal/testkit';
import { shippedRules } from '../../test/support/domain-fixtures.ts';
import { assess, problemsOf } from './assess.ts';
import { emptyHistory } from './history.ts';
import { flagCodes } from './rules.ts';

describe('an assessment', () => {
  it('is a pure function of its inputs: same enrichment, history and rules → same assessment', () => {
    const a = assess(sampleEnrichedInvoice(), emptyHistory, shippedRules, 1000);
    const b = assess(sampleEnrichedInvoice(), emptyHistory, shippedRules, 1000);
    expect(b).toEqual(a);
    expect(a.value.assessmentId).toBe(`asm_enr_stripe:in_1QabcDEF_1_${shippedRules.version}`);
    expect(a.value.ruleVersion).toBe(shippedRules.version);
  });

  it('the wall clock only sets assessedAt, it never changes the decision', () => {
    const a = assess(sampleEnrichedInvoice(), emptyHistory, shippedRules, 1000);
    const b = assess(sampleEnrichedInvoice(), emptyHistory, shippedRules, 9_999_999_999);
    expect({ ...b.value, assessedAt: 0 }).toEqual({ ...a.value, assessedAt: 0 });
  });

  it('the testkit sample (declining health, late and failed payments, dispute, near renewal) is high risk', () => {
    const { value } = assess(sampleEnrichedInvoice(), emptyHistory, shippedRules, 0);
    expect(value.riskLevel).toBe('high');
    // Not a first invoice although the scorer has seen none: 11 invoices in the payment history.
    expect(value.flags.map((f) => f.code)).toEqual(['PAYMENT_FAILED_RECENTLY', 'LATE_PAYMENT_HISTORY', 'CONTRACT_DISPUTE', 'HEALTH_DECLINING', 'RENEWAL_APPROACHING', 'HIGH_VALUE']);
    for (const flag of value.flags) {
      expect(flagCodes).toContain(flag.code);
      expect(flag.message).toMatch(/^[A-Z].*\.$/);
      expect(Object.keys(flag.facts).length).toBeGreaterThan(0);
    }
    expect(value.valuePrompts.map((p) => p.kind)).toEqual(['send_value_summary', 'schedule_check_in', 'share_success_metrics', 'address_concerns']);
  });

  it.each([
    { over: { accountId: ' ' }, problem: 'accountId is empty' },
    { over: { enrichmentId: '' }, problem: 'enrichmentId is empty' },
    { over: { invoice: { ...sampleEnrichedInvoice().invoice, currency: 'eur' } }, problem: 'invoice.currency must be an ISO 4217 code in upper case (got "eur")' },
    { over: { invoice: { ...sampleEnrichedInvoice().invoice, totalMinor: -5 } }, problem: 'invoice.totalMinor must be a non-negative integer of minor units (got -5)' },
  ])('rejects a record when $problem', ({ over, problem }) => {
    expect(problemsOf(sampleEnrichedInvoice(over))).toEqual([problem]);
  });

  it('accepts the testkit sample', () => {
    expect(problemsOf(sampleEnrichedInvoice())).toEqual([]);
  });
});
