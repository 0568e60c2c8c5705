/**
 * A realistic stream of vendor webhooks for the demo (`npm start`): new Stripe and Chargebee
 * invoices for the demo accounts, then failed and successful payments, now and then an invoice
 * already past due or one for a customer nobody knows. Signed and authenticated like the vendors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chargebeeEvent, chargebeeInvoice, chargebeeTransaction, signed, stripeEvent, stripeInvoice, uid } from '@invoice-signal/testkit';
import { retry } from '@invoice-signal/runtime';

interface Account { accountId: string; contract?: { currency: string } | null; vendorRefs: { stripeCustomerId: string | null; chargebeeCustomerId: string | null } }

const gateway = process.env.DEMO_GATEWAY_URL ?? 'http://127.0.0.1:3001';
const intervalMs = Number(process.env.DEMO_FEED_INTERVAL_MS ?? 4000);
const stripeSecret = process.env.STRIPE_WEBHOOK_SECRET!.split(',')[0];
const basic = Buffer.from(`${process.env.CHARGEBEE_WEBHOOK_USERNAME}:${process.env.CHARGEBEE_WEBHOOK_PASSWORD}`).toString('base64');
const accounts = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'services', 'enricher', 'demo', 'accounts.json'), 'utf8')) as Account[];
const stripeCustomers = accounts.filter((a) => a.vendorRefs.stripeCustomerId);
const chargebeeCustomers = accounts.filter((a) => a.vendorRefs.chargebeeCustomerId);

const day = 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
const amount = () => pick([48_000, 125_000, 390_000, 1_250_000, 2_400_000]);
const open: Array<{ vendor: 'stripe' | 'chargebee'; invoice: Record<string, unknown> }> = [];

/** Like a vendor: retried until accepted (a few times, then the demo moves on). */
async function post(path: string, body: string, headers: Record<string, string>): Promise<void> {
  await retry(async () => {
    const res = await fetch(`${gateway}${path}`, { method: 'POST', headers, body });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  }, { attempts: 5, baseMs: 1000, retryIf: () => true }).catch(() => undefined);
}

const sendStripe = (event: Record<string, unknown>) => {
  const payload = JSON.stringify(event);
  return post('/api/webhooks/billing/stripe', payload, signed(payload, { secret: stripeSecret }));
};
const sendChargebee = (event: Record<string, unknown>) =>
  post('/api/webhooks/billing/chargebee', JSON.stringify(event), { 'content-type': 'application/json', authorization: `Basic ${basic}` });

async function newStripeInvoice(overdue = false, customer?: string) {
  const account = pick(stripeCustomers);
  const total = amount();
  const invoice = stripeInvoice({
    customer: customer ?? account.vendorRefs.stripeCustomerId, currency: (account.contract?.currency ?? 'EUR').toLowerCase(), created: now(),
    amount_due: total, amount_remaining: total, total, subtotal: total, number: uid('DEMO').toUpperCase(),
    due_date: overdue ? now() - 3 * day : now() + pick([14, 21, 30]) * day,
  });
  await sendStripe(stripeEvent('invoice.finalized', invoice, { created: now() }));
  open.push({ vendor: 'stripe', invoice });
}

async function newChargebeeInvoice() {
  const account = pick(chargebeeCustomers);
  const total = amount();
  const invoice = chargebeeInvoice({ id: uid('cbinv'), customer_id: account.vendorRefs.chargebeeCustomerId, currency_code: account.contract?.currency ?? 'USD', total, sub_total: total, amount_due: total, amount_to_collect: total, date: now(), due_date: now() + 30 * day });
  await sendChargebee(chargebeeEvent('invoice_generated', { invoice }, { occurred_at: now() }));
  open.push({ vendor: 'chargebee', invoice });
}

async function settleOne(failed: boolean) {
  const item = open.shift();
  if (!item) return;
  const { invoice } = item;
  if (item.vendor === 'stripe') {
    const paid = { ...invoice, status: 'paid', amount_paid: invoice.amount_due, amount_remaining: 0, attempted: true, attempt_count: 1 };
    await sendStripe(stripeEvent(failed ? 'invoice.payment_failed' : 'invoice.paid', failed ? { ...invoice, attempted: true, attempt_count: 1 } : paid, { created: now() }));
  } else {
    const transaction = chargebeeTransaction({ customer_id: invoice.customer_id, amount: invoice.total, status: failed ? 'failure' : 'success' });
    const settled = failed ? invoice : { ...invoice, status: 'paid', amount_paid: invoice.total, amount_due: 0, paid_at: now() };
    await sendChargebee(chargebeeEvent(failed ? 'payment_failed' : 'payment_succeeded', { invoice: settled, transaction }, { occurred_at: now() }));
  }
  if (failed) open.push(item); // it may still be paid later
}

console.log(`demo feed: one vendor delivery every ${intervalMs} ms to ${gateway}`);
for (let tick = 0; ; tick++) {
  const roll = Math.random();
  if (tick % 15 === 7) await newStripeInvoice(true);
  else if (tick % 23 === 11) await newStripeInvoice(false, `cus_unknown_${tick}`);
  else if (roll < 0.4 || open.length < 3) await (Math.random() < 0.65 ? newStripeInvoice() : newChargebeeInvoice());
  else await settleOne(roll < 0.6);
  await sleep(intervalMs);
}
