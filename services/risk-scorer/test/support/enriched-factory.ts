import type { EnrichedInvoice } from '@invoice-signal/events';
import { sampleEnrichedInvoice, sampleInvoiceEvent } from '@invoice-signal/testkit';

export const DAY = 24 * 3600 * 1000;
const t0 = Date.UTC(2026, 8, 1, 9, 0);

/**
 * The n-th monthly invoice of an account (n from 0), enriched as the enricher would: the testkit
 * sample's context and history, with ids, amounts and dates made unique to the account.
 */
export function monthlyInvoice(accountId: string, n: number, totalMinor: number, over: Partial<EnrichedInvoice> = {}): EnrichedInvoice {
  const base = sampleEnrichedInvoice();
  const issuedAt = t0 + n * 30 * DAY;
  const invoiceId = `stripe:in_${accountId}_${n}`;
  return {
    ...base,
    enrichmentId: `enr_${invoiceId}_${over.revision ?? 1}`,
    accountId,
    context: base.context && { ...base.context, accountId },
    invoice: sampleInvoiceEvent({
      eventId: `stripe:evt_${accountId}_${n}`, invoiceId, vendorInvoiceId: `in_${accountId}_${n}`, accountId, subscriptionId: `sub_${accountId}`,
      invoiceNumber: `${accountId.toUpperCase()}-${n}`, totalMinor, amountDueMinor: totalMinor, amountRemainingMinor: totalMinor,
      issuedAt, dueAt: issuedAt + 30 * DAY, occurredAt: issuedAt, receivedAt: issuedAt + 100,
    }),
    enrichedAt: issuedAt + 400,
    ...over,
  };
}
