import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { decideChargebeeEvent } from './chargebee-mapping.ts';
import { decideSalesforceNotification } from './salesforce-mapping.ts';
import { decideStripeEvent } from './stripe-mapping.ts';

const now = Date.UTC(2026, 10, 24);
const stripeEvent = (type: string, object: Record<string, unknown>) => ({ id: 'evt_1', type, created: 1_762_000_000, data: { object } }) as unknown as Stripe.Event;

describe('vendor mapping', () => {
  it('Stripe: ignores unused types, finds a dispute by its payment references, refuses a non-invoice object', () => {
    expect(decideStripeEvent(stripeEvent('customer.updated', { object: 'customer' }), now)).toEqual({ kind: 'ignored' });
    const dispute = decideStripeEvent(stripeEvent('charge.dispute.closed', { object: 'dispute', charge: { id: 'ch_9' }, payment_intent: 'pi_9' }), now);
    expect(dispute).toMatchObject({ kind: 'dispute', refs: ['pi_9', 'ch_9'] });
    expect(() => decideStripeEvent(stripeEvent('invoice.paid', { object: 'charge' }), now)).toThrow('data.object.object: expected an invoice');
  });

  it('Chargebee: refuses v1 payloads and events without an invoice, naming the field', () => {
    const base = { id: 'ev_1', occurred_at: 1_762_000_000, event_type: 'invoice_generated', content: {} };
    expect(() => decideChargebeeEvent({ ...base, api_version: 'v1' }, now)).toThrow('api_version: only v2 events are supported, got v1');
    expect(() => decideChargebeeEvent(base, now)).toThrow('content.invoice: a invoice_generated event must carry the invoice');
    expect(decideChargebeeEvent({ ...base, event_type: 'subscription_created' }, now).event).toBeNull();
  });

  it('Salesforce: a payment clears the known balance → paid, a partial one → updated, a failed one → payment_failed', () => {
    const invoice = decideSalesforceNotification({ id: 'n1', sObjectType: 'blng__Invoice__c', fields: { Id: 'a0x1', blng__InvoiceStatus__c: 'Posted', blng__TotalAmount__c: '100.00', CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-01T00:00:00Z' } }, { last: null, issued: false }, now).event!;
    expect(invoice).toMatchObject({ type: 'issued', totalMinor: 10000, amountRemainingMinor: 10000, amountPaidMinor: 0 });
    const pay = (id: string, amount: string, status = 'Posted') => ({ id, sObjectType: 'blng__Payment__c', fields: { Id: `p${id}`, blng__Invoice__c: 'a0x1', blng__Amount__c: amount, blng__Status__c: status, CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-02T00:00:00Z' } });
    const partial = decideSalesforceNotification(pay('n2', '40.00'), { last: invoice, issued: true }, now).event!;
    expect(partial).toMatchObject({ type: 'updated', amountPaidMinor: 4000, amountRemainingMinor: 6000, totalMinor: 10000 });
    expect(decideSalesforceNotification(pay('n3', '60.00'), { last: partial, issued: true }, now).event).toMatchObject({ type: 'paid', amountPaidMinor: 10000, amountRemainingMinor: 0 });
    expect(decideSalesforceNotification(pay('n4', '60.00', 'Canceled'), { last: partial, issued: true }, now).event).toMatchObject({ type: 'payment_failed', amountRemainingMinor: 6000, failureReason: 'payment pn4 Canceled' });
    expect(decideSalesforceNotification({ id: 'n5', sObjectType: 'Account', fields: {} }, { last: null, issued: false }, now).event).toBeNull();
  });
});
