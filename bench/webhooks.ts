/** Signed Stripe invoice.finalized deliveries for the benchmark's accounts. */
import { signed, stripeEvent, stripeInvoice } from '@invoice-signal/testkit';
import type { Request } from './load.ts';

export const stripePath = '/api/webhooks/billing/stripe';
export const customerOf = (i: number, accounts: number) => `cus_bench_${i % accounts}`;

export interface Delivery extends Request {
  invoiceId: string;
}

/**
 * One finalized invoice per delivery, each a new invoice of one of the seeded customers. Stripe
 * pretty-prints its payloads and signs the exact bytes; so does this.
 */
export function stripeDelivery(label: string, i: number, accounts: number, secret: string): Delivery {
  const now = Math.floor(Date.now() / 1000);
  const vendorId = `in_${label}_${i}`;
  const invoice = stripeInvoice({ id: vendorId, customer: customerOf(i, accounts), number: `BENCH-${label}-${i}`, created: now, status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null }, due_date: now + 30 * 86400 });
  const event = stripeEvent('invoice.finalized', invoice, { id: `evt_${label}_${i}`, created: now });
  const body = JSON.stringify(event, null, 2);
  return { path: stripePath, headers: signed(body, { secret }), body, invoiceId: `stripe:${vendorId}` };
}

/** Builds a step's deliveries before its clock starts, so the generator only sends. */
export function prepare(label: string, count: number, accounts: number, secret: string): Delivery[] {
  return Array.from({ length: count }, (_, i) => stripeDelivery(label, i, accounts, secret));
}
