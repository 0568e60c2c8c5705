import type { EnrichedInvoice } from '@invoice-signal/events';
import { sampleEnrichedInvoice, sampleInvoiceEvent } from '@invoice-signal/testkit';

export const DAY = 24 * 3600 * 1000;
const t0 = Date.UTC(2026, 8, 1, 9, 0);

/**
 * The n-th monthly invoice of a new account (n from 0), enriched as the enricher would: the testkit
 * sample's context with a contract that starts with invoice 0, no payment history yet (as when the
 * payments of earlier invoices have not reached the enricher), ids, amounts and dates made unique to
 * the account. So whether an invoice is the account's first is decided by the scorer's own history.
 */
export function monthlyInvoice(accountId: string, n: number, totalMinor: number, over: Partial<EnrichedInvoice> = {}): EnrichedInvoice {
  const base = sampleEnrichedInvoice();
  const issuedAt = t0 + n * 30 * DAY;
  const invoiceId = `stripe:in_${accountId}_${n}`;
  return {
    ...base,
    enrichmentId: `enr_${invoiceId}_${over.revision ?? 1}`,
    accountId,
    context: base.context && { ...base.context, accountId, contract: base.context.contract && { ...base.context.contract, startDate: t0 } },
    paymentHistory: { windowMonths: 12, invoices: 0, paidOnTime: 0, paidLate: 0, averageDaysLate: 0, maxDaysLate: 0, failed: 0, overdue: 0, lastFailedAt: null, classification: 'good' },
    invoice: sampleInvoiceEvent({
      eventId: `stripe:evt_${accountId}_${n}`, invoiceId, vendorInvoiceId: `in_${accountId}_${n}`, accountId, subscriptionId: `sub_${accountId}`,
      invoiceNumber: `${accountId.toUpperCase()}-${n}`, totalMinor, amountDueMinor: totalMinor, amountRemainingMinor: totalMinor,
      issuedAt, dueAt: issuedAt + 30 * DAY, occurredAt: issuedAt, receivedAt: issuedAt + 100,
    }),
    enrichedAt: issuedAt + 400,
    ...over,
  };
}
