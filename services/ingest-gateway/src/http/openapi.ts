import { z } from 'zod';
import { bodyTooLarge, jsonResponse, problem, type OpenApiInfo } from '@invoice-signal/runtime';
import { uploadColumns } from '../domain/upload-rows.ts';
import { canonicalInput } from './canonical-route.ts';

/**
 * The gateway's routes as its OpenAPI document (GET /api/openapi.json) describes them. Bodies are
 * described, not validated by Fastify: every route reads the raw bytes (signatures are computed
 * over them) and answers its own 400 naming the field.
 */
export const gatewayApi = {
  title: 'invoice-signal ingest-gateway — billing webhooks and uploads',
  description: 'Accepts invoices from Stripe, Chargebee, Salesforce Billing, internal callers and uploads, durably and once. Errors are application/problem+json (RFC 9457).',
  securitySchemes: {
    stripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature', description: "Stripe's signature over the raw body with a secret of STRIPE_WEBHOOK_SECRET, within STRIPE_TOLERANCE_SECONDS" },
    chargebeeBasic: { type: 'http', scheme: 'basic', description: 'CHARGEBEE_WEBHOOK_USERNAME and CHARGEBEE_WEBHOOK_PASSWORD' },
    salesforceToken: {
      type: 'apiKey', in: 'query', name: 'token',
      description: 'SALESFORCE_ENDPOINT_TOKEN in the endpoint URL; then the client certificate (SALESFORCE_CLIENT_CERT_SHA256) and address (SALESFORCE_ALLOWED_IPS) when configured, and the OrganizationId',
    },
    ingestBearer: { type: 'http', scheme: 'bearer', description: 'INGEST_API_TOKEN (internal callers and uploads)' },
  },
} satisfies Partial<OpenApiInfo>;

const outcome = { type: 'string', enum: ['accepted', 'duplicate', 'ignored', 'unmatched'], description: 'unmatched: a Stripe payment event of an invoice not seen yet (the receipt is kept)' };
const received = { type: 'object', required: ['received', 'outcome'], properties: { received: { type: 'boolean', const: true }, outcome } };
const canonicalAnswer = { type: 'object', required: ['eventId', 'invoiceId', 'outcome'], properties: { eventId: { type: 'string' }, invoiceId: { type: 'string' }, outcome } };
const ack = { type: 'string', description: 'the SOAP acknowledgement: <notificationsResponse><Ack>true</Ack></notificationsResponse>' };

const stripeEvent = {
  type: 'object', required: ['id', 'type', 'created', 'data'], additionalProperties: true,
  description: 'A Stripe event (API version of the endpoint); invoice.*, charge.failed, payment_intent.payment_failed and charge.dispute.* are used, others answer ignored',
  properties: { id: { type: 'string' }, type: { type: 'string' }, created: { type: 'integer', description: 'epoch seconds' }, data: { type: 'object', properties: { object: { type: 'object' } } } },
};
const chargebeeEvent = {
  type: 'object', required: ['id', 'event_type', 'occurred_at', 'content'], additionalProperties: true,
  description: 'A Chargebee API v2 event; invoice_generated, invoice_updated, invoice_deleted and payment_* are used, others answer ignored',
  properties: { id: { type: 'string' }, event_type: { type: 'string' }, occurred_at: { type: 'integer', description: 'epoch seconds' }, content: { type: 'object' } },
};
const outboundMessage = { type: 'string', description: 'A Salesforce Outbound Message (SOAP 1.1) of blng__Invoice__c, blng__Payment__c or blng__PaymentTransaction__c notifications' };
const { $schema: _dialect, ...canonicalBody } = z.toJSONSchema(canonicalInput('UTC'), { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

const uploadRow = {
  type: 'object', required: ['invoiceId', 'currency', 'total', 'issuedAt'], additionalProperties: true,
  properties: Object.fromEntries(Object.entries(uploadColumns).map(([name, description]) => [name, { type: ['string', 'number'], description }])),
};
const uploadReport = {
  type: 'object', required: ['rows', 'accepted', 'duplicates', 'report'],
  properties: {
    rows: { type: 'integer' }, accepted: { type: 'integer' }, duplicates: { type: 'integer' },
    report: {
      type: 'array',
      items: { type: 'object', required: ['row', 'invoiceId', 'eventId', 'outcome'], properties: { row: { type: 'integer' }, invoiceId: { type: 'string' }, eventId: { type: 'string' }, outcome } },
    },
  },
};

const refusals = {
  400: problem('the body cannot be read or mapped (field names the place); nothing was stored', ['INGEST_INVALID']),
  401: problem('the sender did not prove who it is; nothing was stored, and the failure counts against its address', ['INGEST_UNAUTHORIZED']),
  413: problem('the body is over the route\'s limit (WEBHOOK_BODY_LIMIT, UPLOAD_BODY_LIMIT)', bodyTooLarge),
  429: problem("over the source's rate limit, or too many failed authentications from this address lately (Retry-After)",
    ['INGEST_RATE_LIMITED', 'HTTP_TOO_MANY_FAILURES']),
  503: problem('the delivery could not be stored or published right now (Retry-After: 5); a retry is safe'),
};

const webhook = (summary: string, security: string, body: Record<string, object>, answers: Record<number, object>) => ({
  summary, tags: ['webhooks'], security: [{ [security]: [] }],
  body: { content: Object.fromEntries(Object.entries(body).map(([media, schema]) => [media, { schema }])) },
  // A route's own answer (the upload's 400) is more telling than the shared one.
  response: { ...refusals, ...answers },
});

export const routeSchemas = {
  stripe: webhook('Stripe webhook', 'stripeSignature', { 'application/json': stripeEvent }, { 200: jsonResponse('stored and published, or known already', received) }),
  chargebee: webhook('Chargebee webhook (answers exactly 200)', 'chargebeeBasic', { 'application/json': chargebeeEvent }, { 200: jsonResponse('stored and published, or known already', received) }),
  salesforce: webhook('Salesforce Billing outbound messages', 'salesforceToken', { 'text/xml': outboundMessage }, {
    200: { description: 'every notification stored and published, or known already', content: { 'text/xml': { schema: ack } } },
    403: problem('the client address is not in SALESFORCE_ALLOWED_IPS', ['INGEST_FORBIDDEN']),
  }),
  upload: {
    ...webhook('Uploads invoices, all rows or none', 'ingestBearer', {
      'text/csv': { type: 'string', description: `a header line naming the columns, then one invoice per line: ${Object.keys(uploadColumns).join(', ')}` },
      'application/json': { oneOf: [{ type: 'array', items: uploadRow }, { type: 'object', required: ['invoices'], properties: { invoices: { type: 'array', items: uploadRow } } }] },
    }, {
      200: jsonResponse('every row stored and published, or known already', uploadReport),
      400: problem('rows that cannot be read (errors: [{row, field, reason}]); nothing was imported', ['INGEST_UPLOAD_INVALID', 'INGEST_INVALID']),
      415: problem('the body is neither text/csv nor application/json', ['INGEST_UNSUPPORTED_MEDIA']),
    }),
    tags: ['uploads'],
  },
  invoice: {
    ...webhook('Any sender, recognised by its credentials: Stripe-Signature → Stripe, Basic → Chargebee, Bearer → canonical JSON, XML or SOAPAction → Salesforce', 'stripeSignature', {
      'application/json': { oneOf: [stripeEvent, chargebeeEvent, canonicalBody] },
      'text/xml': outboundMessage,
    }, {
      200: { description: "as the sender's own route; canonical JSON known already", content: { 'application/json': { schema: { oneOf: [received, canonicalAnswer] } }, 'text/xml': { schema: ack } } },
      202: jsonResponse('canonical JSON stored and published', canonicalAnswer),
      403: problem('a Salesforce client address not in SALESFORCE_ALLOWED_IPS', ['INGEST_FORBIDDEN']),
    }),
    security: ['stripeSignature', 'chargebeeBasic', 'ingestBearer', 'salesforceToken'].map((name): Record<string, string[]> => ({ [name]: [] })),
  },
};
