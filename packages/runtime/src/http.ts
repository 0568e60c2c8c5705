import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { tracer } from './spans.ts';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { requireToken, type TokenVerifier } from './auth.ts';
import type { JobOutcome } from './jobs.ts';
import type { Logger } from './logger.ts';
import { metricsRegistry } from './metrics.ts';
import { jsonResponse, recordRoutes, registerOpenApi, type OpenApiInfo } from './openapi.ts';
import { refusalOf, sendProblem, statusProblem } from './problems.ts';

export type ReadinessCheck = () => Promise<void> | void;

export interface HttpOptions {
  logger: Logger;
  /** Named checks behind /health/ready; each throws when its dependency is not usable. */
  checks: Record<string, ReadinessCheck>;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  server?: ServerLimits;
  fastify?: FastifyServerOptions;
  /** Title, description and security schemes of the OpenAPI document served at /api/openapi.json. */
  openapi?: OpenApiInfo;
}

/** How long a client may take; Fastify's defaults turn Node's own request timeout off. */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  idleTimeoutMs: number;
  /** Serve HTTPS with these PEMs; a client certificate is asked for (so a route can check it) but not required. */
  tls?: { cert: Buffer; key: Buffer };
}

export const defaultServerLimits: ServerLimits = { headersTimeoutMs: 15_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000, idleTimeoutMs: 120_000 };

function serverOptions(limits: ServerLimits): Partial<FastifyServerOptions> {
  // Node enforces the header and request timeouts on a timer of this period: keep it finer than they are.
  const node = { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) };
  const transport = limits.tls
    ? { https: { ...node, cert: limits.tls.cert, key: limits.tls.key, requestCert: true, rejectUnauthorized: false } }
    : { http: node };
  return { ...transport, requestTimeout: limits.requestTimeoutMs, keepAliveTimeout: limits.keepAliveTimeoutMs, connectionTimeout: limits.idleTimeoutMs } as Partial<FastifyServerOptions>;
}

const maxParamLength = 500;

/**
 * A Fastify app with the routes every service has: /health/live and /health/ready (runs the
 * dependency checks; the details are on the management port). Errors come out as application/problem+json.
 */
export function createHttpApp(opts: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'http' }),
    // Per-request lines would drown the service's own logs; spans and metrics cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // Above every id a route documents (up to 300 characters), so the route's own check answers.
    routerOptions: { maxParamLength },
    // A path the router refuses (too long a parameter, bad encoding) is problem+json too, not Fastify's own JSON.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode ?? 400;
      const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `a path parameter is longer than ${maxParamLength} characters` : 'the path is not a valid URL';
      return sendProblem(reply, statusProblem(status, detail, error.code));
    },
    ...serverOptions(opts.server ?? defaultServerLimits),
    ...opts.fastify,
  });

  traceRequests(app);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = refusalOf(error);
    if (refusal) return sendProblem(reply, refusal);
    request.log.error({ err: error }, 'request failed');
    const status = error.statusCode && error.statusCode >= 500 ? error.statusCode : 500;
    return sendProblem(reply, statusProblem(status, 'internal error; see the service log', error.code));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, statusProblem(404, `no route ${request.method} ${request.url.split('?')[0]}`)));

  recordRoutes(app);
  registerOpenApi(app, opts.openapi ?? { title: 'invoice-signal' });
  // Probes reach these on the service port; what failed, and the metrics, are on the management port only.
  // In a plugin, so they are added after the OpenAPI generator is ready to see them.
  void app.register(async (probes) => {
    const status = (value: string) => ({ type: 'object', required: ['status'], properties: { status: { type: 'string', const: value } } });
    const tags = ['health'];
    probes.get('/health/live', { schema: { summary: 'Liveness: the process answers', tags, response: { 200: jsonResponse('alive', status('ok')) } } }, async () => ({ status: 'ok' }));
    probes.get('/health/ready', {
      schema: {
        summary: 'Readiness: every dependency (database, broker, registry, consumers) is usable; which one failed is on the management port', tags,
        response: { 200: jsonResponse('ready', status('ready')), 503: jsonResponse('a dependency is not usable', status('not ready')) },
      },
    }, async (_request, reply) => {
      const { ok } = await readiness(opts.checks);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
    });
  });
  return app;
}

async function readiness(checks: Record<string, ReadinessCheck>) {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, (error as Error).message || 'failed'] as const;
      }
    }),
  );
  return { ok: results.every(([, r]) => r === 'ok'), checks: Object.fromEntries(results) };
}

/** What the management port's `POST /jobs/:name/run` needs: who may call it, and the service's jobs. */
export interface JobControl {
  verifier: TokenVerifier;
  /** Runs the named job now; undefined for a name the service has no job of. */
  run(name: string): Promise<JobOutcome> | undefined;
}

/**
 * The management port (as the registry has one): Prometheus metrics and the detailed readiness,
 * which name our dependencies and their errors. Deployments keep it off the public Service.
 */
export function createManagementApp(opts: { logger: Logger; checks: Record<string, ReadinessCheck>; jobs?: JobControl }): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.logger.child({ component: 'management' }), logController: new LogController({ disableRequestLogging: true }), ...serverOptions(defaultServerLimits) });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const { ok, checks } = await readiness(opts.checks);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_request, reply) => reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()));
  if (opts.jobs) routeJobRuns(app, opts.jobs);
  return app;
}

/**
 * `POST /jobs/:name/run` (admin token): runs a job now, for an operator (drain an outbox before a
 * deploy, send what is due after an outage), and answers with what the run did. A failed run is a 500.
 */
function routeJobRuns(app: FastifyInstance, jobs: JobControl): void {
  app.post<{ Params: { name: string } }>('/jobs/:name/run', { preHandler: requireToken(jobs.verifier) }, async (request, reply) => {
    const { name } = request.params;
    const run = jobs.run(name);
    if (!run) return sendProblem(reply, statusProblem(404, `no job named ${name}`));
    try {
      return { job: name, outcome: await run };
    } catch (error) {
      return sendProblem(reply, statusProblem(500, `job ${name} failed: ${(error as Error).message}`, 'JOB_FAILED'));
    }
  });
}

const spans = new WeakMap<object, Span>();

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route is called from the internet (vendor webhooks): a traceparent it carries starts a
     * new trace that links to it, instead of letting an outsider choose our trace ids and sampling.
     */
    untrustedTraceparent?: boolean;
  }
}

/**
 * One server span per request, continuing the caller's traceparent, active while the route runs
 * so records it publishes carry the same trace into Kafka.
 */
function traceRequests(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.startsWith('/health/') || request.url === '/metrics') return done();
    const incoming = propagation.extract(context.active(), request.headers);
    const untrusted = request.routeOptions.config?.untrustedTraceparent === true;
    const caller = untrusted ? trace.getSpanContext(incoming) : undefined;
    const parent = untrusted ? ROOT_CONTEXT : incoming;
    const span = tracer.startSpan(`${request.method} ${request.routeOptions.url ?? 'unknown'}`, {
      kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method }, root: untrusted, links: caller ? [{ context: caller }] : [],
    }, parent);
    spans.set(request, span);
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
