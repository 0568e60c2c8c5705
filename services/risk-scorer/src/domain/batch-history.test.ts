import { describe, expect, it } from 'vitest';
import { compareIds, historiesInOffsetOrder, lastWritePerInvoice, type HistoryRow } from './batch-history.ts';
import type { InvoiceHistory, PastInvoice } from './history.ts';

/** A small seeded generator (mulberry32): the same cases every run. */
function seeded(seed: number) {
  return (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

const row = (invoiceId: string, issuedAt: number, over: Partial<HistoryRow> = {}): HistoryRow =>
  ({ invoiceId, accountId: 'acc_a', subscriptionId: 'sub_1', currency: 'EUR', totalMinor: 100_000, issuedAt, revision: 1, ...over });
const past = ({ invoiceId, subscriptionId, currency, totalMinor, issuedAt }: HistoryRow): PastInvoice => ({ invoiceId, subscriptionId, currency, totalMinor, issuedAt });
const none: InvoiceHistory = { previousForAccount: null, previousForSubscription: null };
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** What the table lookup returns for `row`: written independently of the module, by sorting everything. */
function lookup(table: Iterable<HistoryRow>, r: HistoryRow): InvoiceHistory {
  const earlier = [...table]
    .filter((c) => c.accountId === r.accountId && c.invoiceId !== r.invoiceId && (c.issuedAt < r.issuedAt || (c.issuedAt === r.issuedAt && byteOrder(c.invoiceId, r.invoiceId) < 0)))
    .sort((a, b) => b.issuedAt - a.issuedAt || byteOrder(b.invoiceId, a.invoiceId));
  const sub = r.subscriptionId === null ? undefined : earlier.find((c) => c.subscriptionId === r.subscriptionId);
  return { previousForAccount: earlier[0] ? past(earlier[0]) : null, previousForSubscription: sub ? past(sub) : null };
}

/** The former path: look up, then upsert (a higher stored revision wins), one record after the other. */
function oneAtATime(table: Map<string, HistoryRow>, rows: HistoryRow[]): InvoiceHistory[] {
  const t = new Map(table);
  return rows.map((r) => {
    const h = lookup(t.values(), r);
    if ((t.get(r.invoiceId)?.revision ?? 0) <= r.revision) t.set(r.invoiceId, r);
    return h;
  });
}

/** The batch path's inputs as the store's one statement computes them from `table`. */
function batched(table: Map<string, HistoryRow>, rows: HistoryRow[]): InvoiceHistory[] {
  const written = new Set(rows.map((r) => r.invoiceId));
  const untouched = [...table.values()].filter((r) => !written.has(r.invoiceId));
  const stored = new Map([...table].filter(([id]) => written.has(id)));
  return historiesInOffsetOrder(rows, rows.map((r) => lookup(untouched, r)), stored);
}

describe('the history of a batch of new invoices', () => {
  it('an invoice sees the invoice of its account that came before it in the same batch', () => {
    const first = row('inv_1', 1000, { totalMinor: 100_000 });
    const second = row('inv_2', 2000, { totalMinor: 200_000 });
    expect(batched(new Map(), [first, second])).toEqual([none, { previousForAccount: past(first), previousForSubscription: past(first) }]);
  });

  it('the batch\'s earlier invoice beats an older one from the table, and only counts for its own subscription', () => {
    const old = row('inv_0', 500, { subscriptionId: 'sub_2' });
    const first = row('inv_1', 1000);
    const second = row('inv_2', 2000, { subscriptionId: 'sub_2' });
    const [, h] = batched(new Map([[old.invoiceId, old]]), [first, second]);
    expect(h).toEqual({ previousForAccount: past(first), previousForSubscription: past(old) });
  });

  it('a late account match earlier in the batch moves the invoice out of the old account for the records after it', () => {
    const unmatched = row('inv_1', 1000, { accountId: 'unmatched:cus_1' });
    const matched = { ...unmatched, accountId: 'acc_a', revision: 2 };
    const next = row('inv_2', 2000, { accountId: 'unmatched:cus_1' });
    const table = new Map([[unmatched.invoiceId, unmatched]]);
    expect(batched(table, [matched, next])).toEqual([none, none]);
    expect(oneAtATime(table, [matched, next])).toEqual([none, none]);
  });

  it('an older revision later in the batch does not move the row back', () => {
    const r2 = row('inv_1', 1000, { revision: 2, totalMinor: 300_000 });
    const r1 = row('inv_1', 1000, { revision: 1, totalMinor: 100_000 });
    const next = row('inv_2', 2000);
    const [, , h] = batched(new Map(), [r2, r1, next]);
    expect(h.previousForAccount).toEqual(past(r2));
    expect(lastWritePerInvoice([r2, r1])).toEqual([r2]);
  });

  it('equals one record at a time in offset order, for 2,000 random tables and batches (moves, revisions, equal times)', () => {
    const rand = seeded(42);
    const randomRow = (): HistoryRow => row(`inv_${rand(6)}`, 1000 * (1 + rand(3)), {
      accountId: ['acc_a', 'acc_b'][rand(2)], subscriptionId: ['sub_1', 'sub_2', null][rand(3)], totalMinor: 1000 * rand(500), revision: 1 + rand(3),
    });
    for (let run = 0; run < 2000; run++) {
      const table = new Map(Array.from({ length: rand(5) }, randomRow).map((r) => [r.invoiceId, r]));
      const rows = Array.from({ length: 1 + rand(6) }, randomRow);
      expect(batched(table, rows)).toEqual(oneAtATime(table, rows));
    }
  });
});

describe('one write per invoice for the batch upsert', () => {
  it('keeps the highest revision, and the later write of equal revisions', () => {
    const a1 = row('inv_1', 1000, { revision: 1, totalMinor: 1 });
    const a1again = row('inv_1', 1000, { revision: 1, totalMinor: 2 });
    const b3 = row('inv_2', 1000, { revision: 3 });
    const b2 = row('inv_2', 1000, { revision: 2 });
    expect(lastWritePerInvoice([a1, b3, a1again, b2])).toEqual([a1again, b3]);
  });
});

describe('invoice ids compare in byte order, as Postgres does under collate "C"', () => {
  it('orders a character beyond U+FFFF after U+FFFF (JS < says the opposite)', () => {
    expect('\u{1F600}' < '\uFFFF').toBe(true);
    expect(compareIds('\u{1F600}', '\uFFFF')).toBeGreaterThan(0);
    expect(Math.sign(compareIds('stripe:in_A', 'stripe:in_a'))).toBe(-1);
    expect(compareIds('in_1', 'in_10')).toBeLessThan(0);
    expect(compareIds('in_1', 'in_1')).toBe(0);
  });
});
