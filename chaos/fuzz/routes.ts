/**
 * Every HTTP route of the gateway, the enricher and the notifier, each with a generator of bad
 * requests: random bodies, content types, headers, path and query values, with no, wrong or
 * valid credentials (valid ones reach validation with a broken payload).
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { ServiceName } from '@invoice-signal/local-stack';
import { outboundMessage, signed } from '@invoice-signal/testkit';
import { contentType, extraHeaders, headerValue, pathSegment, queryString, rawBody } from './arbitraries.ts';
import { brokenAccounts, brokenCanonical, brokenChargebeeEvent, brokenStripeEvent, brokenUpload, brokenUploadCsv, slackPayload } from './payloads.ts';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface Credentials {
  secrets: Record<string, string>;
  /** JWTs for the notifier: an admin, a CSM, and forged/expired ones. */
  tokens: { admin: string; csm: string; manager: string; forged: string[] };
}

export interface FuzzRoute {
  name: string;
  service: ServiceName;
  method: string;
  /** Largest body the route must refuse with 413 (an oversized request is sent once). */
  oversize?: number;
  cases: (c: Credentials) => fc.Arbitrary<FuzzRequest>;
}

type Auth = (body: string | Buffer) => Record<string, string>;

const asText = (b: string | Buffer) => (typeof b === 'string' ? b : b.toString('latin1'));
const json = (v: unknown) => JSON.stringify(v);

/** No credentials, a wrong kind or a forged value of the right kind. */
const wrongAuth = fc.oneof(
  fc.constant({}),
  headerValue.map((v) => ({ authorization: v })),
  headerValue.map((v) => ({ authorization: `Bearer ${v}` })),
  headerValue.map((v) => ({ authorization: `Basic ${Buffer.from(v).toString('base64')}` })),
  headerValue.map((v) => ({ 'stripe-signature': v })),
  fc.integer({ min: 0, max: 2 ** 31 }).map((t) => ({ 'stripe-signature': `t=${t},v1=${'0'.repeat(64)}` })),
  headerValue.map((v) => ({ soapaction: v, 'x-slack-signature': `v0=${v}`, 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) })),
);

function request(method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<string | Buffer | undefined>, auth: fc.Arbitrary<Auth>): fc.Arbitrary<FuzzRequest> {
  return fc.record({ path, body, auth, type: contentType, extra: extraHeaders }).map(({ path, body, auth, type, extra }) => {
    const headers: Record<string, string> = { ...extra, ...(type === undefined ? {} : { 'content-type': type }), ...(body === undefined ? {} : auth(body)) };
    if (body === undefined) Object.assign(headers, auth(''));
    return { method, path, headers, body };
  });
}

const fixed = (h: Record<string, string>): Auth => () => h;
const anyWrong = wrongAuth.map(fixed);

/** A webhook route: raw junk with any auth, or a broken but authenticated vendor payload. */
function webhook(path: string, valid: (c: Credentials) => fc.Arbitrary<{ body: string; auth: Auth; type: string; query?: string }>) {
  return (c: Credentials) => fc.oneof(
    request('POST', fc.constant(path), rawBody, fc.oneof(anyWrong, validAuthFor(path, c))),
    valid(c).map(({ body, auth, type, query }) => ({ method: 'POST', path: query ? `${path}?${query}` : path, headers: { 'content-type': type, ...auth(body) }, body })),
  );
}

function stripeAuth(c: Credentials): Auth {
  return (body) => ({ 'stripe-signature': signed(asText(body), { secret: c.secrets.STRIPE_WEBHOOK_SECRET.split(',')[0] })['stripe-signature'] });
}
const basic = (c: Credentials): Auth => fixed({ authorization: `Basic ${Buffer.from(`${c.secrets.CHARGEBEE_WEBHOOK_USERNAME}:${c.secrets.CHARGEBEE_WEBHOOK_PASSWORD}`).toString('base64')}` });
const bearer = (token: string): Auth => fixed({ authorization: `Bearer ${token}` });

function validAuthFor(path: string, c: Credentials): fc.Arbitrary<Auth> {
  if (path.endsWith('/stripe')) return fc.constant(stripeAuth(c));
  if (path.endsWith('/chargebee')) return fc.constant(basic(c));
  if (path.endsWith('/upload')) return fc.constant(bearer(c.secrets.INGEST_API_TOKEN));
  return fc.constantFrom(stripeAuth(c), basic(c), bearer(c.secrets.INGEST_API_TOKEN));
}

const stripeValid = (c: Credentials) => brokenStripeEvent.map((e) => ({ body: JSON.stringify(e, null, 2), auth: stripeAuth(c), type: 'application/json' }));
const chargebeeValid = (c: Credentials) => brokenChargebeeEvent.map((e) => ({ body: json(e), auth: basic(c), type: 'application/json' }));
const canonicalValid = (c: Credentials) => brokenCanonical.map((e) => ({ body: json(e), auth: bearer(c.secrets.INGEST_API_TOKEN), type: 'application/json' }));

/** Salesforce proves itself by the token in the endpoint URL, then the organisation id inside the SOAP body. */
const salesforceValid = (c: Credentials) => fc.record({
  token: fc.oneof(fc.constant(c.secrets.SALESFORCE_ENDPOINT_TOKEN), fc.string({ maxLength: 30 })),
  org: fc.oneof(fc.constant(c.secrets.SALESFORCE_ORG_ID), fc.string({ maxLength: 18 })),
  type: fc.constantFrom('blng__Invoice__c', 'blng__Payment__c', 'Account', 'x'),
  fields: fc.dictionary(fc.constantFrom('Id', 'Name', 'blng__InvoiceStatus__c', 'blng__TotalAmount__c', 'blng__Balance__c', 'blng__Account__c', 'blng__Invoice__c', 'blng__Amount__c', 'blng__Status__c'), fc.option(fc.string({ maxLength: 20 }), { nil: null }), { maxKeys: 6 }),
}).map(({ token, org, type, fields }) => ({ body: outboundMessage(org, [{ type, fields }]), auth: fixed({ soapaction: '""' }), type: 'text/xml; charset=utf-8', query: `token=${encodeURIComponent(token)}` }));

function notifierAuth(c: Credentials): fc.Arbitrary<Auth> {
  return fc.oneof(anyWrong, fc.constantFrom(...c.tokens.forged, c.tokens.admin, c.tokens.csm, c.tokens.manager).map((t) => bearer(t)));
}

const segment = (prefix: string, suffix: string) => pathSegment.map((s) => `${prefix}${s}${suffix}`);
const withQuery = (path: fc.Arbitrary<string>) => fc.tuple(path, queryString).map(([p, q]) => (q ? `${p}?${q}` : p));

function slackSigned(c: Credentials): Auth {
  return (body) => {
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', c.secrets.SLACK_SIGNING_SECRET).update(`v0:${ts}:${asText(body)}`).digest('hex');
    return { 'x-slack-signature': `v0=${sig}`, 'x-slack-request-timestamp': ts };
  };
}

export const fuzzRoutes: FuzzRoute[] = [
  { name: 'POST /api/webhooks/billing/invoice', service: 'ingest-gateway', method: 'POST', oversize: 262_144,
    cases: (c) => fc.oneof(webhook('/api/webhooks/billing/invoice', stripeValid)(c), webhook('/api/webhooks/billing/invoice', canonicalValid)(c), webhook('/api/webhooks/billing/invoice', chargebeeValid)(c), webhook('/api/webhooks/billing/invoice', salesforceValid)(c)) },
  { name: 'POST /api/webhooks/billing/stripe', service: 'ingest-gateway', method: 'POST', oversize: 262_144, cases: webhook('/api/webhooks/billing/stripe', stripeValid) },
  { name: 'POST /api/webhooks/billing/chargebee', service: 'ingest-gateway', method: 'POST', oversize: 262_144, cases: webhook('/api/webhooks/billing/chargebee', chargebeeValid) },
  { name: 'POST /api/webhooks/billing/salesforce', service: 'ingest-gateway', method: 'POST', oversize: 262_144, cases: webhook('/api/webhooks/billing/salesforce', salesforceValid) },
  { name: 'POST /api/invoices/upload', service: 'ingest-gateway', method: 'POST', oversize: 5_242_880,
    cases: (c) => fc.oneof(
      webhook('/api/invoices/upload', (cc) => brokenUpload.map((rows) => ({ body: json(rows), auth: bearer(cc.secrets.INGEST_API_TOKEN), type: 'application/json' })))(c),
      brokenUploadCsv.map((body) => ({ method: 'POST', path: '/api/invoices/upload', headers: { 'content-type': 'text/csv', authorization: `Bearer ${c.secrets.INGEST_API_TOKEN}` }, body })),
    ) },
  { name: 'POST /api/context/accounts', service: 'enricher', method: 'POST', oversize: 5_242_880,
    cases: (c) => fc.oneof(
      request('POST', withQuery(fc.constant('/api/context/accounts')), rawBody, fc.oneof(anyWrong, fc.constant(bearer(c.secrets.CONTEXT_ADMIN_TOKEN)))),
      brokenAccounts.map((a) => ({ method: 'POST', path: '/api/context/accounts', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.secrets.CONTEXT_ADMIN_TOKEN}` }, body: json(a) })),
    ) },
  { name: 'GET /api/context/accounts/:accountId', service: 'enricher', method: 'GET',
    cases: (c) => request('GET', withQuery(segment('/api/context/accounts/', '')), fc.constant(undefined), fc.oneof(anyWrong, fc.constant(bearer(c.secrets.CONTEXT_ADMIN_TOKEN)))) },
  { name: 'GET /api/invoices/csm/:csmId/pending', service: 'notifier', method: 'GET',
    cases: (c) => request('GET', withQuery(segment('/api/invoices/csm/', '/pending')), fc.constant(undefined), notifierAuth(c)) },
  { name: 'PUT /api/invoices/:invoiceId/acknowledge', service: 'notifier', method: 'PUT', oversize: 65_536,
    cases: (c) => request('PUT', withQuery(segment('/api/invoices/', '/acknowledge')), fc.oneof(rawBody, fc.record({ actionTaken: fc.oneof(fc.string(), fc.constant('x'.repeat(10_000)), fc.integer()) }).map(json)), notifierAuth(c)) },
  { name: 'GET /api/invoices/customer/:customerId', service: 'notifier', method: 'GET',
    cases: (c) => request('GET', withQuery(segment('/api/invoices/customer/', '')), fc.constant(undefined), notifierAuth(c)) },
  { name: 'GET /api/invoices/:invoiceId', service: 'notifier', method: 'GET',
    cases: (c) => request('GET', withQuery(segment('/api/invoices/', '')), fc.constant(undefined), notifierAuth(c)) },
  { name: 'GET /api/csm/:csmId/notes', service: 'notifier', method: 'GET',
    cases: (c) => request('GET', withQuery(segment('/api/csm/', '/notes')), fc.constant(undefined), notifierAuth(c)) },
  { name: 'GET /api/csm/:csmId/preferences', service: 'notifier', method: 'GET',
    cases: (c) => request('GET', withQuery(segment('/api/csm/', '/preferences')), fc.constant(undefined), notifierAuth(c)) },
  { name: 'PUT /api/csm/:csmId/preferences', service: 'notifier', method: 'PUT', oversize: 65_536,
    cases: (c) => request('PUT', segment('/api/csm/', '/preferences'), fc.oneof(rawBody, fc.dictionary(fc.constantFrom('channels', 'quietHours', 'timeZone', 'riskOnly', 'minAmount', 'slackMaxPerHour', 'digest', 'x'), fc.jsonValue({ maxDepth: 2 })).map(json)), notifierAuth(c)) },
  { name: 'GET /api/csm/:csmId/stream', service: 'notifier', method: 'GET',
    cases: (c) => request('GET', withQuery(segment('/api/csm/', '/stream')), fc.constant(undefined), notifierAuth(c)) },
  { name: 'GET /api/me', service: 'notifier', method: 'GET', cases: (c) => request('GET', withQuery(fc.constant('/api/me')), fc.constant(undefined), notifierAuth(c)) },
  { name: 'POST /api/slack/interactions', service: 'notifier', method: 'POST', oversize: 65_536,
    cases: (c) => fc.oneof(
      request('POST', fc.constant('/api/slack/interactions'), rawBody, fc.oneof(anyWrong, fc.constant(slackSigned(c)))),
      slackPayload.map((body) => ({ method: 'POST', path: '/api/slack/interactions', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSigned(c)(body) }, body })),
    ) },
];
