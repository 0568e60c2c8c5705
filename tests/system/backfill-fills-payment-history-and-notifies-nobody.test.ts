import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, signDevToken, type Knex } from '@invoice-signal/runtime';
import {
  chargebeeEvent, chargebeeInvoice, ChargebeeStandIn, chargebeeTransaction, eventually, signed, SlackStandIn, SmtpSink, stripeEvent, stripeInvoice, StripeListStandIn,
  SystemUnderTest, uid, uniqueName,
} from '@invoice-signal/testkit';

/**
 * Backfill through all five services as processes: on first connection the gateway imports a
 * year of invoices and payments from Stripe and Chargebee (local stand-ins of their list APIs,
 * through the real clients). The next live invoice of each account then carries that history
 * (payment history counts, not a first invoice), while nobody was notified of the history itself:
 * no notification, no Slack message, no overdue alert for an old unpaid invoice.
 */
const day = 86_400;

interface Notification { invoiceId: string; kind: string; riskFlags: string[]; paymentHistory: { invoices: number; paidOnTime: number; paidLate: number; failed: number; overdue: number } }

describe('backfill on first connection: history without notifications', () => {
  const run = uniqueName('backfill');
  const slack = new SlackStandIn();
  const mail = new SmtpSink();
  const stripeKey = 'sk_test_Backfill123';
  const cbKey = 'test_cb_backfill_key';
  const stripe = new StripeListStandIn(stripeKey);
  const chargebee = new ChargebeeStandIn(cbKey);
  const t0 = Math.floor(Date.now() / 1000);
  const alice = `csm_alice_${run}`;
  const bob = `csm_bob_${run}`;
  const stripeCustomer = `cus_${run}`;
  const cbCustomer = `cb_${run}`;
  let system: SystemUnderTest;
  const dbs: Knex[] = [];
  let enricherDb: Knex;
  let notifierDb: Knex;

  const transitions = (finalized: number, paid: number | null = null) => ({ finalized_at: finalized, paid_at: paid, voided_at: null, marked_uncollectible_at: null });
  const stripeHistory = [
    stripeInvoice({ id: uid('in_bf'), number: uid('BF'), customer: stripeCustomer, status: 'paid', created: t0 - 200 * day, due_date: t0 - 170 * day, attempt_count: 1, attempted: true, amount_paid: 2_000_000, amount_remaining: 0, amount_due: 2_000_000, total: 2_000_000, status_transitions: transitions(t0 - 200 * day, t0 - 190 * day) }),
    stripeInvoice({ id: uid('in_bf'), number: uid('BF'), customer: stripeCustomer, status: 'paid', created: t0 - 100 * day, due_date: t0 - 70 * day, attempt_count: 1, attempted: true, amount_paid: 2_000_000, amount_remaining: 0, amount_due: 2_000_000, total: 2_000_000, status_transitions: transitions(t0 - 100 * day, t0 - 60 * day) }),
    // Unpaid, due two months ago: the tracker's overdue scan marks it overdue; still nobody hears of it.
    stripeInvoice({ id: uid('in_bf'), number: uid('BF'), customer: stripeCustomer, status: 'open', created: t0 - 90 * day, due_date: t0 - 60 * day, amount_due: 2_000_000, amount_remaining: 2_000_000, total: 2_000_000, status_transitions: transitions(t0 - 90 * day) }),
  ];
  const cbHistory = [
    chargebeeInvoice({ id: uid('cb_bf'), customer_id: cbCustomer, status: 'paid', date: t0 - 150 * day, due_date: t0 - 120 * day, paid_at: t0 - 140 * day, total: 3_000_000, amount_paid: 3_000_000, amount_due: 0 }),
    chargebeeInvoice({ id: uid('cb_bf'), customer_id: cbCustomer, status: 'not_paid', date: t0 - 80 * day, due_date: t0 - 50 * day, total: 3_000_000, amount_due: 3_000_000 }),
  ];
  const backfilled = [...stripeHistory.map((i) => `stripe:${i.id}`), ...cbHistory.map((i) => `chargebee:${i.id}`)];

  const token = (csmId: string) => signDevToken(system.secrets.AUTH_JWT_SECRET, csmId);
  async function pending(csmId: string): Promise<Notification[]> {
    const res = await fetch(`${system.url('notifier')}/api/invoices/csm/${csmId}/pending?limit=200`, { headers: { authorization: `Bearer ${await token(csmId)}` } });
    return ((await res.json()) as { items: Notification[] }).items;
  }
  const notified = (csmId: string, invoiceId: string) => eventually(`${invoiceId} notified to ${csmId}`, async () => (await pending(csmId)).find((n) => n.invoiceId === invoiceId && n.kind === 'invoice_issued'), { timeoutMs: 60_000, intervalMs: 300 });

  beforeAll(async () => {
    await Promise.all([slack.start(), mail.start(), stripe.start(), chargebee.start()]);
    stripe.invoices.push(...stripeHistory);
    chargebee.invoices.push(...cbHistory);
    chargebee.transactions.push(chargebeeTransaction({ id: uid('txn'), customer_id: cbCustomer, status: 'failure', type: 'payment', date: t0 - 75 * day, amount: 3_000_000, error_text: 'Insufficient funds', linked_invoices: [{ invoice_id: cbHistory[1].id, applied_amount: 3_000_000, applied_at: t0 - 75 * day }] }));
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-backfill', SLACK_API_URL: slack.url, BATCH_WINDOW_SECONDS: '0', DELIVERY_TICK_MS: '200',
      SMTP_URL: mail.url, DIGEST_FROM: 'invoice-signal@backfill.test', OVERDUE_GRACE_MS: '0', OVERDUE_SCAN_INTERVAL_MS: '500',
      STRIPE_API_KEY: stripeKey, STRIPE_API_BASE_URL: stripe.url, CHARGEBEE_SITE: 'acme-test', CHARGEBEE_API_KEY: cbKey, CHARGEBEE_API_BASE_URL: chargebee.url,
      RECOVERY_INTERVAL_MS: '1000', RECOVERY_SETTLE_MS: '0',
    };
    // Everything but the gateway first, and the accounts loaded: the vendors are then connected to a running system.
    system = await SystemUnderTest.start({ namespace: run, env, services: ['enricher', 'risk-scorer', 'notifier', 'payment-tracker'] });
    const account = (accountId: string, csm: string, refs: Record<string, string | null>, currency: string) => ({
      accountId, name: `Account ${accountId}`, csm: { id: csm, email: `${csm}@backfill.test`, slackUserId: `U_${csm}`, timeZone: 'UTC' },
      health: { score: 80, asOf: '2026-11-20', history: [] },
      contract: { arrMinor: 24_000_000, currency, startDate: '2024-01-01', endDate: '2027-12-31', renewalDate: '2027-12-31', plan: 'Enterprise', tier: 'standard' },
      supportIssues: { open: 0, last30d: 0, recent: [] }, disputes: { count: 0, lastAt: null }, valueDelivered: [],
      vendorRefs: { stripeCustomerId: null, chargebeeCustomerId: null, salesforceAccountId: null, ...refs },
    });
    const res = await fetch(`${system.url('enricher')}/api/context/accounts`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${system.secrets.CONTEXT_ADMIN_TOKEN}` },
      body: JSON.stringify([account(`acc_s_${run}`, alice, { stripeCustomerId: stripeCustomer }, 'EUR'), account(`acc_c_${run}`, bob, { chargebeeCustomerId: cbCustomer }, 'USD')]),
    });
    expect(res.status).toBe(202);
    enricherDb = createDb(system.databaseUrls().get('enricher')!, 2);
    notifierDb = createDb(system.databaseUrls().get('notifier')!, 2);
    dbs.push(enricherDb, notifierDb);
    await eventually('the accounts in the enricher', async () => (await enricherDb('vendor_refs').count<{ count: number }[]>('* as count'))[0].count >= 2 || undefined, { timeoutMs: 30_000 });
    await system.startService('ingest-gateway');
  }, 300_000);

  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.destroy()));
    await system?.stop();
    await Promise.all([slack.stop(), mail.stop(), stripe.stop(), chargebee.stop()]);
  });

  it('fills payment history and the scorer\'s history from day one, and notifies nobody of the year imported', async () => {
    // The history has reached the enricher (statuses, the old unpaid ones overdue) and every backfilled issue was enriched.
    await eventually('the backfilled statuses in the payment history', async () => {
      const rows = await enricherDb('payment_history').whereIn('invoice_id', backfilled).select('invoice_id', 'status');
      const status = Object.fromEntries(rows.map((r) => [r.invoice_id, r.status]));
      return status[`stripe:${stripeHistory[2].id}`] === 'overdue' && status[`chargebee:${cbHistory[1].id}`] === 'overdue' && rows.length === backfilled.length || undefined;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    await eventually('the backfilled issues enriched', async () => (await enricherDb('invoice_enrichments').whereIn('invoice_id', backfilled).count<{ count: number }[]>('* as count'))[0].count === backfilled.length || undefined, { timeoutMs: 60_000 });

    // Live invoices after the backfill: their notifications carry the year of history.
    const live = stripeInvoice({ number: uid('LIVE'), customer: stripeCustomer, amount_due: 2_100_000, amount_remaining: 2_100_000, total: 2_100_000, due_date: t0 + 30 * day, status_transitions: transitions(t0) });
    const payload = JSON.stringify(stripeEvent('invoice.finalized', live, { created: t0 }));
    expect((await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/stripe`, { method: 'POST', headers: signed(payload, { secret: system.secrets.STRIPE_WEBHOOK_SECRET }), body: payload })).status).toBe(200);
    const cbLive = chargebeeInvoice({ id: uid('cb_live'), customer_id: cbCustomer, date: t0, due_date: t0 + 30 * day, total: 3_000_000, amount_due: 3_000_000 });
    const basic = Buffer.from(`${system.secrets.CHARGEBEE_WEBHOOK_USERNAME}:${system.secrets.CHARGEBEE_WEBHOOK_PASSWORD}`).toString('base64');
    expect((await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/chargebee`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` }, body: JSON.stringify(chargebeeEvent('invoice_generated', { invoice: cbLive }, { occurred_at: t0 })) })).status).toBe(200);

    const s = await notified(alice, `stripe:${live.id}`);
    expect(s.paymentHistory).toMatchObject({ invoices: 3, paidOnTime: 1, paidLate: 1, overdue: 1, failed: 0 });
    expect(s.riskFlags).not.toContain('FIRST_INVOICE');
    const c = await notified(bob, `chargebee:${cbLive.id}`);
    expect(c.paymentHistory).toMatchObject({ invoices: 2, paidOnTime: 1, failed: 1 });
    expect(c.riskFlags).not.toContain('FIRST_INVOICE');

    // Nobody heard of the history: no notification of any kind, no delivery, nothing on Slack; the live ones went out.
    await eventually('the live invoices on Slack', () => (slack.posts((p) => p.params.channel === `U_${alice}`).length > 0 && slack.posts((p) => p.params.channel === `U_${bob}`).length > 0) || undefined, { timeoutMs: 30_000 });
    expect((await pending(alice)).map((n) => n.invoiceId)).toEqual([`stripe:${live.id}`]);
    expect((await pending(bob)).map((n) => n.invoiceId)).toEqual([`chargebee:${cbLive.id}`]);
    expect(await notifierDb('notifications').whereIn('invoice_id', backfilled)).toEqual([]);
    expect((await notifierDb('invoice_status').whereIn('invoice_id', backfilled)).length).toBe(backfilled.length);
    const historyNumbers = [...stripeHistory.map((i) => String(i.number)), ...cbHistory.map((i) => String(i.id))];
    expect(slack.posts().filter((p) => historyNumbers.some((num) => JSON.stringify(p.params).includes(num)))).toEqual([]);
  });
});
