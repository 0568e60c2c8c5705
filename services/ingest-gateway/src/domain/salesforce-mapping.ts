import type { InvoiceEvent, InvoiceEventType } from '@invoice-signal/events';
import { canonicalEvent, canonicalInvoiceId, type Delivery } from './delivery.ts';
import { invalid } from './errors.ts';
import { decimalToMinor, normaliseCurrency } from './money.ts';
import { dueDateOf, instantOf, noDueDate } from './vendor-dates.ts';

/** One <Notification> of a Salesforce Outbound Message, namespaces stripped, values as text. */
export interface SalesforceNotification {
  id: string;
  sObjectType: string;
  fields: Record<string, string | null>;
}

/** What the gateway already knows about an invoice (from its receipt log). */
export interface InvoiceHistory {
  last: InvoiceEvent | null;
  issued: boolean;
}

export const salesforceObjectTypes = ['blng__Invoice__c', 'blng__Payment__c'];

/** The invoice the notification is about, so the caller can look up its history. */
export function salesforceInvoiceRef(n: SalesforceNotification): string | null {
  const id = n.sObjectType === 'blng__Invoice__c' ? n.fields.Id : n.sObjectType === 'blng__Payment__c' ? n.fields.blng__Invoice__c : null;
  return id ? canonicalInvoiceId('salesforce', id) : null;
}

/** `zone`: the billing entity's zone (SALESFORCE_BILLING_TIME_ZONE), in which date-only fields are read. */
export function decideSalesforceNotification(n: SalesforceNotification, history: InvoiceHistory, receivedAt: number, zone = 'UTC'): Delivery {
  const base = { source: 'salesforce' as const, vendorEventId: n.id, vendorType: n.sObjectType };
  if (n.sObjectType === 'blng__Invoice__c') return { ...base, event: invoiceEvent(n, history, receivedAt, zone) };
  if (n.sObjectType === 'blng__Payment__c') return { ...base, event: paymentEvent(n, history, receivedAt, zone) };
  return { ...base, event: null };
}

const field = (n: SalesforceNotification, name: string): string => {
  const v = n.fields[name];
  if (v === null || v === undefined || v === '') throw invalid(`Notification[${n.id}].sObject.${name}`, 'required field is missing');
  return v;
};
const optional = (n: SalesforceNotification, name: string): string | null => n.fields[name] || null;

/** Date fields (blng__InvoiceDate__c…) are dates; datetime fields must carry their zone (Salesforce sends Z). */
function dated<T>(n: SalesforceNotification, name: string, value: string | null, parse: (text: string) => T): T | null {
  if (value === null) return null;
  try {
    return parse(value);
  } catch (error) {
    throw invalid(`Notification[${n.id}].sObject.${name}`, (error as Error).message);
  }
}
/** A date alone is the start of that day in the billing zone. */
const instant = (n: SalesforceNotification, name: string, value: string | null, zone: string) => dated(n, name, value, (v) => instantOf(v, zone));
const money = (n: SalesforceNotification, name: string, currency: string) => decimalToMinor(field(n, name), currency, `Notification[${n.id}].sObject.${name}`);

/** Posted → issued the first time, updated after; Paid → paid; Cancelled or Rebilled → voided; Draft → updated. */
function invoiceType(status: string, paymentStatus: string | null, history: InvoiceHistory): InvoiceEventType {
  if (status === 'Cancelled' || status === 'Rebilled') return 'voided';
  if (status === 'Draft') return 'updated';
  if (paymentStatus === 'Paid') return 'paid';
  return history.issued ? 'updated' : 'issued';
}

function invoiceEvent(n: SalesforceNotification, history: InvoiceHistory, receivedAt: number, zone: string): InvoiceEvent {
  const currency = normaliseCurrency(field(n, 'CurrencyIsoCode'), `Notification[${n.id}].sObject.CurrencyIsoCode`);
  const total = money(n, 'blng__TotalAmount__c', currency);
  const balance = n.fields.blng__Balance__c ? money(n, 'blng__Balance__c', currency) : total;
  const paid = n.fields.blng__Payments__c ? money(n, 'blng__Payments__c', currency) : total - balance;
  return canonicalEvent(
    { source: 'salesforce', vendorEventId: n.id, vendorInvoiceId: field(n, 'Id'), type: invoiceType(field(n, 'blng__InvoiceStatus__c'), optional(n, 'blng__PaymentStatus__c'), history), currency, totalMinor: total, occurredAt: instant(n, 'LastModifiedDate', field(n, 'LastModifiedDate'), zone)!, receivedAt },
    {
      vendorCustomerId: optional(n, 'blng__Account__c'),
      subscriptionId: optional(n, 'blng__Order__c'),
      invoiceNumber: optional(n, 'Name'),
      amountDueMinor: total,
      amountPaidMinor: paid,
      amountRemainingMinor: balance,
      issuedAt: instant(n, 'blng__InvoiceDate__c', optional(n, 'blng__InvoiceDate__c'), zone),
      // A due date (a Date field) runs to the end of that day where the billing entity is.
      ...(dated(n, 'blng__DueDate__c', optional(n, 'blng__DueDate__c'), (v) => dueDateOf(v, zone)) ?? noDueDate),
      periodStart: instant(n, 'blng__TargetDate__c', optional(n, 'blng__TargetDate__c'), zone),
    },
  );
}

/**
 * A payment applies to the invoice's last known amounts; with none known, the payment alone is
 * what we know. Posted and covering the balance → paid; posted partial → updated; anything
 * else (Canceled, Declined…) → payment_failed.
 */
function paymentEvent(n: SalesforceNotification, history: InvoiceHistory, receivedAt: number, zone: string): InvoiceEvent {
  const currency = normaliseCurrency(field(n, 'CurrencyIsoCode'), `Notification[${n.id}].sObject.CurrencyIsoCode`);
  const amount = money(n, 'blng__Amount__c', currency);
  const status = field(n, 'blng__Status__c');
  const last = history.last;
  const remainingBefore = last ? last.amountRemainingMinor : amount;
  const posted = status === 'Posted';
  const remaining = posted ? Math.max(0, remainingBefore - amount) : remainingBefore;
  const type: InvoiceEventType = !posted ? 'payment_failed' : remaining === 0 ? 'paid' : 'updated';
  return canonicalEvent(
    { source: 'salesforce', vendorEventId: n.id, vendorInvoiceId: field(n, 'blng__Invoice__c'), type, currency, totalMinor: last?.totalMinor ?? amount, occurredAt: instant(n, 'LastModifiedDate', field(n, 'LastModifiedDate'), zone)!, receivedAt },
    {
      vendorCustomerId: optional(n, 'blng__Account__c') ?? last?.vendorCustomerId ?? null,
      subscriptionId: last?.subscriptionId ?? null,
      invoiceNumber: last?.invoiceNumber ?? null,
      amountDueMinor: last?.amountDueMinor ?? amount,
      amountPaidMinor: (last?.amountPaidMinor ?? 0) + (posted ? amount : 0),
      amountRemainingMinor: remaining,
      issuedAt: last?.issuedAt ?? null,
      dueAt: last?.dueAt ?? null, dueDate: last?.dueDate ?? null, dueTimeZone: last?.dueTimeZone ?? null,
      attemptCount: (last?.attemptCount ?? 0) + 1,
      failureReason: posted ? null : `payment ${field(n, 'Id')} ${status}`,
    },
  );
}
