import { uid } from './stripe-payloads.ts';

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
