import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from '@invoice-signal/runtime';
import { historyQuery, paymentStore, type HistoryLookup } from '../src/adapters/payment-store.ts';
import { windowStart } from '../src/domain/payment-history.ts';
import { openEnricherDb } from './support.ts';

const day = 24 * 3600 * 1000;
const t0 = Date.UTC(2026, 10, 1);
const ACCOUNTS = 50_000;
const HISTORY_ROWS = 1_000_000;

/** The lookup of one invoice of acc_target (12-month window), as the invoice handler builds it. */
const oneInvoice: HistoryLookup = { accounts: [{ accountId: 'acc_target', from: windowStart(t0, 12) }], refs: [] };
/** A batch's lookup: matched accounts and unclaimed billing identities of the seeded data. */
const aBatch = (accounts: number, refs: number): HistoryLookup => ({
  accounts: Array.from({ length: accounts }, (_, i) => ({ accountId: `acc_${i * 13}`, from: windowStart(t0 - (i % 30) * day, 12) })),
  refs: Array.from({ length: refs }, (_, i) => ({ source: 'chargebee' as const, vendorCustomerId: `cb_${i * 17}`, from: windowStart(t0, 12) })),
});

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] }
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The plan Postgres picks for exactly the statement the adapter sends. */
async function planOf(db: Knex, lookup: HistoryLookup): Promise<PlanNode[]> {
  const { sql, bindings } = historyQuery(db, lookup).toSQL();
  const { rows } = await db.raw(`explain (format json) ${sql}`, bindings);
  return nodes(rows[0]['QUERY PLAN'][0].Plan);
}

/** Median wall time of the adapter's lookup, ms (after one warm-up run). */
async function timeLookup(db: Knex, lookup: HistoryLookup, runs = 25): Promise<{ ms: number; rows: number }> {
  const store = paymentStore(db);
  const count = async () => [...(await store.historyFor(lookup)).byAccount.values()].reduce((n, list) => n + list.length, 0);
  const rows = await count();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await count();
    times.push(performance.now() - start);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(runs / 2)]!, rows };
}

describe('the payment-history lookup with 50,000 accounts and 1,000,000 history rows in place', () => {
  let db: Knex;
  let drop: () => Promise<void>;
  let small: { ms: number; rows: number };
  beforeAll(async () => {
    ({ db, drop } = await openEnricherDb('enr_scale'));
    // acc_target: 30 invoices a fortnight apart, every other one tagged with the account, the rest found through its Stripe reference.
    await db('vendor_refs').insert({ source: 'stripe', vendor_customer_id: 'cus_target', account_id: 'acc_target' });
    await db.raw(
      `insert into payment_history (invoice_id, account_id, source, vendor_customer_id, status, issued_at, due_at, paid_at, changed_at, version)
       select 'target_' || g, case when g % 2 = 0 then 'acc_target' end, 'stripe', 'cus_target', 'paid',
              ?::bigint - g * 14 * ?::bigint, ?::bigint - g * 14 * ?::bigint + 30 * ?::bigint, ?::bigint - g * 14 * ?::bigint + 20 * ?::bigint, ?::bigint, 1
         from generate_series(1, 30) as g`,
      [t0, day, t0, day, day, t0, day, day, t0],
    );
    await db.raw('analyze payment_history; analyze vendor_refs');
    small = await timeLookup(db, oneInvoice);

    // Then the rest of the world, set-based: every account has a Chargebee reference and ~20 invoices,
    // half tagged with the account, half known only by the reference, spread over two years.
    await db.raw(
      `insert into vendor_refs (source, vendor_customer_id, account_id)
       select 'chargebee', 'cb_' || g, 'acc_' || g from generate_series(0, ? - 1) as g`,
      [ACCOUNTS],
    );
    await db.raw(
      `insert into payment_history (invoice_id, account_id, source, vendor_customer_id, status, issued_at, due_at, paid_at, changed_at, version)
       select 'inv_' || g, case when g % 2 = 0 then 'acc_' || (g % ?) end, 'chargebee', 'cb_' || (g % ?),
              (array['paid', 'pending', 'overdue', 'failed'])[1 + g % 4],
              ?::bigint - (g % 730) * ?::bigint, ?::bigint - (g % 730) * ?::bigint + 30 * ?::bigint, null, ?::bigint, 1
         from generate_series(1, ?) as g`,
      [ACCOUNTS, ACCOUNTS, t0, day, t0, day, day, t0, HISTORY_ROWS],
    );
    await db.raw('analyze payment_history; analyze vendor_refs');
  }, 120_000);
  afterAll(async () => drop?.());

  it('uses indexes only, never a sequential scan of payment_history or vendor_refs (one invoice, and batches of 400 and 4,000 keys)', async () => {
    for (const lookup of [oneInvoice, aBatch(300, 100), aBatch(3000, 1000)]) {
      const plan = await planOf(db, lookup);
      const seqScans = plan.filter((n) => n['Node Type'] === 'Seq Scan' && ['payment_history', 'vendor_refs'].includes(n['Relation Name'] ?? ''));
      expect(seqScans).toEqual([]);
      // Each branch is served by an index of migration 002: (account, date), (reference, date), account → references.
      expect(new Set(plan.flatMap((n) => (n['Index Name'] ? [n['Index Name']] : [])))).toEqual(new Set(['payment_history_account_dated', 'payment_history_ref_dated', 'vendor_refs_account_refs']));
    }
  });

  it('finds the same history for one invoice as with small tables, and prints both timings', async () => {
    const large = await timeLookup(db, oneInvoice);
    // 30 invoices a fortnight apart: the 26 of the last 12 months count.
    expect(small.rows).toBe(26);
    expect(large.rows).toBe(small.rows);
    const count = Number((await db('payment_history').count({ n: '*' }))[0]!.n);
    console.log(`payment-history lookup of one invoice: ${small.ms.toFixed(2)} ms with 30 history rows, ${large.ms.toFixed(2)} ms with ${count} rows and ${ACCOUNTS + 1} accounts' references (median of 25)`);
  });
});
