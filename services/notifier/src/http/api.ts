import Ajv from 'ajv';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
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

export async function registerHttp(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator; streamMaxPerUser: number; slackSigningSecret?: string; version?: string; outcomes?: OutcomeOptions }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'invoice-signal notifier — CSM API', version: opts.version ?? '1.0.0', description: 'Invoice notifications for CSMs. Errors are application/problem+json (RFC 9457).' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(async (scope) => {
    scope.setValidatorCompiler(strictValidator());
    await scope.register(invoiceRoutes, opts);
    await scope.register(preferenceRoutes, opts);
    await scope.register(streamRoute, opts);
    await scope.register(noteRoutes, opts);
    await scope.register(outcomeRoutes, { ...opts, outcomes: opts.outcomes ?? { goLiveAt: null } });
    await scope.register(async (me) => {
      me.addHook('preHandler', requireAuth(opts.auth));
      me.get('/api/me', { schema: { summary: 'Who the token names', tags: ['auth'], security: [{ bearerAuth: [] }] } }, async (request) => request.principal);
    });
    await scope.register(slackInteractions, { deps: opts.deps, signingSecret: opts.slackSigningSecret });
  });
  await app.register(inboxPage);
  await app.register(outcomesPage);
}
