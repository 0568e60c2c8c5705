import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, exerciseHealth, exhaustFailedAuth, freshClient, OpenApiContract, type ContractCall } from '@invoice-signal/testkit';
import { signSlack } from '../src/domain/slack-signature.ts';
import { assessment, dropNamespace, slackSigningSecret, startNotifier, token, Upstream, type Notifier } from './support/harness.ts';

const route = {
  pending: '/api/invoices/csm/{csmId}/pending', acknowledge: '/api/invoices/{invoiceId}/acknowledge', invoice: '/api/invoices/{invoiceId}',
  customer: '/api/invoices/customer/{customerId}', preferences: '/api/csm/{csmId}/preferences', notes: '/api/csm/{csmId}/notes',
  stream: '/api/csm/{csmId}/stream', me: '/api/me', slack: '/api/slack/interactions', outcomes: '/api/outcomes',
};
const badId = '-starts-with-a-dash';
const big = 'x'.repeat(70 * 1024);

describe('the notifier answers as its OpenAPI document says', () => {
  // Failed authentications are budgeted per client address: 1/s (burst 2) so 429 comes quickly; each case has its own address.
  const env = { TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_FAILED_AUTH_PER_IP: '1' };
  let n: Notifier;
  let withSlack: Notifier;
  let up: Upstream;
  let contract: OpenApiContract;
  const as = async (csmId: string, role: 'csm' | 'manager' | 'admin' = 'csm') => ({ authorization: `Bearer ${await token(csmId, role)}`, ...freshClient() });
  const slackHeaders = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${signSlack(slackSigningSecret, ts, body)}`, ...freshClient() };
  };
  const slackCall = (body: string): ContractCall => ({ baseUrl: withSlack.url, headers: slackHeaders(body), body });

  beforeAll(async () => {
    n = await startNotifier({ env });
    // Slack is off on the first (503); this replica (same database and consumer group) verifies Slack's signatures.
    withSlack = await startNotifier({ namespace: n.namespace, databaseUrl: n.running.ctx.config.databaseUrl, env: { ...env, SLACK_SIGNING_SECRET: slackSigningSecret } });
    up = await new Upstream(n.namespace).open();
    await up.assessed(
      assessment({ invoiceId: 'stripe:in_c1', accountId: 'acc_c', csmId: 'csm_c', dueAt: Date.UTC(2026, 11, 20) }),
      assessment({ invoiceId: 'stripe:in_c2', accountId: 'acc_c', csmId: 'csm_c', dueAt: Date.UTC(2026, 11, 21) }),
      assessment({ invoiceId: 'stripe:in_d1', accountId: 'acc_d', csmId: 'csm_d' }),
    );
    await eventually('three notifications', async () => Number((await n.db('notifications').count({ c: '*' }))[0].c) === 3);
    contract = await OpenApiContract.load(n.url);
  });
  afterAll(async () => {
    await up?.close();
    await withSlack?.stop();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
  });

  it('serves a valid OpenAPI 3.x document that leaves no route out', () => {
    expect(contract.undocumented(n.running.ctx.app)).toEqual([]);
    // The inbox and outcomes pages: static files, not API.
    expect(contract.hidden(n.running.ctx.app).sort()).toEqual([
      'GET /inbox', 'GET /inbox/app.js', 'GET /inbox/card-view.js', 'GET /inbox/cards.js', 'GET /inbox/inbox.css', 'GET /inbox/session.js',
      'GET /outcomes', 'GET /outcomes/app.js', 'GET /outcomes/outcomes.css', 'GET /outcomes/session.js', 'GET /outcomes/uplot.css', 'GET /outcomes/uplot.js',
    ]);
    expect(contract.documented()).toEqual(expect.arrayContaining([`GET ${route.pending}`, `PUT ${route.acknowledge}`, `POST ${route.slack}`, `PUT ${route.preferences}`]));
    expect(Object.keys(contract.doc.components?.securitySchemes ?? {}).sort()).toEqual(['bearerAuth', 'slackSignature']);
    // A breaking change of the notification's fields (amountMinor and amountRemainingMinor renamed) is a major version.
    expect(contract.doc.info.version).toBe('2.0.0');
  });

  it('answers a CSM reading their notifications, account, notes and stream as documented', async () => {
    const pending = await contract.call('GET', route.pending, { params: { csmId: 'csm_c' }, query: { sort: 'risk' }, headers: await as('csm_c') });
    expect(pending.body).toMatchObject({ total: 2, sort: 'risk' });
    expect((await contract.call('GET', route.invoice, { params: { invoiceId: 'stripe:in_c1' }, headers: await as('csm_c') })).body.notifications).toHaveLength(1);
    expect((await contract.call('GET', route.customer, { params: { customerId: 'acc_c' }, headers: await as('csm_c') })).body.invoices).toHaveLength(2);
    expect((await contract.call('GET', route.notes, { params: { csmId: 'csm_c' }, headers: await as('csm_c') })).body).toEqual({ csmId: 'csm_c', items: [] });
    const stream = await contract.call('GET', route.stream, { params: { csmId: 'csm_c' }, headers: await as('csm_c') });
    expect([stream.status, stream.text]).toEqual([200, expect.stringContaining('event: ready')]);
    expect((await contract.call('GET', route.me, { headers: await as('boss', 'manager') })).body).toMatchObject({ csmId: 'boss', role: 'manager' });
    const outcomes = await contract.call('GET', route.outcomes, { query: { csmId: 'csm_c' }, headers: await as('boss', 'manager') });
    expect(outcomes.status).toBe(200);
  });

  it('answers a CSM acknowledging and changing preferences as documented', async () => {
    const ack = await contract.call('PUT', route.acknowledge, { params: { invoiceId: 'stripe:in_c2' }, headers: await as('csm_c'), json: { actionTaken: 'scheduled_call', note: 'Thursday 10:00' } });
    expect(ack.body.acknowledged[0]).toMatchObject({ actionTaken: 'scheduled_call' });
    const prefs = await contract.call('PUT', route.preferences, { params: { csmId: 'csm_c' }, headers: await as('csm_c'), json: { slackMinRisk: 'high', timeZone: 'Europe/Paris' } });
    expect(prefs.body.overrides).toMatchObject({ slackMinRisk: 'high', timeZone: 'Europe/Paris' });
    expect((await contract.call('GET', route.preferences, { params: { csmId: 'csm_c' }, headers: await as('csm_c') })).body.effective).toMatchObject({ slackMinRisk: 'high' });
  });

  it('refuses bad input, unknown ids and other CSMs as documented', async () => {
    const csm = await as('csm_c');
    const cases: Array<[string, string, ContractCall, number]> = [
      ['GET', route.pending, { params: { csmId: 'csm_c' }, query: { limit: '0' } }, 400],
      ['GET', route.pending, { params: { csmId: 'csm_d' } }, 403],
      ['PUT', route.acknowledge, { params: { invoiceId: 'stripe:in_c1' }, json: { unknown: true } }, 400],
      ['PUT', route.acknowledge, { params: { invoiceId: 'stripe:in_d1' } }, 403],
      ['PUT', route.acknowledge, { params: { invoiceId: 'stripe:in_none' } }, 404],
      ['PUT', route.acknowledge, { params: { invoiceId: 'stripe:in_c1' }, json: { actionTaken: big } }, 413],
      ['PUT', route.acknowledge, { params: { invoiceId: 'stripe:in_c1' }, body: '<called/>', headers: { 'content-type': 'application/xml' } }, 415],
      ['GET', route.invoice, { params: { invoiceId: badId } }, 400],
      ['GET', route.invoice, { params: { invoiceId: 'stripe:in_d1' } }, 403],
      ['GET', route.invoice, { params: { invoiceId: 'stripe:in_none' } }, 404],
      ['GET', route.customer, { params: { customerId: badId } }, 400],
      ['GET', route.customer, { params: { customerId: 'acc_d' } }, 403],
      ['GET', route.customer, { params: { customerId: 'acc_none' } }, 404],
      ['GET', route.preferences, { params: { csmId: badId } }, 400],
      ['GET', route.preferences, { params: { csmId: 'csm_d' } }, 403],
      ['PUT', route.preferences, { params: { csmId: 'csm_c' }, json: { timeZone: 'Mars/Olympus_Mons' } }, 400],
      ['PUT', route.preferences, { params: { csmId: 'csm_d' }, json: {} }, 403],
      ['PUT', route.preferences, { params: { csmId: 'csm_c' }, json: { timeZone: big } }, 413],
      ['PUT', route.preferences, { params: { csmId: 'csm_c' }, body: 'slackMinRisk=high', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['GET', route.notes, { params: { csmId: 'csm_c' }, query: { limit: '0' } }, 400],
      ['GET', route.notes, { params: { csmId: 'csm_d' } }, 403],
      ['GET', route.stream, { params: { csmId: badId } }, 400],
      ['GET', route.stream, { params: { csmId: 'csm_d' } }, 403],
      ['GET', route.outcomes, { query: { from: '2026-12-01', to: '2026-11-01' } }, 400],
      ['GET', route.outcomes, { query: { csmId: 'csm_d' } }, 403],
    ];
    for (const [method, path, call, status] of cases) {
      const answer = await contract.call(method, path, { ...call, headers: { ...csm, ...call.headers } });
      expect([method, path, status, answer.status]).toEqual([method, path, status, status]);
    }
  });

  it('refuses callers without a valid token, then limits their address, as documented', async () => {
    const calls: Array<[string, string, ContractCall]> = [
      ['GET', route.pending, { params: { csmId: 'csm_c' } }], ['PUT', route.acknowledge, { params: { invoiceId: 'stripe:in_c1' } }],
      ['GET', route.invoice, { params: { invoiceId: 'stripe:in_c1' } }], ['GET', route.customer, { params: { customerId: 'acc_c' } }],
      ['GET', route.preferences, { params: { csmId: 'csm_c' } }], ['PUT', route.preferences, { params: { csmId: 'csm_c' }, json: {} }],
      ['GET', route.notes, { params: { csmId: 'csm_c' } }], ['GET', route.stream, { params: { csmId: 'csm_c' } }], ['GET', route.me, {}], ['GET', route.outcomes, {}],
    ];
    for (const [method, path, call] of calls) {
      expect([path, (await contract.call(method, path, { ...call, headers: freshClient() })).status]).toEqual([path, 401]);
      expect([path, (await exhaustFailedAuth(contract, method, path, { ...call, headers: { authorization: 'Bearer not.a.token' } })).status]).toEqual([path, 429]);
    }
  });

  it("answers Slack's interactivity as documented", async () => {
    const notOurs = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U_NOBODY' }, actions: [{ action_id: 'acknowledge', value: 'n_1' }] }))}`;
    expect((await contract.call('POST', route.slack, slackCall(notOurs))).body).toMatchObject({ response_type: 'ephemeral' });
    const other = `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission' }))}`;
    expect((await contract.call('POST', route.slack, slackCall(other))).body).toEqual({ ok: true, ignored: true });
    expect((await contract.call('POST', route.slack, slackCall('payload=%7Bnot-json'))).status).toBe(400);
    expect((await contract.call('POST', route.slack, { ...slackCall(notOurs), headers: { 'content-type': 'application/x-www-form-urlencoded', ...freshClient() } })).status).toBe(401);
    expect((await contract.call('POST', route.slack, slackCall(`payload=${big}`))).status).toBe(413);
    expect((await contract.call('POST', route.slack, { ...slackCall(notOurs), headers: { ...slackHeaders(notOurs), 'content-type': 'application/xml' } })).status).toBe(415);
    expect((await exhaustFailedAuth(contract, 'POST', route.slack, { baseUrl: withSlack.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: notOurs })).status).toBe(429);
    // Slack is not configured on the first instance.
    expect((await contract.call('POST', route.slack, { ...slackCall(notOurs), baseUrl: n.url })).status).toBe(503);
  });

  it('answers its probes as documented', async () => {
    await eventually('ready', async () => (await fetch(`${n.url}/health/ready`)).status === 200);
    const { live, ready, notReady } = await exerciseHealth(contract, n.running.ctx.addCheck);
    expect([live.status, ready.status, notReady.status]).toEqual([200, 200, 503]);
  });

  it('has exercised every documented answer', () => {
    expect(contract.unexercised()).toEqual([]);
  });
});
