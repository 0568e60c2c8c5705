import { PaymentStateSymbols } from '@invoice-signal/events';
import {
  bearerJwtScheme, createTokenVerifier, jsonResponse, principalOf, problem, requireToken, responsesAsBuilt, roles, sendProblem, tooManyFailuresProblem,
  type AuthConfig, type Knex, type OpenApiInfo, type ServiceContext,
} from '@invoice-signal/runtime';
import type { InvoiceView } from '../domain/fold.ts';
import { paymentProblem } from './errors.ts';

// The tracker does not know which CSM owns which account, so only roles that see every account read here.
const allowedRoles = new Set(['admin', 'manager', 'service']);

/** What the tracker says about the status API in its OpenAPI document (GET /api/openapi.json). */
export const trackerApi = {
  title: 'invoice-signal payment-tracker — payment status API',
  description: 'The current payment state of an invoice and its status history. Errors are application/problem+json (RFC 9457).',
  securitySchemes: { bearerAuth: { ...bearerJwtScheme, description: `${bearerJwtScheme.description}; role admin, manager or service` } },
} satisfies Partial<OpenApiInfo>;

const state = { type: 'string', enum: [...PaymentStateSymbols, 'deleted'] };
const nullable = (type: string) => ({ type: [type, 'null'] });
const epochMs = (description: string) => ({ type: 'integer', description: `${description} (epoch ms)` });

/** The stored view as the API returns it: the PaymentStatus record plus the transitions that led to it. */
const statusSchema = {
  type: 'object',
  required: ['invoiceId', 'status', 'currency', 'amountDueMinor', 'amountPaidMinor', 'amountRemainingMinor', 'version', 'changedAt', 'history'],
  additionalProperties: true,
  properties: {
    invoiceId: { type: 'string' }, source: { type: 'string' }, vendorCustomerId: nullable('string'), accountId: nullable('string'),
    status: state, previousStatus: { type: ['string', 'null'], enum: [...state.enum, null] },
    currency: { type: 'string', description: 'ISO 4217; every amount is in its minor units' },
    totalMinor: { type: 'integer' }, amountDueMinor: { type: 'integer' }, amountPaidMinor: { type: 'integer' }, amountRemainingMinor: { type: 'integer' },
    amountRefundedMinor: { type: 'integer' }, amountCreditedMinor: { type: 'integer' },
    issuedAt: { ...nullable('integer'), description: 'epoch ms' }, dueAt: { ...nullable('integer'), description: 'epoch ms' }, paidAt: { ...nullable('integer'), description: 'epoch ms' },
    attemptCount: { type: 'integer' }, failureReason: nullable('string'), disputed: { type: 'boolean' }, disputeStatus: nullable('string'), invoiceNumber: nullable('string'),
    overdueSince: { ...nullable('integer'), description: 'epoch ms' }, lastEventAt: epochMs('vendor time of the newest event'),
    version: { type: 'integer', description: 'grows by one with every change of state' }, changedAt: epochMs('when the state last changed'),
    history: {
      type: 'array', description: 'status changes, oldest first',
      items: {
        type: 'object', required: ['eventId', 'eventType', 'from', 'to', 'occurredAt'],
        properties: { eventId: { type: 'string' }, eventType: { type: 'string' }, from: { type: ['string', 'null'] }, to: { type: 'string' }, occurredAt: epochMs('vendor time of the event') },
      },
    },
  },
};

/** GET /api/payment-status/:invoiceId — the current state and status history of one invoice. */
export function statusRoutes(app: ServiceContext['app'], db: Knex, auth: AuthConfig) {
  const enabled = Boolean(auth.AUTH_JWT_SECRET || auth.AUTH_JWKS_URL);
  const verify = requireToken(createTokenVerifier(auth, roles));
  return app.register(async (scope) => {
    responsesAsBuilt(scope);
    scope.get<{ Params: { invoiceId: string } }>('/api/payment-status/:invoiceId', {
      schema: {
        summary: 'The payment state of one invoice and its status history (roles admin, manager, service)', tags: ['payment status'],
        security: [{ bearerAuth: [] }],
        params: { type: 'object', properties: { invoiceId: { type: 'string', minLength: 1, maxLength: 300, description: '<source>:<vendor invoice id>' } }, required: ['invoiceId'] },
        response: {
          200: jsonResponse('the state and its history', statusSchema),
          400: problem('invoiceId longer than 300 characters', ['FST_ERR_VALIDATION']),
          401: problem('no bearer token, or a token the JWT policy refuses', ['HTTP_UNAUTHENTICATED']),
          403: problem('a role that may not read statuses (csm)', ['PT_ROLE_REFUSED']),
          404: problem('no state for this invoice', ['PT_UNKNOWN_INVOICE']),
          429: tooManyFailuresProblem,
          503: problem('the API is off: neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is set', ['PT_API_OFF']),
        },
      },
      preHandler: async (request, reply) => {
        if (!enabled) return sendProblem(reply, paymentProblem('PT_API_OFF', 'the status API is off: set AUTH_JWT_SECRET or AUTH_JWKS_URL'));
        await verify(request, reply);
        if (reply.sent) return;
        const { role } = principalOf(request)!;
        const refused = `role "${role}" may not read payment statuses (admin, manager or service)`;
        if (!allowedRoles.has(role)) return sendProblem(reply, paymentProblem('PT_ROLE_REFUSED', refused));
      },
    }, async (request, reply) => {
      const { invoiceId } = request.params;
      const state: { view: InvoiceView; version: number; previous_status: string | null; changed_at: number } | undefined =
        await db('invoice_state').select('view', 'version', 'previous_status', 'changed_at').where({ invoice_id: invoiceId }).first();
      if (!state) return sendProblem(reply, paymentProblem('PT_UNKNOWN_INVOICE', `no payment status for invoice "${invoiceId}"`));
      const history = await db('status_transitions').select('event_id as eventId', 'event_type as eventType', 'from_status as from', 'to_status as to', 'occurred_at as occurredAt')
        .where({ invoice_id: invoiceId }).orderBy([{ column: 'occurred_at' }, { column: 'event_id' }]);
      return { ...state.view, previousStatus: state.previous_status, version: state.version, changedAt: state.changed_at, history };
    });
  });
}
