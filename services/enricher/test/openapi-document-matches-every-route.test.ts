import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, exerciseHealth, exhaustFailedAuth, freshClient, OpenApiContract, uniqueName } from '@invoice-signal/testkit';
import { startEnricher, type Harness } from './support.ts';

const accounts = '/api/context/accounts';
const account = '/api/context/accounts/{accountId}';

describe('the enricher answers as its OpenAPI document says', () => {
  let h: Harness;
  let contract: OpenApiContract;
  const admin = () => ({ authorization: `Bearer ${h.token}`, ...freshClient() });
  const sample = (accountId: string) => ({
    accountId, name: 'Contract Ltd', csm: { id: 'csm_contract', email: 'contract@example.com', timeZone: 'Europe/Paris' },
    health: { score: 72, asOf: '2026-11-01', history: [{ score: 70, asOf: '2026-10-01' }] },
    contract: { arrMinor: 2_400_000, currency: 'EUR', renewalDate: '2027-06-01', tier: 'strategic' },
    supportIssues: { open: 1, last30d: 2, recent: [{ id: 'T-1', title: 'Login', openedAt: '2026-10-20T09:00:00Z' }] },
    vendorRefs: { stripeCustomerId: `cus_${accountId}` }, billingTimeZone: 'America/New_York',
  });

  beforeAll(async () => {
    // Failed authentications are budgeted per client address: 1/s (burst 2) so 429 comes quickly; each case has its own address.
    h = await startEnricher('enr_contract', { TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_FAILED_AUTH_PER_IP: '1' });
    contract = await OpenApiContract.load(h.service.url);
  });
  afterAll(async () => h?.stop());

  it('serves a valid OpenAPI 3.x document that leaves no route out', () => {
    expect(contract.undocumented(h.service.ctx.app)).toEqual([]);
    expect(contract.hidden(h.service.ctx.app)).toEqual([]);
    expect(contract.documented()).toEqual(expect.arrayContaining([`POST ${accounts}`, `GET ${account}`]));
    expect(contract.doc.components?.securitySchemes).toHaveProperty('adminBearer');
  });

  it('imports accounts and then serves their context, as documented', async () => {
    const id = uniqueName('acc_contract');
    const imported = await contract.call('POST', accounts, { headers: admin(), json: [sample(id)], query: { origin: 'csv' } });
    expect(imported.status).toBe(202);
    expect(imported.body).toMatchObject({ published: 1, accounts: [{ accountId: id }] });
    const held = await eventually('the snapshot to be held', async () => {
      const a = await contract.call('GET', account, { params: { accountId: id }, headers: admin() });
      return a.status === 200 && a;
    });
    expect(held.body).toMatchObject({ accountId: id, origin: 'csv', billingTimeZone: 'America/New_York', csm: { id: 'csm_contract' } });
  });

  it('answers each documented refusal of the import as documented', async () => {
    const bad = [{ ...sample('acc_bad'), health: { score: 140, asOf: '2026-11-01' } }];
    const invalid = await contract.call('POST', accounts, { headers: admin(), json: bad });
    expect([invalid.status, invalid.body.errors]).toEqual([400, [{ field: '[0].health.score', message: expect.any(String) }]]);
    expect((await contract.call('POST', accounts, { headers: admin(), json: [sample('acc_x')], query: { origin: 'crm' } })).status).toBe(400);
    expect((await contract.call('POST', accounts, { headers: { ...admin(), 'content-type': 'application/json' }, body: '[{' })).status).toBe(400);
    expect((await contract.call('POST', accounts, { headers: { ...admin(), 'content-type': 'text/csv' }, body: 'accountId\nacc_1' })).status).toBe(415);
    const huge = JSON.stringify([{ ...sample('acc_huge'), name: 'x'.repeat(6 * 1024 * 1024) }]);
    expect((await contract.call('POST', accounts, { headers: { ...admin(), 'content-type': 'application/json' }, body: huge })).status).toBe(413);
    const anonymous = await contract.call('POST', accounts, { headers: freshClient(), json: [sample('acc_y')] });
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="context-admin"']);
    expect((await exhaustFailedAuth(contract, 'POST', accounts, { json: [sample('acc_z')] })).status).toBe(429);
  });

  it('answers each documented refusal of the lookup as documented', async () => {
    expect((await contract.call('GET', account, { params: { accountId: 'acc\u0000nul' }, headers: admin() })).status).toBe(400);
    expect((await contract.call('GET', account, { params: { accountId: 'acc_never_imported' }, headers: admin() })).status).toBe(404);
    expect((await contract.call('GET', account, { params: { accountId: 'acc_any' }, headers: { authorization: 'Bearer wrong', ...freshClient() } })).status).toBe(401);
    expect((await exhaustFailedAuth(contract, 'GET', account, { params: { accountId: 'acc_any' } })).status).toBe(429);
  });

  it('answers its probes as documented', async () => {
    await eventually('ready', async () => (await fetch(`${h.service.url}/health/ready`)).status === 200);
    const { live, ready, notReady } = await exerciseHealth(contract, h.service.ctx.addCheck);
    expect([live.status, ready.status, notReady.status]).toEqual([200, 200, 503]);
  });

  it('has exercised every documented answer', () => {
    expect(contract.unexercised()).toEqual([]);
  });
});
