import type { InvoiceEvent } from '@invoice-signal/events';

/** One invoice the scorer has seen, as its own history table keeps it. */
export interface PastInvoice {
  invoiceId: string;
  subscriptionId: string | null;
  currency: string;
  totalMinor: number;
  issuedAt: number;
}

/** What the rules need from the account's history, all strictly earlier than the invoice assessed. */
export interface InvoiceHistory {
  /** Latest earlier invoice of the account (the invoice itself and its re-enrichments never count); null: none. */
  previousForAccount: PastInvoice | null;
  /** Previous invoice of the same subscription, when the invoice names one. */
  previousForSubscription: PastInvoice | null;
}

export const emptyHistory: InvoiceHistory = { previousForAccount: null, previousForSubscription: null };

/**
 * The moment an invoice is placed at in the account's history and the time the rules measure
 * from: issue date, else when the vendor says the event happened. Never the wall clock, so a
 * replay decides exactly as the first run did.
 */
export const invoiceTime = (invoice: InvoiceEvent) => invoice.issuedAt ?? invoice.occurredAt;

/** The history row an assessed invoice leaves behind. */
export function toPastInvoice(invoice: InvoiceEvent): PastInvoice {
  return { invoiceId: invoice.invoiceId, subscriptionId: invoice.subscriptionId, currency: invoice.currency, totalMinor: invoice.totalMinor, issuedAt: invoiceTime(invoice) };
}
