import { isCalendarDate, isTimeZone, type InvoiceEvent } from '@invoice-signal/events';
import { InvalidInvoiceEventError } from './errors.ts';

const amountFields = ['totalMinor', 'amountDueMinor', 'amountPaidMinor', 'amountRemainingMinor', 'amountRefundedMinor'] as const;

/**
 * Checks what the fold relies on: the record key is the invoice, the currency is an ISO 4217
 * code, amounts are whole non-negative minor units. Throws with the offending field and value.
 */
export function validateInvoiceEvent(event: InvoiceEvent, key: string | null): InvoiceEvent {
  if (!event.invoiceId) throw new InvalidInvoiceEventError('PT_INVOICE_ID', 'invoiceId is empty');
  if (!event.eventId) throw new InvalidInvoiceEventError('PT_EVENT_ID', `eventId is empty (invoice ${event.invoiceId})`);
  if (key !== null && key !== event.invoiceId) {
    throw new InvalidInvoiceEventError('PT_KEY_MISMATCH', `record key "${key}" differs from invoiceId "${event.invoiceId}" (event ${event.eventId})`);
  }
  if (!/^[A-Z]{3}$/.test(event.currency)) {
    throw new InvalidInvoiceEventError('PT_CURRENCY', `currency "${event.currency}" is not an ISO 4217 code (event ${event.eventId})`);
  }
  for (const field of amountFields) {
    const value = event[field];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidInvoiceEventError('PT_AMOUNT', `${field} must be a non-negative integer of minor units, got ${value} (event ${event.eventId})`);
    }
  }
  if (!Number.isSafeInteger(event.occurredAt) || event.occurredAt <= 0) {
    throw new InvalidInvoiceEventError('PT_OCCURRED_AT', `occurredAt must be epoch millis, got ${event.occurredAt} (event ${event.eventId})`);
  }
  // A date-only due date is re-read in the account's zone: it must be one.
  if (event.dueDate !== null && event.dueDate !== undefined && !isCalendarDate(event.dueDate)) {
    throw new InvalidInvoiceEventError('PT_DUE_DATE', `dueDate must be a calendar date YYYY-MM-DD, got ${JSON.stringify(event.dueDate)} (event ${event.eventId})`);
  }
  if (event.dueTimeZone !== null && event.dueTimeZone !== undefined && !isTimeZone(event.dueTimeZone)) {
    throw new InvalidInvoiceEventError('PT_DUE_TIME_ZONE', `dueTimeZone must be an IANA time zone, got ${JSON.stringify(event.dueTimeZone)} (event ${event.eventId})`);
  }
  return event;
}
