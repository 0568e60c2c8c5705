import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '@invoice-signal/runtime';
import { eventually, exerciseHealth, exhaustFailedAuth, freshClient, OpenApiContract, uniqueName } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { cleanUp, invoiceEvent, newInvoiceId, openTracker, startTracker, trackerConfig, type TrackerFixture } from './support/harness.ts';

const secret = 'test-secret-for-the-contract-0123456789';
const day = 86_400_000;
const route = '/api/payment-status/{invoiceId}';

function token(role: string) {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: 'u1', role, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
const as = (role: string) => ({ authorization: `Bearer ${token(role)}`, ...freshClient() });

describe('the payment-tracker answers as its OpenAPI document says', () => {
  const namespace = uniqueName('pt_contract');
  // Failed authentications are budgeted per client address: 1/s (burst 2) so 429 comes quickly; each case has its own address.
  const env = { AUTH_JWT_SECRET: secret, TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_FAILED_AUTH_PER_IP: '1' };
  let fixture: TrackerFixture;
  let contract: OpenApiContract;
  let apiOff: RunningService<Config> | undefined;

  beforeAll(async () => {
    fixture = await openTracker(namespace, env);
    contract = await OpenApiContract.load(fixture.tracker.url);
  });
  afterAll(async () => {
    await apiOff?.stop();
    await fixture?.close();
    if (apiOff) await cleanUp(namespace, [apiOff.ctx.config]);
  });

  it('serves a valid OpenAPI 3.x document that leaves no route out', () => {
    expect(contract.doc.openapi).toMatch(/^3\./);
    expect(contract.undocumented(fixture.tracker.ctx.app)).toEqual([]);
    expect(contract.hidden(fixture.tracker.ctx.app)).toEqual([]);
    expect(contract.documented()).toEqual(expect.arrayContaining([`GET ${route}`, 'GET /health/live', 'GET /health/ready']));
    expect(contract.doc.components?.securitySchemes).toHaveProperty('bearerAuth');
  });

  it('answers a known invoice with its state and history, as documented', async () => {
    const id = newInvoiceId('contract');
    const t0 = Date.now() - 2 * day;
    await fixture.source.send(invoiceEvent(id, 'issued', t0, { dueAt: Date.now() + 30 * day }), invoiceEvent(id, 'payment_failed', t0 + day, { dueAt: Date.now() + 30 * day, attemptCount: 1, failureReason: 'card_declined' }));
    const answer = await eventually('the status to be readable', async () => {
      const a = await contract.call('GET', route, { params: { invoiceId: id }, headers: as('manager') });
      return a.body?.status === 'failed' && a;
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ invoiceId: id, status: 'failed', failureReason: 'card_declined', history: [{ to: 'pending' }, { from: 'pending', to: 'failed' }] });
  });

  it('answers each documented refusal as documented', async () => {
    const known = { invoiceId: 'stripe:in_contract_unknown' };
    expect((await contract.call('GET', route, { params: { invoiceId: 'x'.repeat(301) }, headers: as('admin') })).status).toBe(400);
    expect((await contract.call('GET', route, { params: known, headers: freshClient() })).status).toBe(401);
    expect((await contract.call('GET', route, { params: known, headers: as('csm') })).status).toBe(403);
    expect((await contract.call('GET', route, { params: known, headers: as('service') })).status).toBe(404);
    const limited = await exhaustFailedAuth(contract, 'GET', route, { params: known });
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers 503 when no token can be verified (no AUTH_JWT_SECRET or AUTH_JWKS_URL)', async () => {
    const config = trackerConfig(namespace, { EVENTS_CONSUMER_GROUP: uniqueName('pt_contract_off') });
    apiOff = await startTracker(config);
    const off = await contract.call('GET', route, { baseUrl: apiOff.url, params: { invoiceId: 'stripe:in_any' }, headers: as('admin') });
    expect(off.status).toBe(503);
  });

  it('answers its probes as documented', async () => {
    await eventually('ready', async () => (await fetch(`${fixture.tracker.url}/health/ready`)).status === 200);
    const { live, ready, notReady } = await exerciseHealth(contract, fixture.tracker.ctx.addCheck);
    expect([live.status, ready.status, notReady.status]).toEqual([200, 200, 503]);
  });

  it('has exercised every documented answer', () => {
    expect(contract.unexercised()).toEqual([]);
  });
});
