import { describe, expect, it } from 'vitest';
import { classify, DAY_MS, daysLate, historyBefore, summarizePaymentHistory, windowStart, type PaymentCounts, type PaymentRecord } from './payment-history.ts';

const counts = (c: Partial<PaymentCounts>): PaymentCounts => ({ invoices: 5, paidOnTime: 5, paidLate: 0, averageDaysLate: 0, maxDaysLate: 0, failed: 0, overdue: 0, ...c });

describe('payment history classification at every threshold', () => {
  it.each([
    ['no invoices at all is neutral', counts({ invoices: 0, paidOnTime: 0 }), 'good'],
    ['2 invoices all on time: too little track record for excellent', counts({ invoices: 2, paidOnTime: 2 }), 'good'],
    ['3 invoices all on time is excellent', counts({ invoices: 3, paidOnTime: 3 }), 'excellent'],
    ['one late payment rules out excellent', counts({ invoices: 5, paidOnTime: 4, paidLate: 1, maxDaysLate: 1 }), 'good'],
    ['late share just under 25% stays good', counts({ paidOnTime: 4, paidLate: 1, maxDaysLate: 3 }), 'good'],
    ['late share exactly 25% is fair', counts({ paidOnTime: 3, paidLate: 1, maxDaysLate: 3 }), 'fair'],
    ['late share just under 50% is fair', counts({ invoices: 7, paidOnTime: 4, paidLate: 3, maxDaysLate: 3 }), 'fair'],
    ['late share exactly 50% is poor', counts({ paidOnTime: 2, paidLate: 2, maxDaysLate: 3 }), 'poor'],
    ['14 days late at most stays good', counts({ invoices: 10, paidOnTime: 9, paidLate: 1, maxDaysLate: 14 }), 'good'],
    ['15 days late is fair', counts({ invoices: 10, paidOnTime: 9, paidLate: 1, maxDaysLate: 15 }), 'fair'],
    ['30 days late is still fair', counts({ invoices: 10, paidOnTime: 9, paidLate: 1, maxDaysLate: 30 }), 'fair'],
    ['31 days late is poor', counts({ invoices: 10, paidOnTime: 9, paidLate: 1, maxDaysLate: 31 }), 'poor'],
    ['one failed payment is fair', counts({ failed: 1 }), 'fair'],
    ['two failed payments are poor', counts({ failed: 2 }), 'poor'],
    ['one overdue invoice is fair', counts({ overdue: 1 }), 'fair'],
    ['two overdue invoices are poor', counts({ overdue: 2 }), 'poor'],
    ['unsettled invoices do not count as late', counts({ invoices: 4, paidOnTime: 0 }), 'excellent'],
  ] as const)('%s', (_title, input, expected) => {
    expect(classify(input)).toBe(expected);
  });
});

const ref = Date.UTC(2026, 10, 1, 12, 0);
const rec = (r: Partial<PaymentRecord>): PaymentRecord => ({
  invoiceId: 'inv', status: 'paid', issuedAt: ref - 60 * DAY_MS, dueAt: ref - 30 * DAY_MS, paidAt: ref - 31 * DAY_MS,
  everFailed: false, lastFailedAt: null, changedAt: ref - 31 * DAY_MS, ...r,
});

describe('days late', () => {
  it.each([
    ['paid before the due date', ref - DAY_MS, 0],
    ['paid exactly at the due instant', ref, 0],
    ['paid one millisecond after', ref + 1, 1],
    ['paid exactly one day after', ref + DAY_MS, 1],
    ['paid one day and a minute after', ref + DAY_MS + 60_000, 2],
  ] as const)('%s', (_t, paidAt, expected) => {
    expect(daysLate(rec({ dueAt: ref, paidAt }))).toBe(expected);
  });
});

describe('the 12-month window', () => {
  const start = windowStart(ref, 12);
  it('starts the same instant twelve calendar months earlier', () => {
    expect(new Date(start).toISOString()).toBe('2025-11-01T12:00:00.000Z');
  });
  it.each([
    ['issued at the window start is counted', start, 1],
    ['issued one millisecond before the window is not', start - 1, 0],
    ['issued at the reference instant is counted', ref, 1],
    ['issued after the reference instant is not', ref + 1, 0],
  ] as const)('%s', (_t, issuedAt, expected) => {
    const s = summarizePaymentHistory([rec({ issuedAt, dueAt: issuedAt + 30 * DAY_MS, paidAt: issuedAt })], ref);
    expect(s.invoices).toBe(expected);
  });
});

describe('summarizing an account history', () => {
  it('counts on-time, late (with days), failed, overdue; leaves voided invoices out', () => {
    const due = ref - 40 * DAY_MS;
    const s = summarizePaymentHistory([
      rec({ invoiceId: 'a' }),
      rec({ invoiceId: 'b', dueAt: due, paidAt: due + 3 * DAY_MS }),
      rec({ invoiceId: 'c', dueAt: due, paidAt: due + 10 * DAY_MS, everFailed: true, lastFailedAt: due - DAY_MS }),
      rec({ invoiceId: 'd', status: 'overdue', paidAt: null }),
      rec({ invoiceId: 'e', status: 'pending', dueAt: ref + 10 * DAY_MS, paidAt: null }),
      rec({ invoiceId: 'f', status: 'voided', paidAt: null }),
    ], ref);
    expect(s).toEqual({
      windowMonths: 12, invoices: 5, paidOnTime: 1, paidLate: 2, averageDaysLate: 6.5, maxDaysLate: 10,
      failed: 1, overdue: 1, lastFailedAt: due - DAY_MS, classification: 'poor',
    });
  });

  it('counts a pending invoice past its due date as overdue, and an uncollectible one as failed', () => {
    const s = summarizePaymentHistory([
      rec({ invoiceId: 'p', status: 'pending', dueAt: ref - DAY_MS, paidAt: null }),
      rec({ invoiceId: 'u', status: 'uncollectible', paidAt: null, changedAt: ref - 2 * DAY_MS }),
    ], ref);
    expect(s).toMatchObject({ invoices: 2, overdue: 1, failed: 1, lastFailedAt: ref - 2 * DAY_MS, classification: 'fair' });
  });

  it('is neutral for an account without history', () => {
    expect(summarizePaymentHistory([], ref)).toEqual({
      windowMonths: 12, invoices: 0, paidOnTime: 0, paidLate: 0, averageDaysLate: 0, maxDaysLate: 0, failed: 0, overdue: 0, lastFailedAt: null, classification: 'good',
    });
  });
});

describe('one invoice\'s share of a batch lookup', () => {
  const at = (invoiceId: string, issuedAt: number) => rec({ invoiceId, issuedAt });
  it('keeps the records dated from its own window start on, and leaves the invoice itself out', () => {
    const records = [at('a day before', ref - DAY_MS - 1), at('at the start', ref - DAY_MS), at('self', ref), at('after', ref - 1)];
    expect(historyBefore(records, 'self', ref - DAY_MS).map((r) => r.invoiceId)).toEqual(['at the start', 'after']);
  });
});
