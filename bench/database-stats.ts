/**
 * Work each service asks of Postgres, from pg_stat_database: transactions committed and rows
 * read/written in its own database. Backends flush these counters about once a second under load,
 * so deltas over a window of 10 s or more are accurate to a few per cent.
 */
import pg from 'pg';

export interface DbCounters {
  commits: number;
  rowsRead: number;
  rowsWritten: number;
}

export async function databaseCounters(databaseUrl: string, databases: Map<string, string>): Promise<Map<string, DbCounters>> {
  const names = new Map([...databases].map(([service, url]) => [decodeURIComponent(new URL(url).pathname.slice(1)), service]));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string; xact_commit: string; tup_fetched: string; tup_inserted: string; tup_updated: string; tup_deleted: string }>(
      'select datname, xact_commit, tup_fetched, tup_inserted, tup_updated, tup_deleted from pg_stat_database where datname = any($1)', [[...names.keys()]]);
    return new Map(rows.map((r) => [names.get(r.datname)!, { commits: Number(r.xact_commit), rowsRead: Number(r.tup_fetched), rowsWritten: Number(r.tup_inserted) + Number(r.tup_updated) + Number(r.tup_deleted) }]));
  } finally {
    await client.end();
  }
}

/** Per invoice: (after − before) / invoices, per service. */
export function perInvoice(before: Map<string, DbCounters>, after: Map<string, DbCounters>, invoices: number): Map<string, DbCounters> {
  const out = new Map<string, DbCounters>();
  for (const [service, z] of after) {
    const a = before.get(service) ?? { commits: 0, rowsRead: 0, rowsWritten: 0 };
    out.set(service, { commits: (z.commits - a.commits) / invoices, rowsRead: (z.rowsRead - a.rowsRead) / invoices, rowsWritten: (z.rowsWritten - a.rowsWritten) / invoices });
  }
  return out;
}
