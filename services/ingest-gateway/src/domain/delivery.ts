import type { BillingSource, InvoiceEvent, InvoiceEventType } from '@invoice-signal/events';

/**
 * What the gateway decided about one vendor delivery (or one upload row): the receipt to keep,
 * and the canonical event to publish, or none when the event type is one we do not use.
 */
export interface Delivery {
  source: BillingSource;
  /** The vendor's id of this delivery; with the source it is the dedupe key. */
  vendorEventId: string;
  /** The vendor's event type as sent, for metrics and audit. */
  vendorType: string;
  event: InvoiceEvent | null;
  /** Payment references (Stripe payment intents, charges) that point at the invoice, for disputes. */
  paymentRefs?: string[];
}

export const dedupeKey = (source: BillingSource, vendorEventId: string) => `${source}:${vendorEventId}`;
/** Deterministic: a redelivery of the same vendor event always gets the same eventId. */
export const canonicalEventId = dedupeKey;
export const canonicalInvoiceId = (source: BillingSource, vendorInvoiceId: string) => `${source}:${vendorInvoiceId}`;

/** An event time in epoch seconds a vendor can mean: a whole number from 1970 to year 9999 (its millis stay exact). */
export const isEpochSeconds = (s: unknown): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 0 && s <= 253_402_300_799;

/** Epoch seconds (Stripe, Chargebee) to epoch millis; absent stays null. */
export const secondsToMillis = (s: number | null | undefined): number | null => (typeof s === 'number' && Number.isFinite(s) ? s * 1000 : null);

export interface EventBase {
  source: BillingSource;
  vendorEventId: string;
  vendorInvoiceId: string;
  type: InvoiceEventType;
  currency: string;
  totalMinor: number;
  occurredAt: number;
  receivedAt: number;
}

/** A canonical event with every optional field at its neutral value, then the given ones. */
export function canonicalEvent(base: EventBase, rest: Partial<InvoiceEvent> = {}): InvoiceEvent {
  return {
    eventId: canonicalEventId(base.source, base.vendorEventId),
    invoiceId: canonicalInvoiceId(base.source, base.vendorInvoiceId),
    vendorCustomerId: null, accountId: null, subscriptionId: null, invoiceNumber: null,
    amountDueMinor: base.totalMinor, amountPaidMinor: 0, amountRemainingMinor: base.totalMinor, amountRefundedMinor: 0,
    issuedAt: null, dueAt: null, periodStart: null, periodEnd: null, attemptCount: 0, failureReason: null, hostedInvoiceUrl: null,
    dueDate: null, dueTimeZone: null, origin: 'live',
    disputeStatus: null,
    ...base,
    ...rest,
  };
}
