import type { Column, Knex } from '@invoice-signal/runtime';
import { actionKinds, settledStatuses } from '../domain/lifecycle.ts';
import type { CsmRef, InvoiceNotification, LiveEvent } from '../domain/notification.ts';
import type { Acknowledgment, AckInput } from '../domain/acknowledgment.ts';
import { riskRank } from '../domain/preferences.ts';
import { notificationOutbox, notificationRecord } from './notification-outbox.ts';

export type Db = Knex | Knex.Transaction;

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are plain objects from pg */
// biome-ignore lint/suspicious/noExplicitAny: rows are plain objects from pg
type Row = Record<string, any>;

export const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

type Stored = Omit<InvoiceNotification, 'acknowledgmentHistory'>;
type SqlType = 'text' | 'bigint' | 'int' | 'jsonb';

/** Every stored field of a notification with its column's type (the column is the field in snake case): the one map between rows and the domain. */
const storedFields = {
  id: 'text', kind: 'text', invoiceId: 'text', notifiedAt: 'bigint', version: 'int',
  acknowledgedAt: 'bigint', acknowledgedBy: 'text', actionTaken: 'text', actionNote: 'text', actionAt: 'bigint',
  customerId: 'text', customerName: 'text', csmId: 'text', amountMinor: 'bigint', currency: 'text', dueAt: 'bigint', status: 'text', riskLevel: 'text',
  riskFlags: 'jsonb', recommendedActions: 'jsonb', customerContext: 'jsonb', details: 'jsonb', channels: 'jsonb', revision: 'int', assessmentId: 'text',
  updatedAt: 'bigint', amountRemainingMinor: 'bigint', failureReason: 'text', timeline: 'jsonb', issuedAt: 'bigint', receivedAt: 'bigint', source: 'text',
  previousCsmId: 'text',
} as const satisfies Record<keyof Stored, SqlType>;

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
// The column names are worked out once: fromRow runs for every row of every read.
const fields = (Object.entries(storedFields) as Array<[keyof Stored, SqlType]>).map(([field, type]) => ({ field, type, column: snake(field) }));
type Field = (typeof fields)[number];

/** A notifications row as the domain reads it (pg hands bigint columns over as strings). */
export function fromRow(r: Row): InvoiceNotification {
  const n: Row = {};
  for (const { field, type, column } of fields) n[field] = type === 'bigint' ? orNull(r[column]) : (r[column] ?? null);
  return n as InvoiceNotification;
}

const toColumn = ({ field, type, column }: Field): Column<InvoiceNotification> =>
  [column, type, (n) => (type === 'jsonb' ? JSON.stringify(n[field]) : (n[field] ?? null))];
const identity: Array<keyof Stored> = ['id', 'kind', 'invoiceId', 'notifiedAt', 'version'];
const acknowledgment: Array<keyof Stored> = ['acknowledgedAt', 'acknowledgedBy', 'actionTaken', 'actionNote', 'actionAt'];

/** What an assessment or a payment status writes: all but the identity and the acknowledgment (the acknowledge API's); the rank sorts the pending list. */
export const stateColumns: Column<InvoiceNotification>[] = [
  ...fields.filter(({ field }) => !identity.includes(field) && !acknowledgment.includes(field)).map(toColumn),
  ['risk_rank', 'int', (n) => riskRank[n.riskLevel] ?? 0],
];
// A new notification is published with its batch (emitted before the commit), not through the outbox: it is born published.
export const insertColumns: Column<InvoiceNotification>[] = [
  ...fields.filter(({ field }) => identity.includes(field)).map(toColumn), ['published_version', 'int', (n) => n.version], ...stateColumns,
];

/** The notifications of an invoice, oldest first; `lock` row-locks them in id order (the order the batch handler locks in). */
export async function notificationsOfInvoice(db: Db, invoiceId: string, lock = false): Promise<InvoiceNotification[]> {
  const rows = lock ? await db('notifications').where({ invoice_id: invoiceId }).orderBy('id').forUpdate() : await db('notifications').where({ invoice_id: invoiceId }).orderBy('notified_at');
  return rows.map(fromRow).sort((x, y) => x.notifiedAt - y.notifiedAt);
}

/** A CSM's contact details from a row of csm_directory or account_owners. */
export const csmOf = (r: Row): CsmRef => ({ id: r.csm_id, email: r.email, slackUserId: r.slack_user_id, timeZone: r.time_zone });

/**
 * Queues notification rows for csm.notifications.v1 (one statement): the rows an update returned,
 * which set `published_version = version` (so a pod of the published_version era leaves them
 * alone). The writer holds the rows' locks, so the versions of one notification queue in commit order.
 */
export async function queueRows(trx: Knex.Transaction, rows: Row[]): Promise<number> {
  await notificationOutbox.write(trx, rows.map(fromRow).sort((a, b) => (a.id < b.id ? -1 : 1)).map(notificationRecord));
  return rows.length;
}

/**
 * Queues the versions a writer outside the outbox left behind (published_version < version): a pod
 * of the published_version era during a rolling deploy, or the rows 006 found. Reads through the
 * partial index notifications_unpublished; rows another transaction holds are skipped (it queues
 * them itself, or the next sweep does). Two statements when something is found, one otherwise.
 */
export async function queueUnpublished(trx: Knex.Transaction, limit: number | null): Promise<number> {
  const { rows } = await unpublishedSweep(trx, limit);
  return rows.length ? queueRows(trx, rows) : 0;
}

/** Marks up to `limit` (null: all) unpublished versions as queued, returning their rows. */
export const unpublishedSweep = (db: Db, limit: number | null) =>
  db.raw<{ rows: Row[] }>(
    `update notifications set published_version = version where id in
       (select id from notifications where published_version < version order by updated_at limit ?::bigint for update skip locked)
     returning *`,
    [limit],
  );

export async function csmRef(db: Db, csmId: string): Promise<CsmRef | null> {
  const row = await db('csm_directory').where({ csm_id: csmId }).first();
  return row ? csmOf(row) : null;
}

/** Directory rows of several CSMs in one query. */
export async function csmRefs(db: Db, csmIds: string[]): Promise<Map<string, CsmRef>> {
  const rows = await db('csm_directory').whereRaw('csm_id = any(?::text[])', [csmIds]);
  return new Map(rows.map((row) => [row.csm_id as string, csmOf(row)]));
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

/**
 * Records an acknowledgment on the notifications: the first one sets `acknowledged_at`; a
 * different action (or note) given later replaces the current one (`replace`), and every change
 * is added to `acknowledgment_actions` with who did it and who held the notification then. The
 * same acknowledgment twice, or a bodiless one on an acknowledged notification, changes nothing.
 * Returns the live events: `acknowledged` for the newly acknowledged, `updated` for a changed action.
 */
export async function acknowledge(db: Knex.Transaction, ids: string[], by: string, ack: AckInput, now: number, replace = true): Promise<LiveEvent[]> {
  const set = {
    acknowledged_by: by, action_taken: ack.actionTaken, action_note: ack.note, action_at: now, updated_at: now,
    version: db.raw('version + 1'), published_version: db.raw('version + 1'),
  };
  const first = await db('notifications').whereIn('id', ids).whereNull('acknowledged_at').update({ ...set, acknowledged_at: now }).returning('*');
  const changed = ack.actionTaken !== null && replace
    ? await db('notifications').whereIn('id', ids).whereNotNull('acknowledged_at')
      .whereRaw('(action_taken, action_note) is distinct from (?::text, ?::text)', [ack.actionTaken, ack.note]).whereNotIn('id', first.map((r) => r.id))
      .update(set).returning('*')
    : [];
  const recorded = [...first.map((r) => r.id as string), ...changed.map((r: Row) => r.id as string)];
  if (recorded.length) {
    await db.raw(
      `insert into acknowledgment_actions (notification_id, invoice_id, action_taken, note, by_csm_id, holder_csm_id, at)
       select id, invoice_id, ?::text, ?::text, ?::text, csm_id, ?::bigint from notifications where id = any(?::text[]) order by id`,
      [ack.actionTaken, ack.note, by, now, recorded],
    );
    await queueRows(db, [...first, ...changed]);
  }
  // Nothing left to push for an acknowledged notification: pending deliveries are withdrawn.
  await db('deliveries').whereIn('notification_id', ids).where({ state: 'pending' }).whereNull('digest_id').update({ state: 'cancelled', reason: 'acknowledged' });
  return [
    ...first.map((r): LiveEvent => ({ type: 'acknowledged', csmId: r.csm_id, notificationId: r.id })),
    ...changed.map((r: Row): LiveEvent => ({ type: 'updated', csmId: r.csm_id, notificationId: r.id })),
  ];
}

/** Each notification's acknowledgment history, oldest first, in one query (the API's views carry it). */
export async function withHistory(db: Db, ns: InvoiceNotification[]): Promise<InvoiceNotification[]> {
  if (ns.length === 0) return ns;
  const rows = await db('acknowledgment_actions').whereRaw('notification_id = any(?::text[])', [[...new Set(ns.map((n) => n.id))]]).orderBy(['at', 'id']);
  const history = new Map<string, Acknowledgment[]>();
  for (const r of rows) {
    const list = history.get(r.notification_id) ?? [];
    list.push({ actionTaken: r.action_taken, note: r.note, by: r.by_csm_id, at: Number(r.at) });
    history.set(r.notification_id, list);
  }
  return ns.map((n) => ({ ...n, acknowledgmentHistory: history.get(n.id) ?? [] }));
}
