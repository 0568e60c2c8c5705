import Stripe from 'stripe';
import { stripeSecret } from './gateway.ts';

let n = 0;
export const uid = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(++n).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** An invoice object as Stripe sends it in webhooks (API version 2025-10-29.clover shape). */
export function stripeInvoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uid('in'), object: 'invoice', account_country: 'FR', account_name: 'Acme SaaS', amount_due: 125000, amount_overpaid: 0, amount_paid: 0,
    amount_remaining: 125000, amount_shipping: 0, attempt_count: 0, attempted: false, auto_advance: true, billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically', created: 1_762_000_000, currency: 'eur', customer: 'cus_Acme001', customer_email: 'billing@acme.test',
    default_payment_method: null, description: null, due_date: 1_764_592_000, ending_balance: 0, hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test_abc',
    invoice_pdf: 'https://pay.stripe.com/invoice/acct_1/test_abc/pdf', last_finalization_error: null, livemode: false, metadata: {}, next_payment_attempt: 1_762_003_600,
    number: 'ACME-0042', parent: { quote_details: null, subscription_details: { metadata: {}, subscription: 'sub_1Acme' }, type: 'subscription_details' },
    period_end: 1_762_000_000, period_start: 1_759_408_000, status: 'open',
    status_transitions: { finalized_at: 1_762_000_100, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 125000, total: 125000, total_discount_amounts: [], total_taxes: [],
    lines: { object: 'list', data: [], has_more: false, total_count: 0, url: '/v1/invoices/in_x/lines' },
    ...overrides,
  };
}

export function stripeEvent(type: string, object: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uid('evt'), object: 'event', api_version: '2025-10-29.clover', created: 1_762_000_200, data: { object, previous_attributes: {} },
    livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, ...overrides,
  };
}

/** Signs the exact bytes the way Stripe does (t=…,v1=HMAC-SHA256). */
export function signed(payload: string, opts: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? stripeSecret, timestamp: opts.timestamp });
  return { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header };
}

export async function postStripe(url: string, event: Record<string, unknown>, opts: { secret?: string; timestamp?: number; path?: string } = {}) {
  const payload = JSON.stringify(event, null, 2); // Stripe pretty-prints; signatures cover exact bytes
  return fetch(`${url}${opts.path ?? '/api/webhooks/billing/stripe'}`, { method: 'POST', headers: signed(payload, opts), body: payload });
}
