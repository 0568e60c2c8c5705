import { z } from 'zod';
import { instantOf, type InvoiceEvent, type InvoiceEventType } from '@invoice-signal/events';
import { parsedBy } from '@invoice-signal/runtime';
import { canonicalEvent, canonicalInvoiceId, type Delivery } from './delivery.ts';
import { invalid } from '../errors.ts';
import { decimalToMinor, normaliseCurrency } from './money.ts';
import { dueDateOf, noDueDate } from './vendor-dates.ts';

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

export const salesforceObjectTypes = ['blng__Invoice__c', 'blng__Payment__c', 'blng__PaymentTransaction__c'];

/** The field naming the invoice, per object: a payment transaction names the invoice it tries to pay. */
const invoiceField: Record<string, string> = { blng__Invoice__c: 'Id', blng__Payment__c: 'blng__Invoice__c', blng__PaymentTransaction__c: 'blng__RequestInvoice__c' };

/** The invoice the notification is about, so the caller can look up its history. */
export function salesforceInvoiceRef(n: SalesforceNotification): string | null {
  const name = invoiceField[n.sObjectType];
  const id = name ? n.fields[name] : null;
  return id ? canonicalInvoiceId('salesforce', id) : null;
}

/** `zone`: the billing entity's zone (SALESFORCE_BILLING_TIME_ZONE), in which date-only fields are read. */
export function decideSalesforceNotification(n: SalesforceNotification, history: InvoiceHistory, receivedAt: number, zone = 'UTC'): Delivery {
  const base = { source: 'salesforce' as const, vendorEventId: n.id, vendorType: n.sObjectType };
  if (n.sObjectType === 'blng__Invoice__c') return { ...base, event: invoiceEvent(n, history, receivedAt, zone) };
  if (n.sObjectType === 'blng__Payment__c') return paymentDelivery(n, history, receivedAt, zone);
  // A transaction's outcome is final: the same transaction notified again is the same receipt.
  if (n.sObjectType === 'blng__PaymentTransaction__c') {
    const vendorEventId = `blng__PaymentTransaction__c:${field(n, 'Id')}`;
    return { ...base, vendorEventId, event: transactionEvent(n, vendorEventId, history, receivedAt, zone) };
  }
  return { ...base, event: null };
}

const required = z.string('required field is missing').min(1, 'required field is missing');

/** A field read by a zod schema (dates by the shared parser); a refusal names the field. */
function read<T>(n: SalesforceNotification, name: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(n.fields[name] ?? null);
  if (!parsed.success) throw invalid(`Notification[${n.id}].sObject.${name}`, parsed.error.issues[0]!.message);
  return parsed.data;
}
const field = (n: SalesforceNotification, name: string): string => read(n, name, required);
const optional = (n: SalesforceNotification, name: string): string | null => n.fields[name] || null;

/** Date fields (blng__InvoiceDate__c…) are dates, a day in the billing zone; datetime fields must carry their zone (Salesforce sends Z). */
const dated = <T>(n: SalesforceNotification, name: string, parse: (text: string) => T): T | null =>
  read(n, name, z.string().nullable().transform(parsedBy((v: string | null) => (v ? parse(v) : null))));
const lastModified = (n: SalesforceNotification, zone: string) => read(n, 'LastModifiedDate', required.transform(parsedBy((v: string) => instantOf(v, zone))));
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
    { source: 'salesforce', vendorEventId: n.id, vendorInvoiceId: field(n, 'Id'), type: invoiceType(field(n, 'blng__InvoiceStatus__c'), optional(n, 'blng__PaymentStatus__c'), history), currency, totalMinor: total, occurredAt: lastModified(n, zone), receivedAt },
    {
      vendorCustomerId: optional(n, 'blng__Account__c'),
      subscriptionId: optional(n, 'blng__Order__c'),
      invoiceNumber: optional(n, 'Name'),
      amountDueMinor: total,
      amountPaidMinor: paid,
      amountRemainingMinor: balance,
      issuedAt: dated(n, 'blng__InvoiceDate__c', (v) => instantOf(v, zone)),
      // A due date (a Date field) runs to the end of that day where the billing entity is.
      ...(dated(n, 'blng__DueDate__c', (v) => dueDateOf(v, zone)) ?? noDueDate),
      periodStart: dated(n, 'blng__TargetDate__c', (v) => instantOf(v, zone)),
    },
  );
}

/**
 * A blng__Payment__c is money received (Draft: not yet, Posted: received, Canceled: withdrawn),
 * never a failed attempt: failures are gateway declines on blng__PaymentTransaction__c. Only a
 * Posted payment says something, applied to the invoice's last known amounts; Draft and Canceled
 * are kept in the receipt log and published as nothing (the invoice's own notification carries
 * the balance a cancellation restores). The receipt's dedupe key is the payment and its status,
 * not the notification: Salesforce re-sends a payment (a retried outbound message, a workflow
 * firing again on an edit) with a new notification id, and it must not be counted twice.
 */
function paymentDelivery(n: SalesforceNotification, history: InvoiceHistory, receivedAt: number, zone: string): Delivery {
  const status = field(n, 'blng__Status__c');
  const vendorEventId = `blng__Payment__c:${field(n, 'Id')}:${status}`;
  const base = { source: 'salesforce' as const, vendorEventId, vendorType: n.sObjectType };
  if (status !== 'Posted') return { ...base, event: null };
  return { ...base, event: postedPayment(n, vendorEventId, history, receivedAt, zone) };
}

/** Posted and covering the balance → paid; partial → updated. What was paid never exceeds what was due. */
function postedPayment(n: SalesforceNotification, vendorEventId: string, history: InvoiceHistory, receivedAt: number, zone: string): InvoiceEvent {
  const currency = normaliseCurrency(field(n, 'CurrencyIsoCode'), `Notification[${n.id}].sObject.CurrencyIsoCode`);
  const amount = money(n, 'blng__Amount__c', currency);
  const last = history.last;
  const due = last?.amountDueMinor ?? amount;
  const remaining = Math.max(0, (last ? last.amountRemainingMinor : amount) - amount);
  return canonicalEvent(
    { source: 'salesforce', vendorEventId, vendorInvoiceId: field(n, 'blng__Invoice__c'), type: remaining === 0 ? 'paid' : 'updated', currency, totalMinor: last?.totalMinor ?? amount, occurredAt: lastModified(n, zone), receivedAt },
    {
      ...carried(n, last),
      amountDueMinor: due,
      amountPaidMinor: Math.min(due, (last?.amountPaidMinor ?? 0) + amount),
      amountRemainingMinor: remaining,
      attemptCount: last?.attemptCount ?? 0,
    },
  );
}

/** Gateway statuses of a payment transaction that mean the attempt failed (Indeterminate and RequiresReview may still succeed). */
const failedGatewayStatuses = new Set(['Decline', 'PermanentFail', 'SystemError', 'ValidationError']);

/**
 * blng__PaymentTransaction__c: a Charge or Capture the gateway declined is a failed payment, with
 * the gateway's response message as the reason. A successful one creates a blng__Payment__c,
 * which says it; other types (Authorization, Refund, Void) and pending results say nothing.
 */
function transactionEvent(n: SalesforceNotification, vendorEventId: string, history: InvoiceHistory, receivedAt: number, zone: string): InvoiceEvent | null {
  const type = optional(n, 'blng__Type__c');
  const gateway = optional(n, 'blng__GatewayStatus__c');
  if ((type !== 'Charge' && type !== 'Capture') || !gateway || !failedGatewayStatuses.has(gateway)) return null;
  const last = history.last;
  const currency = normaliseCurrency(field(n, 'CurrencyIsoCode'), `Notification[${n.id}].sObject.CurrencyIsoCode`);
  // With the invoice unknown, the attempted amount is what we know of it.
  const attempted = last ? null : money(n, 'blng__Amount__c', currency);
  return canonicalEvent(
    { source: 'salesforce', vendorEventId, vendorInvoiceId: field(n, 'blng__RequestInvoice__c'), type: 'payment_failed', currency, totalMinor: last?.totalMinor ?? attempted!, occurredAt: lastModified(n, zone), receivedAt },
    {
      ...carried(n, last),
      amountDueMinor: last?.amountDueMinor ?? attempted!,
      amountPaidMinor: last?.amountPaidMinor ?? 0,
      amountRemainingMinor: last?.amountRemainingMinor ?? attempted!,
      attemptCount: (last?.attemptCount ?? 0) + 1,
      failureReason: optional(n, 'blng__ResponseMessage__c') ?? `payment ${gateway}`,
    },
  );
}

/** What a payment notification does not carry and the invoice's last event does. */
function carried(n: SalesforceNotification, last: InvoiceEvent | null): Partial<InvoiceEvent> {
  return {
    vendorCustomerId: optional(n, 'blng__Account__c') ?? last?.vendorCustomerId ?? null,
    subscriptionId: last?.subscriptionId ?? null,
    invoiceNumber: last?.invoiceNumber ?? null,
    issuedAt: last?.issuedAt ?? null,
    dueAt: last?.dueAt ?? null,
    dueDate: last?.dueDate ?? null,
    dueTimeZone: last?.dueTimeZone ?? null,
  };
}
