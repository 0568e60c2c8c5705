import type { PaymentHistoryClass, PaymentHistorySummary, PaymentState } from '@invoice-signal/events';

export const DAY_MS = 24 * 3600 * 1000;

/** What the enricher keeps of one invoice's latest payment status (from the compacted status topic). */
export interface PaymentRecord {
  invoiceId: string;
  status: PaymentState;
  issuedAt: number | null;
  dueAt: number | null;
  paidAt: number | null;
  /** A failed payment was seen for this invoice at some point, even if it was paid later. */
  everFailed: boolean;
  lastFailedAt: number | null;
  changedAt: number;
}

/**
 * Classification thresholds, checked from the worst class down (the README repeats this table).
 * lateShare = paidLate / (paidOnTime + paidLate); 0 when nothing was settled yet.
 */
export const thresholds = {
  poor: { failedAtLeast: 2, overdueAtLeast: 2, lateShareAtLeast: 0.5, maxDaysLateAbove: 30 },
  fair: { failedAtLeast: 1, overdueAtLeast: 1, lateShareAtLeast: 0.25, maxDaysLateAbove: 14 },
  /** Excellent needs a track record: at least this many invoices, none late, failed or overdue. */
  excellent: { invoicesAtLeast: 3 },
} as const;

export type PaymentCounts = Omit<PaymentHistorySummary, 'classification' | 'windowMonths' | 'lastFailedAt'>;

export function lateShare(c: Pick<PaymentCounts, 'paidOnTime' | 'paidLate'>): number {
  const settled = c.paidOnTime + c.paidLate;
  return settled === 0 ? 0 : c.paidLate / settled;
}

/** excellent / good / fair / poor from the counts; no history at all is `good` (neutral, not a reward). */
export function classify(c: PaymentCounts): PaymentHistoryClass {
  const share = lateShare(c);
  const breaches = (t: { failedAtLeast: number; overdueAtLeast: number; lateShareAtLeast: number; maxDaysLateAbove: number }) =>
    c.failed >= t.failedAtLeast || c.overdue >= t.overdueAtLeast || share >= t.lateShareAtLeast || c.maxDaysLate > t.maxDaysLateAbove;
  if (breaches(thresholds.poor)) return 'poor';
  if (breaches(thresholds.fair)) return 'fair';
  if (c.invoices >= thresholds.excellent.invoicesAtLeast && c.paidLate === 0) return 'excellent';
  return 'good';
}

/** Start of the window: the same instant `months` calendar months earlier (UTC). Inclusive. */
export function windowStart(referenceAt: number, months: number): number {
  const d = new Date(referenceAt);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}

/** When an invoice belongs to a window: issued date, else due date, else when its status last changed. */
export const invoiceDate = (r: PaymentRecord) => r.issuedAt ?? r.dueAt ?? r.changedAt;

/** Whole days after the due date, rounded up: paid one minute late is one day late. 0 when on time. */
export function daysLate(r: PaymentRecord): number {
  if (r.paidAt === null || r.dueAt === null || r.paidAt <= r.dueAt) return 0;
  return Math.ceil((r.paidAt - r.dueAt) / DAY_MS);
}

/**
 * The payment-history summary of an account as of `referenceAt` (the new invoice's issue time):
 * invoices dated in [referenceAt - months, referenceAt], voided ones left out.
 * - paid on time / paid late (with days late) from paidAt vs dueAt;
 * - failed: a payment failed at some point, or the invoice was written off (uncollectible);
 * - overdue: still unpaid (pending, failed or overdue) and past due at referenceAt.
 */
export function summarizePaymentHistory(records: PaymentRecord[], referenceAt: number, months = 12): PaymentHistorySummary {
  const from = windowStart(referenceAt, months);
  const inWindow = records.filter((r) => r.status !== 'voided' && invoiceDate(r) >= from && invoiceDate(r) <= referenceAt);
  const paid = inWindow.filter((r) => r.status === 'paid');
  const late = paid.map(daysLate).filter((d) => d > 0);
  const failed = inWindow.filter((r) => r.everFailed || r.status === 'failed' || r.status === 'uncollectible');
  const unpaid = inWindow.filter((r) => r.status === 'overdue' || ((r.status === 'pending' || r.status === 'failed') && r.dueAt !== null && r.dueAt < referenceAt));
  const failedTimes = failed.map((r) => r.lastFailedAt ?? r.changedAt);
  const counts: PaymentCounts = {
    invoices: inWindow.length,
    paidOnTime: paid.length - late.length,
    paidLate: late.length,
    averageDaysLate: late.length === 0 ? 0 : Math.round((late.reduce((a, b) => a + b, 0) / late.length) * 10) / 10,
    maxDaysLate: late.length === 0 ? 0 : Math.max(...late),
    failed: failed.length,
    overdue: unpaid.length,
  };
  return { windowMonths: months, ...counts, lastFailedAt: failedTimes.length ? Math.max(...failedTimes) : null, classification: classify(counts) };
}

/**
 * One invoice's share of a payment-history lookup made for a whole batch (which reaches back to
 * the earliest window of the batch): the records dated from `from` on, the invoice itself left out.
 */
export function historyBefore(records: readonly PaymentRecord[], invoiceId: string, from: number): PaymentRecord[] {
  return records.filter((r) => r.invoiceId !== invoiceId && invoiceDate(r) >= from);
}
