import { lockKeys, names, unnestRows, type Column, type Knex } from '@invoice-signal/runtime';
import type { BatchPlan, Cancellation, PlannedDelivery, StatusFact } from '../domain/batch.ts';
import type { CsmRef, InvoiceNotification } from '../domain/notification.ts';
import { csmOf, fromRow, insertColumns, orNull, queueRows, stateColumns } from './notification-store.ts';
import { insertNotes } from './owner-store.ts';

/*
 * The set-based statements of a batch: a fixed number per batch whatever its size, each with a
 * fixed number of bindings (one array per column). Reads first, under the locks, then writes.
 */

/**
 * Serialises everything that happens to the batch's invoices (assessments, statuses, on any
 * partition or instance) until the transaction ends: the runtime's sorted locks, so overlapping
 * batches wait for each other instead of deadlocking.
 */
export const invoiceLockKeys = (invoiceIds: string[]) => invoiceIds.map((id) => `notifier:invoice:${id}`);
export const lockInvoices = (trx: Knex.Transaction, invoiceIds: string[]) => lockKeys(trx, invoiceLockKeys(invoiceIds));

/** Every notification of the invoices, row-locked in id order (the acknowledge API locks in the same order). */
export async function notificationsForUpdate(trx: Knex.Transaction, invoiceIds: string[]): Promise<InvoiceNotification[]> {
  return (await trx('notifications').whereRaw('invoice_id = any(?::text[])', [invoiceIds]).orderBy('id').forUpdate()).map(fromRow);
}

/** The stored status of each invoice, with what the notification follows (amounts are null on rows older than those columns). */
export async function statusesOf(trx: Knex.Transaction, invoiceIds: string[]): Promise<Map<string, StatusFact>> {
  const rows = await trx('invoice_status').select('*').whereRaw('invoice_id = any(?::text[])', [invoiceIds]);
  return new Map(rows.map((r): [string, StatusFact] => [r.invoice_id, {
    invoiceId: r.invoice_id, status: r.status, version: Number(r.version), accountId: r.account_id, dueAt: orNull(r.due_at), changedAt: Number(r.changed_at),
    currency: r.currency, amountDueMinor: orNull(r.amount_due_minor), amountRemainingMinor: orNull(r.amount_remaining_minor), amountCreditedMinor: orNull(r.amount_credited_minor),
    amountRefundedMinor: orNull(r.amount_refunded_minor), failureReason: r.failure_reason, disputeStatus: r.dispute_status,
    source: r.source ?? null, issuedAt: orNull(r.issued_at), paidAt: orNull(r.paid_at), overdueSince: orNull(r.overdue_since), lastEventAt: orNull(r.last_event_at),
  }]));
}

/**
 * Directory rows of the CSMs the batch may route to, row-locked in id order after the invoice
 * locks: routing decisions of one CSM (the hourly Slack cap) are serialised across batches.
 */
export async function lockCsms(trx: Knex.Transaction, csmIds: string[]): Promise<Map<string, CsmRef>> {
  const rows = await trx('csm_directory').whereRaw('csm_id = any(?::text[])', [csmIds]).orderBy('csm_id').forUpdate();
  return new Map(rows.map((r) => [r.csm_id, csmOf(r)]));
}

const csmColumns: Column<CsmRef>[] = [['csm_id', 'text', (c) => c.id], ['email', 'text', (c) => c.email], ['slack_user_id', 'text', (c) => c.slackUserId], ['time_zone', 'text', (c) => c.timeZone]];

/**
 * Writes new or changed CSM details (in id order). Runs before the Slack count: a CSM new to the
 * directory is then locked too (a concurrent batch inserting it waits for this one's commit).
 */
export async function saveCsms(trx: Knex.Transaction, csms: CsmRef[], now: number): Promise<void> {
  if (csms.length === 0) return;
  const v = unnestRows(csms, csmColumns);
  await trx.raw(
    `insert into csm_directory (${names(csmColumns)}, updated_at) select ${names(csmColumns, 'v.')}, ?::bigint from ${v.sql}
     on conflict (csm_id) do update set email = excluded.email, slack_user_id = excluded.slack_user_id, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
    [now, ...v.bindings],
  );
}

/** Writes what the batch decided, one statement per kind of change (none when there is nothing of that kind). */
export async function writePlan(trx: Knex.Transaction, plan: BatchPlan, now: number): Promise<void> {
  await saveStatuses(trx, plan.statuses);
  await insertNotifications(trx, plan.inserts);
  await updateFacts(trx, plan.factUpdates);
  await insertDeliveries(trx, plan.deliveries, now);
  await deliverAgain(trx, plan.deliveries.filter((d) => d.again), now);
  await cancelDeliveries(trx, plan.cancellations);
  await logRouting(trx, plan.routingLog, now);
  await insertNotes(trx, plan.notes, now);
}

const statusColumns: Column<StatusFact>[] = [
  ['invoice_id', 'text', (s) => s.invoiceId], ['status', 'text', (s) => s.status], ['version', 'bigint', (s) => s.version],
  ['account_id', 'text', (s) => s.accountId], ['due_at', 'bigint', (s) => s.dueAt], ['changed_at', 'bigint', (s) => s.changedAt],
  ['currency', 'text', (s) => s.currency], ['amount_due_minor', 'bigint', (s) => s.amountDueMinor], ['amount_remaining_minor', 'bigint', (s) => s.amountRemainingMinor],
  ['amount_credited_minor', 'bigint', (s) => s.amountCreditedMinor], ['amount_refunded_minor', 'bigint', (s) => s.amountRefundedMinor],
  ['failure_reason', 'text', (s) => s.failureReason], ['dispute_status', 'text', (s) => s.disputeStatus],
  ['source', 'text', (s) => s.source ?? null], ['issued_at', 'bigint', (s) => s.issuedAt ?? null], ['paid_at', 'bigint', (s) => s.paidAt ?? null],
  ['overdue_since', 'bigint', (s) => s.overdueSince ?? null], ['last_event_at', 'bigint', (s) => s.lastEventAt ?? null],
];
// When it first went overdue ends the outreach window: the tracker reports the last time, so the earliest seen is kept.
const statusUpdatable = statusColumns.slice(1)
  .map(([name]) => (name === 'overdue_since' ? 'overdue_since = least(invoice_status.overdue_since, excluded.overdue_since)' : `${name} = excluded.${name}`)).join(', ');

/** The newest status per invoice; the version guard keeps a newer stored one (replays change nothing). */
async function saveStatuses(trx: Knex.Transaction, statuses: StatusFact[]): Promise<void> {
  if (statuses.length === 0) return;
  const v = unnestRows(statuses, statusColumns);
  await trx.raw(
    `insert into invoice_status (${names(statusColumns)}) select ${names(statusColumns, 'v.')} from ${v.sql}
     on conflict (invoice_id) do update set ${statusUpdatable}
     where invoice_status.version < excluded.version`,
    v.bindings,
  );
}

/** New notifications with their final state; (invoice_id, kind) is unique, so a replay inserts nothing. */
async function insertNotifications(trx: Knex.Transaction, rows: InvoiceNotification[]): Promise<void> {
  if (rows.length === 0) return;
  const v = unnestRows(rows, insertColumns);
  await trx.raw(`insert into notifications (${names(insertColumns)}) select ${names(insertColumns, 'v.')} from ${v.sql} on conflict (invoice_id, kind) do nothing`, v.bindings);
}

type FactUpdate = BatchPlan['factUpdates'][number];
const factUpdateColumns: Column<FactUpdate>[] = [
  ['id', 'text', (u) => u.notification.id], ['bump', 'int', (u) => u.bump],
  ...stateColumns.map(([name, type, value]): Column<FactUpdate> => [name, type, (u) => value(u.notification)]),
];

/**
 * Revised notifications (new facts, maybe a new owner and channels); the version grows by the
 * changes made, and the new versions are queued in the outbox from what the update returns. A lost
 * dispute needs the CSM again: a `reopened` alert's acknowledgement is cleared (every reopened
 * notification is among the updates: the planner counts the reopening as a change).
 */
async function updateFacts(trx: Knex.Transaction, updates: FactUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const v = unnestRows(updates, [...factUpdateColumns, ['reopen', 'bool', (u) => u.reopen]]);
  const set = stateColumns.map(([name]) => `${name} = v.${name}`).join(', ');
  const { rows } = await trx.raw(
    `update notifications n set ${set}, version = n.version + v.bump, published_version = n.version + v.bump,
       acknowledged_at = case when v.reopen then null else n.acknowledged_at end, acknowledged_by = case when v.reopen then null else n.acknowledged_by end
     from ${v.sql} where n.id = v.id returning n.*`,
    v.bindings,
  );
  await queueRows(trx, rows);
}

const deliveryColumns: Column<PlannedDelivery>[] = [
  ['notification_id', 'text', (d) => d.notificationId], ['csm_id', 'text', (d) => d.csmId], ['customer_id', 'text', (d) => d.customerId],
  ['channel', 'text', (d) => d.channel], ['not_before', 'bigint', (d) => d.notBefore], ['reason', 'text', (d) => d.reason],
];

/** Slack and digest deliveries, pending; one per notification, channel and CSM (a replay adds none). */
async function insertDeliveries(trx: Knex.Transaction, rows: PlannedDelivery[], now: number): Promise<void> {
  if (rows.length === 0) return;
  const v = unnestRows(rows, deliveryColumns);
  await trx.raw(
    `insert into deliveries (${names(deliveryColumns)}, state, created_at) select ${names(deliveryColumns, 'v.')}, 'pending', ?::bigint from ${v.sql}
     on conflict (notification_id, channel, csm_id) do nothing`,
    [now, ...v.bindings],
  );
}

/**
 * Announces a notification once more (a dispute lost): its deliveries already sent, failed or
 * cancelled become pending again, out of any digest (one still pending carries the new state
 * anyway). Runs after the insert, which created the channels it never had.
 */
async function deliverAgain(trx: Knex.Transaction, rows: PlannedDelivery[], now: number): Promise<void> {
  if (rows.length === 0) return;
  const v = unnestRows(rows, deliveryColumns);
  await trx.raw(
    `update deliveries d set state = 'pending', not_before = v.not_before, reason = v.reason, attempts = 0, lease_until = null, last_error = null,
       sent_at = null, external_ref = null, digest_id = null, created_at = ?::bigint
     from ${v.sql} where d.notification_id = v.notification_id and d.channel = v.channel and d.csm_id = v.csm_id and d.state <> 'pending'`,
    [now, ...v.bindings],
  );
}

/**
 * Withdraws what reassigned notifications were still going to push to their previous owner (not
 * what a digest already claimed). Runs after the insert: a channel routed to that CSM again later
 * in the batch (`keep`) stays.
 */
async function cancelDeliveries(trx: Knex.Transaction, rows: Cancellation[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    `update deliveries d set state = 'cancelled', reason = v.reason from unnest(?::text[], ?::text[], ?::text[], ?::text[]) as v(notification_id, csm_id, reason, keep)
     where d.notification_id = v.notification_id and d.csm_id = v.csm_id and d.state = 'pending' and d.digest_id is null
       and d.channel <> all(string_to_array(v.keep, ','))`,
    [rows.map((c) => c.notificationId), rows.map((c) => c.csmId), rows.map((c) => c.reason), rows.map((c) => c.keep.join(','))],
  );
}

async function logRouting(trx: Knex.Transaction, rows: BatchPlan['routingLog'], now: number): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    "insert into delivery_log (channel, csm_id, attempt, outcome, detail, at) select 'routing', v.csm_id, 0, 'filtered', v.detail, ?::bigint from unnest(?::text[], ?::text[]) as v(csm_id, detail)",
    [now, rows.map((r) => r.csmId), rows.map((r) => r.detail.slice(0, 2000))],
  );
}
