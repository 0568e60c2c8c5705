import type { AssessedInvoice } from '@invoice-signal/events';
import { InvalidRecordError } from '@invoice-signal/runtime';
import { alertFor, factsFromAssessment, type InvoiceFacts, type InvoiceNotification } from '../domain/notification.ts';
import { cancelPendingFor } from '../adapters/delivery-store.ts';
import { insertNotification, lockCsm, lockInvoice, notificationsOfInvoice, statusOf, updateFacts, upsertCsm, type Db } from '../adapters/notification-store.ts';
import type { LiveEvent } from '../adapters/live-hub.ts';
import type { NotifierDeps } from './deps.ts';
import { planDeliveries } from './plan-deliveries.ts';
import { notifierMetrics } from '../metrics.ts';

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

/**
 * billing.invoice.assessed.v1 → one invoice_issued notification per invoice (plus a payment
 * alert when a failed/overdue status arrived first). A replay changes nothing; a later revision
 * updates the facts and, when the owner changed, moves the notification to the new CSM.
 */
export async function handleAssessed(deps: NotifierDeps, a: AssessedInvoice): Promise<void> {
  const facts = validateAssessment(a);
  const now = deps.now();
  const events = await deps.db.transaction(async (trx) => {
    await lockInvoice(trx, facts.invoiceId);
    await upsertCsm(trx, facts.csm, now);
    await lockCsm(trx, facts.csm.id);
    const existing = await notificationsOfInvoice(trx, facts.invoiceId, true);
    const issued = existing.find((n) => n.kind === 'invoice_issued');
    if (!issued) return create(trx, deps, facts, now);
    if (facts.revision <= issued.revision) return [];
    return revise(trx, deps, facts, existing, now);
  });
  if (events.length) {
    if (events.some((e) => e.type === 'created')) notifierMetrics.endToEnd.observe(Math.max(0, Date.now() - a.enriched.invoice.receivedAt) / 1000);
    await deps.live.announce(deps.db, events);
    deps.kick();
  }
}

async function create(trx: Db, deps: NotifierDeps, facts: InvoiceFacts, now: number): Promise<LiveEvent[]> {
  const status = await statusOf(trx, facts.invoiceId);
  const row = { ...facts, csmId: facts.csm.id };
  const created: InvoiceNotification[] = [];
  const issued = await insertNotification(trx, row, 'invoice_issued', status?.status ?? 'pending', now);
  if (issued) created.push(issued);
  const alert = status ? alertFor(status.status) : null;
  if (alert) {
    const n = await insertNotification(trx, row, alert, status!.status, now);
    if (n) created.push(n);
  }
  for (const n of created) await planDeliveries(trx, deps, n, facts.csm, now);
  return created.map((n) => ({ type: 'created', csmId: n.csmId, notificationId: n.id }));
}

async function revise(trx: Db, deps: NotifierDeps, facts: InvoiceFacts, existing: InvoiceNotification[], now: number): Promise<LiveEvent[]> {
  const previousCsm = existing[0].csmId;
  const updated = await updateFacts(trx, facts.invoiceId, { ...facts, csmId: facts.csm.id }, now);
  if (previousCsm === facts.csm.id) return updated.map((n) => ({ type: 'updated', csmId: n.csmId, notificationId: n.id }));
  // Reassigned (e.g. the account was matched late): the old owner stops hearing about it, the new
  // one hears once, unless it was already dealt with.
  await cancelPendingFor(trx, updated.map((n) => n.id), previousCsm, `reassigned to ${facts.csm.id}`);
  const events: LiveEvent[] = [];
  for (const n of updated) {
    events.push({ type: 'removed', csmId: previousCsm, notificationId: n.id });
    if (n.acknowledgedAt === null) await planDeliveries(trx, deps, n, facts.csm, now);
    events.push({ type: 'created', csmId: n.csmId, notificationId: n.id });
  }
  return events;
}
