import type { Knex } from '@invoice-signal/runtime';
import { foldInvoice, identicalView, sameView, type InvoiceView, type Transition } from '../domain/fold.ts';
import type { LedgerEntry, TrackerStatus } from '../domain/ledger.ts';
import { overdueFireAt, statusRecord } from '../domain/publication.ts';

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
export async function lockInvoice(trx: Knex.Transaction, invoiceId: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [lockKey(invoiceId)]);
}

/** Like lockInvoice but gives up at once, for the scanner, which already holds schedule row locks. */
export async function tryLockInvoice(trx: Knex.Transaction, invoiceId: string): Promise<boolean> {
  const { rows } = await trx.raw('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked', [lockKey(invoiceId)]);
  return rows[0].locked === true;
}

/** Adds an entry to the ledger; false when its eventId is already there (a replay or duplicate delivery). */
export async function recordEntry(trx: Knex.Transaction, entry: LedgerEntry): Promise<boolean> {
  const type = entry.kind === 'vendor' ? entry.event.type : 'overdue';
  const inserted = await trx('invoice_events')
    .insert({ event_id: entry.eventId, invoice_id: entry.invoiceId, kind: entry.kind, type, occurred_at: entry.occurredAt, payload: JSON.stringify(entry) })
    .onConflict('event_id').ignore().returning('event_id');
  return inserted.length > 0;
}

export async function loadEntries(trx: Knex.Transaction | Knex, invoiceId: string): Promise<LedgerEntry[]> {
  const rows = await trx('invoice_events').select('payload').where({ invoice_id: invoiceId });
  return rows.map((r: { payload: LedgerEntry }) => r.payload);
}

/**
 * Recomputes the invoice from its whole ledger and, when the view differs from the stored one,
 * writes state, history, overdue schedule and an outbox row in the caller's transaction. The
 * caller holds the invoice lock, so versions and outbox ids follow commit order per invoice.
 */
export async function refold(trx: Knex.Transaction, invoiceId: string, opts: FoldOptions): Promise<ApplyResult> {
  const folded = foldInvoice(await loadEntries(trx, invoiceId));
  if (!folded) return { outcome: 'unchanged' };
  const current: StateRow | undefined = await trx('invoice_state').select('invoice_id', 'status', 'version', 'previous_status', 'changed_at', 'view').where({ invoice_id: invoiceId }).first();
  const { view, transitions } = folded;
  // An early event arriving late can add a step to the history without changing the view.
  await writeHistory(trx, invoiceId, transitions);
  if (current && sameView(current.view, view)) {
    // Nothing to publish, but keep the stored detail exact (a deletion seeded from a bare tombstone).
    if (!identicalView(current.view, view)) await writeState(trx, view, current.version, current.previous_status, current.changed_at);
    return { outcome: 'unchanged', status: current.status, version: current.version };
  }

  const version = (current?.version ?? 0) + 1;
  const changedAt = (opts.now ?? Date.now)();
  await writeState(trx, view, version, current?.status ?? null, changedAt);
  await writeSchedule(trx, view, opts.overdueGraceMs);
  await trx('status_outbox').insert({ invoice_id: invoiceId, version, payload: JSON.stringify(statusRecord(view, version, current?.status ?? null, changedAt)) });
  return { outcome: 'changed', status: view.status, version };
}

async function writeState(trx: Knex.Transaction, view: InvoiceView, version: number, previous: TrackerStatus | null, changedAt: number) {
  const row = {
    invoice_id: view.invoiceId, status: view.status, previous_status: previous, currency: view.currency,
    amount_due_minor: view.amountDueMinor, amount_paid_minor: view.amountPaidMinor, amount_remaining_minor: view.amountRemainingMinor,
    amount_refunded_minor: view.amountRefundedMinor, due_at: view.dueAt, account_id: view.accountId, vendor_customer_id: view.vendorCustomerId,
    attempt_count: view.attemptCount, disputed: view.disputed, last_event_at: view.lastEventAt, version, changed_at: changedAt, view: JSON.stringify(view),
  };
  await trx('invoice_state').insert(row).onConflict('invoice_id').merge();
}

/** The history is the fold's canonical list of status changes; rows keep the time they were first recorded. */
async function writeHistory(trx: Knex.Transaction, invoiceId: string, transitions: Transition[]) {
  await trx('status_transitions').where({ invoice_id: invoiceId }).whereNotIn('event_id', transitions.map((t) => t.eventId)).del();
  if (transitions.length === 0) return;
  await trx('status_transitions')
    .insert(transitions.map((t) => ({ invoice_id: invoiceId, event_id: t.eventId, event_type: t.eventType, from_status: t.from, to_status: t.to, occurred_at: t.occurredAt })))
    .onConflict(['invoice_id', 'event_id']).merge(['event_type', 'from_status', 'to_status', 'occurred_at']);
}

async function writeSchedule(trx: Knex.Transaction, view: InvoiceView, graceMs: number) {
  const fireAt = overdueFireAt(view, graceMs);
  if (fireAt === null) await trx('overdue_schedule').where({ invoice_id: view.invoiceId }).del();
  else await trx('overdue_schedule').insert({ invoice_id: view.invoiceId, due_at: view.dueAt, fire_at: fireAt }).onConflict('invoice_id').merge();
}

/** Records one entry and refolds its invoice, all in one transaction. A duplicate changes nothing. */
export async function applyEntry(db: Knex, entry: LedgerEntry, opts: FoldOptions): Promise<ApplyResult> {
  return db.transaction(async (trx) => {
    await lockInvoice(trx, entry.invoiceId);
    if (!(await recordEntry(trx, entry))) return { outcome: 'duplicate' as const };
    return refold(trx, entry.invoiceId, opts);
  });
}
