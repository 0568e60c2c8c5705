import Ajv from 'ajv';
import type { FastifyInstance } from 'fastify';
import { bearerJwtScheme, jsonResponse, type OpenApiInfo } from '@invoice-signal/runtime';
import type { NotifierDeps } from '../handlers/deps.ts';
import { requireAuth, type Authenticator } from './auth.ts';
import { inboxPage } from './inbox-page.ts';
import { invoiceRoutes } from './invoice-routes.ts';
import { noteRoutes } from './note-routes.ts';
import { outcomeRoutes, type OutcomeOptions } from './outcome-routes.ts';
import { outcomesPage } from './outcomes-page.ts';
import { preferenceRoutes } from './preference-routes.ts';
import { slackInteractions } from './slack-interactions.ts';
import { streamRoute } from './stream-route.ts';
import { refusals } from './views.ts';

const principalSchema = { type: 'object', required: ['csmId', 'role'], properties: { csmId: { type: 'string' }, role: { type: 'string', enum: ['csm', 'manager', 'admin'] }, team: { type: ['string', 'null'] } } };

/**
 * Strict validation for our routes: unknown properties are rejected (Fastify's default strips
 * them silently) and every problem is reported.
 */
function strictValidator() {
  const options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false } as const;
  const coercing = new Ajv.default({ ...options, coerceTypes: 'array' });
  const exact = new Ajv.default({ ...options, coerceTypes: false });
  // Query strings and paths are text and need coercion; JSON bodies must already have the right types.
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? exact : coercing).compile(schema);
}

/** What the OpenAPI document (served by the runtime at /api/openapi.json) says besides the routes. */
export const notifierApi = {
  title: 'invoice-signal notifier — CSM API',
  // 2.0.0: amountMinor left the API (amount), amountRemainingMinor became amountRemaining; see the README's Changes.
  version: '2.0.0',
  description: 'Invoice notifications for CSMs. Errors are application/problem+json (RFC 9457).',
  securitySchemes: {
    bearerAuth: { ...bearerJwtScheme, description: `${bearerJwtScheme.description}; sub = csmId, role csm|manager|admin, team (a manager's scope)` },
    slackSignature: { type: 'apiKey', in: 'header', name: 'X-Slack-Signature', description: "Slack's v0 HMAC of the raw body with SLACK_SIGNING_SECRET, with X-Slack-Request-Timestamp" },
  },
} satisfies Partial<OpenApiInfo>;

export async function registerHttp(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator; streamMaxPerUser: number; slackSigningSecret?: string; outcomes?: OutcomeOptions }) {
  await app.register(async (scope) => {
    scope.setValidatorCompiler(strictValidator());
    await scope.register(invoiceRoutes, opts);
    await scope.register(preferenceRoutes, opts);
    await scope.register(streamRoute, opts);
    await scope.register(noteRoutes, opts);
    await scope.register(outcomeRoutes, { ...opts, outcomes: opts.outcomes ?? { goLiveAt: null } });
    await scope.register(async (me) => {
      me.addHook('preHandler', requireAuth(opts.auth));
      me.get('/api/me', {
        schema: {
          summary: 'Who the token names', tags: ['auth'], security: [{ bearerAuth: [] }],
          response: { 200: jsonResponse('the principal', principalSchema), 401: refusals[401], 429: refusals[429] },
        },
      }, async (request) => request.principal);
    });
    await scope.register(slackInteractions, { deps: opts.deps, signingSecret: opts.slackSigningSecret });
  });
  await app.register(inboxPage);
  await app.register(outcomesPage);
}
