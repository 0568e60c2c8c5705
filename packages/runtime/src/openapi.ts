import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

type SecuritySchemes = NonNullable<NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes']>;

/** What a service says about its API; the paths come from its route schemas. */
export interface OpenApiInfo {
  title: string;
  description?: string;
  version?: string;
  /** OpenAPI security schemes by name; a route names the ones it accepts in `schema.security`. */
  securitySchemes?: SecuritySchemes;
}

/** The product's one JWT policy (auth.ts) as an OpenAPI security scheme. */
export const bearerJwtScheme = {
  type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
  description: 'A JWT signed with AUTH_JWT_SECRET (HS256) or a key of AUTH_JWKS_URL: sub, role, exp required (and iss/aud when configured)',
} as const;

/** RFC 9457 problem details: the shape of every error answer of the product (extra members allowed). */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', description: 'urn:invoice-signal:problem:<code> for a declared code; about:blank when the status alone says what happened' },
    title: { type: 'string', description: "the code's title (or the status's reason phrase), the same for every occurrence" },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'the stable machine-readable reason' },
    field: { type: 'string', description: 'the input field at fault, when there is one' },
    errors: { type: 'array', description: 'every problem found, when the input was checked whole', items: { type: 'object', additionalProperties: true } },
  },
} as const;

/** A documented error answer: application/problem+json, when the route gives it, and the codes it carries (checked by the contract tests). */
export const problem = (description: string, codes?: readonly string[]) => {
  const code = { ...problemSchema.properties.code, enum: codes };
  const schema = codes ? { ...problemSchema, required: [...problemSchema.required, 'code'], properties: { ...problemSchema.properties, code } } : problemSchema;
  return { description, content: { 'application/problem+json': { schema } } };
};

/** Fastify's own refusals of a body: over the route's limit, or of a media type no parser reads. */
export const bodyTooLarge = ['FST_ERR_CTP_BODY_TOO_LARGE'] as const;
export const unsupportedMedia = ['FST_ERR_CTP_INVALID_MEDIA_TYPE'] as const;

/** The runtime's failed-authentication budget, on every route of every app. */
export const tooManyFailuresProblem = problem('too many failed authentications from this client address lately (Retry-After)', ['HTTP_TOO_MANY_FAILURES']);

/** A documented JSON answer. */
export const jsonResponse = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });

const referencePage = '/api/docs';

/** The document and the reference page themselves: served by every app, described by none. */
export const isDocumentationRoute = (url: string) => url === '/api/openapi.json' || url === referencePage || url.startsWith(`${referencePage}/`);

/**
 * Registers the OpenAPI generator before any route (it learns the routes as they are added), and
 * serves the document at GET /api/openapi.json and a browsable reference at /api/docs (Swagger UI,
 * its assets served from the package, no CDN). Routes with `schema.hide` stay out of the document.
 */
export function registerOpenApi(app: FastifyInstance, info: OpenApiInfo): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version ?? '1.0.0', description: info.description },
      components: { securitySchemes: info.securitySchemes ?? {} },
    },
  });
  void app.register(swaggerUi, { routePrefix: referencePage, staticCSP: true });
  void app.register(async (scope) => {
    scope.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });
}

/**
 * In this scope, route schemas describe the input and Fastify does not check it: the routes read
 * it themselves (raw bytes under a signature, one 400 that names every bad field).
 */
export function inputCheckedByRoutes(scope: FastifyInstance): void {
  scope.setValidatorCompiler(() => () => true);
}

/**
 * In this scope, responses go out exactly as the route built them: Fastify's schema serializer
 * would drop members a response schema does not name. The contract tests hold bodies to the schemas.
 */
export function responsesAsBuilt(scope: FastifyInstance): void {
  scope.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

export interface RegisteredRoute {
  method: string;
  url: string;
  /** Left out of the OpenAPI document on purpose (`schema.hide`). */
  hidden: boolean;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Records every route added to the app from now on (for the contract tests: nothing undocumented). */
export function recordRoutes(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    for (const method of [route.method].flat()) routes.push({ method: method.toUpperCase(), url: route.url, hidden });
  });
}

/** The routes the app serves, without the HEAD twins Fastify adds to every GET. */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const all = registered.get(app) ?? [];
  const gets = new Set(all.filter((r) => r.method === 'GET').map((r) => r.url));
  return all.filter((r) => !(r.method === 'HEAD' && gets.has(r.url)));
}
