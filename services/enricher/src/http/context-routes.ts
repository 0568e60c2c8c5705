import { topics } from '@invoice-signal/events';
import { sendProblem, type ServiceContext } from '@invoice-signal/runtime';
import { importOrigins, parseImport } from '../domain/context-import.ts';
import { contextStore } from '../adapters/context-store.ts';
import { isAuthorized } from './admin-auth.ts';

type App = ServiceContext['app'];

/**
 * The context import API. It validates the whole body first and publishes nothing unless every
 * account is valid; accepted snapshots go to cs.customer-context.v1 like any CRM feed's, and the
 * enricher's view changes only when its own consumer reads them back.
 */
export function registerContextRoutes(app: App, deps: { token: string; publisher: ServiceContext['publisher']; db: ServiceContext['db']; now?: () => number }) {
  // Every route of this scope, and only they, carry the admin check: the hook belongs to the routes,
  // not to a URL prefix, so no spelling of a path (encoded, doubled slashes, case) can reach one without it.
  return app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (!isAuthorized(request.headers.authorization, deps.token)) {
        reply.header('www-authenticate', 'Bearer realm="context-admin"');
        return sendProblem(reply, { title: 'Unauthorized', status: 401, detail: 'a valid admin bearer token (CONTEXT_ADMIN_TOKEN) is required', code: 'CTX_UNAUTHORIZED' });
      }
    });
    contextRoutes(scope, deps);
  });
}

function contextRoutes(app: App, deps: { publisher: ServiceContext['publisher']; db: ServiceContext['db']; now?: () => number }) {
  const now = deps.now ?? Date.now;

  app.post<{ Querystring: { origin?: string } }>('/api/context/accounts', async (request, reply) => {
    const origin = request.query.origin ?? 'import-api';
    if (!(importOrigins as readonly string[]).includes(origin)) {
      return sendProblem(reply, { title: 'Bad Request', status: 400, code: 'CTX_INVALID_IMPORT', detail: `origin: must be one of ${importOrigins.join(', ')} (got "${origin}"); nothing was imported`, errors: [{ field: 'origin', message: `must be one of ${importOrigins.join(', ')}` }] });
    }
    const result = parseImport(request.body, now(), origin);
    if (!result.ok) {
      const first = result.problems[0]!;
      const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more problem(s), see errors)` : '';
      return sendProblem(reply, { title: 'Bad Request', status: 400, code: 'CTX_INVALID_IMPORT', detail: `${first.field}: ${first.message}${more}; nothing was imported`, errors: result.problems });
    }
    await deps.publisher.publish(topics.customerContext, result.snapshots.map((s) => ({ key: s.accountId, value: s, headers: { origin } })));
    return reply.code(202).send({ published: result.snapshots.length, accounts: result.snapshots.map((s) => ({ accountId: s.accountId, snapshotAt: new Date(s.snapshotAt).toISOString() })) });
  });

  app.get<{ Params: { accountId: string } }>('/api/context/accounts/:accountId', async (request, reply) => {
    // Postgres text cannot hold NUL: such an id can never be held, and querying it would be a 500.
    if (request.params.accountId.includes('\u0000')) return sendProblem(reply, { title: 'Bad Request', status: 400, detail: 'accountId: must not contain NUL characters', code: 'CTX_BAD_ACCOUNT_ID', field: 'accountId' });
    const context = await contextStore(deps.db).get(request.params.accountId);
    if (!context) return sendProblem(reply, { title: 'Not Found', status: 404, detail: `no context held for account "${request.params.accountId}"`, code: 'CTX_NOT_FOUND' });
    return context;
  });
}
