import type { InvoiceHistory, PastInvoice } from './history.ts';

/** A row of the scorer's history table: an invoice, where it sits in its account's history, and the revision that put it there. */
export interface HistoryRow extends PastInvoice {
  accountId: string;
  revision: number;
}

/**
 * Invoice ids in byte order, as Postgres compares them under `collate "C"` (code point order is
 * UTF-8 byte order). JS `<` compares UTF-16 units, which differs for characters beyond U+FFFF.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Strictly earlier in an account's history: by time, then by invoice id. */
export const isEarlier = (a: PastInvoice, b: PastInvoice) => a.issuedAt < b.issuedAt || (a.issuedAt === b.issuedAt && compareIds(a.invoiceId, b.invoiceId) < 0);

const latest = (a: PastInvoice | null, b: PastInvoice | null) => (a === null ? b : b === null || isEarlier(b, a) ? a : b);

const asPast = ({ invoiceId, subscriptionId, currency, totalMinor, issuedAt }: PastInvoice): PastInvoice => ({ invoiceId, subscriptionId, currency, totalMinor, issuedAt });

/** `fromTable` completed with the candidate rows: the latest earlier one of the row's account and of its subscription. */
function historyOf(row: HistoryRow, fromTable: InvoiceHistory, candidates: Iterable<HistoryRow>): InvoiceHistory {
  let { previousForAccount: account, previousForSubscription: subscription } = fromTable;
  for (const c of candidates) {
    if (c.accountId !== row.accountId || c.invoiceId === row.invoiceId || !isEarlier(c, row)) continue;
    account = latest(account, asPast(c));
    if (row.subscriptionId !== null && c.subscriptionId === row.subscriptionId) subscription = latest(subscription, asPast(c));
  }
  return { previousForAccount: account, previousForSubscription: subscription };
}

/**
 * The history each new invoice of a batch reads, equal to what processing the batch one record
 * at a time in offset order would read: each record's row is written before the next one looks.
 * - `rows`: the history row each new invoice leaves behind, in offset order.
 * - `fromTable[k]`: for rows[k], the latest earlier invoices of its account and subscription
 *   among the table's rows of invoices the batch does NOT write (those cannot change meanwhile).
 * - `stored`: the table's rows of the invoices the batch writes, as they were before the batch.
 * A write replaces the row unless that holds a higher revision (the upsert's rule), so a late
 * account match earlier in the batch moves the invoice for the records after it.
 */
export function historiesInOffsetOrder(rows: HistoryRow[], fromTable: InvoiceHistory[], stored: ReadonlyMap<string, HistoryRow>): InvoiceHistory[] {
  const table = new Map(stored);
  return rows.map((row, k) => {
    const history = historyOf(row, fromTable[k], table.values());
    const before = table.get(row.invoiceId);
    if (!before || before.revision <= row.revision) table.set(row.invoiceId, row);
    return history;
  });
}

/**
 * One write per invoice for the batch's single upsert (a statement may not touch a row twice):
 * the highest revision, the later one of equal revisions, which is the row sequential upserts
 * with the same rule would leave.
 */
export function lastWritePerInvoice<R extends HistoryRow>(rows: R[]): R[] {
  const kept = new Map<string, R>();
  for (const row of rows) {
    const before = kept.get(row.invoiceId);
    if (!before || before.revision <= row.revision) kept.set(row.invoiceId, row);
  }
  return [...kept.values()];
}
