import type { AssessedInvoice } from '@invoice-signal/events';

/**
 * What a CSM sees beside the flags (Slack, digest, inbox): the payment-history rating, the health
 * score with its trend. A flag that says otherwise is a contradiction; this lists each one found.
 */
export function contradictions({ flags, enriched }: Pick<AssessedInvoice, 'flags' | 'enriched'>): string[] {
  const raised = new Set(flags.map((f) => f.code));
  const rating = enriched.paymentHistory.classification;
  const troubled = rating === 'fair' || rating === 'poor';
  const found: string[] = [];
  if (troubled && !raised.has('LATE_PAYMENT_HISTORY')) found.push(`payment history rated ${rating} but LATE_PAYMENT_HISTORY is not raised`);
  if (!troubled && raised.has('LATE_PAYMENT_HISTORY')) found.push(`LATE_PAYMENT_HISTORY raised beside a ${rating} payment history`);
  if (!troubled && raised.has('PAYMENT_FAILED_RECENTLY')) found.push(`PAYMENT_FAILED_RECENTLY raised beside a ${rating} payment history`);
  if (raised.has('FIRST_INVOICE') && enriched.paymentHistory.invoices > 0) {
    found.push(`FIRST_INVOICE raised beside a payment history of ${enriched.paymentHistory.invoices} invoices`);
  }
  if (raised.has('HEALTH_DECLINING') && enriched.healthTrend?.direction === 'improving') found.push('HEALTH_DECLINING raised beside an improving health trend');
  return found;
}
