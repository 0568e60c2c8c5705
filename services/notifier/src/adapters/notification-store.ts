import type { Knex } from '@invoice-signal/runtime';
import { actionKinds } from '../domain/lifecycle.ts';
import type { CsmRef, InvoiceNotification } from '../domain/notification.ts';

const settledStatuses = ['paid', 'voided', 'uncollectible'];

export type Db = Knex | Knex.Transaction;

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are plain objects from pg */
type Row = Record<string, any>;

export function fromRow(r: Row): InvoiceNotification {
  return {
    id: r.id, kind: r.kind, invoiceId: r.invoice_id, customerId: r.customer_id, customerName: r.customer_name, csmId: r.csm_id,
    amountMinor: Number(r.amount_minor), currency: r.currency, dueAt: r.due_at === null ? null : Number(r.due_at), status: r.status,
    riskLevel: r.risk_level, riskFlags: r.risk_flags, recommendedActions: r.recommended_actions, customerContext: r.customer_context,
    details: r.details, channels: r.channels, notifiedAt: Number(r.notified_at), acknowledgedAt: r.acknowledged_at === null ? null : Number(r.acknowledged_at),
    actionTaken: r.action_taken, revision: r.revision, assessmentId: r.assessment_id, version: r.version, updatedAt: Number(r.updated_at),
    previousCsmId: r.previous_csm_id ?? null, amountRemainingMinor: r.amount_remaining_minor === null ? null : Number(r.amount_remaining_minor), failureReason: r.failure_reason, timeline: r.timeline ?? [],
  };
}

/** The notifications of an invoice, oldest first; `lock` row-locks them in id order (the order the batch handler and the outbox lock in). */
export async function notificationsOfInvoice(db: Db, invoiceId: string, lock = false): Promise<InvoiceNotification[]> {
  const rows = lock ? await db('notifications').where({ invoice_id: invoiceId }).orderBy('id').forUpdate() : await db('notifications').where({ invoice_id: invoiceId }).orderBy('notified_at');
  return rows.map(fromRow).sort((x, y) => x.notifiedAt - y.notifiedAt);
}

export async function csmRef(db: Db, csmId: string): Promise<CsmRef | null> {
  const row = await db('csm_directory').where({ csm_id: csmId }).first();
  return row ? { id: row.csm_id, email: row.email, slackUserId: row.slack_user_id, timeZone: row.time_zone } : null;
}

/** Directory rows of several CSMs in one query. */
export async function csmRefs(db: Db, csmIds: string[]): Promise<Map<string, CsmRef>> {
  const rows = await db('csm_directory').whereRaw('csm_id = any(?::text[])', [csmIds]);
  return new Map(rows.map((row) => [row.csm_id as string, { id: row.csm_id, email: row.email, slackUserId: row.slack_user_id, timeZone: row.time_zone }]));
}

export async function rememberSlackUser(db: Db, csmId: string, slackUserId: string): Promise<void> {
  await db('csm_directory').where({ csm_id: csmId }).update({ slack_user_id: slackUserId });
}

/** recent: the latest change first (what just settled, for the inbox's folded section). */
export type PendingSort = 'dueDate' | 'risk' | 'recent';

/**
 * exclude (default): what is still open, plus the alerts that call for action; only: the rest (settled
 * invoices' other notifications); include: both.
 */
export type SettledFilter = 'exclude' | 'include' | 'only';

const orders = {
  risk: [{ column: 'risk_rank', order: 'desc' }, { column: 'due_at', order: 'asc', nulls: 'last' }, { column: 'id' }],
  dueDate: [{ column: 'due_at', order: 'asc', nulls: 'last' }, { column: 'risk_rank', order: 'desc' }, { column: 'id' }],
  recent: [{ column: 'updated_at', order: 'desc' }, { column: 'id' }],
};

export async function pendingOf(db: Db, csmId: string, opts: { sort: PendingSort; limit: number; offset: number; settled?: SettledFilter }): Promise<{ items: InvoiceNotification[]; total: number }> {
  // Not what the CSM still holds of an account that has moved on (settled invoices stay with who held them).
  const base = db('notifications').where({ csm_id: csmId }).whereNull('acknowledged_at')
    .whereNotExists((q) => q.select(db.raw('1')).from('account_owners as o').whereRaw('o.account_id = notifications.customer_id and o.csm_id <> notifications.csm_id'));
  if (opts.settled === 'exclude' || opts.settled === undefined) base.where((q) => q.whereNotIn('status', settledStatuses).orWhereIn('kind', actionKinds));
  if (opts.settled === 'only') base.whereIn('status', settledStatuses).whereNotIn('kind', actionKinds);
  const order = orders[opts.sort];
  // The page and the total from one statement, so they agree even while notifications arrive.
  const rows = await base.clone().select('*', db.raw('count(*) over () as total')).orderBy(order as never).limit(opts.limit).offset(opts.offset);
  if (rows.length) return { items: rows.map(fromRow), total: Number(rows[0].total) };
  if (opts.offset === 0) return { items: [], total: 0 };
  const [{ count }] = await base.clone().count({ count: '*' }); // past the last page
  return { items: [], total: Number(count) };
}

export async function ofCustomer(db: Db, customerId: string): Promise<InvoiceNotification[]> {
  return (await db('notifications').where({ customer_id: customerId }).orderBy([{ column: 'due_at', order: 'asc', nulls: 'last' }, { column: 'kind' }])).map(fromRow);
}

export async function byId(db: Db, id: string): Promise<InvoiceNotification | null> {
  const row = await db('notifications').where({ id }).first();
  return row ? fromRow(row) : null;
}

/** Acknowledges what is not yet acknowledged; an action given later replaces the recorded one. */
export async function acknowledge(db: Db, ids: string[], by: string, actionTaken: string | null, now: number, replaceAction = true): Promise<InvoiceNotification[]> {
  const first = await db('notifications').whereIn('id', ids).whereNull('acknowledged_at')
    .update({ acknowledged_at: now, acknowledged_by: by, action_taken: actionTaken, updated_at: now, version: db.raw('version + 1') }).returning('*');
  if (actionTaken !== null && replaceAction) {
    await db('notifications').whereIn('id', ids).whereNotNull('acknowledged_at').whereRaw('action_taken is distinct from ?', [actionTaken])
      .update({ action_taken: actionTaken, updated_at: now, version: db.raw('version + 1') });
  }
  // Nothing left to push for an acknowledged notification: pending deliveries are withdrawn.
  await db('deliveries').whereIn('notification_id', ids).where({ state: 'pending' }).whereNull('digest_id').update({ state: 'cancelled', reason: 'acknowledged' });
  return first.map(fromRow);
}
