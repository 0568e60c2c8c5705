import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { uniqueName, type Received, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { chargebeeAuth, secrets, startGateway, openInvoiceReader, deleteNamespaceTopics } from './support/gateway.ts';
import { uid } from './support/stripe-payloads.ts';
import { chargebeeEvent, chargebeeInvoice, chargebeeTransaction, outboundMessage, soapHeaders } from '@invoice-signal/testkit';

describe('Chargebee and Salesforce Billing deliveries', () => {
  const namespace = uniqueName('cb_sf');
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  const forInvoice = (id: string) => (r: Received<InvoiceEvent>) => r.value?.invoiceId === id;
  const postChargebee = (body: unknown, headers: Record<string, string> = chargebeeAuth, path = '/api/webhooks/billing/chargebee') =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const postSoap = (xml: string, path = '/api/webhooks/billing/salesforce') => fetch(`${gateway.url}${path}?token=${secrets.SALESFORCE_ENDPOINT_TOKEN}`, { method: 'POST', headers: soapHeaders, body: xml });

  beforeAll(async () => {
    gateway = await startGateway(namespace);
    reader = await openInvoiceReader(namespace);
  });
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  it('maps Chargebee invoice_generated field by field and answers exactly 200', async () => {
    const invoice = chargebeeInvoice();
    const event = chargebeeEvent('invoice_generated', { invoice });
    const res = await postChargebee(event);
    expect(res.status).toBe(200);
    const [record] = await reader.waitFor(1, forInvoice(`chargebee:${invoice.id}`));
    expect(record.value).toEqual({
      eventId: `chargebee:${event.id}`, invoiceId: `chargebee:${invoice.id}`, type: 'issued', source: 'chargebee', vendorEventId: event.id,
      vendorInvoiceId: invoice.id, vendorCustomerId: 'cb_acme', accountId: null, subscriptionId: 'cb_sub_1', invoiceNumber: invoice.id,
      currency: 'USD', totalMinor: 99900, amountDueMinor: 99900, amountPaidMinor: 0, amountRemainingMinor: 99900, amountRefundedMinor: 0,
      issuedAt: 1_762_000_000_000, dueAt: 1_764_592_000_000, periodStart: 1_759_408_000_000, periodEnd: 1_762_000_000_000, attemptCount: 0,
      failureReason: null, hostedInvoiceUrl: null, occurredAt: 1_762_000_300_000, receivedAt: expect.any(Number),
      dueDate: null, dueTimeZone: null, origin: 'live',
      disputeStatus: null,
    });
  });

  it('maps the other Chargebee event types and dedupes a redelivery', async () => {
    const invoice = chargebeeInvoice();
    const paid = { ...invoice, status: 'paid', amount_paid: 99900, amount_due: 0 };
    const partial = { ...invoice, status: 'payment_due', amount_paid: 40000, amount_due: 59900 };
    const failedInvoice = { ...invoice, dunning_attempts: [{ attempt: 0, created_at: 1_762_000_300, transaction_id: 'txn_f', dunning_type: 'auto_collect' }] };
    const events = [
      chargebeeEvent('invoice_updated', { invoice: { ...invoice, status: 'voided' } }),
      chargebeeEvent('invoice_deleted', { invoice: { ...invoice, deleted: true } }),
      chargebeeEvent('payment_succeeded', { invoice: paid, transaction: chargebeeTransaction() }),
      chargebeeEvent('payment_succeeded', { invoice: partial, transaction: chargebeeTransaction({ amount: 40000 }) }),
      chargebeeEvent('payment_failed', { invoice: failedInvoice, transaction: chargebeeTransaction({ status: 'failure', error_text: 'Card declined: insufficient funds' }) }),
      chargebeeEvent('payment_refunded', { invoice: paid, transaction: chargebeeTransaction({ type: 'refund', amount: 10000 }) }),
    ];
    for (const e of events) expect((await postChargebee(e)).status).toBe(200);
    expect((await postChargebee(events[2])).status).toBe(200); // Chargebee retrying
    const records = await reader.waitFor(6, forInvoice(`chargebee:${invoice.id}`));
    const byEvent = Object.fromEntries(records.map((r) => [r.value!.vendorEventId, r.value!]));
    expect(byEvent[events[0].id as string].type).toBe('voided');
    expect(byEvent[events[1].id as string].type).toBe('deleted');
    expect(byEvent[events[2].id as string]).toMatchObject({ type: 'paid', amountPaidMinor: 99900, amountRemainingMinor: 0 });
    expect(byEvent[events[3].id as string]).toMatchObject({ type: 'updated', amountPaidMinor: 40000, amountRemainingMinor: 59900 });
    expect(byEvent[events[4].id as string]).toMatchObject({ type: 'payment_failed', failureReason: 'Card declined: insufficient funds', attemptCount: 1 });
    expect(byEvent[events[5].id as string]).toMatchObject({ type: 'refunded', amountRefundedMinor: 10000 });
    const marker = chargebeeInvoice();
    await postChargebee(chargebeeEvent('invoice_generated', { invoice: marker }));
    await reader.waitFor(1, forInvoice(`chargebee:${marker.id}`));
    expect(reader.records.filter(forInvoice(`chargebee:${invoice.id}`))).toHaveLength(6);
  });

  it('refuses wrong basic credentials with 401, ignores unused types with 200, names the bad field with 400', async () => {
    const wrong = { authorization: `Basic ${Buffer.from(`${secrets.CHARGEBEE_WEBHOOK_USERNAME}:nope`).toString('base64')}` };
    expect((await postChargebee(chargebeeEvent('invoice_generated', { invoice: chargebeeInvoice() }), wrong)).status).toBe(401);
    const ignored = await postChargebee(chargebeeEvent('customer_created', { customer: { id: 'cb_x' } }));
    expect(ignored.status).toBe(200);
    expect(await ignored.json()).toEqual({ received: true, outcome: 'ignored' });
    const bad = await postChargebee(chargebeeEvent('invoice_generated', { invoice: chargebeeInvoice({ total: 12.5 }) }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'content.invoice.total', detail: 'content.invoice.total: expected an integer amount in minor units, got 12.5' });
  });

  it('recognises Chargebee on the PRD route by its basic credentials', async () => {
    const invoice = chargebeeInvoice();
    expect((await postChargebee(chargebeeEvent('invoice_generated', { invoice }), chargebeeAuth, '/api/webhooks/billing/invoice')).status).toBe(200);
    await reader.waitFor(1, forInvoice(`chargebee:${invoice.id}`));
  });

  const sfInvoice = (id: string, fields: Record<string, string | null> = {}) => ({
    type: 'blng__Invoice__c',
    fields: {
      Id: id, Name: 'INV-000123', blng__Account__c: '0015g00000AcmeAAA', blng__InvoiceStatus__c: 'Posted', blng__PaymentStatus__c: 'Unpaid',
      blng__TotalAmount__c: '1234.56', blng__Balance__c: '1234.56', blng__Payments__c: '0.00', blng__InvoiceDate__c: '2026-11-01', blng__DueDate__c: '2026-12-01',
      blng__Order__c: '8015g000000Ord1AAA', CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-01T09:30:00.000Z', ...fields,
    },
  });

  it('maps a Salesforce Billing invoice and its payment, decimals to minor units, and answers the SOAP Ack', async () => {
    const invoiceId = uid('a0x');
    const res = await postSoap(outboundMessage(secrets.SALESFORCE_ORG_ID, [sfInvoice(invoiceId)]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/xml');
    const ack = await res.text();
    expect(ack).toContain('<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>');
    const [issued] = await reader.waitFor(1, forInvoice(`salesforce:${invoiceId}`));
    expect(issued.value).toMatchObject({
      type: 'issued', source: 'salesforce', vendorInvoiceId: invoiceId, vendorCustomerId: '0015g00000AcmeAAA', subscriptionId: '8015g000000Ord1AAA',
      invoiceNumber: 'INV-000123', currency: 'EUR', totalMinor: 123456, amountDueMinor: 123456, amountPaidMinor: 0, amountRemainingMinor: 123456,
      issuedAt: Date.UTC(2026, 10, 1), dueAt: Date.UTC(2026, 11, 1, 23, 59, 59, 999), dueDate: '2026-12-01', dueTimeZone: 'UTC', occurredAt: Date.parse('2026-11-01T09:30:00.000Z'),
    });

    // Re-posted invoice → updated; a partial then a full payment in one message, in order.
    const payment = (amount: string, at: string) => ({ type: 'blng__Payment__c', fields: { Id: uid('a1P'), blng__Invoice__c: invoiceId, blng__Account__c: '0015g00000AcmeAAA', blng__Amount__c: amount, blng__Status__c: 'Posted', CurrencyIsoCode: 'EUR', LastModifiedDate: at } });
    const message = outboundMessage(secrets.SALESFORCE_ORG_ID, [
      sfInvoice(invoiceId, { LastModifiedDate: '2026-11-02T09:30:00.000Z', blng__DueDate__c: '2026-12-15' }),
      payment('234.56', '2026-11-03T10:00:00Z'),
      payment('1000.00', '2026-11-04T10:00:00Z'),
    ]);
    expect((await postSoap(message, '/api/webhooks/billing/invoice')).status).toBe(200);
    const records = await reader.waitFor(4, forInvoice(`salesforce:${invoiceId}`));
    expect(records.map((r) => [r.value!.type, r.value!.amountPaidMinor, r.value!.amountRemainingMinor])).toEqual([
      ['issued', 0, 123456], ['updated', 0, 123456], ['updated', 23456, 100000], ['paid', 123456, 0],
    ]);
    // Salesforce redelivers the same message (same notification ids) until it sees the Ack: nothing new.
    expect((await postSoap(message)).status).toBe(200);
    const marker = uid('a0x');
    await postSoap(outboundMessage(secrets.SALESFORCE_ORG_ID, [sfInvoice(marker)]));
    await reader.waitFor(1, forInvoice(`salesforce:${marker}`));
    expect(reader.records.filter(forInvoice(`salesforce:${invoiceId}`))).toHaveLength(4);
  });

  it('Salesforce: a Draft or Canceled payment is no failure, a declined transaction is, and a payment notified again is not counted twice', async () => {
    const invoiceId = uid('a0x');
    const forThis = forInvoice(`salesforce:${invoiceId}`);
    const payment = (paymentId: string, status: string, amount = '234.56') => ({
      type: 'blng__Payment__c', fields: { Id: paymentId, blng__Invoice__c: invoiceId, blng__Amount__c: amount, blng__Status__c: status, CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-03T10:00:00Z' },
    });
    const declined = {
      type: 'blng__PaymentTransaction__c', fields: {
        Id: uid('a1T'), blng__RequestInvoice__c: invoiceId, blng__Amount__c: '1234.56', blng__Type__c: 'Charge', blng__GatewayStatus__c: 'Decline',
        blng__ResponseMessage__c: 'Card declined: insufficient funds', CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-02T10:00:00Z',
      },
    };
    const [draft, canceled, posted] = [uid('a1P'), uid('a1P'), uid('a1P')];
    expect((await postSoap(outboundMessage(secrets.SALESFORCE_ORG_ID, [sfInvoice(invoiceId), payment(draft, 'Draft'), payment(canceled, 'Canceled'), declined, payment(posted, 'Posted')]))).status).toBe(200);
    // The same posted payment again, in a new outbound message with a new notification id.
    expect((await postSoap(outboundMessage(secrets.SALESFORCE_ORG_ID, [payment(posted, 'Posted')]))).status).toBe(200);
    const marker = uid('a0x');
    await postSoap(outboundMessage(secrets.SALESFORCE_ORG_ID, [sfInvoice(marker)]));
    await reader.waitFor(1, forInvoice(`salesforce:${marker}`));
    const records = reader.records.filter(forThis).map((r) => r.value!);
    expect(records.map((e) => [e.type, e.amountPaidMinor, e.amountRemainingMinor, e.failureReason])).toEqual([
      ['issued', 0, 123456, null], ['payment_failed', 0, 123456, 'Card declined: insufficient funds'], ['updated', 23456, 100000, null],
    ]);
    // Kept, published as nothing; the posted one once.
    const receipts = await gateway.ctx.db('receipts').whereIn('vendor_event_id', [draft, canceled, posted].map((p, i) => `blng__Payment__c:${p}:${['Draft', 'Canceled', 'Posted'][i]}`)).orderBy('id');
    expect(receipts.map((r) => [r.event_type, r.vendor_event_id.split(':').at(-1)])).toEqual([[null, 'Draft'], [null, 'Canceled'], ['updated', 'Posted']]);
  });

  it('maps a JPY invoice without decimals and a cancelled one to voided', async () => {
    const jpy = uid('a0x');
    const cancelled = uid('a0x');
    await postSoap(outboundMessage(secrets.SALESFORCE_ORG_ID, [
      sfInvoice(jpy, { CurrencyIsoCode: 'JPY', blng__TotalAmount__c: '150000', blng__Balance__c: '150000', blng__Payments__c: '0' }),
      sfInvoice(cancelled, { blng__InvoiceStatus__c: 'Cancelled' }),
    ]));
    const [a] = await reader.waitFor(1, forInvoice(`salesforce:${jpy}`));
    expect(a.value).toMatchObject({ currency: 'JPY', totalMinor: 150000 });
    const [b] = await reader.waitFor(1, forInvoice(`salesforce:${cancelled}`));
    expect(b.value!.type).toBe('voided');
  });

  it('refuses another organisation with 401 and a malformed envelope or field with 400 naming it', async () => {
    expect((await postSoap(outboundMessage('00D000000000OTHERX', [sfInvoice(uid('a0x'))]))).status).toBe(401);
    const notXml = await postSoap('<soapenv:Envelope><broken');
    expect(notXml.status).toBe(400);
    expect(await notXml.json()).toMatchObject({ field: 'body' });
    const badAmount = await postSoap(outboundMessage(secrets.SALESFORCE_ORG_ID, [{ id: '04l000000000BAD', ...sfInvoice(uid('a0x'), { blng__TotalAmount__c: '12.345' }) }]));
    expect(badAmount.status).toBe(400);
    expect(await badAmount.json()).toMatchObject({ field: 'Notification[04l000000000BAD].sObject.blng__TotalAmount__c', detail: expect.stringContaining('more decimals than EUR allows') });
  });
});
