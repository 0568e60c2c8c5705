import type Stripe from 'stripe';
import { formatMinor, vendorMinorToIso, type InvoiceEvent, type InvoiceEventType } from '@invoice-signal/events';
import { canonicalEvent, secondsToMillis, type Delivery } from './delivery.ts';
import { invalid } from './errors.ts';
import { normaliseCurrency, vendorMinor } from './money.ts';

/** Stripe invoice event types and the canonical type each becomes. */
export const stripeInvoiceTypes: Record<string, InvoiceEventType> = {
  'invoice.created': 'issued', // a draft becomes 'updated', see invoiceType()
  'invoice.finalized': 'issued',
  'invoice.updated': 'updated',
  'invoice.paid': 'paid',
  'invoice.payment_succeeded': 'paid',
  'invoice.payment_failed': 'payment_failed',
  'invoice.voided': 'voided',
  'invoice.marked_uncollectible': 'uncollectible',
  'invoice.overdue': 'overdue_reported',
};

export type StripeDecision =
  | { kind: 'invoice'; delivery: Delivery }
  | { kind: 'dispute'; dispute: Stripe.Dispute; refs: string[] }
  | { kind: 'ignored' };

/** Fields older API versions send that the current types no longer declare. */
type LegacyInvoice = { subscription?: string | { id: string } | null; payment_intent?: string | { id: string } | null; charge?: string | { id: string } | null };

const idOf = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && 'id' in v ? String((v as { id: unknown }).id) : null);

/** Decides what a verified Stripe event means. Pure: the dispute case needs a lookup the caller does. */
export function decideStripeEvent(event: Stripe.Event, receivedAt: number): StripeDecision {
  if (event.type.startsWith('charge.dispute.')) {
    const dispute = event.data?.object as Stripe.Dispute;
    if (!dispute || typeof dispute !== 'object') throw invalid('data.object', `expected a dispute in a ${event.type} event`);
    const refs = [idOf(dispute.payment_intent), idOf(dispute.charge)].filter((r): r is string => Boolean(r));
    return { kind: 'dispute', dispute, refs };
  }
  const canonical = stripeInvoiceTypes[event.type];
  if (!canonical) return { kind: 'ignored' };
  // A verified body can still lack data: its absence is bad input, not a crash.
  const invoice = event.data?.object as Stripe.Invoice | undefined;
  if (invoice?.object !== 'invoice') throw invalid('data.object.object', `expected an invoice in a ${event.type} event, got ${JSON.stringify(invoice?.object)}`);
  const type = event.type === 'invoice.created' && invoice.status === 'draft' ? 'updated' : canonical;
  return {
    kind: 'invoice',
    delivery: {
      source: 'stripe', vendorEventId: event.id, vendorType: event.type, paymentRefs: paymentRefs(invoice),
      event: stripeInvoiceEvent(invoice, { vendorEventId: event.id, type, occurredAt: event.created * 1000, receivedAt }),
    },
  };
}

/** The canonical event of one Stripe invoice object (webhooks and reconciliation share it). */
export function stripeInvoiceEvent(invoice: Stripe.Invoice, meta: { vendorEventId: string; type: InvoiceEventType; occurredAt: number; receivedAt: number }): InvoiceEvent {
  if (typeof invoice.id !== 'string' || !invoice.id) throw invalid('data.object.id', 'the invoice has no id');
  const legacy = invoice as unknown as LegacyInvoice;
  const currency = normaliseCurrency(invoice.currency, 'data.object.currency');
  // Stripe's minor units are its own (ISK, UGX, MGA differ from ISO 4217): converted to ISO's.
  const minor = (field: 'total' | 'amount_due' | 'amount_paid' | 'amount_remaining') => vendorMinor('stripe', invoice[field], currency, `data.object.${field}`);
  return canonicalEvent(
    { source: 'stripe', vendorEventId: meta.vendorEventId, vendorInvoiceId: invoice.id, type: meta.type, currency, totalMinor: minor('total'), occurredAt: meta.occurredAt, receivedAt: meta.receivedAt },
    {
      vendorCustomerId: idOf(invoice.customer),
      subscriptionId: idOf(legacy.subscription) ?? idOf(invoice.parent?.subscription_details?.subscription),
      invoiceNumber: invoice.number ?? null,
      amountDueMinor: minor('amount_due'),
      amountPaidMinor: minor('amount_paid'),
      amountRemainingMinor: minor('amount_remaining'),
      issuedAt: secondsToMillis(invoice.status_transitions?.finalized_at ?? invoice.created),
      dueAt: secondsToMillis(invoice.due_date),
      periodStart: secondsToMillis(invoice.period_start),
      periodEnd: secondsToMillis(invoice.period_end),
      attemptCount: invoice.attempt_count ?? 0,
      failureReason: meta.type === 'payment_failed' ? (invoice.last_finalization_error?.message ?? 'payment attempt failed') : null,
      hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    },
  );
}

/** Payment intents and charges that pay this invoice, in old and new API shapes. */
export function paymentRefs(invoice: Stripe.Invoice): string[] {
  const legacy = invoice as unknown as LegacyInvoice;
  const refs = [idOf(legacy.payment_intent), idOf(legacy.charge)];
  for (const p of invoice.payments?.data ?? []) refs.push(idOf(p.payment?.payment_intent), idOf(p.payment?.charge));
  return [...new Set(refs.filter((r): r is string => Boolean(r)))];
}

/**
 * A dispute as an invoice signal. Stripe's dispute does not carry the invoice, so the caller finds
 * the invoice's last known event by payment reference; its amounts stay, the dispute is described
 * in failureReason.
 */
export function disputeEvent(last: InvoiceEvent, event: Stripe.Event, dispute: Stripe.Dispute, receivedAt: number): InvoiceEvent {
  return {
    ...last,
    eventId: `stripe:${event.id}`,
    vendorEventId: event.id,
    type: 'disputed',
    failureReason: `dispute ${dispute.id} ${dispute.status}: ${dispute.reason} (${disputeAmount(dispute)})`,
    occurredAt: event.created * 1000,
    receivedAt,
  };
}

/** The disputed amount for a sentence, in ISO units ("ISK 5", not Stripe's 500); raw if Stripe sent something odd. */
function disputeAmount(dispute: Stripe.Dispute): string {
  const currency = String(dispute.currency).toUpperCase();
  try {
    return formatMinor(vendorMinorToIso(dispute.amount, currency, 'stripe'), currency, 'code');
  } catch {
    return `${dispute.amount} ${currency} minor units`;
  }
}
