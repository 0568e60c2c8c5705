import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import { createDb, type RunningService } from '@invoice-signal/runtime';
import {
  chargebeeEvent, chargebeeInvoice, ChargebeeStandIn, chargebeeTransaction, eventually, postStripe, stripeEvent, stripeInvoice, StripeListStandIn, uid, uniqueName,
  type TopicReader,
} from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { backfillStart } from '../src/domain/backfill.ts';
import { pullSkipped } from '../src/metrics.ts';
import { chargebeeAuth, deleteNamespaceTopics, openInvoiceReader, startGateway, stripeSecret } from './support/gateway.ts';
import { startStripeMock } from './support/stripe-mock.ts';

const day = 86_400;
const nowS = () => Math.floor(Date.now() / 1000);

/**
 * The gateway's vendor sync through the real stack: the real Stripe and Chargebee clients
 * against local stand-ins of their list APIs (Stripe's checked request by request by
 * stripe-mock), the job running by itself every 300 ms, real Postgres and Kafka.
 */
describe('recovery of missed events and first-connection backfill', () => {
  const namespace = uniqueName('recovery');
  const stripeKey = 'sk_test_Recovery123';
  const cbKey = 'test_cb_recovery_key';
  const t0 = nowS();
  let stripeMock: Awaited<ReturnType<typeof startStripeMock>>;
  let stripe: StripeListStandIn;
  const chargebee = new ChargebeeStandIn(cbKey);
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  let env: Record<string, string>;

  const stripeHistory = {
    onTime: stripeInvoice({ id: uid('in_ontime'), status: 'paid', created: t0 - 200 * day, due_date: t0 - 170 * day, attempt_count: 1, attempted: true, amount_paid: 125000, amount_remaining: 0, status_transitions: { finalized_at: t0 - 200 * day, paid_at: t0 - 190 * day, voided_at: null, marked_uncollectible_at: null } }),
    lateAfterFailures: stripeInvoice({ id: uid('in_late'), status: 'paid', created: t0 - 100 * day, due_date: t0 - 70 * day, attempt_count: 3, attempted: true, amount_paid: 125000, amount_remaining: 0, status_transitions: { finalized_at: t0 - 100 * day, paid_at: t0 - 60 * day, voided_at: null, marked_uncollectible_at: null } }),
    openOverdue: stripeInvoice({ id: uid('in_overdue'), status: 'open', created: t0 - 90 * day, due_date: t0 - 60 * day, status_transitions: { finalized_at: t0 - 90 * day, paid_at: null, voided_at: null, marked_uncollectible_at: null } }),
    draft: stripeInvoice({ id: uid('in_draft'), status: 'draft', created: t0 - 2 * day, status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null } }),
    tooOld: stripeInvoice({ id: uid('in_old'), status: 'paid', created: t0 - 400 * day }),
  };
  const failedTx = chargebeeTransaction({ id: uid('txn_failed'), status: 'failure', type: 'payment', date: t0 - 75 * day, error_text: 'Insufficient funds', linked_invoices: [] as unknown[] });
  const cbHistory = {
    paid: chargebeeInvoice({ id: uid('cb_paid'), status: 'paid', date: t0 - 150 * day, due_date: t0 - 120 * day, paid_at: t0 - 140 * day, amount_paid: 99900, amount_due: 0 }),
    notPaid: chargebeeInvoice({ id: uid('cb_notpaid'), status: 'not_paid', date: t0 - 80 * day, due_date: t0 - 50 * day }),
    pending: chargebeeInvoice({ id: uid('cb_pending'), status: 'pending', date: t0 - 3 * day }),
  };
  (failedTx.linked_invoices as unknown[]).push({ invoice_id: cbHistory.notPaid.id, applied_amount: 99900, applied_at: t0 - 75 * day });

  const ofInvoice = (source: string, id: unknown) => reader.records.filter((r) => r.value?.invoiceId === `${source}:${id}`).map((r) => r.value!);
  const byEventId = (eventId: string) => reader.records.filter((r) => r.value?.eventId === eventId).map((r) => r.value!);

  beforeAll(async () => {
    stripeMock = await startStripeMock();
    // Every request the Stripe client sends is first checked by stripe-mock against Stripe's OpenAPI specification.
    stripe = new StripeListStandIn(stripeKey, stripeMock.url);
    stripe.invoices.push(...Object.values(stripeHistory));
    chargebee.invoices.push(...Object.values(cbHistory));
    chargebee.transactions.push(failedTx, chargebeeTransaction({ id: uid('txn_ok'), status: 'success', date: t0 - 140 * day, linked_invoices: [{ invoice_id: cbHistory.paid.id, applied_amount: 99900, applied_at: t0 - 140 * day }] }));
    await Promise.all([stripe.start(), chargebee.start()]);
    env = {
      STRIPE_API_KEY: stripeKey, STRIPE_API_BASE_URL: stripe.url, CHARGEBEE_SITE: 'acme-test', CHARGEBEE_API_KEY: cbKey, CHARGEBEE_API_BASE_URL: chargebee.url,
      RECOVERY_INTERVAL_MS: '300', RECOVERY_SETTLE_MS: '0',
    };
    gateway = await startGateway(namespace, env);
    reader = await openInvoiceReader(namespace);
  }, 360_000);
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await Promise.all([stripe?.stop(), chargebee.stop(), stripeMock?.stop()]);
    await deleteNamespaceTopics(namespace);
  });

  // The job commits its vendor_sync row after the events it publishes: wait for the row, don't sample it.
  const backfillRecorded = (source: string) => eventually(`${source} backfill recorded in vendor_sync`, async () => {
    const row = await gateway.ctx.db('vendor_sync').where({ source }).first();
    return row?.backfill_done_at ? row : undefined;
  });

  it('backfills 12 months of Stripe invoices once, as backfill events: state, failed attempts, no drafts, nothing older', async () => {
    await reader.waitFor(6, (r) => r.value?.source === 'stripe' && r.value.origin === 'backfill');
    const sync = await backfillRecorded('stripe');
    expect(sync.backfill_invoices).toBe(3);
    const [listed] = stripe.requestsTo('/v1/invoices');
    expect(Number(listed.query.get('created[gte]'))).toBe(Math.floor(backfillStart(sync.connected_at.getTime(), 12) / 1000));
    expect(listed.query.getAll('expand[0]')).toEqual(['data.payments']);

    const summary = (id: unknown) => ofInvoice('stripe', id).map((e) => [e.type, e.occurredAt, e.origin]).sort();
    expect(summary(stripeHistory.onTime.id)).toEqual([['issued', (t0 - 200 * day) * 1000, 'backfill'], ['paid', (t0 - 190 * day) * 1000, 'backfill']]);
    expect(ofInvoice('stripe', stripeHistory.onTime.id).find((e) => e.type === 'paid')).toMatchObject({ dueAt: (t0 - 170 * day) * 1000, vendorEventId: `backfill:${stripeHistory.onTime.id}:paid` });
    // Three attempts to pay: at least one failed, dated at finalization, before the payment.
    expect(summary(stripeHistory.lateAfterFailures.id)).toEqual([
      ['issued', (t0 - 100 * day) * 1000, 'backfill'], ['paid', (t0 - 60 * day) * 1000, 'backfill'], ['payment_failed', (t0 - 100 * day) * 1000, 'backfill'],
    ]);
    expect(ofInvoice('stripe', stripeHistory.openOverdue.id)).toEqual([expect.objectContaining({ type: 'issued', origin: 'backfill', amountRemainingMinor: 125000 })]);
    expect(ofInvoice('stripe', stripeHistory.draft.id)).toEqual([]);
    expect(ofInvoice('stripe', stripeHistory.tooOld.id)).toEqual([]);
  });

  it('backfills Chargebee invoices and their failed payment transactions', async () => {
    await reader.waitFor(5, (r) => r.value?.source === 'chargebee' && r.value.origin === 'backfill');
    expect(ofInvoice('chargebee', cbHistory.paid.id).map((e) => e.type).sort()).toEqual(['issued', 'paid']);
    expect(ofInvoice('chargebee', cbHistory.paid.id).find((e) => e.type === 'paid')).toMatchObject({ origin: 'backfill', occurredAt: (t0 - 140 * day) * 1000, amountPaidMinor: 99900 });
    expect(ofInvoice('chargebee', cbHistory.notPaid.id).map((e) => [e.type, e.occurredAt, e.failureReason]).sort()).toEqual([
      ['issued', (t0 - 80 * day) * 1000, null], ['payment_failed', (t0 - 80 * day) * 1000, 'payment failed'], ['payment_failed', (t0 - 75 * day) * 1000, 'Insufficient funds'],
    ]);
    expect(ofInvoice('chargebee', cbHistory.pending.id)).toEqual([]);
    // Chargebee's own filters, as its client sends them: only failed payments, within the window.
    const tx = chargebee.requestsTo('/api/v2/transactions')[0].query;
    expect([tx.get('type[is]'), tx.get('status[is]')]).toEqual(['payment', 'failure']);
    expect((await backfillRecorded('chargebee')).backfill_invoices).toBe(2);
  });

  it('recovers a missed Stripe invoice.finalized after its received draft event, once, and skips the received one', async () => {
    const draft = stripeInvoice({ id: uid('in_rec'), status: 'draft', created: nowS(), status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null } });
    const created = stripeEvent('invoice.created', draft, { created: nowS() });
    expect((await postStripe(gateway.url, created, { secret: stripeSecret })).status).toBe(200);
    const finalized = stripeEvent('invoice.finalized', { ...draft, status: 'open', status_transitions: { finalized_at: nowS(), paid_at: null, voided_at: null, marked_uncollectible_at: null } }, { created: nowS() });
    // Both are in Stripe's events list; only the first reached the webhook.
    stripe.events.push(created, finalized);

    const [recovered] = await reader.waitFor(1, (r) => r.value?.eventId === `stripe:${finalized.id}`);
    expect(recovered.value).toMatchObject({ invoiceId: `stripe:${draft.id}`, type: 'issued', origin: 'recovered', vendorEventId: finalized.id });
    // Later runs read the same second again (windows overlap): nothing is published twice.
    const seen = stripe.requestsTo('/v1/events').length;
    await eventually('two more runs', () => stripe.requestsTo('/v1/events').length >= seen + 2 || undefined);
    await reader.waitFor(1, (r) => r.value?.eventId === `stripe:${created.id}`);
    expect(byEventId(`stripe:${finalized.id}`)).toHaveLength(1);
    expect(byEventId(`stripe:${created.id}`)).toEqual([expect.objectContaining({ type: 'updated', origin: 'live' })]);
    // Only the event types the gateway maps were asked for.
    const types = [...stripe.requestsTo('/v1/events')[0].query.entries()].filter(([k]) => k.startsWith('types')).map(([, v]) => v);
    expect(types).toEqual(expect.arrayContaining(['invoice.finalized', 'invoice.paid', 'charge.failed', 'payment_intent.payment_failed', 'charge.dispute.created']));
    expect(types.every((t) => t.startsWith('invoice.') || t.startsWith('charge.dispute.') || ['charge.failed', 'payment_intent.payment_failed'].includes(t))).toBe(true);
    expect(types.length).toBeLessThanOrEqual(20);
  });

  it('recovers a missed Chargebee payment_failed of a known invoice, once, and skips the received invoice_generated', async () => {
    const invoice = chargebeeInvoice({ id: uid('cb_rec'), date: nowS() });
    const generated = chargebeeEvent('invoice_generated', { invoice }, { occurred_at: nowS() });
    const webhook = await fetch(`${gateway.url}/api/webhooks/billing/chargebee`, { method: 'POST', headers: { 'content-type': 'application/json', ...chargebeeAuth }, body: JSON.stringify(generated) });
    expect(webhook.status).toBe(200);
    const failed = chargebeeEvent('payment_failed', { invoice: { ...invoice, status: 'not_paid' }, transaction: chargebeeTransaction({ status: 'failure', error_text: 'Card expired' }) }, { occurred_at: nowS() });
    chargebee.events.push(generated, failed);

    const [recovered] = await reader.waitFor(1, (r) => r.value?.eventId === `chargebee:${failed.id}`);
    expect(recovered.value).toMatchObject({ invoiceId: `chargebee:${invoice.id}`, type: 'payment_failed', failureReason: 'Card expired', origin: 'recovered' });
    const seen = chargebee.requestsTo('/api/v2/events').length;
    await eventually('two more runs', () => chargebee.requestsTo('/api/v2/events').length >= seen + 2 || undefined);
    expect(byEventId(`chargebee:${failed.id}`)).toHaveLength(1);
    expect(byEventId(`chargebee:${generated.id}`)).toEqual([expect.objectContaining({ origin: 'live' })]);
    const q = chargebee.requestsTo('/api/v2/events').at(-1)!.query;
    expect(JSON.parse(q.get('event_type[in]')!)).toEqual(['invoice_generated', 'invoice_updated', 'invoice_deleted', 'payment_succeeded', 'payment_failed', 'payment_refunded']);
    expect(q.get('sort_by[asc]')).toBe('occurred_at');
  });

  it('recovers a missed Stripe dispute through the payment references of the invoice it pays', async () => {
    const pi = uid('pi');
    const paid = stripeInvoice({ id: uid('in_disp'), status: 'paid', amount_paid: 125000, amount_remaining: 0, payments: { object: 'list', data: [{ payment: { type: 'payment_intent', payment_intent: pi } }] } });
    expect((await postStripe(gateway.url, stripeEvent('invoice.paid', paid, { created: nowS() }), { secret: stripeSecret })).status).toBe(200);
    const dispute = stripeEvent('charge.dispute.created', { id: uid('dp'), object: 'dispute', amount: 125000, currency: 'eur', reason: 'fraudulent', status: 'needs_response', payment_intent: pi, charge: uid('ch') }, { created: nowS() });
    stripe.events.push(dispute);
    const [recovered] = await reader.waitFor(1, (r) => r.value?.eventId === `stripe:${dispute.id}`);
    expect(recovered.value).toMatchObject({ invoiceId: `stripe:${paid.id}`, type: 'disputed', origin: 'recovered', totalMinor: 125000 });
    expect(recovered.value!.failureReason).toContain('fraudulent');
  });

  it('skips an event its webhook mapping would refuse (logged and counted) without holding back the window', async () => {
    const skippedBefore = (await pullSkipped.get()).values.find((v) => v.labels.source === 'stripe')?.value ?? 0;
    const bad = stripeEvent('invoice.paid', stripeInvoice({ id: uid('in_bad'), currency: 'zzz' }), { created: nowS() });
    const good = stripeEvent('invoice.voided', stripeInvoice({ id: uid('in_good'), status: 'void' }), { created: nowS() });
    stripe.events.push(bad, good);
    await reader.waitFor(1, (r) => r.value?.eventId === `stripe:${good.id}`);
    expect(byEventId(`stripe:${bad.id}`)).toEqual([]);
    expect((await pullSkipped.get()).values.find((v) => v.labels.source === 'stripe')?.value).toBeGreaterThan(skippedBefore);
  });

  it('after a restart: no second backfill, and recovery goes on from the stored cursor', async () => {
    const databaseUrl = gateway.ctx.config.databaseUrl;
    await gateway.stop();
    const db = createDb(databaseUrl);
    const cursors = Object.fromEntries((await db('vendor_sync').select('source', 'events_cursor')).map((r) => [r.source, Number(r.events_cursor)]));
    await db.destroy();
    const lists = { stripe: stripe.requestsTo('/v1/invoices').length, chargebee: chargebee.requestsTo('/api/v2/invoices').length };
    const before = { stripe: stripe.requestsTo('/v1/events').length, chargebee: chargebee.requestsTo('/api/v2/events').length, backfilled: reader.records.filter((r) => r.value?.origin === 'backfill').length };
    gateway = await startGateway(namespace, env, databaseUrl);
    await eventually('a run of each after the restart', () => (stripe.requestsTo('/v1/events').length > before.stripe && chargebee.requestsTo('/api/v2/events').length > before.chargebee) || undefined);
    expect(Number(stripe.requestsTo('/v1/events')[before.stripe].query.get('created[gte]'))).toBe(Math.floor(cursors.stripe / 1000));
    expect(Number(chargebee.requestsTo('/api/v2/events')[before.chargebee].query.get('occurred_at[after]'))).toBe(Math.floor(cursors.chargebee / 1000) - 1);
    expect({ stripe: stripe.requestsTo('/v1/invoices').length, chargebee: chargebee.requestsTo('/api/v2/invoices').length }).toEqual(lists);
    expect(reader.records.filter((r) => r.value?.origin === 'backfill')).toHaveLength(before.backfilled);
  });
});
