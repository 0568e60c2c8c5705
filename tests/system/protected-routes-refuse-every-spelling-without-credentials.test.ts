import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '@invoice-signal/runtime';
import { SystemUnderTest, uniqueName } from '@invoice-signal/testkit';
import type { ServiceName } from '@invoice-signal/local-stack';

/**
 * Every protected route of every service, spelled every way a router or proxy might read the same
 * path: percent-encoded letters, doubled slashes, dot segments, trailing dots and slashes, other
 * cases, an encoded slash. Whatever spelling reaches the route with credentials must be refused
 * without them; one that reaches nothing is a 404 from the router. Sent raw (node:http), because
 * fetch would normalise dot segments before they reach the server.
 */

interface Protected {
  service: ServiceName;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
  /** Credentials that pass, so we can tell which spellings reach the route; absent for signed vendor routes. */
  credentials?: () => Promise<Record<string, string>>;
}

function spellings(path: string): string[] {
  const segments = path.split('/').slice(1);
  const encodeFirst = (i: number) => segments.map((s, j) => (j === i ? `%${s.charCodeAt(0).toString(16)}${s.slice(1)}` : s));
  const join = (parts: string[]) => `/${parts.join('/')}`;
  return [
    path,
    join(encodeFirst(0)),
    join(encodeFirst(1)),
    `/${segments.map((s) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')).join('/')}`,
    `/${path}`,
    path.replace('/', '//').replace(/\/([^/]+)\//, '/$1//'),
    `/${segments[0]}/./${segments.slice(1).join('/')}`,
    `/${segments[0]}/x/../${segments.slice(1).join('/')}`,
    join(segments.map((s, i) => (i === 1 ? `${s}.` : s))),
    `${path}.`,
    `${path}/`,
    path.toUpperCase(),
    join(segments.map((s, i) => (i === 1 ? s[0]!.toUpperCase() + s.slice(1) : s))),
    path.replace('/', '%2F').replace(/^%2F/, '/').replace(/\/([^/]+)\//, '/$1%2F'),
    join(segments.map((s, i) => (i === 1 ? `${s};x=1` : s))),
  ];
}

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      // A stream that was let in would never end by itself.
      if (res.headers['content-type']?.includes('text/event-stream')) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: '' });
      }
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(body);
  });
}

const reachedNothing = (r: { status: number; body: string }) => r.status === 404 && /"detail":"no route /.test(r.body);

describe('protected routes under every spelling of their path', () => {
  let system: SystemUnderTest;
  const jwt = (sub: string, role: string) => async () => ({
    authorization: `Bearer ${await signDevToken(system.secrets.AUTH_JWT_SECRET, sub, { role, ttl: '10m' })}`,
  });
  const bearer = (name: string) => async () => ({ authorization: `Bearer ${system.secrets[name]}` });

  const routes = (): Protected[] => [
    { service: 'enricher', method: 'GET', path: '/api/context/accounts/acc_none', credentials: bearer('CONTEXT_ADMIN_TOKEN') },
    { service: 'enricher', method: 'POST', path: '/api/context/accounts', body: '[{}]', credentials: bearer('CONTEXT_ADMIN_TOKEN') },
    { service: 'notifier', method: 'GET', path: '/api/invoices/csm/csm_a/pending', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'GET', path: '/api/invoices/customer/acc_none', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'PUT', path: '/api/invoices/stripe:in_none/acknowledge', body: '{}', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'GET', path: '/api/invoices/stripe:in_none', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'GET', path: '/api/csm/csm_a/notes', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'GET', path: '/api/me', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'GET', path: '/api/csm/csm_a/preferences', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'PUT', path: '/api/csm/csm_a/preferences', body: '{}', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'GET', path: '/api/csm/csm_a/stream', credentials: jwt('csm_a', 'csm') },
    { service: 'notifier', method: 'GET', path: '/api/outcomes', credentials: jwt('mgr_a', 'manager') },
    { service: 'notifier', method: 'POST', path: '/api/slack/interactions', body: '{}' },
    { service: 'payment-tracker', method: 'GET', path: '/api/payment-status/stripe:in_none', credentials: jwt('ops', 'admin') },
    { service: 'ingest-gateway', method: 'POST', path: '/api/invoices/upload', body: '[]', credentials: bearer('INGEST_API_TOKEN') },
    { service: 'ingest-gateway', method: 'POST', path: '/api/webhooks/billing/invoice', body: '{}' },
    { service: 'ingest-gateway', method: 'POST', path: '/api/webhooks/billing/stripe', body: '{}' },
    { service: 'ingest-gateway', method: 'POST', path: '/api/webhooks/billing/chargebee', body: '{}' },
    { service: 'ingest-gateway', method: 'POST', path: '/api/webhooks/billing/salesforce', body: '{}' },
  ];

  beforeAll(async () => {
    // No consumer work happens here; one partition per topic keeps start-up short. The failed
    // authentication budget is off: every refusal here must be the route's own check, not a 429.
    system = await SystemUnderTest.start({ namespace: uniqueName('spell'), env: { KAFKA_TOPIC_PARTITIONS: '1', RATE_LIMIT_FAILED_AUTH_PER_IP: '0' } });
  }, 180_000);
  afterAll(() => system?.stop());

  it('refuses every spelling that reaches a route without credentials, and the encoded ones do reach it', async () => {
    const wrong: string[] = [];
    const reachedEncoded: string[] = [];
    for (const route of routes()) {
      const base = system.url(route.service);
      const credentials = route.credentials ? await route.credentials() : undefined;
      for (const path of spellings(route.path)) {
        const anonymous = await send(base, route.method, path, {}, route.body);
        const forged = await send(base, route.method, path, { authorization: 'Bearer forged.token.value' }, route.body);
        const withCredentials = credentials ? await send(base, route.method, path, credentials, route.body) : undefined;
        const reached = withCredentials ? !reachedNothing(withCredentials) : !reachedNothing(anonymous);
        for (const [who, r] of [['anonymous', anonymous], ['forged', forged]] as const) {
          const refused = [401, 403].includes(r.status);
          if (reached ? !refused : !reachedNothing(r) && !refused) wrong.push(`${route.service} ${route.method} ${path} (${who}): ${r.status} ${r.body.slice(0, 120)}`);
        }
        if (reached && path.includes('%') && credentials) reachedEncoded.push(`${route.service} ${path}`);
      }
    }
    expect(wrong).toEqual([]);
    // The router decodes percent-encoded letters, so those spellings really reached the routes above:
    // the refusals were the routes' own checks, not a miss.
    expect(reachedEncoded.some((p) => p.startsWith('enricher /api/%63ontext'))).toBe(true);
    expect(reachedEncoded.some((p) => p.startsWith('notifier'))).toBe(true);
  }, 180_000);
});
