import { Agent, fetch as fetchVia } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { authEnv, createTokenVerifier, parseEnv, principalOf, requireToken, roles } from '../src/index.ts';
import { guardFailedAuthentication } from '../src/failed-auth.ts';
import { createHttpApp } from '../src/http.ts';
import { createLogger } from '../src/logger.ts';

/** The runtime's guard as every service gets it, on a route behind the one JWT policy. */
describe('failed authentication is limited per client address on every service', () => {
  let app: FastifyInstance;
  let base: string;
  const other = new Agent({ localAddress: '127.0.0.2' });
  beforeAll(async () => {
    app = createHttpApp({ logger: createLogger('guard-test', 'silent'), checks: {} });
    guardFailedAuthentication(app, { perSecond: 5, maxKeys: 100, trustedProxies: [] });
    const verifier = createTokenVerifier(parseEnv(authEnv, { AUTH_JWT_SECRET: 'guard-test-secret-0123456789-abcdefgh' }), roles);
    app.get('/api/thing', { preHandler: requireToken(verifier) }, async () => ({ ok: true }));
    app.get('/api/admin-only', { preHandler: requireToken(verifier) }, async (request, reply) =>
      principalOf(request)?.role === 'admin' ? { ok: true } : reply.code(403).send({ title: 'Forbidden' }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await other.close();
    await app.close();
  });

  it('answers 429 with Retry-After once an address spent its budget of refusals, and keeps serving other addresses', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${base}/api/thing`, { headers: { authorization: 'Bearer forged.token.value' } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    // A burst of two seconds' worth (10) is refused as 401, then the address waits.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const elsewhere = await fetchVia(`${base}/api/thing`, { headers: { authorization: 'Bearer forged.token.value' }, dispatcher: other });
    expect(elsewhere.status).toBe(401);
  });

  it('never limits an authenticated client, even when it is refused (403) over and over', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ role: 'csm' }).setProtectedHeader({ alg: 'HS256' }).setSubject('csm_a').setExpirationTime('5m')
      .sign(new TextEncoder().encode('guard-test-secret-0123456789-abcdefgh'));
    const forbidden = new Agent({ localAddress: '127.0.0.3' });
    try {
      const statuses = [];
      for (let i = 0; i < 25; i++) {
        const res = await fetchVia(`${base}/api/admin-only`, { headers: { authorization: `Bearer ${token}` }, dispatcher: forbidden });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      expect(statuses).toEqual(Array(25).fill(403));
    } finally {
      await forbidden.close();
    }
  });
});
