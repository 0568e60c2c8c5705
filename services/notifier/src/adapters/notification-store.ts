import type { Knex } from '@invoice-signal/runtime';
import type { PaymentState } from '@invoice-signal/events';
import type { CsmRef, InvoiceFacts, InvoiceNotification, NotificationKind } from '../domain/notification.ts';
import { notificationId } from '../domain/notification.ts';
import { riskRank, type Channel } from '../domain/preferences.ts';

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
  };
}

const factColumns = (f: Omit<InvoiceFacts, 'csm'> & { csmId: string }) => ({
  customer_id: f.customerId, customer_name: f.customerName, csm_id: f.csmId, amount_minor: f.amountMinor, currency: f.currency,
  due_at: f.dueAt, risk_level: f.riskLevel, risk_rank: riskRank[f.riskLevel] ?? 0, risk_flags: JSON.stringify(f.riskFlags),
  recommended_actions: JSON.stringify(f.recommendedActions), customer_context: JSON.stringify(f.customerContext),
  details: JSON.stringify(f.details), revision: f.revision, assessment_id: f.assessmentId,
});

/** Inserts a notification unless (invoiceId, kind) exists; returns it only when this call created it. */
export async function insertNotification(db: Db, f: Omit<InvoiceFacts, 'csm'> & { csmId: string }, kind: NotificationKind, status: PaymentState, now: number): Promise<InvoiceNotification | null> {
  const rows = await db('notifications')
    .insert({
      id: notificationId(f.invoiceId, kind), kind, invoice_id: f.invoiceId, status, channels: '[]', notified_at: now, updated_at: now, version: 1,
      ...factColumns(f),
    })
    .onConflict(['invoice_id', 'kind'])
    .ignore()
    .returning('*');
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function notificationsOfInvoice(db: Db, invoiceId: string, lock = false): Promise<InvoiceNotification[]> {
  const q = db('notifications').where({ invoice_id: invoiceId }).orderBy('notified_at');
  return (await (lock ? q.forUpdate() : q)).map(fromRow);
}

/** Replaces the facts of every notification of an invoice (re-assessment), bumping versions. */
export async function updateFacts(db: Db, invoiceId: string, f: Omit<InvoiceFacts, 'csm'> & { csmId: string }, now: number): Promise<InvoiceNotification[]> {
  const rows = await db('notifications').where({ invoice_id: invoiceId }).update({ ...factColumns(f), updated_at: now, version: db.raw('version + 1') }).returning('*');
  return rows.map(fromRow);
}

export async function setChannels(db: Db, id: string, channels: Channel[]): Promise<void> {
  await db('notifications').where({ id }).update({ channels: JSON.stringify(channels) });
}

export async function updateStatus(db: Db, invoiceId: string, status: PaymentState, now: number): Promise<InvoiceNotification[]> {
  const rows = await db('notifications').where({ invoice_id: invoiceId }).whereNot({ status }).update({ status, updated_at: now, version: db.raw('version + 1') }).returning('*');
  return rows.map(fromRow);
}

export interface StoredStatus {
  status: PaymentState;
  version: number;
}

/** Keeps the newest status per invoice (by the tracker's version); returns false for a stale or replayed one. */
export async function saveStatus(db: Db, s: { invoiceId: string; status: PaymentState; version: number; accountId: string | null; dueAt: number | null; changedAt: number }): Promise<boolean> {
  const rows = await db('invoice_status')
    .insert({ invoice_id: s.invoiceId, status: s.status, version: s.version, account_id: s.accountId, due_at: s.dueAt, changed_at: s.changedAt })
    .onConflict('invoice_id')
    .merge()
    .where('invoice_status.version', '<', s.version)
    .returning('invoice_id');
  return rows.length > 0;
}

export async function statusOf(db: Db, invoiceId: string): Promise<StoredStatus | null> {
  const row = await db('invoice_status').where({ invoice_id: invoiceId }).first();
  return row ? { status: row.status, version: Number(row.version) } : null;
}

/**
 * Serialises everything that happens to one invoice (its assessment, its statuses) for the rest
 * of the transaction, so a status and an assessment racing on two partitions cannot both miss
 * each other. Taken before the CSM lock, always, so the two never deadlock.
 */
export async function lockInvoice(db: Db, invoiceId: string): Promise<void> {
  await db.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [invoiceId]);
}

/** The latest contact details of a CSM; the row lock serialises routing decisions per CSM (the Slack cap). */
export async function upsertCsm(db: Db, csm: CsmRef, now: number): Promise<void> {
  await db('csm_directory')
    .insert({ csm_id: csm.id, email: csm.email, slack_user_id: csm.slackUserId, time_zone: csm.timeZone, updated_at: now })
    .onConflict('csm_id')
    .merge();
}

export async function lockCsm(db: Db, csmId: string): Promise<CsmRef | null> {
  const row = await db('csm_directory').where({ csm_id: csmId }).forUpdate().first();
  return row ? { id: row.csm_id, email: row.email, slackUserId: row.slack_user_id, timeZone: row.time_zone } : null;
}

export async function csmRef(db: Db, csmId: string): Promise<CsmRef | null> {
  const row = await db('csm_directory').where({ csm_id: csmId }).first();
  return row ? { id: row.csm_id, email: row.email, slackUserId: row.slack_user_id, timeZone: row.time_zone } : null;
}

export async function rememberSlackUser(db: Db, csmId: string, slackUserId: string): Promise<void> {
  await db('csm_directory').where({ csm_id: csmId }).update({ slack_user_id: slackUserId });
}

export type PendingSort = 'dueDate' | 'risk';

export async function pendingOf(db: Db, csmId: string, opts: { sort: PendingSort; limit: number; offset: number }): Promise<{ items: InvoiceNotification[]; total: number }> {
  const base = db('notifications').where({ csm_id: csmId }).whereNull('acknowledged_at');
  const order = opts.sort === 'risk'
    ? [{ column: 'risk_rank', order: 'desc' }, { column: 'due_at', order: 'asc', nulls: 'last' }, { column: 'id' }]
    : [{ column: 'due_at', order: 'asc', nulls: 'last' }, { column: 'risk_rank', order: 'desc' }, { column: 'id' }];
  const [rows, [{ count }]] = await Promise.all([
    base.clone().orderBy(order as never).limit(opts.limit).offset(opts.offset),
    base.clone().count({ count: '*' }),
  ]);
  return { items: rows.map(fromRow), total: Number(count) };
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
