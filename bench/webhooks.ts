/** Signed Stripe invoice.finalized deliveries for the benchmark's accounts. */
import { createHmac } from 'node:crypto';
import { stripeEvent, stripeInvoice } from '@invoice-signal/testkit';
import type { Request } from './load.ts';

export const stripePath = '/api/webhooks/billing/stripe';

/** The invoice id the pipeline gives the i-th delivery of a step (`label` names the step). */
export const invoiceIdOf = (label: string, i: number) => `stripe:in_${label}_${i}`;

/** Inverse of invoiceIdOf; undefined for invoices the bench did not send. */
export function parseInvoiceId(id: string): { label: string; i: number } | undefined {
  const m = /^stripe:in_(.+)_(\d+)$/.exec(id);
  return m ? { label: m[1]!, i: Number(m[2]) } : undefined;
}

export interface DeliverySpec {
  label: string;
  accounts: number;
  secret: string;
}

/**
 * Deliveries made while the load runs, cheaply: the body is one pretty-printed Stripe event (as
 * Stripe sends them) cut at the places that change per delivery (invoice number, customer), so
 * each delivery is a string join and one HMAC, not a JSON build. Building all of a step's bodies
 * ahead of the clock would take gigabytes at 2,500/s for 90 s.
 */
export function deliveries(spec: DeliverySpec): (i: number) => Request {
  const now = Math.floor(Date.now() / 1000);
  const vendorId = `in_${spec.label}_@@I@@`;
  const invoice = stripeInvoice({ id: vendorId, customer: 'cus_bench_@@C@@', number: `BENCH-${spec.label}-@@I@@`, created: now, status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null }, due_date: now + 30 * 86400 });
  const event = stripeEvent('invoice.finalized', invoice, { id: `evt_${spec.label}_@@I@@`, created: now });
  const parts = JSON.stringify(event, null, 2).split(/(@@[IC]@@)/);
  return (i) => {
    const customer = String(i % spec.accounts);
    const index = String(i);
    let body = '';
    for (const p of parts) body += p === '@@I@@' ? index : p === '@@C@@' ? customer : p;
    const t = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', spec.secret).update(`${t}.${body}`).digest('hex');
    return { path: stripePath, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': `t=${t},v1=${signature}` }, body };
  };
}

/** One delivery's body, for the references that need the pipeline's record size. */
export function sampleBody(): string {
  return deliveries({ label: 'size', accounts: 1, secret: 'whsec_size' })(0).body;
}
