import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { SystemUnderTest, stackEndpoints, testKafka, uniqueName } from '@invoice-signal/testkit';
import { fuzzEnv, fuzzServices, runFuzz } from '../../chaos/fuzz/run-fuzz.ts';
import { fuzzRoutes } from '../../chaos/fuzz/routes.ts';

/** Drops what the namespace created on the shared stack: its topics, schema subjects and databases. */
async function cleanUp(system: SystemUnderTest) {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${system.namespace}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
  const registry = stackEndpoints().SCHEMA_REGISTRY_URL;
  const subjects = ((await (await fetch(`${registry}/subjects`)).json()) as string[]).filter((s) => s.startsWith(`${system.namespace}.`));
  for (const s of subjects) {
    await fetch(`${registry}/subjects/${encodeURIComponent(s)}`, { method: 'DELETE' });
    await fetch(`${registry}/subjects/${encodeURIComponent(s)}?permanent=true`, { method: 'DELETE' });
  }
  const client = new pg.Client({ connectionString: stackEndpoints().DATABASE_URL });
  await client.connect();
  try {
    for (const url of system.databaseUrls().values()) await client.query(`drop database if exists ${client.escapeIdentifier(new URL(url).pathname.slice(1))} with (force)`);
  } finally {
    await client.end();
  }
}

describe('every HTTP route under generated bad input (fast-check)', () => {
  const system = new SystemUnderTest({ namespace: uniqueName('fuzz'), env: fuzzEnv, services: fuzzServices });
  afterAll(async () => {
    await system.stop();
    await cleanUp(system);
  });

  it('answers without a 5xx, stays alive and publishes nothing', async () => {
    const report = await runFuzz({ runsPerRoute: 60, system });
    expect(report.routes.map((r) => r.route)).toEqual(fuzzRoutes.map((r) => r.name));
    expect(report.requests).toBeGreaterThanOrEqual(fuzzRoutes.length * 60);
    // Rejections really happened: authenticated broken payloads reached validation (400/422) and forged credentials were refused.
    const statuses = report.routes.flatMap((r) => Object.keys(r.byStatus));
    expect(statuses).toContain('400');
    expect(statuses).toContain('401');
    expect(report.findings).toEqual([]);
  }, 120_000);
});
