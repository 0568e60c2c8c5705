import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { sampleInvoiceEvent } from '@invoice-signal/testkit';
import { decideChargebeeEvent } from './chargebee-mapping.ts';
import { decideSalesforceNotification } from './salesforce-mapping.ts';
import { decideStripeEvent } from './stripe-mapping.ts';

const now = Date.UTC(2026, 10, 24);
const sfPayment = (id: string, paymentId: string, amount: string, status = 'Posted') => ({
  id, sObjectType: 'blng__Payment__c', fields: { Id: paymentId, blng__Invoice__c: 'a0x1', blng__Amount__c: amount, blng__Status__c: status, CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-02T00:00:00Z' },
});
const stripeEvent = (type: string, object: Record<string, unknown>) => ({ id: 'evt_1', type, created: 1_762_000_000, data: { object } }) as unknown as Stripe.Event;

describe('vendor mapping', () => {
  it('Stripe: ignores unused types, finds a dispute by its payment references, refuses a non-invoice object', () => {
    expect(decideStripeEvent(stripeEvent('customer.updated', { object: 'customer' }), now)).toEqual({ kind: 'ignored' });
    const dispute = decideStripeEvent(stripeEvent('charge.dispute.closed', { object: 'dispute', charge: { id: 'ch_9' }, payment_intent: 'pi_9' }), now);
    expect(dispute).toMatchObject({ kind: 'payment', refs: ['pi_9', 'ch_9'] });
    expect(() => decideStripeEvent(stripeEvent('invoice.paid', { object: 'charge' }), now)).toThrow('data.object.object: expected an invoice');
    expect(() => decideStripeEvent(stripeEvent('charge.failed', { object: 'invoice' }), now)).toThrow('data.object.object: expected a charge or payment intent');
  });

  it("Stripe: a dispute's outcome is open, won or lost", () => {
    const last = sampleInvoiceEvent({ invoiceId: 'stripe:in_9', type: 'paid' });
    const outcome = (status: string) => {
      const decision = decideStripeEvent(stripeEvent('charge.dispute.updated', { object: 'dispute', id: 'du_1', charge: 'ch_9', status, reason: 'fraudulent', amount: 500, currency: 'eur' }), now);
      if (decision.kind !== 'payment') throw new Error('expected a payment decision');
      return decision.toEvent(last, now);
    };
    expect(outcome('needs_response')).toMatchObject({ type: 'disputed', disputeStatus: 'open', invoiceId: 'stripe:in_9', failureReason: 'dispute du_1 needs_response: fraudulent (EUR 5.00)' });
    expect(outcome('lost').disputeStatus).toBe('lost');
    expect(outcome('won').disputeStatus).toBe('won');
    expect(outcome('warning_closed').disputeStatus).toBe('won');
  });

  it("Stripe: the failure reason is the payment's error, never last_finalization_error", () => {
    const invoice = (extra: Record<string, unknown>) => ({
      object: 'invoice', id: 'in_9', currency: 'eur', total: 5000, amount_due: 5000, amount_paid: 0, amount_remaining: 5000, attempt_count: 1, created: 1_762_000_000,
      last_finalization_error: { message: 'Tax calculation failed' }, ...extra,
    });
    const failed = (extra: Record<string, unknown>) => {
      const d = decideStripeEvent(stripeEvent('invoice.payment_failed', invoice(extra)), now);
      if (d.kind !== 'invoice') throw new Error('expected an invoice decision');
      return d.delivery.event!.failureReason;
    };
    // A webhook invoice names its payment intent by id only: no reason here (the charge's event brings it).
    expect(failed({ payment_intent: 'pi_9' })).toBeNull();
    expect(failed({ payment_intent: { id: 'pi_9', last_payment_error: { message: 'Your card was declined.', decline_code: 'generic_decline' } } })).toBe('Your card was declined.');
    expect(failed({ last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' } })).toBe('insufficient_funds');

    const last = sampleInvoiceEvent({ invoiceId: 'stripe:in_9', type: 'payment_failed', attemptCount: 1, amountRemainingMinor: 5000 });
    const charge = decideStripeEvent(stripeEvent('charge.failed', { object: 'charge', id: 'ch_9', payment_intent: 'pi_9', failure_message: 'Your card has insufficient funds.', failure_code: 'card_declined', outcome: { seller_message: 'The bank returned the decline code `insufficient_funds`.' } }), now);
    expect(charge).toMatchObject({ kind: 'payment', refs: ['ch_9', 'pi_9'] });
    if (charge.kind !== 'payment') throw new Error('expected a payment decision');
    expect(charge.toEvent(last, now)).toMatchObject({ type: 'payment_failed', eventId: 'stripe:evt_1', invoiceId: 'stripe:in_9', failureReason: 'Your card has insufficient funds.', attemptCount: 1, amountRemainingMinor: 5000 });
    const intent = decideStripeEvent(stripeEvent('payment_intent.payment_failed', { object: 'payment_intent', id: 'pi_9', latest_charge: 'ch_9', last_payment_error: { message: 'Your card has expired.', code: 'expired_card' } }), now);
    if (intent.kind !== 'payment') throw new Error('expected a payment decision');
    expect(intent.refs).toEqual(['pi_9', 'ch_9']);
    expect(intent.toEvent(last, now).failureReason).toBe('Your card has expired.');
  });

  it('Chargebee: refuses v1 payloads and events without an invoice, naming the field', () => {
    const base = { id: 'ev_1', occurred_at: 1_762_000_000, event_type: 'invoice_generated', content: {} };
    expect(() => decideChargebeeEvent({ ...base, api_version: 'v1' }, now)).toThrow('api_version: only v2 events are supported, got v1');
    expect(() => decideChargebeeEvent(base, now)).toThrow('content.invoice: a invoice_generated event must carry the invoice');
    expect(decideChargebeeEvent({ ...base, event_type: 'subscription_created' }, now).event).toBeNull();
  });

  it('Salesforce: a posted payment clears the known balance → paid, a partial one → updated', () => {
    const invoice = decideSalesforceNotification({ id: 'n1', sObjectType: 'blng__Invoice__c', fields: { Id: 'a0x1', blng__InvoiceStatus__c: 'Posted', blng__TotalAmount__c: '100.00', CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-01T00:00:00Z' } }, { last: null, issued: false }, now).event!;
    expect(invoice).toMatchObject({ type: 'issued', totalMinor: 10000, amountRemainingMinor: 10000, amountPaidMinor: 0 });
    const partial = decideSalesforceNotification(sfPayment('n2', 'pA', '40.00'), { last: invoice, issued: true }, now).event!;
    expect(partial).toMatchObject({ type: 'updated', amountPaidMinor: 4000, amountRemainingMinor: 6000, totalMinor: 10000 });
    expect(decideSalesforceNotification(sfPayment('n3', 'pB', '60.00'), { last: partial, issued: true }, now).event).toMatchObject({ type: 'paid', amountPaidMinor: 10000, amountRemainingMinor: 0 });
    expect(decideSalesforceNotification({ id: 'n5', sObjectType: 'Account', fields: {} }, { last: null, issued: false }, now).event).toBeNull();
  });

  it('Salesforce: a Draft or Canceled payment is not a failed payment; a declined payment transaction is', () => {
    const last = sampleInvoiceEvent({ invoiceId: 'salesforce:a0x1', source: 'salesforce', type: 'issued', totalMinor: 10000, amountDueMinor: 10000, amountRemainingMinor: 10000, attemptCount: 0 });
    for (const status of ['Draft', 'Canceled']) {
      const d = decideSalesforceNotification(sfPayment('n4', 'pC', '60.00', status), { last, issued: true }, now);
      expect(d.event).toBeNull();
      expect(d.vendorEventId).toBe(`blng__Payment__c:pC:${status}`);
    }
    const tx = (gateway: string, type = 'Charge') => decideSalesforceNotification({ id: 'n6', sObjectType: 'blng__PaymentTransaction__c', fields: {
      Id: 'tx1', blng__RequestInvoice__c: 'a0x1', blng__Amount__c: '100.00', blng__Type__c: type, blng__GatewayStatus__c: gateway, blng__ResponseMessage__c: 'Insufficient funds',
      CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-03T00:00:00Z',
    } }, { last, issued: true }, now).event;
    expect(tx('Decline')).toMatchObject({ type: 'payment_failed', eventId: 'salesforce:blng__PaymentTransaction__c:tx1', invoiceId: 'salesforce:a0x1', failureReason: 'Insufficient funds', attemptCount: 1, amountRemainingMinor: 10000 });
    expect(tx('Success')).toBeNull();
    expect(tx('RequiresReview')).toBeNull();
    expect(tx('Decline', 'Refund')).toBeNull();
  });

  it('Salesforce: a payment notified again (new notification id) is the same receipt, and never pays more than is due', () => {
    const last = sampleInvoiceEvent({ invoiceId: 'salesforce:a0x1', source: 'salesforce', type: 'updated', totalMinor: 10000, amountDueMinor: 10000, amountPaidMinor: 10000, amountRemainingMinor: 0 });
    const first = decideSalesforceNotification(sfPayment('n7', 'pD', '100.00'), { last, issued: true }, now);
    const again = decideSalesforceNotification(sfPayment('n8', 'pD', '100.00'), { last, issued: true }, now);
    expect(again.vendorEventId).toBe(first.vendorEventId);
    expect(first.event).toMatchObject({ eventId: 'salesforce:blng__Payment__c:pD:Posted', amountPaidMinor: 10000, amountRemainingMinor: 0 });
  });
});
