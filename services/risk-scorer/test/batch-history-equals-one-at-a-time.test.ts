import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from '@invoice-signal/runtime';
import { openScratchDb } from '@invoice-signal/testkit';
import { rememberInvoices, storedHistory } from '../src/adapters/assessment-store.ts';
import { historiesInOffsetOrder, lastWritePerInvoice, type HistoryRow } from '../src/domain/batch-history.ts';
import type { InvoiceHistory, PastInvoice } from '../src/domain/history.ts';
import { migrations } from '../src/migrations/index.ts';

/** A small seeded generator (mulberry32): the same cases every run. */
function seeded(seed: number) {
  return (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

type Row = HistoryRow & { enrichmentId: string };
interface DbRow { invoice_id: string; account_id: string; subscription_id: string | null; currency: string; total_minor: number; issued_at: number; revision: number }
const toPast = (r: DbRow): PastInvoice => ({ invoiceId: r.invoice_id, subscriptionId: r.subscription_id, currency: r.currency, totalMinor: r.total_minor, issuedAt: r.issued_at });

/** The former per-record read: the latest strictly earlier invoice of the account (and of the subscription), never the invoice itself. */
async function lookupOne(trx: Knex.Transaction, r: Row): Promise<InvoiceHistory> {
  const latest = async (subscription: string | null) => {
    const q = trx<DbRow>('invoice_history').where('account_id', r.accountId).whereNot('invoice_id', r.invoiceId)
      .whereRaw('(issued_at, invoice_id collate "C") < (?, ? collate "C")', [r.issuedAt, r.invoiceId])
      .orderBy('issued_at', 'desc').orderByRaw('invoice_id collate "C" desc').first();
    if (subscription !== null) q.where('subscription_id', subscription);
    const row = await q;
    return row ? toPast(row) : null;
  };
  return { previousForAccount: await latest(null), previousForSubscription: r.subscriptionId === null ? null : await latest(r.subscriptionId) };
}

const tableOf = (trx: Knex.Transaction) => trx('invoice_history').select('invoice_id', 'account_id', 'subscription_id', 'currency', 'total_minor', 'issued_at', 'revision', 'enrichment_id').orderBy('invoice_id');

/** Runs `work` on a table holding `initial`, returns what it returned and the table after, and leaves the table as it was. */
async function onTable<T>(db: Knex, initial: Row[], work: (trx: Knex.Transaction) => Promise<T>): Promise<{ result: T; table: unknown[] }> {
  const undo = new Error('rolled back on purpose');
  let out!: { result: T; table: unknown[] };
  await db.transaction(async (trx) => {
    await trx('invoice_history').del();
    await rememberInvoices(trx, initial);
    out = { result: await work(trx), table: await tableOf(trx) };
    throw undo;
  }).catch((error) => {
    if (error !== undo) throw error;
  });
  return out;
}

describe('the batch read of the history equals one-at-a-time processing, on Postgres', () => {
  let db: Knex;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await openScratchDb('risk_history', migrations, 2));
  });
  afterAll(async () => drop?.());

  it('same decisions and same final table for 60 random tables and batches (moves between accounts, revisions, equal times, ids by byte order)', async () => {
    const rand = seeded(7);
    const ids = ['inv_a', 'inv_B', 'inv_10', 'inv_9', 'inv_\u00e9', 'inv_Z'];
    const randomRow = (): Row => ({
      invoiceId: ids[rand(ids.length)], accountId: ['acc_a', 'acc_b'][rand(2)], subscriptionId: ['sub_1', 'sub_2', null][rand(3)], currency: 'EUR',
      totalMinor: 1000 * rand(500), issuedAt: 1000 * (1 + rand(3)), revision: 1 + rand(3), enrichmentId: `enr_${rand(1_000_000)}`,
    });
    let moved = 0;
    for (let run = 0; run < 60; run++) {
      const initial = lastWritePerInvoice(Array.from({ length: rand(5) }, randomRow));
      const batch = Array.from({ length: 1 + rand(6) }, randomRow);
      const batched = await onTable(db, initial, async (trx) => {
        const { fromTable, stored } = await storedHistory(trx, batch);
        const histories = historiesInOffsetOrder(batch, fromTable, stored);
        await rememberInvoices(trx, lastWritePerInvoice(batch));
        return histories;
      });
      const sequential = await onTable(db, initial, async (trx) => {
        const histories: InvoiceHistory[] = [];
        for (const r of batch) {
          histories.push(await lookupOne(trx, r));
          await rememberInvoices(trx, [r]);
        }
        return histories;
      });
      expect(batched.result).toEqual(sequential.result);
      expect(batched.table).toEqual(sequential.table);
      if (batch.some((r) => initial.some((i) => i.invoiceId === r.invoiceId && i.accountId !== r.accountId && i.revision <= r.revision))) moved += 1;
    }
    // The random cases did exercise an invoice moving to another account within a batch.
    expect(moved).toBeGreaterThan(5);
  });
});
