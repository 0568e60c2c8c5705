import type { CustomerContext } from '@invoice-signal/events';
import { InvalidRecordError, type BatchContext, type BatchHandler, type IncomingRecord } from '@invoice-signal/runtime';
import { planHandover } from '../domain/batch.ts';
import { newestPerAccount, strays, type AccountOwner } from '../domain/ownership.ts';
import { lockInvoices, notificationsForUpdate, writePlan } from '../adapters/batch-store.ts';
import { invoicesOfAccounts, lockAccounts, saveOwners } from '../adapters/owner-store.ts';
import type { NotifierDeps } from './deps.ts';
import { afterCommit, routingEnv, routingState } from './notification-batch.ts';

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
 * what they committed before is seen): store the newer snapshots, hand over what strayed.
 */
async function takeOwnership(deps: NotifierDeps, owners: AccountOwner[], ctx: BatchContext): Promise<void> {
  const { trx } = ctx;
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
  const named = strayed.map((s) => s.owner.csm);
  const routing = await routingState(deps, trx, [...new Set(named.map((c) => c.id))].sort(), named, now);
  const state = { notifications: strayed.map((s) => s.n), statuses: new Map(), owners: new Map(accepted.map((o) => [o.accountId, o])), ...routing };
  const plan = planHandover(state, routingEnv(deps, now));
  await writePlan(trx, plan, now);
  await deps.live.announce(trx, plan.events);
  ctx.afterCommit(() => afterCommit(deps, plan));
}
