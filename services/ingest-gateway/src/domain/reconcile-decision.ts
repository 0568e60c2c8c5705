import type { InvoiceEventType } from '@invoice-signal/events';

/**
 * The canonical type a listed invoice stands for, or null when there is nothing to say. A Stripe
 * draft is 'updated', as its invoice.created webhook would have been: known, not yet issued.
 */
export function stripeStatusType(status: string | null | undefined): InvoiceEventType | null {
  return ({ draft: 'updated', open: 'issued', paid: 'paid', void: 'voided', uncollectible: 'uncollectible' } as Record<string, InvoiceEventType>)[status ?? ''] ?? null;
}

export function chargebeeStatusType(status: string | null | undefined): InvoiceEventType | null {
  return ({ posted: 'issued', payment_due: 'issued', not_paid: 'payment_failed', paid: 'paid', voided: 'voided' } as Record<string, InvoiceEventType>)[status ?? ''] ?? null;
}

/**
 * A reconciled invoice is its own delivery: the id names the invoice and the status found, so
 * running reconciliation again finds the receipt and emits nothing new.
 */
export const reconcileEventId = (vendorInvoiceId: string, status: string) => `reconcile:${vendorInvoiceId}:${status}`;
