import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName, topics } from '@invoice-signal/events';
import { createKafka, createLogger, parseEnv, commonEnv } from '@invoice-signal/runtime';
import { eventually, stackEndpoints } from '@invoice-signal/testkit';
import { runImport } from '../src/cli/import-context.ts';
import { startEnricher, type Harness } from './support.ts';

const demoAccount = (i: number) => ({
  accountId: `acc_imp_${i}`, name: `Import ${i}`, csm: { id: 'csm_carol', email: 'carol@example.com', slackUserId: 'U0CAROL' },
  health: { score: 60 + i, asOf: '2026-11-01' }, contract: { arrMinor: 1_200_000, currency: 'GBP', renewalDate: '2027-03-01', tier: 'standard' },
  supportIssues: { open: 0, last30d: 0 }, disputes: { count: 0, lastAt: null }, valueDelivered: [], vendorRefs: { chargebeeCustomerId: `cb_imp_${i}` },
});

describe('the context import', () => {
  let h: Harness;
  let contextTopicSize: () => Promise<number>;
  beforeAll(async () => {
    h = await startEnricher('import');
    const kafka = createKafka('import-test', parseEnv(commonEnv, { ...stackEndpoints() }), createLogger('test', 'silent'));
    contextTopicSize = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topicName(topics.customerContext, h.namespace));
        return offsets.reduce((sum, o) => sum + Number(o.high), 0);
      } finally {
        await admin.disconnect();
      }
    };
  });
  afterAll(async () => h?.stop());

  const post = (body: string, token: string | null = h.token) =>
    fetch(`${h.service.url}/api/context/accounts`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

  it('refuses requests without the admin token', async () => {
    for (const token of [null, 'not-the-token']) {
      const res = await post(JSON.stringify([demoAccount(1)]), token);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await contextTopicSize()).toBe(0);
  });

  it('answers 400 naming the bad field of the bad item, and publishes none of the good ones', async () => {
    const body = [demoAccount(0), demoAccount(1), { ...demoAccount(2), health: { score: 140, asOf: '2026-11-01' } }, demoAccount(3)];
    const res = await post(JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { detail: string; errors: Array<{ field: string }>; code: string };
    expect(problem.code).toBe('CTX_INVALID_IMPORT');
    expect(problem.detail).toContain('[2].health.score');
    expect(problem.errors.map((e) => e.field)).toEqual(['[2].health.score']);
    // The API publishes before it answers, so anything published would already be on the topic.
    expect(await contextTopicSize()).toBe(0);
  });

  it('answers 400 for a body that is not JSON or not an array', async () => {
    expect((await post('{"accountId":')).status).toBe(400);
    const res = await post(JSON.stringify(demoAccount(1)));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0]!.field).toBe('(body)');
    expect(await contextTopicSize()).toBe(0);
  });

  it('publishes every account of a valid body, which the enricher then holds', async () => {
    const res = await post(JSON.stringify([demoAccount(0), demoAccount(1)]));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ published: 2 });
    expect(await contextTopicSize()).toBe(2);
    await eventually('the imported account to be held', async () => {
      const got = await fetch(`${h.service.url}/api/context/accounts/acc_imp_1`, { headers: { authorization: `Bearer ${h.token}` } });
      return got.status === 200 && ((await got.json()) as { origin: string }).origin === 'import-api';
    });
  });

  it('imports a CSV file through the same API, and rejects a bad row with its line number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'enricher-csv-'));
    const header = 'accountId,name,csmId,csmEmail,csmSlackUserId,healthScore,healthAsOf,arrMinor,currency,renewalDate,tier,stripeCustomerId';
    const good = join(dir, 'good.csv');
    const bad = join(dir, 'bad.csv');
    await writeFile(good, `${header}\nacc_csv_1,"Csv, Ltd",csm_alice,alice@example.com,U0ALICE,81,2026-11-01,900000,EUR,2027-01-15,strategic,cus_csv_1\n`);
    await writeFile(bad, `${header}\nacc_csv_2,Fine,csm_bob,bob@example.com,U0BOB,50,2026-11-01,1,EUR,2027-01-15,standard,\nacc_csv_3,Bad,csm_bob,bob@example.com,U0BOB,50,2026-11-01,1,EUR,2027-01-15,platinum,\n`);
    const env = { CONTEXT_ADMIN_TOKEN: h.token, ENRICHER_URL: h.service.url };

    const before = await contextTopicSize();
    const rejected = await runImport([bad], env);
    expect(rejected.exitCode).toBe(1);
    expect(rejected.lines.join('\n')).toContain('line 3 contract.tier');
    expect(await contextTopicSize()).toBe(before);

    const imported = await runImport([good], env);
    expect(imported).toEqual({ exitCode: 0, lines: [`imported 1 account(s) from ${good}`] });
    await eventually('the CSV account to be held', async () => {
      const got = await fetch(`${h.service.url}/api/context/accounts/acc_csv_1`, { headers: { authorization: `Bearer ${h.token}` } });
      const held = (await got.json()) as { name: string; origin: string };
      return got.status === 200 && held.name === 'Csv, Ltd' && held.origin === 'csv';
    });
  });
});
