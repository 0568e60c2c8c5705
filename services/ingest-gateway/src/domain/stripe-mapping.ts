import type Stripe from 'stripe';
import { formatMinor, vendorMinorToIso, type InvoiceEvent, type InvoiceEventType } from '@invoice-signal/events';
import { canonicalEvent, secondsToMillis, type Delivery } from './delivery.ts';
import { invalid } from '../errors.ts';
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

/**
 * Events about a payment (a dispute, a failed charge) name the payment, not the invoice: the
 * caller finds the invoice's last known event by payment reference and `toEvent` builds the
 * canonical event from it.
 */
export type PaymentDecision = { kind: 'payment'; refs: string[]; toEvent: (last: InvoiceEvent, receivedAt: number) => InvoiceEvent };

export type StripeDecision =
  | { kind: 'invoice'; delivery: Delivery }
  | PaymentDecision
  | { kind: 'ignored' };

/** Payment events whose error is the reason an invoice's payment failed. */
/** Failed attempts reported on the payment rather than the invoice. */
export const stripePaymentFailureTypes = ['charge.failed', 'payment_intent.payment_failed'];
const paymentFailureTypes = new Set(stripePaymentFailureTypes);
/** Every dispute event Stripe sends. */
export const stripeDisputeTypes = ['created', 'updated', 'closed', 'funds_withdrawn', 'funds_reinstated'].map((t) => `charge.dispute.${t}`);

/** Fields older API versions send that the current types no longer declare. */
type LegacyInvoice = { subscription?: string | { id: string } | null; payment_intent?: string | { id: string } | null; charge?: string | { id: string } | null };

const idOf = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && 'id' in v ? String((v as { id: unknown }).id) : null);

/** Decides what a verified Stripe event means. Pure: the dispute case needs a lookup the caller does. */
export function decideStripeEvent(event: Stripe.Event, receivedAt: number): StripeDecision {
  if (event.type.startsWith('charge.dispute.')) {
    const dispute = event.data?.object as Stripe.Dispute;
    if (!dispute || typeof dispute !== 'object') throw invalid('data.object', `expected a dispute in a ${event.type} event`);
    const refs = [idOf(dispute.payment_intent), idOf(dispute.charge)].filter((r): r is string => Boolean(r));
    return { kind: 'payment', refs, toEvent: (last, receivedAt) => disputeEvent(last, event, dispute, receivedAt) };
  }
  if (paymentFailureTypes.has(event.type)) return paymentFailure(event);
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
      // The payment's error, never last_finalization_error (that one is about building the invoice).
      failureReason: meta.type === 'payment_failed' ? invoicePaymentError(invoice) : null,
      hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    },
  );
}

type PaymentError = { message?: string | null; decline_code?: string | null; code?: string | null } | null | undefined;

/** A payment error in words: Stripe's message, else its decline or error code. */
const errorText = (e: PaymentError): string | null => e?.message || e?.decline_code || e?.code || null;

/**
 * The payment error an invoice payload may carry: an expanded payment intent's
 * last_payment_error (older API versions, or a reconciliation that expanded it), or the legacy
 * last_payment_error some payloads have. Usually absent in webhooks: then null, and the reason
 * comes from the charge.failed / payment_intent.payment_failed event of the same attempt.
 */
function invoicePaymentError(invoice: Stripe.Invoice): string | null {
  const legacy = invoice as unknown as { payment_intent?: unknown; last_payment_error?: PaymentError };
  const intent = legacy.payment_intent && typeof legacy.payment_intent === 'object' ? (legacy.payment_intent as { last_payment_error?: PaymentError }) : null;
  return errorText(intent?.last_payment_error) ?? errorText(legacy.last_payment_error);
}

/**
 * charge.failed / payment_intent.payment_failed: the failed attempt with the payment's own
 * error (charge failure_message, else the outcome's seller message; the intent's
 * last_payment_error). The invoice's amounts and attempt count stay those last known, so the
 * attempt is not counted twice beside the invoice's own invoice.payment_failed.
 */
function paymentFailure(event: Stripe.Event): PaymentDecision {
  const object = event.data?.object as (Stripe.Charge | Stripe.PaymentIntent) | undefined;
  const kind: unknown = object && typeof object === 'object' ? object.object : undefined;
  if (!object || (kind !== 'charge' && kind !== 'payment_intent')) throw invalid('data.object.object', `expected a charge or payment intent in a ${event.type} event, got ${JSON.stringify(kind)}`);
  const reason = object.object === 'charge'
    ? object.failure_message || object.outcome?.seller_message || object.failure_code || null
    : errorText(object.last_payment_error);
  const refs = [object.id, object.object === 'charge' ? idOf(object.payment_intent) : idOf(object.latest_charge)].filter((r): r is string => Boolean(r));
  return {
    kind: 'payment', refs,
    toEvent: (last, receivedAt) => ({
      ...last, eventId: `stripe:${event.id}`, vendorEventId: event.id, type: 'payment_failed', failureReason: reason ?? 'payment attempt failed',
      occurredAt: event.created * 1000, receivedAt, disputeStatus: null,
    }),
  };
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
    disputeStatus: disputeOutcome(dispute.status),
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

/**
 * Stripe's dispute status as the outcome a CSM acts on: lost (the chargeback stands), won (the
 * money stays; an inquiry closed without a chargeback, or one prevented, too), else open.
 */
export function disputeOutcome(status: Stripe.Dispute.Status): 'open' | 'won' | 'lost' {
  if (status === 'lost') return 'lost';
  if (status === 'won' || status === 'warning_closed' || status === 'prevented') return 'won';
  return 'open';
}
