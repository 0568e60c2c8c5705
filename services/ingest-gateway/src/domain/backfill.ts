import type Stripe from 'stripe';
import type { Invoice, Transaction } from 'chargebee';
import type { InvoiceEvent, InvoiceEventType } from '@invoice-signal/events';
import { chargebeeInvoiceEvent } from './chargebee-mapping.ts';
import { secondsToMillis, type Delivery } from './delivery.ts';
import { paymentRefs, stripeInvoiceEvent } from './stripe-mapping.ts';

/**
 * The first day of the backfill: `months` calendar months before the connection, in UTC (a day
 * the month lacks, the 31st, becomes its last day).
 */
export function backfillStart(connectedAt: number, months: number): number {
  const d = new Date(connectedAt);
  const [year, month] = [d.getUTCFullYear(), d.getUTCMonth() - months];
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/**
 * A backfilled event's id names the invoice and what the event says, so importing the same
 * history again finds the receipts and emits nothing.
 */
export const backfillEventId = (vendorInvoiceId: string, what: string) => `backfill:${vendorInvoiceId}:${what}`;

const asBackfill = (event: InvoiceEvent): InvoiceEvent => ({ ...event, origin: 'backfill' });

/** A Stripe invoice's state and the canonical type that stands for it; a draft says nothing yet. */
const stripeStates: Record<string, InvoiceEventType> = { open: 'issued', paid: 'paid', void: 'voided', uncollectible: 'uncollectible' };

/**
 * One Stripe invoice of the history as events: issued at finalization (so the scorer's own
 * history knows the account's earlier invoices and amounts), a failed payment when an attempt
 * failed (more attempts than the one that paid), and its state now, dated when it got there.
 * Stripe's invoice does not say when an attempt failed: the failure is dated at finalization,
 * the earliest it can have been, so it orders before the payment.
 */
export function stripeBackfill(invoice: Stripe.Invoice, receivedAt: number): Delivery[] {
  const type = stripeStates[invoice.status ?? ''];
  if (!type || !invoice.id) return [];
  const t = invoice.status_transitions ?? {};
  const finalized = secondsToMillis(t.finalized_at ?? invoice.created)!;
  const stateAt = { paid: t.paid_at, voided: t.voided_at, uncollectible: t.marked_uncollectible_at }[type as string];
  const failures = (invoice.attempt_count ?? 0) - (type === 'paid' ? 1 : 0);
  const found: Array<{ what: string; type: InvoiceEventType; occurredAt: number }> = [{ what: 'issued', type: 'issued', occurredAt: finalized }];
  if (failures > 0 && invoice.attempted) found.push({ what: 'payment_failed', type: 'payment_failed', occurredAt: finalized });
  if (type !== 'issued') found.push({ what: String(invoice.status), type, occurredAt: secondsToMillis(stateAt) ?? finalized });
  return found.map((f) => {
    const vendorEventId = backfillEventId(invoice.id!, f.what);
    return { source: 'stripe', vendorEventId, vendorType: 'backfill.invoice', paymentRefs: paymentRefs(invoice), event: asBackfill(stripeInvoiceEvent(invoice, { vendorEventId, type: f.type, occurredAt: f.occurredAt, receivedAt })) };
  });
}

/** A Chargebee invoice's state and the canonical type that stands for it; pending (not final) says nothing yet. */
const chargebeeStates: Record<string, InvoiceEventType> = { posted: 'issued', payment_due: 'issued', not_paid: 'payment_failed', paid: 'paid', voided: 'voided' };

/**
 * One Chargebee invoice of the history as events: issued at its date, one failed payment per
 * failed payment transaction applied to it (dated and explained by the transaction), and its
 * state now, dated when it got there.
 */
export function chargebeeBackfill(invoice: Invoice, failedPayments: Transaction[], receivedAt: number): Delivery[] {
  const type = chargebeeStates[invoice.status ?? ''];
  if (!type || !invoice.id) return [];
  const dated = secondsToMillis(invoice.date) ?? receivedAt;
  const stateAt = type === 'paid' ? invoice.paid_at : type === 'voided' ? invoice.voided_at : undefined;
  const found: Array<{ what: string; type: InvoiceEventType; occurredAt: number; transaction?: Transaction }> = [
    { what: 'issued', type: 'issued', occurredAt: dated },
    ...failedPayments.map((tx) => ({ what: `failed:${tx.id}`, type: 'payment_failed' as const, occurredAt: secondsToMillis(tx.date) ?? dated, transaction: tx })),
  ];
  if (type !== 'issued') found.push({ what: invoice.status, type, occurredAt: secondsToMillis(stateAt) ?? dated });
  return found.map((f) => {
    const vendorEventId = backfillEventId(invoice.id, f.what);
    return { source: 'chargebee', vendorEventId, vendorType: 'backfill.invoice', event: asBackfill(chargebeeInvoiceEvent(invoice, { vendorEventId, type: f.type, occurredAt: f.occurredAt, receivedAt, transaction: f.transaction })) };
  });
}

/** Failed payment transactions by the invoices they were applied to. */
export function failuresByInvoice(transactions: Transaction[]): Map<string, Transaction[]> {
  const out = new Map<string, Transaction[]>();
  for (const tx of transactions) {
    for (const link of tx.linked_invoices ?? []) out.set(link.invoice_id, [...(out.get(link.invoice_id) ?? []), tx]);
  }
  return out;
}
