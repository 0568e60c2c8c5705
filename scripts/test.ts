/**
 * npm test: brings up what the tests need, runs the type check and every test, and tears down
 * what it started. Endpoints come from KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL when
 * all three are given; else testcontainers (docker-compose.yml's kafka, registry and postgres)
 * when a Docker engine answers; else the local stack under deploy/ is started (or reused).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { down, up } from '@invoice-signal/local-stack';
import { dockerEngineAnswers, startContainers } from './containers.ts';
import { ensureTools } from './ensure-tools.ts';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const began = Date.now();

function step(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  console.log(`\n== ${title}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  return result.status === 0;
}

/**
 * Leftovers of earlier runs: every test namespace, database and schema subject starts with t_.
 * A long-lived stack would otherwise pile up thousands of partitions.
 */
async function dropTestLeftovers(endpoints: Record<string, string>) {
  await dropTestDatabases(endpoints.DATABASE_URL);
  const kafka = new Kafka({ clientId: 'test-cleanup', brokers: endpoints.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('t_'));
    for (let i = 0; i < topics.length; i += 200) await admin.deleteTopics({ topics: topics.slice(i, i + 200), timeout: 60000 });
    if (topics.length) console.log(`dropped ${topics.length} topics of earlier test runs`);
  } finally {
    await admin.disconnect();
  }
  const registry = endpoints.SCHEMA_REGISTRY_URL;
  const subjects = ((await (await fetch(`${registry}/subjects`)).json()) as string[]).filter((s) => s.startsWith('t_'));
  for (const subject of subjects) {
    await fetch(`${registry}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' });
    await fetch(`${registry}/subjects/${encodeURIComponent(subject)}?permanent=true`, { method: 'DELETE' });
  }
}

/** Databases tests created (named t_...) in earlier runs. */
async function dropTestDatabases(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like 't\\_%'");
    for (const { datname } of rows) await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  if (!step('type check', bin('tsc'), ['-p', 'tsconfig.json'])) return 1;
  if (!step('lint (Biome)', bin('biome'), ['lint', '--error-on-warnings', '.'])) return 1;
  ensureTools();
  const given = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL'].every((k) => process.env[k]);
  let started: string[] = [];
  let endpoints: Record<string, string>;
  let stopContainers: (() => Promise<void>) | undefined;
  if (given) {
    endpoints = { KAFKA_BROKERS: process.env.KAFKA_BROKERS!, SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!, DATABASE_URL: process.env.DATABASE_URL! };
    console.log('\n== using the stack named by KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL');
  } else if (dockerEngineAnswers()) {
    console.log('\n== Docker engine found: starting kafka, registry and postgres with testcontainers');
    const containers = await startContainers();
    endpoints = containers.endpoints;
    stopContainers = containers.stop;
  } else {
    console.log('\n== local stack');
    const result = await up();
    started = result.started;
    endpoints = result.endpoints;
  }
  let ok = false;
  try {
    await dropTestLeftovers(endpoints);
    // The services' own logs go to a file, not between the test results; a failure points to it.
    const logFile = join(root, '.test-logs', `services-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    const env = { ...process.env, ...endpoints, TEST_LOG_FILE: logFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --disable-warning=TimeoutNegativeWarning`.trim() };
    ok = step('tests', bin('vitest'), ['run', ...process.argv.slice(2)], env);
    if (!ok && existsSync(logFile)) console.log(`\nthe services' logs of this run (JSON lines): ${logFile}`);
  } finally {
    await stopContainers?.();
    if (started.length === 3) {
      console.log('\n== stopping the stack this run started');
      await down();
    } else if (started.length > 0) {
      console.log(`\n== leaving the stack running (it was partly running before; started here: ${started.join(', ')})`);
    }
  }
  console.log(`\nnpm test ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
