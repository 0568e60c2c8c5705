import type { CustomerContext, PaymentState } from '@invoice-signal/events';
import { InvalidRecordError, type BatchContext, type BatchHandler, type IncomingRecord, type Knex } from '@invoice-signal/runtime';
import type { BatchInput } from '../domain/batch.ts';
import type { InvoiceNotification } from '../domain/notification.ts';
import { alertsFor } from '../domain/lifecycle.ts';
import { directoryChanges, newestPerAccount, planOwnership, strays, type AccountOwner, type OwnershipPlan, type Stray } from '../domain/ownership.ts';
import { cancelDeliveries, insertDeliveries, lockCsms, lockInvoices, logRouting, notificationsForUpdate, saveCsms } from '../adapters/batch-store.ts';
import { slackCountsSince } from '../adapters/delivery-store.ts';
import { applyMoves, insertNotes, invoicesOfAccounts, lockAccounts, ownersOf, saveOwners } from '../adapters/owner-store.ts';
import { preferencesOf } from '../adapters/preference-store.ts';
import { queueVersions } from '../adapters/notification-store.ts';
import type { NotifierDeps } from './deps.ts';

/** A snapshot as the account's owner; a tombstone is none (the notifier keeps the last owner it knew). */
export function contextInput(record: IncomingRecord<CustomerContext>): AccountOwner | null {
  const c = record.value;
  if (c === null) return null;
  const bad = (field: string, value: unknown) => new InvalidRecordError('NTF_INVALID_CONTEXT', `context snapshot ${record.key}: ${field} ${JSON.stringify(value)} is not acceptable`);
  if (!c.accountId || c.accountId !== record.key || c.accountId.startsWith('unmatched:')) throw bad('accountId', c.accountId);
  if (!c.csm.id) throw bad('csm.id', c.csm.id);
  if (!Number.isSafeInteger(c.snapshotAt)) throw bad('snapshotAt', c.snapshotAt);
  return {
    accountId: c.accountId, accountName: c.name || null, team: c.csm.team, snapshotAt: c.snapshotAt,
    csm: { id: c.csm.id, email: c.csm.email, slackUserId: c.csm.slackUserId, timeZone: c.csm.timeZone },
  };
}

/**
 * cs.customer-context.v1 → the account → owner table (newest snapshotAt wins; an older or equal
 * snapshot changes nothing), and the account's open notifications handed to its owner.
 */
export function contextBatch(deps: NotifierDeps): BatchHandler<CustomerContext> {
  return async (records, ctx) => {
    const owners = newestPerAccount(records.map(contextInput).filter((o): o is AccountOwner => o !== null));
    if (owners.length) await takeOwnership(deps, owners, ctx);
  };
}

/**
 * Under the account locks (the lock an assessment of the account takes too, so no new invoice
 * slips past), then the invoices' locks (statuses and acknowledgements of those invoices wait, and
 * what they committed before is seen): store the newer snapshots, move what strayed.
 */
async function takeOwnership(deps: NotifierDeps, owners: AccountOwner[], { trx, afterCommit }: BatchContext): Promise<void> {
  const now = deps.now();
  await lockAccounts(trx, owners.map((o) => o.accountId));
  const taken = await saveOwners(trx, owners, now);
  const accepted = owners.filter((o) => taken.has(o.accountId));
  if (accepted.length < owners.length) deps.logger.info({ stale: owners.length - accepted.length }, 'context snapshots not newer than the held ones ignored');
  if (accepted.length === 0) return;
  const invoiceIds = await invoicesOfAccounts(trx, accepted.map((o) => o.accountId));
  if (invoiceIds.length === 0) return;
  await lockInvoices(trx, invoiceIds);
  const strayed = strays(accepted, await notificationsForUpdate(trx, invoiceIds));
  if (strayed.length === 0) return;
  const plan = await planFor(deps, trx, strayed, now, true);
  await writeOwnership(trx, plan, now);
  await queueVersions(trx, plan.moves.map((m) => m.notificationId));
  await deps.live.announce(trx, plan.events);
  afterCommit(() => deps.kick());
}

/** Routing state of the new owners (directory rows locked after the invoices, as the batch handler does), then the pure plan. */
async function planFor(deps: NotifierDeps, trx: Knex.Transaction, strayed: Stray[], now: number, routeToOwner: boolean): Promise<OwnershipPlan> {
  const owners = strayed.map((s) => s.owner);
  const csmIds = [...new Set(owners.map((o) => o.csm.id))].sort();
  let prefs = new Map();
  let slackInLastHour = new Map<string, number>();
  if (routeToOwner) {
    await saveCsms(trx, directoryChanges(owners, await lockCsms(trx, csmIds)), now);
    prefs = await preferencesOf(trx, csmIds, deps.defaults);
    if (deps.slackAvailable) slackInLastHour = await slackCountsSince(trx, csmIds, now - 3600_000);
  }
  return planOwnership(strayed, { prefs, slackInLastHour }, {
    now, defaults: deps.defaults, defaultZone: deps.defaultZone, slackAvailable: deps.slackAvailable, emailAvailable: deps.emailAvailable,
  }, routeToOwner);
}

export async function writeOwnership(trx: Knex.Transaction, plan: OwnershipPlan, now: number): Promise<void> {
  await applyMoves(trx, plan.moves, now);
  await insertDeliveries(trx, plan.deliveries, now);
  await cancelDeliveries(trx, plan.cancellations);
  await logRouting(trx, plan.routingLog, now);
  await insertNotes(trx, plan.notes, now);
}

/** The accounts of a batch's assessments: locked with their invoices, their current owners read. */
export const assessedAccounts = (inputs: BatchInput[]) => [...new Set(inputs.flatMap((i) => (i.type === 'assessment' ? [i.facts.customerId] : [])))];

/**
 * A settled invoice stays with whoever held it when its account changed owner. When a failure or
 * an overdue reopens it, it is first handed to the account's current owner (moved in memory
 * too, so the alert the batch creates is theirs); nothing is pushed for the old notifications,
 * the alert is. Returns the plan to write (empty when nothing strayed).
 */
export async function reclaimReopened(deps: NotifierDeps, trx: Knex.Transaction, inputs: BatchInput[], notifications: InvoiceNotification[], stored: Map<string, { status: PaymentState; version: number }>, now: number): Promise<OwnershipPlan | null> {
  const reopening = new Set(inputs.flatMap((i) => (i.type === 'status' && alertsFor(i.status).length > 0 && (stored.get(i.status.invoiceId)?.version ?? -1) < i.status.version ? [i.status.invoiceId] : [])));
  if (reopening.size === 0) return null;
  const accounts = [...new Set(notifications.filter((n) => reopening.has(n.invoiceId)).map((n) => n.customerId))];
  const strayed = strays([...(await ownersOf(trx, accounts)).values()], notifications, (n) => reopening.has(n.invoiceId));
  if (strayed.length === 0) return null;
  const plan = await planFor(deps, trx, strayed, now, false);
  for (const { owner, n } of strayed) Object.assign(n, { previousCsmId: n.csmId, csmId: owner.csm.id });
  return plan;
}
