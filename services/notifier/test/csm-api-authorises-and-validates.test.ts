import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, token, startNotifier, Upstream } from './support/harness.ts';

describe('the CSM API', () => {
  let n: Notifier;
  let up: Upstream;

  beforeAll(async () => {
    n = await startNotifier();
    up = await new Upstream(n.namespace).open();
    await up.assessed(
      assessment({ invoiceId: 'stripe:in_a1', accountId: 'acc_a', csmId: 'csm_a', riskLevel: 'low', dueAt: Date.UTC(2026, 11, 20) }),
      assessment({ invoiceId: 'stripe:in_a2', accountId: 'acc_a', csmId: 'csm_a', riskLevel: 'high', dueAt: Date.UTC(2026, 11, 25) }),
      assessment({ invoiceId: 'stripe:in_a3', accountId: 'acc_a', csmId: 'csm_a', riskLevel: 'medium', dueAt: Date.UTC(2026, 11, 5) }),
      assessment({ invoiceId: 'stripe:in_b1', accountId: 'acc_b', csmId: 'csm_b' }),
    );
    await eventually('four notifications', async () => Number((await n.db('notifications').count({ c: '*' }))[0].c) === 4);
  });
  afterAll(async () => {
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
  });

  it('pages the pending list sorted by due date or by risk', async () => {
    const byDue = await api(n, '/api/invoices/csm/csm_a/pending?sort=dueDate&limit=2', { as: 'csm_a' });
    expect(byDue.status).toBe(200);
    expect(byDue.body).toMatchObject({ total: 3, limit: 2, offset: 0, sort: 'dueDate' });
    expect(byDue.body.items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual(['stripe:in_a3', 'stripe:in_a1']);
    const next = await api(n, '/api/invoices/csm/csm_a/pending?sort=dueDate&limit=2&offset=2', { as: 'csm_a' });
    expect(next.body.items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual(['stripe:in_a2']);
    const byRisk = await api(n, '/api/invoices/csm/csm_a/pending?sort=risk', { as: 'csm_a' });
    expect(byRisk.body.items.map((i: { riskLevel: string }) => i.riskLevel)).toEqual(['high', 'medium', 'low']);
  });

  it('refuses requests without a valid token with 401 problem+json', async () => {
    const none = await api(n, '/api/invoices/csm/csm_a/pending');
    expect(none.status).toBe(401);
    expect(none.type).toContain('application/problem+json');
    expect(none.body.detail).toBe('Authorization: Bearer <token> is required');
    const forged = await api(n, '/api/invoices/csm/csm_a/pending', { headers: { authorization: `Bearer ${await token('csm_a', 'csm', 'another-secret-that-is-also-32-characters-long')}` } });
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toBe('invalid token: token signature does not verify');
  });

  it('does not let CSM A read or acknowledge B’s invoices, but lets a manager', async () => {
    const read = await api(n, '/api/invoices/csm/csm_b/pending', { as: 'csm_a' });
    expect(read.status).toBe(403);
    expect(read.type).toContain('application/problem+json');
    expect(read.body.detail).toBe('csm_a may not read the notifications of csm_b');
    const ack = await api(n, '/api/invoices/stripe:in_b1/acknowledge', { as: 'csm_a', method: 'PUT' });
    expect(ack.status).toBe(403);
    const customer = await api(n, '/api/invoices/customer/acc_b', { as: 'csm_a' });
    expect(customer.status).toBe(403);
    const prefs = await api(n, '/api/csm/csm_b/preferences', { as: 'csm_a' });
    expect(prefs.status).toBe(403);
    expect((await api(n, '/api/invoices/csm/csm_b/pending', { as: 'boss', role: 'manager' })).body.total).toBe(1);
    expect((await api(n, '/api/invoices/customer/acc_b', { as: 'root', role: 'admin' })).status).toBe(200);
    expect((await n.db('notifications').where({ invoice_id: 'stripe:in_b1' }).first()).acknowledged_at).toBeNull();
  });

  it('acknowledges idempotently, keeping the old free text as other with the text as note, and 404s an unknown invoice', async () => {
    const first = await api(n, '/api/invoices/stripe:in_a1/acknowledge', { as: 'csm_a', method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actionTaken: 'called the customer' }) });
    expect(first.status).toBe(200);
    const at = first.body.acknowledged[0].acknowledgedAt;
    expect(first.body.acknowledged[0]).toMatchObject({
      invoiceId: 'stripe:in_a1', actionTaken: 'other', acknowledgment: { actionTaken: 'other', note: 'called the customer', by: 'csm_a', at },
      acknowledgmentHistory: [{ actionTaken: 'other', note: 'called the customer', by: 'csm_a', at }],
    });
    const again = await api(n, '/api/invoices/stripe:in_a1/acknowledge', { as: 'csm_a', method: 'PUT' });
    expect(again.status).toBe(200);
    expect(again.body.acknowledged[0]).toMatchObject({ acknowledgedAt: at, actionTaken: 'other', acknowledgment: { note: 'called the customer' } });
    expect(again.body.acknowledged[0].acknowledgmentHistory).toHaveLength(1);
    expect((await api(n, '/api/invoices/csm/csm_a/pending', { as: 'csm_a' })).body.total).toBe(2);
    const unknown = await api(n, '/api/invoices/stripe:in_nope/acknowledge', { as: 'csm_a', method: 'PUT' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toBe('no notification for invoice stripe:in_nope');
    expect((await api(n, '/api/invoices/customer/acc_nope', { as: 'csm_a' })).status).toBe(404);
  });

  it('records a structured action with who and when; a change replaces the current one and keeps the history', async () => {
    const put = (body: object, as = 'csm_a', role?: 'manager') => api(n, '/api/invoices/stripe:in_a2/acknowledge', { as, role, method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    n.clock.set(Date.UTC(2026, 10, 2, 9));
    const first = await put({ actionTaken: 'scheduled_call', note: 'Thursday 10:00' });
    expect(first.body.acknowledged[0].acknowledgment).toEqual({ actionTaken: 'scheduled_call', note: 'Thursday 10:00', by: 'csm_a', at: '2026-11-02T09:00:00.000Z' });
    n.clock.set(Date.UTC(2026, 10, 5, 16));
    expect((await put({ actionTaken: 'scheduled_call', note: 'Thursday 10:00' })).body.acknowledged[0].acknowledgmentHistory).toHaveLength(1); // the same again: nothing
    const changed = (await put({ actionTaken: 'confirmed_payment_date' }, 'mgr_a', 'manager')).body.acknowledged[0];
    n.clock.pinned = null;
    expect(changed).toMatchObject({
      acknowledgedAt: '2026-11-02T09:00:00.000Z', actionTaken: 'confirmed_payment_date',
      acknowledgment: { actionTaken: 'confirmed_payment_date', note: null, by: 'mgr_a', at: '2026-11-05T16:00:00.000Z' },
      acknowledgmentHistory: [
        { actionTaken: 'scheduled_call', note: 'Thursday 10:00', by: 'csm_a', at: '2026-11-02T09:00:00.000Z' },
        { actionTaken: 'confirmed_payment_date', note: null, by: 'mgr_a', at: '2026-11-05T16:00:00.000Z' },
      ],
    });
    const rows = await n.db('acknowledgment_actions').where({ invoice_id: 'stripe:in_a2' }).orderBy('id');
    expect(rows.map((r) => [r.action_taken, r.by_csm_id, r.holder_csm_id])).toEqual([['scheduled_call', 'csm_a', 'csm_a'], ['confirmed_payment_date', 'mgr_a', 'csm_a']]);
  });

  it.each([
    ['PUT', '/api/invoices/stripe:in_a2/acknowledge', '{"actionTaken":"contacted_custmer"}', 'body/actionTaken must be one of contacted_customer, scheduled_call'],
    ['PUT', '/api/invoices/stripe:in_a2/acknowledge', '{"actionTaken":"other"}', 'body/note is required with actionTaken "other"'],
    ['GET', '/api/invoices/csm/csm_a/pending?sort=amount', undefined, 'querystring/sort must be equal to one of the allowed values'],
    ['GET', '/api/invoices/csm/csm_a/pending?limit=0', undefined, 'querystring/limit must be >= 1'],
    ['GET', '/api/invoices/csm/csm_a/pending?limit=ten', undefined, 'querystring/limit must be integer'],
    ['GET', '/api/invoices/csm/csm_a/pending?offset=-1', undefined, 'querystring/offset must be >= 0'],
    ['GET', '/api/invoices/csm/csm_a/pending?colour=red', undefined, 'querystring must NOT have additional properties'],
    ['GET', '/api/invoices/csm/%20bad%20/pending', undefined, 'params/csmId must match pattern'],
    ['GET', '/api/invoices/customer/%3Cscript%3E', undefined, 'params/customerId must match pattern'],
    ['PUT', '/api/invoices/%20/acknowledge', '{}', 'params/invoiceId must match pattern'],
    ['PUT', '/api/invoices/stripe:in_a2/acknowledge', '{"actionTaken":""}', 'body/actionTaken must NOT have fewer than 1 characters'],
    ['PUT', '/api/invoices/stripe:in_a2/acknowledge', '{"actionTaken":5}', 'body/actionTaken must be string'],
    ['PUT', '/api/invoices/stripe:in_a2/acknowledge', '{"action":"x"}', 'body must NOT have additional properties'],
    ['PUT', '/api/invoices/stripe:in_a2/acknowledge', '{not json', 'Body is not valid JSON'],
    ['PUT', '/api/csm/csm_a/preferences', '{"slackMaxPerHour":-1}', 'body/slackMaxPerHour must be >= 0'],
    ['PUT', '/api/csm/csm_a/preferences', '{"quietHours":{"start":"25:00","end":"07:00"}}', 'body/quietHours'],
    ['PUT', '/api/csm/csm_a/preferences', '{"minAmountMinor":{"slack":{"euro":5}}}', 'body/minAmountMinor/slack'],
    ['PUT', '/api/csm/csm_a/preferences', '{"timeZone":"Mars/Olympus"}', 'body/timeZone "Mars/Olympus" is not an IANA time zone'],
    ['PUT', '/api/csm/csm_a/preferences', '{"slak":true}', 'body must NOT have additional properties'],
  ])('%s %s with bad input answers 400 naming the problem', async (method, path, body, message) => {
    const res = await api(n, path, { as: 'csm_a', method, body, headers: body ? { 'content-type': 'application/json' } : {} });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.detail).toContain(message);
  });

  it('rejects an oversized body with 413 and an unknown route with 404, both problem+json', async () => {
    const big = await api(n, '/api/csm/csm_a/preferences', { as: 'csm_a', method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timeZone: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect(big.type).toContain('application/problem+json');
    const missing = await api(n, '/api/nothing', { as: 'csm_a' });
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
  });

  it('serves an OpenAPI document describing the routes', async () => {
    const doc = await api(n, '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining([
      '/api/invoices/csm/{csmId}/pending', '/api/invoices/{invoiceId}/acknowledge', '/api/invoices/customer/{customerId}', '/api/csm/{csmId}/preferences', '/api/csm/{csmId}/stream', '/api/outcomes',
    ]));
    const outcomes = doc.body.paths['/api/outcomes'].get;
    expect(outcomes.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['csmId', 'from', 'team', 'to']);
    expect(Object.keys(outcomes.responses['200'].content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['delivery', 'outreach', 'onTime', 'perCsm', 'daily', 'weekly', 'needsOutreach']));
    const ack = doc.body.paths['/api/invoices/{invoiceId}/acknowledge'].put;
    expect(Object.keys(ack.requestBody.content['application/json'].schema.properties)).toEqual(['actionTaken', 'note']);
    expect(doc.body.components.securitySchemes.bearerAuth.scheme).toBe('bearer');
  });
});
