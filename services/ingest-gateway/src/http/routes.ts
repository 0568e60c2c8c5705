import type { FastifyInstance } from 'fastify';
import { inputCheckedByRoutes, responsesAsBuilt } from '@invoice-signal/runtime';
import { unauthorized } from '../errors.ts';
import { requestSeconds } from '../metrics.ts';
import { canonicalRoute } from './canonical-route.ts';
import { chargebeeRoute } from './chargebee-route.ts';
import type { IngestHandler, RouteDeps } from './deps.ts';
import { ingestErrorHandler } from './error-handler.ts';
import { routeSchemas } from './openapi.ts';
import { setSource, sourceOf } from './request-source.ts';
import { salesforceRoute } from './salesforce-route.ts';
import { stripeRoute } from './stripe-route.ts';
import { uploadRoute } from './upload-route.ts';

/**
 * The ingest routes, in their own scope: every body arrives as the raw Buffer (signatures are
 * computed over exact bytes), errors come out as counted problem+json, and each route has its
 * body limit (over it → 413 before any handler runs). Route schemas describe the bodies and
 * answers (OpenAPI) without Fastify acting on them.
 */
export async function registerIngestRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler(ingestErrorHandler);
    inputCheckedByRoutes(scope);
    responsesAsBuilt(scope);
    // Known before the body is read, so a 413 on a vendor route is still counted for its vendor.
    scope.addHook('onRequest', async (request) => {
      const source = routeSources[request.routeOptions.url ?? ''];
      if (source) setSource(request, source);
    });
    scope.addHook('onResponse', async (request, reply) => {
      requestSeconds.observe({ source: sourceOf(request), status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    const stripe = stripeRoute(deps);
    const chargebee = chargebeeRoute(deps);
    const salesforce = salesforceRoute(deps);
    const canonical = canonicalRoute(deps);
    // Vendors call from the internet: their traceparent is linked, never joined.
    const webhook = { bodyLimit: deps.config.WEBHOOK_BODY_LIMIT, config: { untrustedTraceparent: true } };

    scope.post('/api/webhooks/billing/stripe', { ...webhook, schema: routeSchemas.stripe }, stripe);
    scope.post('/api/webhooks/billing/chargebee', { ...webhook, schema: routeSchemas.chargebee }, chargebee);
    scope.post('/api/webhooks/billing/salesforce', { ...webhook, schema: routeSchemas.salesforce }, salesforce);
    scope.post('/api/invoices/upload', { bodyLimit: deps.config.UPLOAD_BODY_LIMIT, schema: routeSchemas.upload }, uploadRoute(deps));
    // The PRD's single route: the sender is recognised by its signature header or credentials.
    scope.post('/api/webhooks/billing/invoice', { ...webhook, schema: routeSchemas.invoice }, dispatch({ stripe, chargebee, salesforce, canonical }));
  });
}


const routeSources: Record<string, string> = {
  '/api/webhooks/billing/stripe': 'stripe', '/api/webhooks/billing/chargebee': 'chargebee',
  '/api/webhooks/billing/salesforce': 'salesforce', '/api/invoices/upload': 'upload',
};

function dispatch(routes: Record<'stripe' | 'chargebee' | 'salesforce' | 'canonical', IngestHandler>): IngestHandler {
  return async (request, reply) => {
    const auth = request.headers.authorization ?? '';
    const type = String(request.headers['content-type'] ?? '');
    if (request.headers['stripe-signature']) return routes.stripe(request, reply);
    if (/^basic\s/i.test(auth)) return routes.chargebee(request, reply);
    if (/^bearer\s/i.test(auth)) return routes.canonical(request, reply);
    if (request.headers.soapaction !== undefined || /xml/i.test(type)) return routes.salesforce(request, reply);
    throw unauthorized('no vendor signature or credentials: expected Stripe-Signature, basic auth (Chargebee), a Salesforce outbound message, or a bearer token');
  };
}
