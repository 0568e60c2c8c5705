import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '@invoice-signal/runtime';
import {
  chargebeeEvent, chargebeeInvoice, chargebeeTransaction, eventually, signed, SlackStandIn, SmtpSink, stripeEvent, stripeInvoice,
  SystemUnderTest, uid, uniqueName,
} from '@invoice-signal/testkit';

/**
 * The whole product, five services as separate processes on the real stack: vendor deliveries in
 * at the gateway, notifications out through the CSM API, Slack and the status topic's effects.
 */

interface Notification {
  id: string; kind: string; invoiceId: string; customerId: string; csmId: string; amount: number; currency: string; amountDisplay: string;
  dueDate: string | null; status: string; riskLevel: string; riskFlags: string[]; recommendedActions: string[];
  customerContext: { healthScore: number | null; paymentHistory: string; renewalDate: string | null; recentIssues: boolean };
}

const day = 24 * 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('invoice generated → CSM notified → payment followed (all five services)', () => {
  const run = uniqueName('e2e');
  const slack = new SlackStandIn();
  const mail = new SmtpSink();
  let system: SystemUnderTest;
  const alice = `csm_alice_${run}`;
  const bob = `csm_bob_${run}`;
  const triage = `csm_triage_${run}`;
  const stripeCustomer = `cus_${run}`;
  const chargebeeCustomer = `cb_${run}`;

  const token = (csmId: string, role = 'csm') =>
    signDevToken(system.secrets.AUTH_JWT_SECRET, csmId, { role });

  async function api<T>(path: string, as: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${system.url('notifier')}${path}`, { headers: { authorization: `Bearer ${await token(as)}` } });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** The CSM's pending notifications of one invoice and kind, once the pipeline delivered it. */
  function notificationOf(csmId: string, invoiceId: string, kind = 'invoice_issued', timeoutMs = 30000): Promise<Notification> {
    return eventually(`${kind} of ${invoiceId} for ${csmId}`, async () => {
      const { body } = await api<{ items: Notification[] }>(`/api/invoices/csm/${csmId}/pending?limit=200`, csmId);
      return body.items?.find((n) => n.invoiceId === invoiceId && n.kind === kind);
    }, { timeoutMs, intervalMs: 250 });
  }

  function statusOf(customerId: string, invoiceId: string, status: string, as: string): Promise<true> {
    return eventually(`${invoiceId} to be ${status}`, async () => {
      const { body } = await api<{ invoices?: Array<{ invoiceId: string; status: string }> }>(`/api/invoices/customer/${customerId}`, as);
      return body.invoices?.find((i) => i.invoiceId === invoiceId)?.status === status ? true : undefined;
    }, { timeoutMs: 30000, intervalMs: 250 });
  }

  async function postStripe(event: Record<string, unknown>) {
    const payload = JSON.stringify(event);
    const res = await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/invoice`, { method: 'POST', headers: signed(payload, { secret: system.secrets.STRIPE_WEBHOOK_SECRET }), body: payload });
    expect(res.status).toBe(200);
  }

  async function postChargebee(event: Record<string, unknown>) {
    const basic = Buffer.from(`${system.secrets.CHARGEBEE_WEBHOOK_USERNAME}:${system.secrets.CHARGEBEE_WEBHOOK_PASSWORD}`).toString('base64');
    const res = await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/chargebee`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` }, body: JSON.stringify(event) });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    await slack.start();
    await mail.start();
    system = await SystemUnderTest.start({
      namespace: run,
      env: {
        SLACK_BOT_TOKEN: 'xoxb-e2e', SLACK_API_URL: slack.url, BATCH_WINDOW_SECONDS: '0', DELIVERY_TICK_MS: '200',
        SMTP_URL: mail.url, DIGEST_FROM: 'invoice-signal@e2e.test',
        FALLBACK_CSM_ID: triage, OVERDUE_GRACE_MS: '0', OVERDUE_SCAN_INTERVAL_MS: '500',
      },
    });
    const accounts = [
      {
        accountId: `acc_strat_${run}`, name: 'Northwind Logistics',
        csm: { id: alice, email: 'alice@e2e.test', slackUserId: 'U0ALICE', timeZone: 'Europe/Paris' },
        health: { score: 45, asOf: '2026-11-20', history: [{ score: 81, asOf: '2026-08-20' }, { score: 70, asOf: '2026-10-01' }] },
        contract: { arrMinor: 24_000_000, currency: 'EUR', startDate: '2025-12-15', endDate: '2027-12-14', renewalDate: '2027-12-14', plan: 'Enterprise', tier: 'strategic' },
        supportIssues: { open: 2, last30d: 4, recent: [{ id: 'SUP-1', title: 'SSO loops', severity: 'high', openedAt: '2026-11-12', open: true }] },
        disputes: { count: 0, lastAt: null },
        valueDelivered: [{ metric: 'planning hours saved', value: 1240.5, unit: 'hours', period: '2026-Q3' }],
        vendorRefs: { stripeCustomerId: stripeCustomer, chargebeeCustomerId: null, salesforceAccountId: null },
      },
      {
        accountId: `acc_std_${run}`, name: 'Initech',
        csm: { id: bob, email: 'bob@e2e.test', slackUserId: 'U0BOB', timeZone: 'America/New_York' },
        health: { score: 77, asOf: '2026-11-20', history: [] },
        contract: { arrMinor: 3_600_000, currency: 'USD', startDate: '2026-01-10', endDate: '2027-01-09', renewalDate: '2027-01-09', plan: 'Growth', tier: 'standard' },
        supportIssues: { open: 0, last30d: 0, recent: [] }, disputes: { count: 0, lastAt: null }, valueDelivered: [],
        vendorRefs: { stripeCustomerId: null, chargebeeCustomerId: chargebeeCustomer, salesforceAccountId: null },
      },
    ];
    const res = await fetch(`${system.url('enricher')}/api/context/accounts`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${system.secrets.CONTEXT_ADMIN_TOKEN}` }, body: JSON.stringify(accounts),
    });
    expect(res.status).toBe(202);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await slack.stop();
    await mail.stop();
  });

  it('a signed Stripe invoice reaches its CSM with context, flags and actions, then follows payment_failed and paid', async () => {
    const invoice = stripeInvoice({ customer: stripeCustomer, amount_due: 1_250_000, amount_remaining: 1_250_000, total: 1_250_000, subtotal: 1_250_000, currency: 'eur', due_date: nowSeconds() + 20 * day });
    const invoiceId = `stripe:${invoice.id}`;
    await postStripe(stripeEvent('invoice.finalized', invoice, { created: nowSeconds() }));

    const n = await notificationOf(alice, invoiceId);
    expect(n).toMatchObject({ customerId: `acc_strat_${run}`, csmId: alice, amount: 1_250_000, currency: 'EUR', status: 'pending', riskLevel: 'high' });
    expect(n.dueDate).toBe(new Date((invoice.due_date as number) * 1000).toISOString());
    expect(n.customerContext).toMatchObject({ healthScore: 45, recentIssues: true });
    expect(n.customerContext.renewalDate).toBe('2027-12-14T00:00:00.000Z');
    expect(n.riskFlags).toEqual(expect.arrayContaining(['FIRST_INVOICE', 'HEALTH_DECLINING', 'HIGH_VALUE']));
    expect(n.recommendedActions.length).toBeGreaterThan(0);
    // High value: Slack too, to the CSM's Slack user.
    await eventually('the Slack message', () => slack.posts((c) => c.params.channel === 'U0ALICE' && JSON.stringify(c.params).includes(String(invoice.number))).length > 0);

    await postStripe(stripeEvent('invoice.payment_failed', { ...invoice, attempt_count: 1, attempted: true }, { created: nowSeconds() + 60 }));
    await statusOf(`acc_strat_${run}`, invoiceId, 'failed', alice);
    expect(await notificationOf(alice, invoiceId, 'payment_failed')).toMatchObject({ status: 'failed' });

    await postStripe(stripeEvent('invoice.paid', { ...invoice, status: 'paid', amount_paid: 1_250_000, amount_remaining: 0, attempt_count: 2, attempted: true }, { created: nowSeconds() + 120 }));
    await statusOf(`acc_strat_${run}`, invoiceId, 'paid', alice);
  });

  it('IDR, HUF and ISK Stripe invoices show the amounts Stripe means, in the API and on Slack; high value is the FX-converted amount due', async () => {
    const stripeAmounts = (amount: number, currency: string) => stripeInvoice({
      customer: stripeCustomer, number: uid(currency.toUpperCase()), currency, amount_due: amount, amount_remaining: amount, total: amount, subtotal: amount, due_date: nowSeconds() + 20 * day,
    });
    // Stripe: IDR and HUF invoices carry two decimals (HUF is zero-decimal only for payouts); ISK is sent ×100 ("500 = 5 ISK").
    const idr = stripeAmounts(1_000_000_000, 'idr'); // IDR 10,000,000.00 ≈ USD 600: not high value (the old Slack bar, 1,000,000 minor units, said it was)
    const huf = stripeAmounts(500_000_000, 'huf'); // HUF 5,000,000.00 ≈ USD 15,000: high value
    const isk = stripeAmounts(150_000_000, 'isk'); // ISK 1,500,000 ≈ USD 11,850: high value
    for (const invoice of [idr, huf, isk]) await postStripe(stripeEvent('invoice.finalized', invoice, { created: nowSeconds() }));

    const [nIdr, nHuf, nIsk] = await Promise.all([idr, huf, isk].map((i) => notificationOf(alice, `stripe:${i.id}`)));
    expect(nIdr).toMatchObject({ currency: 'IDR', amount: 1_000_000_000, amountDisplay: 'IDR 10,000,000.00' });
    expect(nHuf).toMatchObject({ currency: 'HUF', amount: 500_000_000, amountDisplay: 'HUF 5,000,000.00' });
    expect(nIsk).toMatchObject({ currency: 'ISK', amount: 1_500_000, amountDisplay: 'ISK 1,500,000' });
    expect(nIdr.riskFlags).not.toContain('HIGH_VALUE');
    expect(nHuf.riskFlags).toContain('HIGH_VALUE');
    expect(nIsk.riskFlags).toContain('HIGH_VALUE');
    const slackText = (invoice: { number?: unknown }) => eventually(`the Slack message of ${String(invoice.number)}`, () =>
      slack.posts((c) => c.params.channel === 'U0ALICE' && JSON.stringify(c.params).includes(String(invoice.number))).map((c) => JSON.stringify(c.params))[0]);
    expect(await slackText(huf)).toContain('HUF 5,000,000.00');
    expect(await slackText(isk)).toContain('ISK 1,500,000');
  });

  it('a customer name and an invoice number planted with Slack markup reach Slack escaped: no @channel, no link', async () => {
    const name = '<!channel> <https://evil.example|Update card> & Co';
    const number = '<!here> <https://evil.example/pay|Pay here>';
    const csm = `csm_planted_${run}`;
    const customer = `cus_planted_${run}`;
    const account = {
      accountId: `acc_planted_${run}`, name,
      csm: { id: csm, email: 'planted@e2e.test', slackUserId: 'U0PLANTED', timeZone: 'UTC' },
      health: { score: 70, asOf: '2026-11-20', history: [] },
      contract: { arrMinor: 3_600_000, currency: 'EUR', startDate: '2026-01-10', endDate: '2027-01-09', renewalDate: '2027-01-09', plan: 'Growth', tier: 'standard' },
      supportIssues: { open: 0, last30d: 0, recent: [] }, disputes: { count: 0, lastAt: null }, valueDelivered: [],
      vendorRefs: { stripeCustomerId: customer, chargebeeCustomerId: null, salesforceAccountId: null },
    };
    const admin = { authorization: `Bearer ${system.secrets.CONTEXT_ADMIN_TOKEN}` };
    const imported = await fetch(`${system.url('enricher')}/api/context/accounts`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify([account]) });
    expect(imported.status).toBe(202);
    await eventually('the context stored', async () => (await fetch(`${system.url('enricher')}/api/context/accounts/${account.accountId}`, { headers: admin })).status === 200);
    // High value, so it goes to Slack; the first invoice of the account, so its flag message names the customer.
    const invoice = stripeInvoice({ customer, number, amount_due: 1_250_000, amount_remaining: 1_250_000, total: 1_250_000, subtotal: 1_250_000, currency: 'eur', due_date: nowSeconds() + 20 * day });
    await postStripe(stripeEvent('invoice.finalized', invoice, { created: nowSeconds() }));
    const post = await eventually('the Slack message', () => slack.posts((c) => c.params.channel === 'U0PLANTED')[0], { timeoutMs: 30000, intervalMs: 250 });
    const mrkdwn = [post.params.text as string, ...(post.params.blocks as Array<{ type: string; text?: { type: string; text: string } }>).filter((b) => b.text?.type === 'mrkdwn').map((b) => b.text!.text)];
    const section = mrkdwn[1]!;
    for (const text of mrkdwn) expect(text).not.toMatch(/<!channel>|<!here>|<https:/);
    expect(section).toContain('(&lt;!here&gt; &lt;https://evil.example/pay|Pay here&gt;)');
    expect(section).toContain('*First invoice for this account*: This is the first invoice for &lt;!channel&gt; &lt;https://evil.example|Update card&gt; &amp; Co');
  });

  it('an unpaid invoice past its due date raises an overdue alert', async () => {
    const invoice = stripeInvoice({ customer: stripeCustomer, amount_due: 40_000, amount_remaining: 40_000, total: 40_000, subtotal: 40_000, due_date: nowSeconds() - 2 * day });
    const invoiceId = `stripe:${invoice.id}`;
    await postStripe(stripeEvent('invoice.finalized', invoice, { created: nowSeconds() - 40 * day }));
    const overdue = await notificationOf(alice, invoiceId, 'overdue');
    expect(overdue).toMatchObject({ status: 'overdue', amount: 40_000 });
  });

  it('the same journey from Chargebee: generated, then paid', async () => {
    const invoice = chargebeeInvoice({ id: uid('cbinv'), customer_id: chargebeeCustomer, total: 120_000, amount_due: 120_000, sub_total: 120_000, amount_to_collect: 120_000, due_date: nowSeconds() + 30 * day, currency_code: 'USD' });
    const invoiceId = `chargebee:${invoice.id}`;
    await postChargebee(chargebeeEvent('invoice_generated', { invoice }, { occurred_at: nowSeconds() }));
    const n = await notificationOf(bob, invoiceId);
    expect(n).toMatchObject({ customerId: `acc_std_${run}`, amount: 120_000, currency: 'USD', status: 'pending' });
    expect(n.riskFlags).toContain('FIRST_INVOICE');

    const paid = { ...invoice, status: 'paid', amount_paid: 120_000, amount_due: 0, paid_at: nowSeconds() + 10 };
    await postChargebee(chargebeeEvent('payment_succeeded', { invoice: paid, transaction: chargebeeTransaction({ customer_id: chargebeeCustomer, amount: 120_000 }) }, { occurred_at: nowSeconds() + 10 }));
    await statusOf(`acc_std_${run}`, invoiceId, 'paid', bob);
  });

  it('the same journey from a manual upload', async () => {
    const invoiceRef = uid('MAN');
    const rows = [{ invoiceId: invoiceRef, accountId: `acc_std_${run}`, currency: 'USD', total: '845.50', issuedAt: new Date().toISOString(), dueAt: new Date(Date.now() + 14 * day * 1000).toISOString(), invoiceNumber: invoiceRef }];
    const res = await fetch(`${system.url('ingest-gateway')}/api/invoices/upload`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${system.secrets.INGEST_API_TOKEN}` }, body: JSON.stringify(rows),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const n = await notificationOf(bob, `manual:${invoiceRef}`);
    expect(n).toMatchObject({ customerId: `acc_std_${run}`, amount: 84_550, currency: 'USD' });
  });

  it('an invoice of an unknown customer reaches the fallback owner, flagged unmatched', async () => {
    const invoice = stripeInvoice({ customer: `cus_nobody_${run}`, due_date: nowSeconds() + 10 * day });
    await postStripe(stripeEvent('invoice.finalized', invoice, { created: nowSeconds() }));
    const n = await notificationOf(triage, `stripe:${invoice.id}`);
    expect(n.riskFlags).toContain('UNMATCHED_ACCOUNT');
    expect(n.customerId).toContain(`cus_nobody_${run}`);
  });
});
