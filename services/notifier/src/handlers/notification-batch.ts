import { topics, type AssessedInvoice, type PaymentStatus } from '@invoice-signal/events';
import { InvalidRecordError, lockKeys, type BatchContext, type IncomingRecord, type JointBatchHandler, type Knex } from '@invoice-signal/runtime';
import { csmChanges, csmsToRoute, invoicesOf, planBatch, type BatchInput, type BatchPlan, type RoutingEnv } from '../domain/batch.ts';
import { factsFromAssessment, type CsmRef, type InvoiceFacts } from '../domain/notification.ts';
import { invoiceLockKeys, lockCsms, notificationsForUpdate, saveCsms, statusesOf, writePlan } from '../adapters/batch-store.ts';
import { accountLockKeys, ownersOf } from '../adapters/owner-store.ts';
import { accountsToOwn, assessedAccounts, withCurrentOwners } from '../domain/ownership.ts';
import { notificationOutbox, notificationRecord } from '../adapters/notification-outbox.ts';
import { slackCountsSince } from '../adapters/delivery-store.ts';
import { preferencesOf } from '../adapters/preference-store.ts';
import { notifierMetrics } from '../metrics.ts';
import type { NotifierDeps } from './deps.ts';

/** Checks what the schema cannot: values the notifier would store or show wrongly. */
export function validateAssessment(a: AssessedInvoice): InvoiceFacts {
  const f = factsFromAssessment(a);
  const bad = (field: string, value: unknown) => new InvalidRecordError('NTF_INVALID_ASSESSMENT', `assessment ${a.assessmentId}: ${field} ${JSON.stringify(value)} is not acceptable`);
  if (!f.invoiceId) throw bad('enriched.invoice.invoiceId', f.invoiceId);
  if (!f.csm.id) throw bad('enriched.owner.id', f.csm.id);
  if (!/^[A-Z]{3}$/.test(f.currency)) throw bad('enriched.invoice.currency', f.currency);
  if (!Number.isSafeInteger(f.amountMinor) || f.amountMinor < 0) throw bad('enriched.invoice.amountDueMinor', f.amountMinor);
  return f;
}

/** An assessed record as a batch input; one the notifier cannot use throws (the runtime dead-letters it alone). */
export function assessedInput(record: IncomingRecord<AssessedInvoice>): BatchInput {
  if (record.value === null) throw new InvalidRecordError('NTF_TOMBSTONE', `assessed record ${record.key} has no value; assessments are never deleted`);
  return { type: 'assessment', facts: validateAssessment(record.value), receivedAt: record.value.enriched.invoice.receivedAt, ownerSince: record.value.enriched.context?.snapshotAt ?? null };
}

/** A status record as a batch input; a tombstone (compaction) is none: notifications keep their last status. */
export function statusInput(record: IncomingRecord<PaymentStatus>): BatchInput | null {
  const s = record.value;
  if (s === null) return null;
  return {
    type: 'status',
    status: {
      invoiceId: s.invoiceId, status: s.status, version: s.version, accountId: s.accountId, dueAt: s.dueAt, changedAt: s.changedAt, currency: s.currency,
      amountDueMinor: s.amountDueMinor, amountRemainingMinor: s.amountRemainingMinor, amountCreditedMinor: s.amountCreditedMinor, amountRefundedMinor: s.amountRefundedMinor,
      failureReason: s.failureReason, disputeStatus: s.disputeStatus ?? null,
      source: s.source, issuedAt: s.issuedAt, paidAt: s.paidAt, overdueSince: s.overdueSince, lastEventAt: s.lastEventAt,
    },
  };
}

// billing.invoice.assessed.v1 → one invoice_issued notification per invoice; later revisions update (and reassign) it.
// History imported on a vendor's first connection (origin backfill) feeds payment history only: nobody is
// notified of it, and its later statuses find no notification to alert on.
const assessedInputs = (records: IncomingRecord<AssessedInvoice>[]) => records.filter((r) => r.value?.enriched.invoice.origin !== 'backfill').map(assessedInput);

/** billing.invoice.payment-status.v1 (compacted) → newest status per invoice kept; known invoices follow it; failed/overdue/written off/disputed alert once. */
function statusInputs(deps: NotifierDeps, records: IncomingRecord<PaymentStatus>[]): BatchInput[] {
  const inputs = records.map(statusInput).filter((i): i is BatchInput => i !== null);
  if (inputs.length < records.length) deps.logger.info({ tombstones: records.length - inputs.length }, 'status tombstones ignored: notifications keep their last status');
  return inputs;
}

/**
 * Both topics' records of one fetch in one batch (the runtime's onBatchesTogether): assessments,
 * then statuses. The two runs of a fetch locked the same invoices (the payment tracker's status of
 * an invoice and its assessment arrive together), so one waited for the other's whole transaction
 * and Kafka send; together they take one lock statement, one set of reads and one commit. Applying
 * the assessments first is what the assessment's transaction committing first would have done.
 */
export function assessedAndStatusBatch(deps: NotifierDeps): JointBatchHandler {
  return (groups, ctx) => handleInputs(deps, groups.flatMap(({ spec, records }) =>
    spec === topics.assessed ? assessedInputs(records as IncomingRecord<AssessedInvoice>[]) : statusInputs(deps, records as IncomingRecord<PaymentStatus>[])), ctx);
}

/**
 * A batch's records (either topic, offset order) in the batch's transaction: a handful of
 * statements whatever its size. Reads under sorted locks (invoices, then CSMs), routing worked
 * out in memory by the pure domain, one multi-row statement per kind of write, one NOTIFY
 * (delivered on commit). The workers are woken and the metrics counted once it committed.
 */
export async function handleInputs(deps: NotifierDeps, batch: BatchInput[], ctx: BatchContext): Promise<void> {
  if (batch.length === 0) return;
  const { trx } = ctx;
  const now = deps.now();
  const invoiceIds = invoicesOf(batch);
  // Assessed accounts are locked too (before their invoices): a change of owner waits, or is seen.
  await lockKeys(trx, [...accountLockKeys(assessedAccounts(batch)), ...invoiceLockKeys(invoiceIds)]);
  const notifications = await notificationsForUpdate(trx, invoiceIds);
  const statuses = await statusesOf(trx, invoiceIds);
  const owners = await ownersOf(trx, accountsToOwn(batch, notifications, statuses));
  const inputs = withCurrentOwners(batch, owners);
  const named = inputs.flatMap((i) => (i.type === 'assessment' ? [i.facts.csm] : []));
  const routing = await routingState(deps, trx, csmsToRoute(inputs, notifications, owners), named, now);
  const plan = planBatch(inputs, { notifications, statuses, owners, ...routing }, routingEnv(deps, now));
  await writePlan(trx, plan, now);
  // New notifications go out with the batch; later versions (revisions, statuses, moves) through the outbox.
  ctx.emit(topics.notifications, plan.inserts.map((n) => notificationOutbox.outgoing(notificationRecord(n))));
  await deps.live.announce(trx, plan.events);
  ctx.afterCommit(() => afterCommit(deps, plan));
}

export const routingEnv = (deps: NotifierDeps, now: number): RoutingEnv => ({
  now, defaults: deps.defaults, defaultZone: deps.defaultZone, slackAvailable: deps.slackAvailable, emailAvailable: deps.emailAvailable,
});

/**
 * The CSMs a batch may route to: their directory rows (locked in id order after the invoices,
 * then brought up to date with the details the batch `named`), preferences and Slack counts.
 */
export async function routingState(deps: NotifierDeps, trx: Knex.Transaction, csmIds: string[], named: CsmRef[], now: number) {
  if (csmIds.length === 0) return { csms: new Map<string, CsmRef>(), prefs: new Map(), slackInLastHour: new Map<string, number>() };
  const stored = await lockCsms(trx, csmIds);
  const changed = csmChanges(named, stored);
  await saveCsms(trx, changed, now);
  const prefs = await preferencesOf(trx, csmIds, deps.defaults);
  // Without Slack the cap never applies: no need to count.
  const slackInLastHour = deps.slackAvailable ? await slackCountsSince(trx, csmIds, now - 3600_000) : new Map<string, number>();
  return { csms: new Map([...stored, ...changed.map((c) => [c.id, c] as const)]), prefs, slackInLastHour };
}

/** Once committed: end-to-end latency of what was created, routing counts, and the workers woken if anything changed. */
export function afterCommit(deps: NotifierDeps, plan: BatchPlan): void {
  const at = Date.now();
  for (const receivedAt of plan.createdFrom) notifierMetrics.endToEnd.observe(Math.max(0, at - receivedAt) / 1000);
  for (const kind of plan.routed) notifierMetrics.notifications.inc({ kind });
  if (plan.events.length) deps.kick();
}
