/**
 * Work each service asks of Postgres, per database (each service owns one):
 * - statements from pg_stat_statements (reset when a step's window opens; `dbid` tells the
 *   database), transaction control (BEGIN/COMMIT/ROLLBACK) counted apart from real statements;
 * - commits and rows from pg_stat_database, rows written per table from pg_stat_user_tables
 *   (what the Postgres floor reference writes again).
 * Backends flush their counters about once a second under load, so windows of 10 s or more are
 * accurate to a few per cent.
 */
import pg from 'pg';

export const dbName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface StatementFigures {
  /** Statements other than transaction control. */
  statements: number;
  /** BEGIN / COMMIT / ROLLBACK / SAVEPOINT. */
  transactionControl: number;
  execMs: number;
  /** The costliest statements by total execution time: [calls, ms, text]. */
  top: Array<{ calls: number; ms: number; query: string }>;
}

// Postgres regular expressions: \y is the word boundary (\b would be a backspace).
const txControl = String.raw`^\s*(begin|commit|rollback|start transaction|savepoint|release|end)\y`;
/** The bench's own queries (statistics snapshots) are not the services' work. */
const benchOwn = 'pg_stat_|pg_database';

export async function resetStatements(adminUrl: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query('select pg_stat_statements_reset()'));
}

/** Statement counts since the last reset, per database name. */
export async function statementsByDatabase(adminUrl: string, names: string[]): Promise<Map<string, StatementFigures>> {
  return withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string; tx: boolean; calls: string; ms: number; query: string }>(
      `select d.datname, s.query ~* $2 as tx, s.calls::text as calls, s.total_exec_time as ms, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 160) as query
         from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where d.datname = any($1) and s.query !~* $3`, [names, txControl, benchOwn]);
    const out = new Map<string, StatementFigures>(names.map((n) => [n, { statements: 0, transactionControl: 0, execMs: 0, top: [] }]));
    for (const r of rows) {
      const f = out.get(r.datname)!;
      if (r.tx) f.transactionControl += Number(r.calls);
      else {
        f.statements += Number(r.calls);
        f.top.push({ calls: Number(r.calls), ms: r.ms, query: r.query });
      }
      f.execMs += r.ms;
    }
    for (const f of out.values()) f.top = f.top.sort((a, b) => b.ms - a.ms).slice(0, 6);
    return out;
  });
}

export interface DbCounters {
  commits: number;
  rollbacks: number;
  rowsRead: number;
  rowsWritten: number;
}

export async function databaseCounters(adminUrl: string, names: string[]): Promise<Map<string, DbCounters>> {
  return withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string; xact_commit: string; xact_rollback: string; tup_fetched: string; tup_inserted: string; tup_updated: string; tup_deleted: string }>(
      'select datname, xact_commit, xact_rollback, tup_fetched, tup_inserted, tup_updated, tup_deleted from pg_stat_database where datname = any($1)', [names]);
    return new Map(rows.map((r) => [r.datname, { commits: Number(r.xact_commit), rollbacks: Number(r.xact_rollback), rowsRead: Number(r.tup_fetched), rowsWritten: Number(r.tup_inserted) + Number(r.tup_updated) + Number(r.tup_deleted) }]));
  });
}

export function countersDelta(a: DbCounters | undefined, z: DbCounters | undefined): DbCounters {
  const zero = { commits: 0, rollbacks: 0, rowsRead: 0, rowsWritten: 0 };
  const x = a ?? zero;
  const y = z ?? zero;
  return { commits: y.commits - x.commits, rollbacks: y.rollbacks - x.rollbacks, rowsRead: y.rowsRead - x.rowsRead, rowsWritten: y.rowsWritten - x.rowsWritten };
}

/** Rows inserted and updated per table of the public schema (the service's own tables). */
export type TableWrites = Record<string, { inserted: number; updated: number }>;

export async function tableWrites(url: string): Promise<TableWrites> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ relname: string; ins: string; upd: string }>("select relname, n_tup_ins::text as ins, n_tup_upd::text as upd from pg_stat_user_tables where schemaname = 'public'");
    return Object.fromEntries(rows.map((r) => [r.relname, { inserted: Number(r.ins), updated: Number(r.upd) }]));
  });
}

export function writesDelta(a: TableWrites, z: TableWrites): TableWrites {
  const out: TableWrites = {};
  for (const [t, w] of Object.entries(z)) {
    const inserted = w.inserted - (a[t]?.inserted ?? 0);
    const updated = w.updated - (a[t]?.updated ?? 0);
    if (inserted > 0 || updated > 0) out[t] = { inserted, updated };
  }
  return out;
}
