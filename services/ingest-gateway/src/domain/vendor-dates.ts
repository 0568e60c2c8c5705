import { endOfLocalDay, parseIsoDateOrInstant, type InvoiceEvent } from '@invoice-signal/events';

/**
 * Dates as billing sources send them: a date-time must carry Z or an offset; a date alone is a
 * calendar day of the billing entity, read in the source's zone (BILLING_TIME_ZONE and its
 * per-source overrides). Throws RangeError with a reason; callers name the field.
 */

/** dueAt, plus the date as sent and the zone it was read in when it carried no time of day. */
export type DueFields = Pick<InvoiceEvent, 'dueAt' | 'dueDate' | 'dueTimeZone'>;
export const noDueDate: DueFields = { dueAt: null, dueDate: null, dueTimeZone: null };

/** A due date: a date alone runs to the END of that day in `zone` (23:59:59.999 local); a date-time is taken as is. */
export function dueDateOf(text: string, zone: string): DueFields {
  const v = parseIsoDateOrInstant(text);
  return v.kind === 'instant' ? { dueAt: v.at, dueDate: null, dueTimeZone: null } : { dueAt: endOfLocalDay(v.date, zone), dueDate: v.date, dueTimeZone: zone };
}

/** Billing zone per date-only source, from configuration. */
export interface BillingTimeZones {
  salesforce: string;
  upload: string;
  internal: string;
}
