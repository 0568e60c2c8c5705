/**
 * Payloads shaped exactly as each billing vendor sends them (Stripe events signed the way Stripe
 * signs, Chargebee's JSON envelope, Salesforce's SOAP outbound messages), for gateway and
 * end-to-end tests.
 */
import Stripe from 'stripe';

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
export function signed(payload: string, opts: { secret: string; timestamp?: number }): Record<string, string> {
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret, timestamp: opts.timestamp });
  return { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header };
}

export async function postStripe(url: string, event: Record<string, unknown>, opts: { secret: string; timestamp?: number; path?: string }) {
  const payload = JSON.stringify(event, null, 2); // Stripe pretty-prints; signatures cover exact bytes
  return fetch(`${url}${opts.path ?? '/api/webhooks/billing/stripe'}`, { method: 'POST', headers: signed(payload, opts), body: payload });
}


/** An invoice as Chargebee (API v2) puts it in webhook content. Amounts in minor units. */
export function chargebeeInvoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uid('cbinv'), customer_id: 'cb_acme', subscription_id: 'cb_sub_1', recurring: true, status: 'payment_due', price_type: 'tax_exclusive',
    date: 1_762_000_000, due_date: 1_764_592_000, net_term_days: 30, exchange_rate: 1.0, total: 99900, amount_paid: 0, amount_adjusted: 0,
    write_off_amount: 0, credits_applied: 0, amount_due: 99900, dunning_status: 'in_progress', updated_at: 1_762_000_050, resource_version: 1762000050000,
    deleted: false, object: 'invoice', first_invoice: false, amount_to_collect: 99900, round_off_amount: 0, has_advance_charges: false,
    currency_code: 'USD', base_currency_code: 'USD', is_gifted: false, term_finalized: true, generated_at: 1_762_000_000, channel: 'web', tax: 0, sub_total: 99900,
    line_items: [{ id: 'li_1', date_from: 1_759_408_000, date_to: 1_762_000_000, unit_amount: 99900, quantity: 1, amount: 99900, pricing_model: 'flat_fee', is_taxed: false, tax_amount: 0, object: 'line_item', subscription_id: 'cb_sub_1', customer_id: 'cb_acme', description: 'Enterprise plan', entity_type: 'plan_item_price', entity_id: 'enterprise-USD-monthly', discount_amount: 0, item_level_discount_amount: 0 }],
    dunning_attempts: [], linked_payments: [],
    ...overrides,
  };
}

/** The envelope Chargebee POSTs to a webhook endpoint. */
export function chargebeeEvent(eventType: string, content: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: uid('ev_cb'), occurred_at: 1_762_000_300, source: 'scheduled_job', object: 'event', api_version: 'v2', content, event_type: eventType, webhook_status: 'scheduled', ...overrides };
}

export function chargebeeTransaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: uid('txn'), customer_id: 'cb_acme', subscription_id: 'cb_sub_1', payment_method: 'card', gateway: 'stripe', type: 'payment', date: 1_762_000_300, currency_code: 'USD', amount: 99900, status: 'success', object: 'transaction', ...overrides };
}

type Fields = Record<string, string | null>;

/** A Salesforce Outbound Message as Salesforce sends it (SOAP 1.1, enterprise sObject namespace). */
export function outboundMessage(orgId: string, notifications: Array<{ id?: string; type: string; fields: Fields }>): string {
  const body = notifications.map((n) => {
    const fields = Object.entries(n.fields).map(([k, v]) => (v === null ? `<sf:${k} xsi:nil="true"/>` : `<sf:${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</sf:${k}>`)).join('\n          ');
    return `
      <Notification>
        <Id>${n.id ?? uid('04l')}</Id>
        <sObject xsi:type="sf:${n.type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
          ${fields}
        </sObject>
      </Notification>`;
  }).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soapenv:Body>
    <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
      <OrganizationId>${orgId}</OrganizationId>
      <ActionId>04k5g000000TESTAAA</ActionId>
      <SessionId xsi:nil="true"/>
      <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/60.0/00D5g000004ExAm</EnterpriseUrl>
      <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/60.0/00D5g000004ExAm</PartnerUrl>${body}
    </notifications>
  </soapenv:Body>
</soapenv:Envelope>`;
}

export const soapHeaders = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' };
