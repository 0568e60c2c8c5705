/**
 * The benchmark runs on a stack of its own (directory .stack-bench, ports 29092/29093/28081/29011/
 * 25433), never on the shared one (9092/8081/5433) nor the reliability suite's (19092/18081/15433):
 * other work on the shared broker and Postgres would land in our figures, and we would land in theirs.
 * Its Postgres loads pg_stat_statements (STACK_POSTGRES_STATEMENT_STATS=1) so statements can be
 * counted per database.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { down, endpointsOf, readSettings, restartPostgres, up, type StackSettings } from '@invoice-signal/local-stack';
import { root } from './deps.ts';

export const benchStackEnv = {
  STACK_DIR: join(root, '.stack-bench'),
  STACK_KAFKA_PORT: '29092',
  STACK_KAFKA_CONTROLLER_PORT: '29093',
  STACK_REGISTRY_PORT: '28081',
  STACK_REGISTRY_MANAGEMENT_PORT: '29011',
  STACK_POSTGRES_PORT: '25433',
  STACK_POSTGRES_STATEMENT_STATS: '1',
};

/** Ports other stacks on this machine use: the bench refuses to share any of them. */
const foreignPorts = new Set([9092, 9093, 8081, 9011, 5433, 19092, 19093, 18081, 19011, 15433]);

export interface BenchStack {
  settings: StackSettings;
  /** pg_stat_statements is loaded and its view exists in the `postgres` database. */
  statementStats: boolean;
  down(): Promise<void>;
}

async function statementStatsReady(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ setting: string }>("select setting from pg_settings where name = 'shared_preload_libraries'");
    if (!rows[0]?.setting.includes('pg_stat_statements')) return false;
    await client.query('create extension if not exists pg_stat_statements');
    return true;
  } finally {
    await client.end();
  }
}

/** Starts (or reuses, after --keep-stack) the private stack and points this process and its children at it. */
export async function startBenchStack(say: (line: string) => void): Promise<BenchStack> {
  Object.assign(process.env, benchStackEnv);
  const settings = readSettings();
  const used = [settings.kafkaPort, settings.controllerPort, settings.registryPort, settings.registryManagementPort, settings.postgresPort].filter((p) => foreignPorts.has(p));
  if (used.length) throw new Error(`refusing to run: the bench stack would use ports of another stack (${used.join(', ')})`);
  mkdirSync(settings.stackDir, { recursive: true });
  writeFileSync(join(settings.stackDir, '.gitignore'), '*\n');
  await up(settings, say);
  Object.assign(process.env, endpointsOf(settings));
  let statementStats = await statementStatsReady(process.env.DATABASE_URL!);
  if (!statementStats) {
    // A Postgres left running by an older --keep-stack run, started without the library.
    say('restarting the bench Postgres with pg_stat_statements loaded');
    await restartPostgres(settings);
    statementStats = await statementStatsReady(process.env.DATABASE_URL!);
  }
  return { settings, statementStats, down: () => down(settings, say) };
}
