import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaymentStateSymbols, type EnrichedInvoice } from '@invoice-signal/events';
// The rating and the trend a CSM sees are computed by the enricher: generate them with its own code.
import { healthTrend } from '../../enricher/src/domain/health-trend.ts';
import { summarizePaymentHistory, type PaymentRecord } from '../../enricher/src/domain/payment-history.ts';
import { assess } from '../src/domain/assess.ts';
import { contradictions } from './support/agreement.ts';
import { DAY, past, quietEnriched, shippedRules } from './support/domain-fixtures.ts';

const base = quietEnriched();
const at = base.invoice.issuedAt!;

const paymentRecord = fc.record({
  n: fc.nat(), status: fc.constantFrom(...PaymentStateSymbols), issuedDaysAgo: fc.integer({ min: 0, max: 400 }), termDays: fc.option(fc.integer({ min: 0, max: 60 })),
  paidOffsetDays: fc.integer({ min: -10, max: 45 }), everFailed: fc.boolean(), failedAfterDays: fc.integer({ min: 0, max: 60 }),
}).map((r): PaymentRecord => {
  const issuedAt = at - r.issuedDaysAgo * DAY;
  const dueAt = r.termDays === null ? null : issuedAt + r.termDays * DAY;
  return {
    invoiceId: `stripe:in_${r.n}`, status: r.status, issuedAt, dueAt, paidAt: r.status === 'paid' ? (dueAt ?? issuedAt) + r.paidOffsetDays * DAY : null,
    everFailed: r.everFailed, lastFailedAt: r.everFailed ? Math.min(at, issuedAt + r.failedAfterDays * DAY) : null, changedAt: issuedAt + DAY,
  };
});

const account = fc.record({
  records: fc.array(paymentRecord, { maxLength: 14 }),
  score: fc.integer({ min: 0, max: 100 }), earlier: fc.option(fc.record({ score: fc.integer({ min: 0, max: 100 }), daysAgo: fc.integer({ min: 1, max: 120 }) })),
  contractStartDaysAgo: fc.option(fc.integer({ min: -30, max: 1500 })), matched: fc.boolean(), scorerHasEarlier: fc.boolean(),
});

describe('flags never contradict the rating and trend shown beside them', () => {
  it('over generated accounts: payment histories and health trends as the enricher computes them', () => {
    fc.assert(fc.property(account, (a) => {
      const health = { score: a.score, asOf: at, history: a.earlier ? [{ score: a.earlier.score, asOf: at - a.earlier.daysAgo * DAY }] : [] };
      const contract = { ...base.context!.contract!, startDate: a.contractStartDaysAgo === null ? null : at - a.contractStartDaysAgo * DAY };
      const enriched: EnrichedInvoice = {
        ...base, matched: a.matched, context: a.matched ? { ...base.context!, health, contract } : null,
        healthTrend: a.matched ? healthTrend(health) : null, paymentHistory: summarizePaymentHistory(a.records, at),
      };
      const history = { previousForAccount: a.scorerHasEarlier ? past({ issuedAt: at - 30 * DAY }) : null, previousForSubscription: null };
      const { value } = assess(enriched, history, shippedRules, 0);
      expect(contradictions(value)).toEqual([]);
      const late = value.flags.find((f) => f.code === 'LATE_PAYMENT_HISTORY');
      if (late) expect(late.severity).toBe(enriched.paymentHistory.classification === 'poor' ? 'high' : 'medium');
    }), { numRuns: 1000 });
  });
});
