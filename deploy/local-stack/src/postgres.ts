import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { isAlive, runAsync, waitFor } from './processes.ts';
import { silentReporter, type Reporter } from './progress.ts';
import type { StackSettings } from './settings.ts';

const binDirs = ['/usr/lib/postgresql/18/bin', '/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

function binDir(): string {
  const found = (process.env.STACK_POSTGRES_BIN ? [process.env.STACK_POSTGRES_BIN] : binDirs).find((d) => existsSync(join(d, 'pg_ctl')));
  if (!found) throw new Error(`PostgreSQL server binaries not found in ${binDirs.join(', ')}; install Debian's postgresql package or set STACK_POSTGRES_BIN`);
  return found;
}

const isRoot = () => process.getuid?.() === 0;

/** Postgres refuses to run as root, so as root every server command runs as the postgres user. */
function asServerUser(command: string, args: string[]): Promise<string> {
  return isRoot() ? runAsync('runuser', ['-u', 'postgres', '--', command, ...args]) : runAsync(command, args);
}

function serverUserCanUse(dir: string): boolean {
  if (!isRoot()) return true;
  return spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]).status === 0;
}

/** The data directory: under the stack dir when the server user can reach it, else under /var/tmp. */
export function postgresHome(s: StackSettings): string {
  const pointer = join(s.stackDir, 'postgres.home');
  if (existsSync(pointer)) return readFileSync(pointer, 'utf8').trim();
  mkdirSync(s.stackDir, { recursive: true });
  const preferred = join(s.stackDir, 'postgres');
  const home = serverUserCanUse(s.stackDir) ? preferred : `/var/tmp/invoice-signal-postgres-${s.postgresPort}`;
  writeFileSync(pointer, home);
  return home;
}

export function postgresPid(s: StackSettings): number | undefined {
  const pidFile = join(postgresHome(s), 'data', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
}

/**
 * Opt-in (STACK_POSTGRES_STATEMENT_STATS=1, used by the benchmark's private stack): load
 * pg_stat_statements, which counts every statement per database, nested ones included. It costs a
 * little CPU per statement, so the default stack runs without it.
 */
function statementStatsOptions(env = process.env): string {
  if (!['1', 'true', 'yes'].includes(env.STACK_POSTGRES_STATEMENT_STATS ?? '')) return '';
  return ' -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.max=10000';
}

export async function startPostgres(s: StackSettings, report: Reporter = silentReporter): Promise<number> {
  const running = postgresPid(s);
  if (running !== undefined) return running;
  const bin = binDir();
  const home = postgresHome(s);
  const data = join(home, 'data');
  mkdirSync(home, { recursive: true });
  if (isRoot()) {
    const { uid, gid } = await userIds('postgres');
    chownSync(home, uid, gid);
  }
  if (!existsSync(join(data, 'PG_VERSION'))) {
    // Trust on loopback only: a private development instance with no password to leak.
    await report.step('postgres: initdb', () => asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']));
  }
  const logDir = join(s.stackDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(home, 'postgres.log');
  const options = `-p ${s.postgresPort} -k ${home} -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=on${statementStatsOptions()}`;
  await report.step('postgres: starting', () => asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']));
  return postgresPid(s) ?? 0;
}

export async function stopPostgres(s: StackSettings): Promise<boolean> {
  if (postgresPid(s) === undefined) return false;
  await asServerUser(join(binDir(), 'pg_ctl'), ['-D', join(postgresHome(s), 'data'), '-m', 'fast', '-w', '-t', '60', 'stop']);
  return true;
}

export function postgresLogFile(s: StackSettings): string {
  return join(postgresHome(s), 'postgres.log');
}

export async function waitForPostgres(s: StackSettings, deadlineAt: number, report: Reporter = silentReporter): Promise<void> {
  await report.step('postgres: waiting for connections', () => waitFor('postgres', deadlineAt, async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: s.postgresPort, user: 'postgres', database: 'postgres' });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  }));
}

async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await runAsync('id', ['-u', name])).trim());
  const gid = Number((await runAsync('id', ['-g', name])).trim());
  return { uid, gid };
}
