import type { HistoryInvoice, InvoiceState, NotifiedInvoice, RecordedAction } from '../domain/outcomes.ts';
import { orNull, type Db } from './notification-store.ts';

/*
 * What the outcome metrics read, set-based: four statements whatever the window (go-live,
 * notified invoices with their status and team, their acknowledgment actions, the baseline).
 */

export interface OutcomeScope {
  from: number;
  to: number;
  /** Only the invoices this CSM holds. */
  csmId: string | null;
  /** Only the invoices of accounts whose current owner is in this team. */
  team: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: rows are plain objects from pg
type Row = Record<string, any>;

/** When the invoice settled: paid (the tracker's paidAt), voided or written off (the vendor time of that event). */
function settledAt(r: Row): number | null {
  if (r.status === 'paid') return orNull(r.paid_at) ?? orNull(r.last_event_at) ?? orNull(r.changed_at);
  if (r.status === 'voided' || r.status === 'uncollectible') return orNull(r.last_event_at) ?? orNull(r.changed_at);
  return null;
}

/** The notifier's go-live: the configured date, else its first notification (null before any). */
export async function goLiveOf(db: Db, configured: number | null): Promise<number | null> {
  if (configured !== null) return configured;
  const [row] = await db('notifications').min({ first: 'notified_at' });
  return orNull(row?.first);
}

/**
 * The invoices notified or due in the window, and every open one (what needs outreach now), in
 * the scope; each with its newest stored status, its account's team and its acknowledgment actions.
 */
export async function notifiedInvoices(db: Db, scope: OutcomeScope): Promise<NotifiedInvoice[]> {
  const { rows } = await db.raw(
    `select n.invoice_id, n.customer_id, n.customer_name, n.csm_id, o.team, coalesce(n.source, s.source) as source,
        coalesce(n.issued_at, s.issued_at) as issued_at, n.received_at, n.notified_at, coalesce(s.due_at, n.due_at) as due_at,
        coalesce(s.status, n.status) as status, s.paid_at, s.last_event_at, s.changed_at, s.overdue_since,
        n.amount_minor, n.currency, n.risk_level, n.risk_rank, n.action_taken
      from notifications n
      left join invoice_status s on s.invoice_id = n.invoice_id
      left join account_owners o on o.account_id = n.customer_id
      where n.kind = 'invoice_issued'
        and ((n.notified_at >= ?::bigint and n.notified_at < ?::bigint)
          or (coalesce(s.due_at, n.due_at) >= ?::bigint and coalesce(s.due_at, n.due_at) < ?::bigint)
          or coalesce(s.status, n.status) in ('pending', 'failed', 'overdue'))
        and (?::text is null or n.csm_id = ?::text)
        and (?::text is null or o.team = ?::text)`,
    [scope.from, scope.to, scope.from, scope.to, scope.csmId, scope.csmId, scope.team, scope.team],
  );
  const actions = await actionsOf(db, rows.map((r: Row) => r.invoice_id));
  return rows.map((r: Row): NotifiedInvoice => ({
    invoiceId: r.invoice_id, accountId: r.customer_id, customerName: r.customer_name, csmId: r.csm_id, team: r.team ?? null, source: r.source ?? null,
    issuedAt: orNull(r.issued_at), receivedAt: orNull(r.received_at), notifiedAt: Number(r.notified_at), dueAt: orNull(r.due_at),
    status: r.status as InvoiceState, paidAt: r.status === 'paid' ? settledAt(r) : null, settledAt: settledAt(r), overdueSince: orNull(r.overdue_since),
    amountMinor: Number(r.amount_minor), currency: r.currency, riskLevel: r.risk_level, riskRank: r.risk_rank, currentAction: r.action_taken,
    actions: actions.get(r.invoice_id) ?? [],
  }));
}

async function actionsOf(db: Db, invoiceIds: string[]): Promise<Map<string, RecordedAction[]>> {
  const out = new Map<string, RecordedAction[]>();
  if (invoiceIds.length === 0) return out;
  const rows = await db('acknowledgment_actions').select('invoice_id', 'action_taken', 'by_csm_id', 'holder_csm_id', 'at')
    .whereRaw('invoice_id = any(?::text[])', [invoiceIds]).orderBy(['invoice_id', 'at', 'id']);
  for (const r of rows) {
    const list = out.get(r.invoice_id) ?? [];
    list.push({ actionTaken: r.action_taken, by: r.by_csm_id, holder: r.holder_csm_id, at: Number(r.at) });
    out.set(r.invoice_id, list);
  }
  return out;
}

/**
 * The baseline: invoices of these accounts issued before go-live that were never notified (the
 * history the gateway backfilled on a vendor's first connection, whose statuses the notifier
 * keeps). An invoice without an issue date counts by its due date.
 */
export async function baselineInvoices(db: Db, accountIds: string[], goLiveAt: number | null): Promise<HistoryInvoice[]> {
  if (accountIds.length === 0 || goLiveAt === null) return [];
  const { rows } = await db.raw(
    `select s.invoice_id, s.account_id, s.due_at, s.status, s.paid_at, s.last_event_at, s.changed_at
      from invoice_status s
      where s.account_id = any(?::text[]) and coalesce(s.issued_at, s.due_at) < ?::bigint
        and not exists (select 1 from notifications n where n.invoice_id = s.invoice_id)`,
    [accountIds, goLiveAt],
  );
  return rows.map((r: Row): HistoryInvoice => ({ invoiceId: r.invoice_id, accountId: r.account_id, dueAt: orNull(r.due_at), status: r.status, paidAt: r.status === 'paid' ? settledAt(r) : null }));
}
