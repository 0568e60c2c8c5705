import { z } from 'zod';
import { topics } from '@invoice-signal/events';
import {
  bodyTooLarge, inputCheckedByRoutes, jsonResponse, problem, responsesAsBuilt, sendProblem, tooManyFailuresProblem as tooManyFailures, unsupportedMedia,
  type OpenApiInfo, type ServiceContext,
} from '@invoice-signal/runtime';
import { importBodySchema, importOrigins, MAX_ACCOUNTS_PER_IMPORT, parseImport } from '../domain/context-import.ts';
import { contextStore } from '../adapters/context-store.ts';
import { isAuthorized } from './admin-auth.ts';
import { contextProblem } from './errors.ts';

type App = ServiceContext['app'];

/** What the enricher says about its API in its OpenAPI document (GET /api/openapi.json). */
export const enricherApi = {
  title: 'invoice-signal enricher — context import API',
  description: 'Customer context for teams without a CRM feed: imported snapshots go to cs.customer-context.v1. Errors are application/problem+json (RFC 9457).',
  securitySchemes: { adminBearer: { type: 'http', scheme: 'bearer', description: 'the admin token CONTEXT_ADMIN_TOKEN' } },
} satisfies Partial<OpenApiInfo>;

const security = [{ adminBearer: [] }];
const unauthorized = problem('no admin bearer token, or another one (WWW-Authenticate: Bearer)', ['CTX_UNAUTHORIZED']);
const nullableObject = { type: ['object', 'null'], additionalProperties: true };
const nullableText = { type: ['string', 'null'] };

/** The import body as the route's own validator (zod) reads it; the route, not Fastify, checks it. */
const { $schema: _dialect, ...importBody } = z.toJSONSchema(importBodySchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

/** A held snapshot (cs.customer-context.v1 CustomerContext), from the import API or a CRM feed. */
const contextSchema = {
  type: 'object', required: ['accountId', 'name', 'csm', 'snapshotAt', 'origin'], additionalProperties: true,
  properties: {
    accountId: { type: 'string' }, name: { type: 'string' },
    csm: {
      type: 'object', required: ['id'], additionalProperties: true,
      properties: { id: { type: 'string' }, email: nullableText, slackUserId: nullableText, timeZone: nullableText, team: nullableText },
    },
    health: nullableObject, contract: nullableObject, supportIssues: { type: 'object', additionalProperties: true }, disputes: { type: 'object', additionalProperties: true },
    valueDelivered: { type: 'array', items: { type: 'object', additionalProperties: true } }, vendorRefs: { type: 'object', additionalProperties: true },
    snapshotAt: { type: 'integer', description: 'when the source took the snapshot (epoch ms)' }, origin: { type: 'string', description: 'import-api, csv, or the feed that wrote it' },
    billingTimeZone: nullableText,
  },
};
const importedSchema = {
  type: 'object', required: ['published', 'accounts'],
  properties: {
    published: { type: 'integer' },
    accounts: { type: 'array', items: { type: 'object', required: ['accountId', 'snapshotAt'], properties: { accountId: { type: 'string' }, snapshotAt: { type: 'string', description: 'ISO-8601' } } } },
  },
};

/**
 * The context import API. It validates the whole body first and publishes nothing unless every
 * account is valid; accepted snapshots go to cs.customer-context.v1 like any CRM feed's, and the
 * enricher's view changes only when its own consumer reads them back.
 */
export function registerContextRoutes(app: App, deps: { token: string; publisher: ServiceContext['publisher']; db: ServiceContext['db']; now?: () => number }) {
  // Every route of this scope, and only they, carry the admin check: the hook belongs to the routes,
  // not to a URL prefix, so no spelling of a path (encoded, doubled slashes, case) can reach one without it.
  return app.register(async (scope) => {
    inputCheckedByRoutes(scope);
    responsesAsBuilt(scope);
    scope.addHook('onRequest', async (request, reply) => {
      if (!isAuthorized(request.headers.authorization, deps.token)) {
        reply.header('www-authenticate', 'Bearer realm="context-admin"');
        return sendProblem(reply, contextProblem('CTX_UNAUTHORIZED', 'a valid admin bearer token (CONTEXT_ADMIN_TOKEN) is required'));
      }
    });
    contextRoutes(scope, deps);
  });
}

function contextRoutes(app: App, deps: { publisher: ServiceContext['publisher']; db: ServiceContext['db']; now?: () => number }) {
  const now = deps.now ?? Date.now;

  app.post<{ Querystring: { origin?: string } }>('/api/context/accounts', {
    schema: {
      summary: 'Imports account contexts, all or nothing', tags: ['context'], security,
      description: `Every account is validated first; one problem anywhere and nothing is published (400 listing every problem). At most ${MAX_ACCOUNTS_PER_IMPORT} accounts, 5 MiB.`,
      querystring: { type: 'object', properties: { origin: { type: 'string', enum: [...importOrigins], default: 'import-api', description: "recorded as each snapshot's origin" } } },
      body: { content: { 'application/json': { schema: importBody } } },
      response: {
        202: jsonResponse('every account published (the broker acknowledged)', importedSchema),
        400: problem('malformed JSON, an unknown origin, or invalid accounts (errors: [{field, message}]); nothing was published',
          ['CTX_INVALID_IMPORT', 'FST_ERR_CTP_INVALID_JSON_BODY']),
        401: unauthorized,
        413: problem('the body is over 5 MiB', bodyTooLarge),
        415: problem('the body is not application/json', unsupportedMedia),
        429: tooManyFailures,
      },
    },
  }, async (request, reply) => {
    const origin = request.query.origin ?? 'import-api';
    if (!(importOrigins as readonly string[]).includes(origin)) {
      const errors = [{ field: 'origin', message: `must be one of ${importOrigins.join(', ')}` }];
      return sendProblem(reply, contextProblem('CTX_INVALID_IMPORT', `origin: ${errors[0]!.message} (got "${origin}"); nothing was imported`, { errors }));
    }
    const result = parseImport(request.body, now(), origin);
    if (!result.ok) {
      const first = result.problems[0]!;
      const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more problem(s), see errors)` : '';
      const detail = `${first.field}: ${first.message}${more}; nothing was imported`;
      return sendProblem(reply, contextProblem('CTX_INVALID_IMPORT', detail, { errors: result.problems }));
    }
    await deps.publisher.publish(topics.customerContext, result.snapshots.map((s) => ({ key: s.accountId, value: s, headers: { origin } })));
    return reply.code(202).send({ published: result.snapshots.length, accounts: result.snapshots.map((s) => ({ accountId: s.accountId, snapshotAt: new Date(s.snapshotAt).toISOString() })) });
  });

  app.get<{ Params: { accountId: string } }>('/api/context/accounts/:accountId', {
    schema: {
      summary: 'The context snapshot the enricher holds for an account', tags: ['context'], security,
      params: { type: 'object', required: ['accountId'], properties: { accountId: { type: 'string' } } },
      response: {
        200: jsonResponse('the held snapshot', contextSchema),
        400: problem('an account id with a NUL character', ['CTX_BAD_ACCOUNT_ID']),
        401: unauthorized,
        404: problem('no context held for the account', ['CTX_NOT_FOUND']),
        429: tooManyFailures,
      },
    },
  }, async (request, reply) => {
    // Postgres text cannot hold NUL: such an id can never be held, and querying it would be a 500.
    if (request.params.accountId.includes('\u0000')) {
      return sendProblem(reply, contextProblem('CTX_BAD_ACCOUNT_ID', 'accountId: must not contain NUL characters', { field: 'accountId' }));
    }
    const context = await contextStore(deps.db).get(request.params.accountId);
    if (!context) return sendProblem(reply, contextProblem('CTX_NOT_FOUND', `no context held for account "${request.params.accountId}"`));
    return context;
  });
}
