import type { Invoice, Transaction, WebhookEvent } from 'chargebee';
import type { InvoiceEvent, InvoiceEventType } from '@invoice-signal/events';
import { canonicalEvent, isEpochSeconds, secondsToMillis, type Delivery } from './delivery.ts';
import { invalid } from '../errors.ts';
import { normaliseCurrency, vendorMinor } from './money.ts';

/** Chargebee (API v2) event types we use and the canonical type each becomes. */
export const chargebeeTypes: Record<string, InvoiceEventType> = {
  invoice_generated: 'issued',
  invoice_updated: 'updated',
  invoice_deleted: 'deleted',
  payment_succeeded: 'paid',
  payment_failed: 'payment_failed',
  payment_refunded: 'refunded',
};

type Content = { invoice?: Invoice; transaction?: Transaction };

/** Checks the envelope Chargebee posts and decides the canonical event. */
export function decideChargebeeEvent(body: unknown, receivedAt: number): Delivery {
  const event = body as WebhookEvent;
  if (!event || typeof event !== 'object') throw invalid('body', 'expected a Chargebee event object');
  if (typeof event.id !== 'string' || !event.id) throw invalid('id', 'missing event id');
  if (typeof event.event_type !== 'string') throw invalid('event_type', 'missing event type');
  if (!isEpochSeconds(event.occurred_at)) throw invalid('occurred_at', `expected epoch seconds, got ${JSON.stringify(event.occurred_at)}`);
  if (event.api_version && event.api_version !== 'v2') throw invalid('api_version', `only v2 events are supported, got ${event.api_version}`);
  const canonical = chargebeeTypes[event.event_type];
  const base = { source: 'chargebee' as const, vendorEventId: event.id, vendorType: event.event_type };
  if (!canonical) return { ...base, event: null };
  const content = (event.content ?? {}) as Content;
  if (!content.invoice || typeof content.invoice !== 'object') throw invalid('content.invoice', `a ${event.event_type} event must carry the invoice`);
  const type = refine(canonical, content.invoice);
  return { ...base, event: chargebeeInvoiceEvent(content.invoice, { vendorEventId: event.id, type, occurredAt: event.occurred_at * 1000, receivedAt, transaction: content.transaction }) };
}

/** A partial payment leaves the invoice open: it is an update, not 'paid'. */
function refine(type: InvoiceEventType, invoice: Invoice): InvoiceEventType {
  if (type === 'paid' && invoice.status !== 'paid') return 'updated';
  if (type === 'updated' && invoice.status === 'voided') return 'voided';
  return type;
}

/** One Chargebee invoice as a canonical event; Chargebee's minor units become ISO 4217's (three-decimal currencies differ). */
export function chargebeeInvoiceEvent(invoice: Invoice, meta: { vendorEventId: string; type: InvoiceEventType; occurredAt: number; receivedAt: number; transaction?: Transaction }): InvoiceEvent {
  if (typeof invoice.id !== 'string' || !invoice.id) throw invalid('content.invoice.id', 'the invoice has no id');
  const currency = normaliseCurrency(invoice.currency_code, 'content.invoice.currency_code');
  const total = vendorMinor('chargebee', invoice.total, currency, 'content.invoice.total');
  const due = vendorMinor('chargebee', invoice.amount_due, currency, 'content.invoice.amount_due', 0);
  const lines = invoice.line_items ?? [];
  const tx = meta.transaction;
  return canonicalEvent(
    { source: 'chargebee', vendorEventId: meta.vendorEventId, vendorInvoiceId: invoice.id, type: meta.type, currency, totalMinor: total, occurredAt: meta.occurredAt, receivedAt: meta.receivedAt },
    {
      vendorCustomerId: invoice.customer_id ?? null,
      subscriptionId: invoice.subscription_id ?? null,
      invoiceNumber: invoice.id,
      // Chargebee's amount_due is what is still owed after payments, credits and adjustments.
      amountDueMinor: total,
      amountPaidMinor: vendorMinor('chargebee', invoice.amount_paid, currency, 'content.invoice.amount_paid', 0),
      amountRemainingMinor: due,
      amountRefundedMinor: meta.type === 'refunded' && tx ? vendorMinor('chargebee', tx.amount, currency, 'content.transaction.amount', 0) : 0,
      issuedAt: secondsToMillis(invoice.date),
      dueAt: secondsToMillis(invoice.due_date),
      periodStart: lines.length ? Math.min(...lines.map((l) => l.date_from)) * 1000 : null,
      periodEnd: lines.length ? Math.max(...lines.map((l) => l.date_to)) * 1000 : null,
      attemptCount: invoice.dunning_attempts?.length ?? 0,
      failureReason: meta.type === 'payment_failed' ? (tx?.error_text ?? tx?.error_code ?? 'payment failed') : null,
    },
  );
}
