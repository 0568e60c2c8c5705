import { createHash } from 'node:crypto';
import type { CsmOwner, CustomerContext, EnrichedInvoice, InvoiceEvent } from '@invoice-signal/events';
import { unmatchedAccountId } from './account-resolution.ts';
import { dueInAccountZone } from './due-date-zone.ts';
import { healthTrend, type TrendOptions } from './health-trend.ts';
import { summarizePaymentHistory, type PaymentRecord } from './payment-history.ts';

export interface EnrichmentInput {
  invoice: InvoiceEvent;
  /** The account the invoice resolved to, if any (it may still lack a context). */
  accountId: string | null;
  context: CustomerContext | null;
  payments: PaymentRecord[];
  fallbackOwner: CsmOwner;
  revision: number;
  now: number;
  historyMonths?: number;
  trend?: TrendOptions;
}

/** Same event + same account + same snapshot → same id, so a redelivered enrichment is recognisable downstream. */
export function enrichmentId(eventId: string, accountId: string, snapshotAt: number | null): string {
  const digest = createHash('sha256').update(`${eventId}\n${accountId}\n${snapshotAt ?? 'none'}`).digest('base64url');
  return `enr_${digest.slice(0, 22)}`;
}

/** When the payment history is measured from: the invoice's issue time, else when the vendor reported it. */
export const referenceTime = (invoice: InvoiceEvent) => invoice.issuedAt ?? invoice.occurredAt;

/**
 * Joins an issued invoice with what is known of its account. Matched means a context snapshot was
 * found; otherwise the context is null, the fallback CSM owns it, and the key is the account id
 * the source gave or `unmatched:<source>:<vendorCustomerId>`.
 */
export function enrich(input: EnrichmentInput): EnrichedInvoice {
  const { invoice, context } = input;
  const accountId = context?.accountId ?? input.accountId ?? unmatchedAccountId(invoice);
  return {
    enrichmentId: enrichmentId(invoice.eventId, accountId, context?.snapshotAt ?? null),
    accountId,
    matched: context !== null,
    revision: input.revision,
    owner: context?.csm ?? input.fallbackOwner,
    invoice: dueInAccountZone({ ...invoice, accountId: context ? accountId : invoice.accountId }, context),
    context,
    healthTrend: healthTrend(context?.health ?? null, input.trend),
    paymentHistory: summarizePaymentHistory(input.payments, referenceTime(invoice), input.historyMonths ?? 12),
    enrichedAt: input.now,
  };
}
