import { createTokenVerifier, principalOf, requireToken, roles, sendProblem, type AuthConfig, type Knex, type ServiceContext } from '@invoice-signal/runtime';
import type { InvoiceView } from '../domain/fold.ts';

// The tracker does not know which CSM owns which account, so only roles that see every account read here.
const allowedRoles = new Set(['admin', 'manager', 'service']);

/** GET /api/payment-status/:invoiceId — the current state and status history of one invoice. */
export function statusRoutes(app: ServiceContext['app'], db: Knex, auth: AuthConfig) {
  const enabled = Boolean(auth.AUTH_JWT_SECRET || auth.AUTH_JWKS_URL);
  const verify = requireToken(createTokenVerifier(auth, roles), 'PT_AUTH');
  app.get<{ Params: { invoiceId: string } }>('/api/payment-status/:invoiceId', {
    schema: { params: { type: 'object', properties: { invoiceId: { type: 'string', minLength: 1, maxLength: 300 } }, required: ['invoiceId'] } },
    preHandler: async (request, reply) => {
      if (!enabled) return sendProblem(reply, { title: 'Service Unavailable', status: 503, detail: 'the status API is off: set AUTH_JWT_SECRET or AUTH_JWKS_URL' });
      await verify(request, reply);
      if (reply.sent) return;
      const { role } = principalOf(request)!;
      if (!allowedRoles.has(role)) return sendProblem(reply, { title: 'Forbidden', status: 403, detail: `role "${role}" may not read payment statuses (admin, manager or service)` });
    },
  }, async (request, reply) => {
    const { invoiceId } = request.params;
    const state: { view: InvoiceView; version: number; previous_status: string | null; changed_at: number } | undefined =
      await db('invoice_state').select('view', 'version', 'previous_status', 'changed_at').where({ invoice_id: invoiceId }).first();
    if (!state) return sendProblem(reply, { title: 'Not Found', status: 404, detail: `no payment status for invoice "${invoiceId}"` });
    const history = await db('status_transitions').select('event_id as eventId', 'event_type as eventType', 'from_status as from', 'to_status as to', 'occurred_at as occurredAt')
      .where({ invoice_id: invoiceId }).orderBy([{ column: 'occurred_at' }, { column: 'event_id' }]);
    return { ...state.view, previousStatus: state.previous_status, version: state.version, changedAt: state.changed_at, history };
  });
}
