import { endOfLocalDay, type CustomerContext, type InvoiceEvent } from '@invoice-signal/events';

/**
 * A date-only due date ends at the end of that day where the account's billing entity is. The
 * gateway read it in its configured zone; once the account is known and has its own
 * billingTimeZone, dueAt moves to the end of the day there (dueDate, the date as sent, stays).
 * Invoices with a due instant (no dueDate) or accounts without a zone are left as they are.
 */
export function dueInAccountZone(invoice: InvoiceEvent, context: CustomerContext | null): InvoiceEvent {
  const zone = context?.billingTimeZone ?? null;
  if (invoice.dueDate === null || zone === null || zone === invoice.dueTimeZone) return invoice;
  return { ...invoice, dueAt: endOfLocalDay(invoice.dueDate, zone), dueTimeZone: zone };
}
