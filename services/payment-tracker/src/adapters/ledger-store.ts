import type { PaymentStatus } from '@invoice-signal/events';
import { lockKeys, tryLockKey, type Knex, type OutboxRecord } from '@invoice-signal/runtime';
import { foldInvoice, identicalView, sameView, type InvoiceView, type Transition } from '../domain/fold.ts';
import { ledgerType, type LedgerEntry, type TrackerStatus } from '../domain/ledger.ts';
import { overdueFireAt, statusRecord } from '../domain/publication.ts';
import { statusOutbox } from './status-outbox.ts';

export interface FoldOptions {
  overdueGraceMs: number;
  /** Wall clock for changedAt. */
  now?: () => number;
}

export type ApplyOutcome = 'duplicate' | 'unchanged' | 'changed';

export interface ApplyResult {
  outcome: ApplyOutcome;
  status?: TrackerStatus;
  version?: number;
}

interface StateRow {
  invoice_id: string;
  status: TrackerStatus;
  version: number;
  previous_status: TrackerStatus | null;
  changed_at: number;
  view: InvoiceView;
}

const lockKey = (invoiceId: string) => `payment-tracker:invoice:${invoiceId}`;

/** Serialises all work on one invoice (consumer, overdue scan, other instances) until the transaction ends. */
export const lockInvoice = (trx: Knex.Transaction, invoiceId: string) => lockKeys(trx, [lockKey(invoiceId)]);

/** Like lockInvoice but gives up at once, for the scanner, which already holds schedule row locks. */
export const tryLockInvoice = (trx: Knex.Transaction, invoiceId: string) => tryLockKey(trx, lockKey(invoiceId));

/** An entry as its ledger row (invoice_events). */
export const ledgerRow = (e: LedgerEntry) => ({
  event_id: e.eventId, invoice_id: e.invoiceId, kind: e.kind, type: ledgerType(e), occurred_at: e.occurredAt, payload: JSON.stringify(e),
});

/** Adds an entry to the ledger; false when its eventId is already there (a replay or duplicate delivery). */
export async function recordEntry(trx: Knex.Transaction, entry: LedgerEntry): Promise<boolean> {
  return (await recordEntries(trx, [entry])).length > 0;
}

export async function loadEntries(trx: Knex.Transaction | Knex, invoiceId: string): Promise<LedgerEntry[]> {
  return (await loadLedgers(trx, [invoiceId])).get(invoiceId) ?? [];
}

async function loadLedgers(trx: Knex.Transaction | Knex, invoiceIds: string[]): Promise<Map<string, LedgerEntry[]>> {
  const rows: Array<{ invoice_id: string; payload: LedgerEntry }> = await trx('invoice_events').select('invoice_id', 'payload').whereIn('invoice_id', invoiceIds);
  const byInvoice = new Map<string, LedgerEntry[]>();
  for (const r of rows) byInvoice.set(r.invoice_id, [...(byInvoice.get(r.invoice_id) ?? []), r.payload]);
  return byInvoice;
}

/** Which of the invoices have a billing zone in their ledger (an enrichment placed their due date in the account's zone). */
export async function invoicesWithZone(trx: Knex.Transaction, invoiceIds: string[]): Promise<Set<string>> {
  if (invoiceIds.length === 0) return new Set();
  const zoned = trx('invoice_events').distinct('invoice_id').whereRaw("invoice_id = any(?::text[]) and kind = 'due_zone'", [invoiceIds]);
  return new Set(await zoned.pluck('invoice_id'));
}

/** Locks several invoices in one round trip, in sorted order so two transactions never wait on each other in a cycle. */
export const lockInvoices = (trx: Knex.Transaction, invoiceIds: string[]) => lockKeys(trx, invoiceIds.map(lockKey));

/** Adds entries to the ledger; returns those that were new (duplicates of stored eventIds are dropped). */
export async function recordEntries(trx: Knex.Transaction, entries: LedgerEntry[]): Promise<LedgerEntry[]> {
  const unique = [...new Map(entries.map((e) => [e.eventId, e])).values()];
  if (unique.length === 0) return [];
  const inserted: Array<{ event_id: string }> = await trx('invoice_events')
    .insert(unique.map(ledgerRow))
    .onConflict('event_id').ignore().returning('event_id');
  const fresh = new Set(inserted.map((r) => r.event_id));
  return unique.filter((e) => fresh.has(e.eventId));
}

/**
 * Recomputes the invoice from its whole ledger and, when the view differs from the stored one,
 * writes state, history, overdue schedule and an outbox row in the caller's transaction. The
 * caller holds the invoice lock, so versions and outbox ids follow commit order per invoice.
 */
export async function refold(trx: Knex.Transaction, invoiceId: string, opts: FoldOptions): Promise<ApplyResult> {
  return (await refoldMany(trx, [invoiceId], opts)).get(invoiceId)!;
}

/** refold for many invoices with set-based reads and writes (a consumer batch in one transaction). */
export async function refoldMany(trx: Knex.Transaction, invoiceIds: string[], opts: FoldOptions): Promise<Map<string, ApplyResult>> {
  const ids = [...new Set(invoiceIds)].sort();
  const ledgers = await loadLedgers(trx, ids);
  const states: StateRow[] = await trx('invoice_state').select('invoice_id', 'status', 'version', 'previous_status', 'changed_at', 'view').whereIn('invoice_id', ids);
  const current = new Map(states.map((s) => [s.invoice_id, s]));
  const changedAt = (opts.now ?? Date.now)();
  const results = new Map<string, ApplyResult>();
  const stateRows: Array<ReturnType<typeof stateRow>> = [];
  const outbox: OutboxRecord<PaymentStatus>[] = [];
  const history: Array<{ invoiceId: string; transitions: Transition[] }> = [];
  const views: InvoiceView[] = [];

  for (const id of ids) {
    const folded = foldInvoice(ledgers.get(id) ?? []);
    if (!folded) {
      results.set(id, { outcome: 'unchanged' });
      continue;
    }
    const { view, transitions } = folded;
    const now = current.get(id);
    // An early event arriving late can add a step to the history without changing the view.
    history.push({ invoiceId: id, transitions });
    if (now && sameView(now.view, view)) {
      // Nothing to publish, but keep the stored detail exact (a deletion seeded from a bare tombstone).
      if (!identicalView(now.view, view)) stateRows.push(stateRow(view, now.version, now.previous_status, now.changed_at));
      results.set(id, { outcome: 'unchanged', status: now.status, version: now.version });
      continue;
    }
    const version = (now?.version ?? 0) + 1;
    stateRows.push(stateRow(view, version, now?.status ?? null, changedAt));
    outbox.push({ key: id, version, value: statusRecord(view, version, now?.status ?? null, changedAt) });
    views.push(view);
    results.set(id, { outcome: 'changed', status: view.status, version });
  }

  await writeHistory(trx, history);
  if (stateRows.length) await trx('invoice_state').insert(stateRows).onConflict('invoice_id').merge();
  await writeSchedule(trx, views, opts.overdueGraceMs);
  await statusOutbox.write(trx, outbox);
  return results;
}

function stateRow(view: InvoiceView, version: number, previous: TrackerStatus | null, changedAt: number) {
  return {
    invoice_id: view.invoiceId, status: view.status, previous_status: previous, currency: view.currency,
    amount_due_minor: view.amountDueMinor, amount_paid_minor: view.amountPaidMinor, amount_remaining_minor: view.amountRemainingMinor,
    amount_refunded_minor: view.amountRefundedMinor, due_at: view.dueAt, account_id: view.accountId, vendor_customer_id: view.vendorCustomerId,
    attempt_count: view.attemptCount, disputed: view.disputed, last_event_at: view.lastEventAt, version, changed_at: changedAt, view: JSON.stringify(view),
  };
}

/** The history is the fold's canonical list of status changes; rows keep the time they were first recorded. */
async function writeHistory(trx: Knex.Transaction, histories: Array<{ invoiceId: string; transitions: Transition[] }>) {
  if (histories.length === 0) return;
  const keep = histories.flatMap((h) => h.transitions.map((t) => `${h.invoiceId}|${t.eventId}`));
  await trx('status_transitions').whereIn('invoice_id', histories.map((h) => h.invoiceId))
    .whereRaw("not (invoice_id || '|' || event_id = any(?::text[]))", [keep]).del();
  const rows = histories.flatMap((h) => h.transitions.map((t) => ({ invoice_id: h.invoiceId, event_id: t.eventId, event_type: t.eventType, from_status: t.from, to_status: t.to, occurred_at: t.occurredAt })));
  if (rows.length === 0) return;
  await trx('status_transitions').insert(rows).onConflict(['invoice_id', 'event_id']).merge(['event_type', 'from_status', 'to_status', 'occurred_at']);
}

async function writeSchedule(trx: Knex.Transaction, views: InvoiceView[], graceMs: number) {
  const due = views.flatMap((v) => {
    const fireAt = overdueFireAt(v, graceMs);
    return fireAt === null ? [] : [{ invoice_id: v.invoiceId, due_at: v.dueAt, fire_at: fireAt }];
  });
  const stopped = views.filter((v) => overdueFireAt(v, graceMs) === null).map((v) => v.invoiceId);
  if (stopped.length) await trx('overdue_schedule').whereIn('invoice_id', stopped).del();
  if (due.length) await trx('overdue_schedule').insert(due).onConflict('invoice_id').merge();
}

export interface BatchResult {
  duplicates: number;
}

/**
 * Records many entries and refolds every invoice they touch, in the caller's transaction (the
 * consumer's batch): the invoices are locked first, in sorted order, then 1 insert of the ledger
 * rows and the set-based refold. Duplicates (stored or repeated in the batch) change nothing.
 */
export async function applyEntries(trx: Knex.Transaction, entries: LedgerEntry[], opts: FoldOptions): Promise<BatchResult> {
  await lockInvoices(trx, entries.map((e) => e.invoiceId));
  return applyLocked(trx, entries, opts);
}

/** applyEntries for a caller that already holds the invoices' locks. */
export async function applyLocked(trx: Knex.Transaction, entries: LedgerEntry[], opts: FoldOptions): Promise<BatchResult> {
  if (entries.length === 0) return { duplicates: 0 };
  const fresh = await recordEntries(trx, entries);
  if (fresh.length) await refoldMany(trx, fresh.map((e) => e.invoiceId), opts);
  return { duplicates: entries.length - fresh.length };
}
