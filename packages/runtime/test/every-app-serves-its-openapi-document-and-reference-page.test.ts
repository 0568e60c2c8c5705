import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { OpenApiContract } from '@invoice-signal/testkit';
import { createHttpApp } from '../src/http.ts';
import { createLogger } from '../src/logger.ts';
import { jsonResponse, problem, responsesAsBuilt } from '../src/openapi.ts';
import { problemCatalogue, sendProblem } from '../src/problems.ts';

const testProblem = problemCatalogue({
  TEST_INVALID: { status: 400, title: 'Thing cannot be read' },
  TEST_GONE: { status: 404, title: 'No such thing' },
  TEST_OFF: { status: 503, title: 'Things are off' },
});

/** What createHttpApp gives every service: its OpenAPI document from route schemas, a reference page, problem+json router refusals. */
describe('every app serves its OpenAPI document and a browsable reference', () => {
  let app: FastifyInstance;
  let contract: OpenApiContract;
  beforeAll(async () => {
    app = createHttpApp({ logger: createLogger('openapi-test', 'silent'), checks: {}, openapi: { title: 'test service', securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } } } });
    await app.after(); // as startService does: the generator sees routes added from now on, in a plugin or not
    app.get<{ Params: { id: string } }>('/api/things/:id', {
      schema: {
        security: [{ key: [] }], params: { type: 'object', properties: { id: { type: 'string', maxLength: 300 } } },
        response: { 200: jsonResponse('the thing', { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }), 400: problem('too long an id') },
      },
    }, async (request) => ({ id: request.params.id }));
    app.get('/internal', { schema: { hide: true } }, async () => 'hidden');
    // Sent as built: the body says id is a number where the document says a string.
    void app.register(async (scope) => {
      responsesAsBuilt(scope);
      scope.get('/api/drifted', { schema: { response: { 200: jsonResponse('drifted', { type: 'object', properties: { id: { type: 'string' } } }) } } }, async () => ({ id: 5, extra: true }));
    });
    app.get<{ Querystring: { code: keyof typeof testProblem.codes; thrown?: string } }>('/refuse', { schema: { hide: true } }, async (request, reply) => {
      const refusal = testProblem(request.query.code, 'refused', { field: 'id' });
      if (request.query.thrown) throw refusal;
      return sendProblem(reply, refusal);
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    contract = await OpenApiContract.load(url);
  });
  afterAll(async () => app?.close());

  it('documents every route from its schema, the probes included, and leaves out only hidden ones', () => {
    expect(contract.doc.openapi).toBe('3.1.0');
    expect(contract.documented().sort()).toEqual(['GET /api/drifted', 'GET /api/things/{id}', 'GET /health/live', 'GET /health/ready']);
    expect(contract.undocumented(app)).toEqual([]);
    expect(contract.hidden(app)).toEqual(['GET /internal', 'GET /refuse']);
    expect(contract.doc.components?.securitySchemes).toEqual({ key: { type: 'apiKey', in: 'header', name: 'X-Key' } });
  });

  it('holds answers to the document: a documented one passes, an undocumented status fails', async () => {
    expect((await contract.call('GET', '/api/things/{id}', { params: { id: 'a'.repeat(300) } })).status).toBe(200);
    expect((await contract.call('GET', '/api/things/{id}', { params: { id: 'a'.repeat(301) } })).status).toBe(400);
    // Over the router's limit: Fastify's own 414, written as problem+json, which this route does not document.
    await expect(contract.call('GET', '/api/things/{id}', { params: { id: 'a'.repeat(501) } })).rejects.toThrow(/414 is not a documented answer/);
    // A body that drifted from its schema fails too (and responsesAsBuilt sent it as the route built it).
    await expect(contract.call('GET', '/api/drifted')).rejects.toThrow(/does not match its documented schema: data\/id must be string/);
    expect(await (await fetch(`${contract.baseUrl}/api/drifted`)).json()).toEqual({ id: 5, extra: true });
    const res = await fetch(`${contract.baseUrl}/api/things/${'a'.repeat(501)}`);
    expect([res.status, res.headers.get('content-type'), ((await res.json()) as { code: string }).code]).toEqual([414, 'application/problem+json; charset=utf-8', 'FST_ERR_MAX_PARAM_LENGTH']);
  });

  it('serves a browsable reference page with its assets from the package (no CDN)', async () => {
    const page = await fetch(`${contract.baseUrl}/api/docs/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const bundle = await fetch(`${contract.baseUrl}/api/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await fetch(`${contract.baseUrl}/api/docs/json`)).status).toBe(200);
  });

  it('answers a declared code with the status and title its catalogue gives it, sent or thrown, its type naming the code', async () => {
    for (const [code, { status, title }] of Object.entries(testProblem.codes)) {
      for (const thrown of ['', '1']) {
        const res = await fetch(`${contract.baseUrl}/refuse?code=${code}&thrown=${thrown}`);
        expect([res.status, res.headers.get('content-type')]).toEqual([status, 'application/problem+json; charset=utf-8']);
        expect(await res.text()).toBe(JSON.stringify({ type: `urn:invoice-signal:problem:${code}`, title, status, detail: 'refused', code, field: 'id' }));
      }
    }
  });

  it('titles a problem no catalogue declares by its status, as about:blank', async () => {
    const res = await fetch(`${contract.baseUrl}/nowhere`);
    expect([res.status, await res.json()]).toEqual([404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no route GET /nowhere' }]);
  });
});
