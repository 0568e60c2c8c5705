import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, signDevToken, type Knex } from '@invoice-signal/runtime';
import { eventually, signed, SlackStandIn, stripeEvent, stripeInvoice, SystemUnderTest, uid, uniqueName } from '@invoice-signal/testkit';

/**
 * Issue 13, "the invoice lifecycle reaches the CSM", through all five services as processes on
 * the real stack: signed Stripe webhooks in at the gateway, the payment tracker's fold, the
 * notifier's API and Slack (a stand-in speaking its Web API) out.
 */

interface TimelineEntry { at: string; event: string; note: string | null }
interface Notification {
  id: string; kind: string; invoiceId: string; csmId: string; amount: number; currency: string; dueDate: string | null; status: string;
  channels: string[]; acknowledgedAt: string | null; amountRemaining: number | null; failureReason: string | null; timeline: TimelineEntry[]; version: number;
}

const day = 24 * 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('the invoice lifecycle reaches the CSM (all five services)', () => {
  const run = uniqueName('life');
  const slack = new SlackStandIn();
  let system: SystemUnderTest;
  let notifierDb: Knex;
  const carol = `csm_carol_${run}`;
  const account = `acc_life_${run}`;
  const customer = `cus_life_${run}`;

  const token = (sub: string, role = 'csm') =>
    signDevToken(system.secrets.AUTH_JWT_SECRET, sub, { role });

  async function pending(query = ''): Promise<Notification[]> {
    const res = await fetch(`${system.url('notifier')}/api/invoices/csm/${carol}/pending?limit=200${query}`, { headers: { authorization: `Bearer ${await token(carol)}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Notification[] }).items;
  }

  /** The notification once `ready` holds for it (settled ones included). */
  function notification(invoiceId: string, kind: string, ready: (n: Notification) => boolean = () => true): Promise<Notification> {
    return eventually(`${kind} of ${invoiceId}`, async () => (await pending('&settled=include')).find((n) => n.invoiceId === invoiceId && n.kind === kind && ready(n)), { timeoutMs: 45000, intervalMs: 300 });
  }

  async function post(type: string, object: Record<string, unknown>, created: number) {
    const payload = JSON.stringify(stripeEvent(type, object, { created }));
    const res = await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/invoice`, { method: 'POST', headers: signed(payload, { secret: system.secrets.STRIPE_WEBHOOK_SECRET }), body: payload });
    expect(res.status).toBe(200);
  }

  /** An open invoice of the account, charged through its own payment intent (disputes and charge failures name it). */
  const openInvoice = (over: Record<string, unknown> = {}) => stripeInvoice({
    customer, currency: 'eur', total: 50_000, subtotal: 50_000, amount_due: 50_000, amount_remaining: 50_000, due_date: nowSeconds() + 20 * day,
    payment_intent: uid('pi'), number: uid('LIFE'), ...over,
  });
  const slackMentions = (invoice: Record<string, unknown>) => slack.posts((c) => JSON.stringify(c.params).includes(String(invoice.number)));

  beforeAll(async () => {
    await slack.start();
    system = await SystemUnderTest.start({
      namespace: run,
      env: { SLACK_BOT_TOKEN: 'xoxb-life', SLACK_API_URL: slack.url, BATCH_WINDOW_SECONDS: '0', DELIVERY_TICK_MS: '200', OVERDUE_GRACE_MS: '0', OVERDUE_SCAN_INTERVAL_MS: '500' },
    });
    const res = await fetch(`${system.url('enricher')}/api/context/accounts`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${system.secrets.CONTEXT_ADMIN_TOKEN}` },
      body: JSON.stringify([{
        accountId: account, name: 'Globex', csm: { id: carol, email: 'carol@e2e.test', slackUserId: 'U0CAROL', timeZone: 'UTC' },
        health: { score: 80, asOf: '2026-11-20', history: [] },
        contract: { arrMinor: 6_000_000, currency: 'EUR', startDate: '2025-01-10', endDate: '2027-01-09', renewalDate: '2027-01-09', plan: 'Growth', tier: 'standard' },
        supportIssues: { open: 0, last30d: 0, recent: [] }, disputes: { count: 0, lastAt: null }, valueDelivered: [],
        vendorRefs: { stripeCustomerId: customer, chargebeeCustomerId: null, salesforceAccountId: null },
      }]),
    });
    expect(res.status).toBe(202);
    notifierDb = createDb(system.databaseUrls().get('notifier')!, 2);
  }, 180_000);

  afterAll(async () => {
    await notifierDb?.destroy();
    await system?.stop();
    await slack.stop();
  });

  it('a moved due date and a credit note update the same notification, with a timeline', async () => {
    const invoice = openInvoice();
    const id = `stripe:${invoice.id}`;
    const t = nowSeconds();
    await post('invoice.finalized', invoice, t);
    const first = await notification(id, 'invoice_issued');
    const moved = (invoice.due_date as number) + 10 * day;
    await post('invoice.updated', { ...invoice, due_date: moved }, t + 60);
    await post('invoice.updated', { ...invoice, due_date: moved, amount_due: 40_000, amount_remaining: 40_000 }, t + 120);
    // The amount comes through the enricher and risk-scorer, the remaining balance and the timeline through the payment
    // tracker: wait for both paths, never sample one right after the other shows.
    const n = await notification(id, 'invoice_issued', (x) => x.amount === 40_000 && x.amountRemaining === 40_000);
    expect(n).toMatchObject({ id: first.id, dueDate: new Date(moved * 1000).toISOString(), amountRemaining: 40_000, status: 'pending' });
    expect(n.version).toBeGreaterThan(first.version);
    expect(n.timeline.map((e) => e.note)).toEqual([
      `due date moved from ${new Date((invoice.due_date as number) * 1000).toISOString().slice(0, 10)} to ${new Date(moved * 1000).toISOString().slice(0, 10)}`,
      'credit note of €100.00 applied: €400.00 due instead of €500.00',
    ]);
  });

  it('a voided invoice leaves the pending list and stays visible as settled', async () => {
    const invoice = openInvoice();
    const id = `stripe:${invoice.id}`;
    await post('invoice.finalized', invoice, nowSeconds());
    await notification(id, 'invoice_issued');
    await post('invoice.voided', { ...invoice, status: 'void' }, nowSeconds() + 60);
    const n = await notification(id, 'invoice_issued', (x) => x.status === 'voided');
    expect(n.timeline.at(-1)).toMatchObject({ event: 'voided' });
    expect((await pending()).some((x) => x.invoiceId === id)).toBe(false);
  });

  it('an invoice paid before it was notified is not announced on Slack (nor queued for the digest)', async () => {
    const invoice = openInvoice({ total: 20_000_000, subtotal: 20_000_000, amount_due: 20_000_000, amount_remaining: 20_000_000 }); // high value: Slack if it were open
    const id = `stripe:${invoice.id}`;
    const t = nowSeconds();
    await post('invoice.paid', { ...invoice, status: 'paid', amount_paid: 20_000_000, amount_remaining: 0 }, t + 60);
    // The notifier holds it paid before the invoice even reaches the enricher (the tracker's answer alone would not say
    // the notifier has read it yet).
    await eventually('the notifier to know it paid', async () => (await notifierDb('invoice_status').where({ invoice_id: id }).first())?.status === 'paid',
      { timeoutMs: 30000, intervalMs: 250 });
    await post('invoice.finalized', invoice, t);
    const n = await notification(id, 'invoice_issued');
    expect(n).toMatchObject({ status: 'paid', channels: [], amountRemaining: 0 });
    expect((await pending()).some((x) => x.invoiceId === id)).toBe(false);
    // A later invoice's Slack message proves the worker ran after this one was stored.
    const later = openInvoice({ total: 20_000_000, subtotal: 20_000_000, amount_due: 20_000_000, amount_remaining: 20_000_000 });
    await post('invoice.finalized', later, nowSeconds());
    await eventually('the later invoice on Slack', () => slackMentions(later).length > 0, { timeoutMs: 45000, intervalMs: 300 });
    expect(slackMentions(invoice)).toEqual([]);
  });

  it('a dispute opened raises a chargeback alert on Slack; lost, the alert is announced again', async () => {
    const invoice = openInvoice();
    const id = `stripe:${invoice.id}`;
    const t = nowSeconds();
    await post('invoice.finalized', invoice, t);
    await notification(id, 'invoice_issued');
    await post('invoice.paid', { ...invoice, status: 'paid', amount_paid: 50_000, amount_remaining: 0 }, t + 60);
    await notification(id, 'invoice_issued', (x) => x.status === 'paid');
    const dispute = { id: uid('du'), object: 'dispute', amount: 50_000, currency: 'eur', charge: uid('ch'), payment_intent: invoice.payment_intent, reason: 'fraudulent', status: 'needs_response', created: t + 120 };
    await post('charge.dispute.created', dispute, t + 120);
    const alert = await notification(id, 'disputed');
    expect(alert).toMatchObject({ status: 'paid', channels: expect.arrayContaining(['slack']) });
    expect((await pending()).filter((x) => x.invoiceId === id).map((x) => x.kind)).toEqual(['disputed']);
    await eventually('the chargeback on Slack', () => slack.posts((c) => c.params.channel === 'U0CAROL' && String(c.params.text).startsWith('Chargeback: Globex')).length > 0, { timeoutMs: 45000, intervalMs: 300 });
    await post('charge.dispute.closed', { ...dispute, status: 'lost' }, t + 180);
    const lost = await notification(id, 'disputed', (x) => x.timeline.some((e) => e.event === 'dispute_lost'));
    expect(lost.timeline.map((e) => e.event)).toEqual(['paid', 'disputed', 'dispute_lost']);
    expect(lost.acknowledgedAt).toBeNull();
    await eventually('the lost dispute on Slack', () => slack.posts((c) => String(c.params.text).startsWith('Chargeback lost: Globex, €500.00')).length > 0, { timeoutMs: 45000, intervalMs: 300 });
  });

  it('an invoice marked uncollectible raises a write-off alert', async () => {
    const invoice = openInvoice();
    const id = `stripe:${invoice.id}`;
    await post('invoice.finalized', invoice, nowSeconds());
    await notification(id, 'invoice_issued');
    await post('invoice.marked_uncollectible', { ...invoice, status: 'uncollectible' }, nowSeconds() + 60);
    const alert = await notification(id, 'written_off');
    expect(alert).toMatchObject({ status: 'uncollectible', amountRemaining: 50_000, channels: expect.arrayContaining(['slack']) });
    await eventually('the write-off on Slack', () => slack.posts((c) => String(c.params.text).startsWith('Written off: Globex')).length > 0, { timeoutMs: 45000, intervalMs: 300 });
  });

  it("an overdue alert shows the remaining balance and the reason from Stripe's charge, not last_finalization_error", async () => {
    const invoice = openInvoice({ due_date: nowSeconds() - 2 * day, last_finalization_error: { message: 'tax location invalid', type: 'invalid_request_error' } });
    const id = `stripe:${invoice.id}`;
    const t = nowSeconds() - 40 * day;
    await post('invoice.finalized', invoice, t);
    await post('invoice.payment_failed', { ...invoice, amount_paid: 10_000, amount_remaining: 40_000, attempt_count: 1, attempted: true }, t + 60);
    await post('charge.failed', {
      id: uid('ch'), object: 'charge', amount: 40_000, currency: 'eur', status: 'failed', payment_intent: invoice.payment_intent,
      failure_code: 'card_declined', failure_message: 'Your card has insufficient funds.', outcome: { type: 'issuer_declined', reason: 'insufficient_funds', seller_message: 'The bank returned the decline code `insufficient_funds`.' },
    }, t + 61);
    // The marker may make it overdue before the failure arrives: the alert follows until both are in.
    const alert = await notification(id, 'overdue', (x) => x.failureReason !== null && x.amountRemaining === 40_000);
    expect(alert).toMatchObject({ status: 'overdue', amount: 50_000, amountRemaining: 40_000, failureReason: 'Your card has insufficient funds.' });
    await eventually('the overdue alert on Slack', () => slack.posts((c) => JSON.stringify(c.params).includes(`*Overdue: Globex, €500.00*`)).length > 0, { timeoutMs: 45000, intervalMs: 300 });
  });
});
