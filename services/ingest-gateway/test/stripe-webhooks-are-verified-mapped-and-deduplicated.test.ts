import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { uniqueName, type Received, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { counterValue, previousStripeSecret, startGateway, openInvoiceReader, deleteNamespaceTopics } from './support/gateway.ts';
import { postStripe, signed, stripeEvent, stripeInvoice, uid } from './support/stripe-payloads.ts';

describe('Stripe webhooks', () => {
  const namespace = uniqueName('stripe');
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  const forInvoice = (id: string) => (r: Received<InvoiceEvent>) => r.value?.vendorInvoiceId === id;

  beforeAll(async () => {
    gateway = await startGateway(namespace, { WEBHOOK_BODY_LIMIT: String(64 * 1024) });
    reader = await openInvoiceReader(namespace);
  });
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  it('maps invoice.finalized field by field, keyed by the source-qualified invoice id, after the broker acked', async () => {
    const invoice = stripeInvoice();
    const event = stripeEvent('invoice.finalized', invoice);
    const res = await postStripe(gateway.url, event);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'accepted' });
    // The 200 came after the broker's ack, so the record is already there to read.
    const [record] = await reader.waitFor(1, forInvoice(String(invoice.id)));
    expect(record.key).toBe(`stripe:${invoice.id}`);
    expect(record.value).toEqual({
      eventId: `stripe:${event.id}`, invoiceId: `stripe:${invoice.id}`, type: 'issued', source: 'stripe', vendorEventId: event.id,
      vendorInvoiceId: invoice.id, vendorCustomerId: 'cus_Acme001', accountId: null, subscriptionId: 'sub_1Acme', invoiceNumber: 'ACME-0042',
      currency: 'EUR', totalMinor: 125000, amountDueMinor: 125000, amountPaidMinor: 0, amountRemainingMinor: 125000, amountRefundedMinor: 0,
      issuedAt: 1_762_000_100_000, dueAt: 1_764_592_000_000, periodStart: 1_759_408_000_000, periodEnd: 1_762_000_000_000, attemptCount: 0,
      failureReason: null, hostedInvoiceUrl: 'https://invoice.stripe.com/i/acct_1/test_abc', occurredAt: 1_762_000_200_000,
      receivedAt: expect.any(Number), dueDate: null, dueTimeZone: null, origin: 'live',
      disputeStatus: null,
    });
  });

  it('maps every invoice event type, keeps zero-decimal JPY amounts as they are, and reads the legacy subscription field', async () => {
    const expected: Record<string, string> = {
      'invoice.created': 'issued', 'invoice.updated': 'updated', 'invoice.paid': 'paid', 'invoice.payment_succeeded': 'paid',
      'invoice.payment_failed': 'payment_failed', 'invoice.voided': 'voided', 'invoice.marked_uncollectible': 'uncollectible', 'invoice.overdue': 'overdue_reported',
    };
    const invoice = stripeInvoice({ currency: 'jpy', total: 50000, amount_due: 50000, amount_remaining: 20000, amount_paid: 30000, attempt_count: 2, parent: null, subscription: 'sub_legacy' });
    for (const type of Object.keys(expected)) expect((await postStripe(gateway.url, stripeEvent(type, invoice))).status).toBe(200);
    const draft = stripeInvoice({ status: 'draft' });
    expect((await postStripe(gateway.url, stripeEvent('invoice.created', draft))).status).toBe(200);

    const records = await reader.waitFor(8, forInvoice(String(invoice.id)));
    expect(records.map((r) => r.value!.type).sort()).toEqual(Object.values(expected).sort());
    for (const r of records) {
      expect(r.value).toMatchObject({ currency: 'JPY', totalMinor: 50000, amountPaidMinor: 30000, amountRemainingMinor: 20000, attemptCount: 2, subscriptionId: 'sub_legacy' });
    }
    // A webhook invoice names its payment intent by id: no payment error to read (charge.failed brings it), and no
    // made-up reason that could outrank the real one.
    expect(records.find((r) => r.value!.type === 'payment_failed')!.value!.failureReason).toBeNull();
    const [draftRecord] = await reader.waitFor(1, forInvoice(String(draft.id)));
    expect(draftRecord.value!.type).toBe('updated'); // a draft is not yet issued to the customer
  });

  it('publishes a redelivered or concurrently duplicated event once', async () => {
    const invoice = stripeInvoice();
    const event = stripeEvent('invoice.paid', invoice);
    const answers = await Promise.all([postStripe(gateway.url, event), postStripe(gateway.url, event), postStripe(gateway.url, event)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const outcomes = await Promise.all(answers.map(async (a) => ((await a.json()) as { outcome: string }).outcome));
    expect(outcomes.sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    const later = await postStripe(gateway.url, event); // Stripe retrying hours later, freshly signed
    expect(await later.json()).toEqual({ received: true, outcome: 'duplicate' });
    // A marker published after the duplicates proves they had their chance to arrive.
    const marker = stripeInvoice();
    await postStripe(gateway.url, stripeEvent('invoice.finalized', marker));
    await reader.waitFor(1, forInvoice(String(marker.id)));
    expect(reader.records.filter(forInvoice(String(invoice.id)))).toHaveLength(1);
  });

  it('keeps out-of-order deliveries as separate events carrying the vendor time, so consumers can order them', async () => {
    const invoice = stripeInvoice();
    await postStripe(gateway.url, stripeEvent('invoice.paid', { ...invoice, status: 'paid', amount_paid: 125000, amount_remaining: 0 }, { created: 1_762_000_900 }));
    await postStripe(gateway.url, stripeEvent('invoice.finalized', invoice, { created: 1_762_000_100 }));
    const records = await reader.waitFor(2, forInvoice(String(invoice.id)));
    const byType = Object.fromEntries(records.map((r) => [r.value!.type, r.value!]));
    expect(byType.paid.occurredAt).toBeGreaterThan(byType.issued.occurredAt);
    expect(new Set(records.map((r) => r.partition)).size).toBe(1); // same key, same partition
  });

  it('accepts the previous secret during a rotation', async () => {
    const invoice = stripeInvoice();
    const res = await postStripe(gateway.url, stripeEvent('invoice.finalized', invoice), { secret: previousStripeSecret });
    expect(res.status).toBe(200);
    await reader.waitFor(1, forInvoice(String(invoice.id)));
  });

  it('answers 401 to a forged signature, a missing one and a replayed old one, counts them and produces nothing', async () => {
    const before = await counterValue(gateway.managementUrl, 'ingest_deliveries_total', { source: 'stripe', outcome: 'unauthorized' });
    const invoice = stripeInvoice();
    const event = stripeEvent('invoice.finalized', invoice);
    const forged = await postStripe(gateway.url, event, { secret: 'whsec_attacker_guess_0000' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
    expect(((await forged.json()) as { detail: string }).detail).toMatch(/No signatures found matching the expected signature/);
    const payload = JSON.stringify(event);
    const tampered = await fetch(`${gateway.url}/api/webhooks/billing/stripe`, { method: 'POST', headers: signed(payload), body: payload.replace('125000', '1') });
    expect(tampered.status).toBe(401);
    const missing = await fetch(`${gateway.url}/api/webhooks/billing/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    expect(missing.status).toBe(401);
    const replayed = await postStripe(gateway.url, event, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { detail: string }).detail).toContain('Timestamp outside the tolerance zone');
    expect(await counterValue(gateway.managementUrl, 'ingest_deliveries_total', { source: 'stripe', outcome: 'unauthorized' })).toBe(before + 4);

    const marker = stripeInvoice();
    await postStripe(gateway.url, stripeEvent('invoice.finalized', marker));
    await reader.waitFor(1, forInvoice(String(marker.id)));
    expect(reader.records.filter(forInvoice(String(invoice.id)))).toHaveLength(0);
  });

  it('answers 2xx to an event type it does not use, counts it and produces nothing', async () => {
    const event = stripeEvent('customer.created', { id: uid('cus'), object: 'customer' });
    const res = await postStripe(gateway.url, event);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'ignored' });
    expect(await counterValue(gateway.managementUrl, 'ingest_deliveries_total', { source: 'stripe', type: 'other', outcome: 'ignored' })).toBe(1);
  });

  it('answers 400 naming the field for a signed but malformed body, and 413 above the body limit', async () => {
    const broken = '{"id": "evt_x", "type": "invoice.paid", ';
    const malformed = await fetch(`${gateway.url}/api/webhooks/billing/stripe`, { method: 'POST', headers: signed(broken), body: broken });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ status: 400, field: 'body', detail: expect.stringContaining('malformed JSON') });
    const noCurrency = stripeEvent('invoice.finalized', stripeInvoice({ currency: 'euro' }));
    const bad = await postStripe(gateway.url, noCurrency);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'data.object.currency' });
    const huge = stripeEvent('invoice.finalized', stripeInvoice({ description: 'x'.repeat(70 * 1024) }));
    const tooLarge = await postStripe(gateway.url, huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toContain('application/problem+json');
    expect(await counterValue(gateway.managementUrl, 'ingest_deliveries_total', { source: 'stripe', outcome: 'too_large' })).toBe(1);
  });

  it('turns a dispute on a paid invoice into a disputed signal with the invoice amounts', async () => {
    const invoice = stripeInvoice({ status: 'paid', amount_paid: 125000, amount_remaining: 0, payments: { object: 'list', data: [{ id: uid('inpay'), object: 'invoice_payment', payment: { type: 'payment_intent', payment_intent: 'pi_dispute1' } }] } });
    await postStripe(gateway.url, stripeEvent('invoice.paid', invoice));
    await reader.waitFor(1, forInvoice(String(invoice.id)));
    const dispute = { id: uid('dp'), object: 'dispute', amount: 125000, currency: 'eur', charge: 'ch_1', payment_intent: 'pi_dispute1', reason: 'fraudulent', status: 'needs_response', created: 1_762_100_000 };
    const res = await postStripe(gateway.url, stripeEvent('charge.dispute.created', dispute, { created: 1_762_100_000 }));
    expect(await res.json()).toEqual({ received: true, outcome: 'accepted' });
    const records = await reader.waitFor(2, forInvoice(String(invoice.id)));
    const disputed = records.find((r) => r.value!.type === 'disputed')!.value!;
    expect(disputed).toMatchObject({ invoiceId: `stripe:${invoice.id}`, totalMinor: 125000, amountPaidMinor: 125000, occurredAt: 1_762_100_000_000 });
    expect(disputed.failureReason).toBe(`dispute ${dispute.id} needs_response: fraudulent (EUR 1,250.00)`);
    expect(disputed.disputeStatus).toBe('open');
    await postStripe(gateway.url, stripeEvent('charge.dispute.closed', { ...dispute, status: 'lost' }, { created: 1_762_900_000 }));
    const closed = await reader.waitFor(3, forInvoice(String(invoice.id)));
    expect(closed.map((r) => r.value!.disputeStatus)).toEqual([null, 'open', 'lost']);

    const orphan = await postStripe(gateway.url, stripeEvent('charge.dispute.created', { ...dispute, id: uid('dp'), payment_intent: 'pi_unknown', charge: 'ch_unknown' }));
    expect(await orphan.json()).toEqual({ received: true, outcome: 'unmatched' });
  });

  it("reads a failed payment's reason from the charge that failed, found by its payment intent", async () => {
    const pi = uid('pi');
    const invoice = stripeInvoice({ attempt_count: 1, attempted: true, last_finalization_error: { message: 'finalization went wrong', type: 'invalid_request_error' }, payments: { object: 'list', data: [{ id: uid('inpay'), object: 'invoice_payment', payment: { type: 'payment_intent', payment_intent: pi } }] } });
    await postStripe(gateway.url, stripeEvent('invoice.payment_failed', invoice, { created: 1_762_100_000 }));
    const charge = { id: uid('ch'), object: 'charge', status: 'failed', payment_intent: pi, failure_code: 'card_declined', failure_message: 'Your card has insufficient funds.', outcome: { type: 'issuer_declined', seller_message: 'The bank returned the decline code `insufficient_funds`.' } };
    const res = await postStripe(gateway.url, stripeEvent('charge.failed', charge, { created: 1_762_100_001 }));
    expect(await res.json()).toEqual({ received: true, outcome: 'accepted' });
    const records = await reader.waitFor(2, forInvoice(String(invoice.id)));
    expect(records.map((r) => [r.value!.type, r.value!.failureReason, r.value!.attemptCount])).toEqual([['payment_failed', null, 1], ['payment_failed', 'Your card has insufficient funds.', 1]]);
    const unknown = await postStripe(gateway.url, stripeEvent('payment_intent.payment_failed', { id: uid('pi'), object: 'payment_intent', last_payment_error: { message: 'declined' } }));
    expect(await unknown.json()).toEqual({ received: true, outcome: 'unmatched' });
  });

  it('recognises Stripe on the PRD route by its signature header', async () => {
    const invoice = stripeInvoice();
    const res = await postStripe(gateway.url, stripeEvent('invoice.finalized', invoice), { path: '/api/webhooks/billing/invoice' });
    expect(res.status).toBe(200);
    await reader.waitFor(1, forInvoice(String(invoice.id)));
  });
});
