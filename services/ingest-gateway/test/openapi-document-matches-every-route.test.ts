import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '@invoice-signal/runtime';
import {
  chargebeeEvent, chargebeeInvoice, eventually, exerciseHealth, exhaustFailedAuth, freshClient, OpenApiContract, outboundMessage, soapHeaders, uniqueName, type ContractCall,
} from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { bearer, chargebeeAuth, deleteNamespaceTopics, gatewayConfig, secrets, startGateway } from './support/gateway.ts';
import { startGatedGateway } from './support/gated-gateway.ts';
import { signed, stripeEvent, stripeInvoice, uid } from './support/stripe-payloads.ts';

const path = {
  stripe: '/api/webhooks/billing/stripe', chargebee: '/api/webhooks/billing/chargebee', salesforce: '/api/webhooks/billing/salesforce',
  upload: '/api/invoices/upload', invoice: '/api/webhooks/billing/invoice',
};
const webhookLimit = 16 * 1024;
const uploadLimit = 64 * 1024;

/** Each call from its own client address (the gateway trusts 127.0.0.1 as a proxy), so refusals of one case spend no other's budget. */
const from = (headers: Record<string, string>) => ({ ...headers, ...freshClient() });

const signedStripe = (body: string): ContractCall => ({ headers: from(signed(body)), body });
const stripeCall = (event: object = stripeEvent('invoice.finalized', stripeInvoice())) => signedStripe(JSON.stringify(event));
const chargebeeCall = (event: object = chargebeeEvent('invoice_generated', { invoice: chargebeeInvoice() })): ContractCall =>
  ({ headers: from({ ...chargebeeAuth, 'content-type': 'application/json' }), body: JSON.stringify(event) });
const sfInvoice = (id = uid('a0x')) => ({
  type: 'blng__Invoice__c',
  fields: {
    Id: id, Name: 'INV-1', blng__Account__c: '0015g00000AcmeAAA', blng__InvoiceStatus__c: 'Posted', blng__PaymentStatus__c: 'Unpaid', blng__TotalAmount__c: '10.00',
    blng__Balance__c: '10.00', blng__Payments__c: '0.00', blng__InvoiceDate__c: '2026-11-01', blng__DueDate__c: '2026-12-01', CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-01T09:30:00.000Z',
  },
});
const salesforceCall = (xml = outboundMessage(secrets.SALESFORCE_ORG_ID, [sfInvoice()])): ContractCall =>
  ({ headers: from(soapHeaders), query: { token: secrets.SALESFORCE_ENDPOINT_TOKEN }, body: xml });
const csv = () => `invoiceId,currency,total,issuedAt,dueAt\n${uid('up')},EUR,1250.00,2026-11-01,2026-12-01\n`;
const uploadCall = (body = csv()): ContractCall => ({ headers: from({ ...bearer, 'content-type': 'text/csv' }), body });
const canonical = () => ({
  source: 'manual', vendorEventId: uid('ev'), vendorInvoiceId: uid('inv'), type: 'issued', currency: 'EUR', totalMinor: 125_000, issuedAt: '2026-11-01', dueAt: '2026-12-01', occurredAt: '2026-11-01T10:00:00Z',
});
const canonicalCall = (body: object = canonical()): ContractCall => ({ headers: from(bearer), json: body });
/** The same request padded with leading blanks past the route's body limit. */
const oversized = (call: ContractCall, bytes: number): ContractCall => ({
  ...call, json: undefined, body: `${' '.repeat(bytes)}${String(call.body ?? JSON.stringify(call.json))}`, headers: { 'content-type': 'application/json', ...call.headers },
});

describe('the ingest-gateway answers as its OpenAPI document says', () => {
  const namespace = uniqueName('gw_contract');
  const env = {
    TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_FAILED_AUTH_PER_IP: '1', SALESFORCE_ALLOWED_IPS: '10.0.0.0/8',
    WEBHOOK_BODY_LIMIT: String(webhookLimit), UPLOAD_BODY_LIMIT: String(uploadLimit), PUBLISH_TIMEOUT_MS: '3000',
  };
  let gateway: RunningService<Config>;
  let gated: Awaited<ReturnType<typeof startGatedGateway>>;
  let contract: OpenApiContract;

  beforeAll(async () => {
    gateway = await startGateway(namespace, env);
    // A second instance whose broker is down: same routes, same document, 503 on every new delivery.
    gated = await startGatedGateway(gatewayConfig(namespace, env, gateway.ctx.config.databaseUrl));
    gated.stopBroker();
    contract = await OpenApiContract.load(gateway.url);
  });
  afterAll(async () => {
    await gated?.stop();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  it('serves a valid OpenAPI 3.x document that leaves no route out', () => {
    expect(contract.undocumented(gateway.ctx.app)).toEqual([]);
    expect(contract.hidden(gateway.ctx.app)).toEqual([]);
    expect(contract.documented()).toEqual(expect.arrayContaining(Object.values(path).map((p) => `POST ${p}`)));
    expect(Object.keys(contract.doc.components?.securitySchemes ?? {}).sort()).toEqual(['chargebeeBasic', 'ingestBearer', 'salesforceToken', 'stripeSignature']);
  });

  it('answers the deliveries of every vendor as documented', async () => {
    expect((await contract.call('POST', path.stripe, stripeCall())).body).toEqual({ received: true, outcome: 'accepted' });
    expect((await contract.call('POST', path.chargebee, chargebeeCall())).body).toEqual({ received: true, outcome: 'accepted' });
    const soap = await contract.call('POST', path.salesforce, salesforceCall());
    expect([soap.status, soap.text]).toEqual([200, expect.stringContaining('<Ack>true</Ack>')]);
    const upload = await contract.call('POST', path.upload, uploadCall());
    expect(upload.body).toMatchObject({ rows: 1, accepted: 1, duplicates: 0 });
  });

  it('answers every kind of sender on the single route as documented', async () => {
    expect((await contract.call('POST', path.invoice, stripeCall())).body.outcome).toBe('accepted');
    expect((await contract.call('POST', path.invoice, chargebeeCall())).body.outcome).toBe('accepted');
    expect((await contract.call('POST', path.invoice, salesforceCall())).text).toContain('<Ack>true</Ack>');
    const event = canonical();
    const first = await contract.call('POST', path.invoice, canonicalCall(event));
    expect([first.status, first.body.outcome]).toEqual([202, 'accepted']);
    const again = await contract.call('POST', path.invoice, canonicalCall(event));
    expect([again.status, again.body.outcome]).toEqual([200, 'duplicate']);
  });

  it('answers unreadable bodies with 400, 413 and 415 as documented', async () => {
    const malformed = (call: ContractCall): ContractCall => ({ ...call, json: undefined, body: '{"id":' });
    for (const [route, call] of [[path.stripe, signedStripe('{"id":')], [path.chargebee, malformed(chargebeeCall())], [path.salesforce, { ...salesforceCall(), body: '<soapenv:Envelope' }],
      [path.upload, uploadCall('invoiceId,currency,total,issuedAt\nx,EUR,abc,2026-11-01\n')], [path.invoice, malformed(canonicalCall())]] as const) {
      const answer = await contract.call('POST', route, call);
      expect([route, answer.status]).toEqual([route, 400]);
    }
    for (const [route, call, limit] of [[path.stripe, stripeCall(), webhookLimit], [path.chargebee, chargebeeCall(), webhookLimit], [path.salesforce, salesforceCall(), webhookLimit],
      [path.upload, uploadCall(), uploadLimit], [path.invoice, canonicalCall(), webhookLimit]] as const) {
      expect([route, (await contract.call('POST', route, oversized(call, limit))).status]).toEqual([route, 413]);
    }
    expect((await contract.call('POST', path.upload, { headers: from({ ...bearer, 'content-type': 'text/plain' }), body: 'hello' })).status).toBe(415);
  });

  it('refuses senders that do not prove who they are, then limits their address, as documented', async () => {
    for (const route of Object.values(path)) {
      const anonymous = { headers: from({ 'content-type': 'application/json' }), body: '{}' };
      expect([route, (await contract.call('POST', route, anonymous)).status]).toEqual([route, 401]);
      expect([route, (await exhaustFailedAuth(contract, 'POST', route, { headers: { 'content-type': 'application/json' }, body: '{}' })).status]).toEqual([route, 429]);
    }
    // Salesforce's allowlist (SALESFORCE_ALLOWED_IPS) is checked before its token.
    const outsider = { ...salesforceCall(), headers: { ...soapHeaders, 'x-forwarded-for': '192.0.2.7' } };
    expect((await contract.call('POST', path.salesforce, outsider)).status).toBe(403);
    expect((await contract.call('POST', path.invoice, outsider)).status).toBe(403);
  });

  it('answers 503 with Retry-After when the broker is down, as documented', async () => {
    for (const [route, call] of [[path.stripe, stripeCall()], [path.chargebee, chargebeeCall()], [path.salesforce, salesforceCall()], [path.upload, uploadCall()], [path.invoice, canonicalCall()]] as const) {
      const answer = await contract.call('POST', route, { ...call, baseUrl: gated.url });
      expect([route, answer.status, answer.headers.get('retry-after')]).toEqual([route, 503, '5']);
    }
  });

  it('answers its probes as documented', async () => {
    await eventually('ready', async () => (await fetch(`${gateway.url}/health/ready`)).status === 200);
    const { live, ready, notReady } = await exerciseHealth(contract, gateway.ctx.addCheck);
    expect([live.status, ready.status, notReady.status]).toEqual([200, 200, 503]);
  });

  it('has exercised every documented answer', () => {
    expect(contract.unexercised()).toEqual([]);
  });
});
