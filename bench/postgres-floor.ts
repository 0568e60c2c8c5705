/**
 * The Postgres floor: the rows the pipeline wrote per invoice (per service and table, from
 * pg_stat_user_tables over the best step's window), written again in the cheapest way that keeps
 * their durability: one transaction per batch of `batch` invoices per service, one
 * `insert … select * from unnest(…)` per table (and one set-based `update` for rows the pipeline
 * updated), each service on its own connection, all at once like the pipeline.
 *
 * The tables are copies of the services' own (`create table bench_floor.x (like public.x including
 * all)`: same columns, defaults, constraints and indexes; no foreign keys, no triggers); the rows
 * are the services' own rows of that step, with the unique columns made unique again.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { cpuWindow, type CpuAccount } from './cpu.ts';
import type { TableWrites } from './database-stats.ts';

export interface FloorService {
  service: string;
  url: string;
  /** Table → rows inserted / updated per invoice in the pipeline. */
  perInvoice: Record<string, { inserted: number; updated: number }>;
}

export interface FloorResult {
  batch: number;
  invoices: number;
  seconds: number;
  invoicesPerSecond: number;
  rowsPerSecond: number;
  /** Wall time per invoice, all services at once, ms. */
  msPerInvoice: number;
  /** Postgres CPU per invoice, ms. */
  postgresCpuMsPerInvoice: number;
  services: Array<{ service: string; rowsPerInvoice: number; statementsPerInvoice: number; commitsPerInvoice: number; seconds: number; skipped: string[] }>;
}

interface Column {
  name: string;
  type: string;
  /** How to keep it unique across copies, when it is part of a unique index. */
  unique?: 'text' | 'int' | 'uuid';
}

interface FloorTable {
  name: string;
  columns: Column[];
  /** Sample rows of the service's own, every value as text (or null). */
  rows: Array<Array<string | null>>;
  inserted: number;
  updated: number;
  /** A column to rewrite in place for updates. */
  touch?: string;
}

const raw = { getTypeParser: () => (v: string) => v };
const ident = (c: pg.Client, name: string) => c.escapeIdentifier(name);

async function prepareTable(c: pg.Client, table: string, w: { inserted: number; updated: number }): Promise<FloorTable | string> {
  await c.query(`create table if not exists bench_floor.${ident(c, table)} (like public.${ident(c, table)} including all)`);
  const target = `bench_floor.${table}`;
  const { rows: cols } = await c.query<{ name: string; type: string; generated: string; identity: string; serial: boolean; unique: boolean }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attgenerated as generated, a.attidentity as identity,
            coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false) as serial,
            exists (select 1 from pg_index i where i.indrelid = a.attrelid and i.indisunique and a.attnum = any(i.indkey)) as unique
       from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`, [target]);
  const columns: Column[] = [];
  for (const col of cols) {
    if (col.generated || col.identity || col.serial) continue; // the table fills them in
    const kind = !col.unique ? undefined : /char|text/.test(col.type) ? 'text' : /^(smallint|integer|bigint|numeric)/.test(col.type) ? 'int' : col.type === 'uuid' ? 'uuid' : 'other';
    if (kind === 'other') return `${table}: unique column ${col.name} of type ${col.type}`;
    columns.push({ name: col.name, type: col.type, unique: kind as Column['unique'] });
  }
  const list = columns.map((col) => ident(c, col.name)).join(', ');
  const { rows } = await c.query({ text: `select ${list} from public.${ident(c, table)} order by random() limit 200`, rowMode: 'array', types: raw });
  if (rows.length === 0) return `${table}: no rows to copy`;
  return { name: table, columns, rows: rows as Array<Array<string | null>>, ...w, touch: columns.find((col) => !col.unique)?.name ?? columns[0]?.name };
}

/** Column arrays for `n` copies of the sample rows, unique columns made unique with `seq`. */
function copies(t: FloorTable, n: number, seq: { next: number }): Array<Array<string | null>> {
  const arrays = t.columns.map(() => [] as Array<string | null>);
  for (let k = 0; k < n; k++) {
    const row = t.rows[k % t.rows.length]!;
    const id = seq.next++;
    t.columns.forEach((col, j) => {
      const v = row[j] ?? null;
      arrays[j]!.push(col.unique === 'text' ? `${v ?? ''}~f${id}` : col.unique === 'int' ? String(1_000_000_000 + id) : col.unique === 'uuid' ? randomUUID() : v);
    });
  }
  return arrays;
}

/** Rows per batch from rows per invoice: whole rows, carried over from batch to batch. */
class Share {
  private owed = 0;
  private readonly perBatch: number;
  constructor(perBatch: number) {
    this.perBatch = perBatch;
  }
  take(): number {
    this.owed += this.perBatch;
    const n = Math.floor(this.owed);
    this.owed -= n;
    return n;
  }
}

interface Prepared {
  service: string;
  run(): Promise<{ seconds: number; rows: number; statements: number; commits: number; error?: string }>;
  skipped: string[];
  close(): Promise<void>;
}

/** Tables copied and sample rows read, rows to update seeded: everything outside the clock. */
async function prepareService(s: FloorService, batch: number, invoices: number): Promise<Prepared> {
  const c = new pg.Client({ connectionString: s.url });
  await c.connect();
  await c.query('drop schema if exists bench_floor cascade');
  await c.query('create schema bench_floor');
  const tables: FloorTable[] = [];
  const skipped: string[] = [];
  for (const [table, w] of Object.entries(s.perInvoice)) {
    const t = await prepareTable(c, table, w);
    if (typeof t === 'string') skipped.push(t);
    else tables.push(t);
  }
  const seq = { next: 1 };
  const plan = tables.map((t) => ({ t, ins: new Share(t.inserted * batch), upd: new Share(t.updated * batch), ctids: [] as string[] }));
  // Rows the pipeline only updates (the floor has not inserted them yet).
  for (const p of plan.filter((x) => x.t.updated > 0)) p.ctids = await insert(c, p.t, Math.max(1, Math.min(200, Math.ceil(p.t.updated * batch))), seq);

  async function oneBatch(): Promise<{ rows: number; statements: number }> {
    let rows = 0;
    let statements = 0;
    await c.query('begin');
    for (const p of plan) {
      const n = p.ins.take();
      if (n > 0) {
        const fresh = await insert(c, p.t, n, seq);
        if (p.t.updated > 0) p.ctids = fresh.concat(p.ctids).slice(0, 1000);
        rows += n;
        statements += 1;
      }
      for (let u = p.upd.take(); u > 0 && p.ctids.length > 0; ) {
        const target = p.ctids.splice(0, u);
        const { rows: moved } = await c.query<{ ctid: string }>(`update bench_floor.${ident(c, p.t.name)} set ${ident(c, p.t.touch!)} = ${ident(c, p.t.touch!)} where ctid = any($1::tid[]) returning ctid::text`, [target]);
        p.ctids.push(...moved.map((r) => r.ctid));
        rows += moved.length;
        u -= target.length;
        statements += 1;
      }
    }
    await c.query('commit');
    return { rows, statements };
  }

  return {
    service: s.service,
    skipped,
    async run() {
      let rows = 0;
      let statements = 0;
      let commits = 0;
      const t0 = performance.now();
      try {
        for (let done = 0; done < invoices; done += batch) {
          const r = await oneBatch();
          rows += r.rows;
          statements += r.statements;
          commits += 1;
        }
        return { seconds: (performance.now() - t0) / 1000, rows, statements, commits };
      } catch (error) {
        await c.query('rollback').catch(() => undefined);
        return { seconds: (performance.now() - t0) / 1000, rows, statements, commits, error: (error as Error).message };
      }
    },
    async close() {
      await c.query('drop schema if exists bench_floor cascade').catch(() => undefined);
      await c.end().catch(() => undefined);
    },
  };
}

/** Every column travels as text and is cast back in the select: arrays and enums included, one bind per column. */
async function insert(c: pg.Client, t: FloorTable, n: number, seq: { next: number }): Promise<string[]> {
  const arrays = copies(t, n, seq);
  const cols = t.columns.map((col) => ident(c, col.name)).join(', ');
  const casts = t.columns.map((col, j) => `u.c${j}::${col.type}`).join(', ');
  const unnest = t.columns.map((_, j) => `$${j + 1}::text[]`).join(', ');
  const names = t.columns.map((_, j) => `c${j}`).join(', ');
  const { rows } = await c.query<{ ctid: string }>(`insert into bench_floor.${ident(c, t.name)} (${cols}) select ${casts} from unnest(${unnest}) as u(${names}) returning ctid::text`, arrays);
  return rows.map((r) => r.ctid);
}

/** Per-invoice table writes of each service, from a window's pg_stat_user_tables deltas. */
export function perInvoiceWrites(writes: TableWrites, invoices: number): Record<string, { inserted: number; updated: number }> {
  return Object.fromEntries(Object.entries(writes).map(([t, w]) => [t, { inserted: w.inserted / invoices, updated: w.updated / invoices }]));
}

export async function postgresFloor(services: FloorService[], batch: number, invoices: number, cpu: CpuAccount): Promise<FloorResult> {
  const prepared: Prepared[] = [];
  try {
    for (const s of services) prepared.push(await prepareService(s, batch, invoices));
    const a = cpu.snapshot();
    const t0 = performance.now();
    const results = await Promise.all(prepared.map((p) => p.run()));
    const seconds = (performance.now() - t0) / 1000;
    const window = cpuWindow(a, cpu.snapshot());
    const rows = results.reduce((sum, r) => sum + r.rows, 0);
    return {
      batch, invoices, seconds, invoicesPerSecond: invoices / seconds, rowsPerSecond: rows / seconds, msPerInvoice: (seconds * 1000) / invoices,
      postgresCpuMsPerInvoice: ((window.groups.postgres ?? 0) * window.seconds * 1000) / invoices,
      services: prepared.map((p, i) => ({
        service: p.service, rowsPerInvoice: results[i]!.rows / invoices, statementsPerInvoice: results[i]!.statements / invoices, commitsPerInvoice: results[i]!.commits / invoices,
        seconds: results[i]!.seconds, skipped: [...p.skipped, ...(results[i]!.error ? [`failed: ${results[i]!.error}`] : [])],
      })),
    };
  } finally {
    for (const p of prepared) await p.close();
  }
}
