import type { PaymentStatus } from '@invoice-signal/events';
import { alertFor } from '../domain/notification.ts';
import { insertNotification, lockCsm, lockInvoice, notificationsOfInvoice, saveStatus, updateStatus } from '../adapters/notification-store.ts';
import type { LiveEvent } from '../adapters/live-hub.ts';
import type { NotifierDeps } from './deps.ts';
import { planDeliveries } from './plan-deliveries.ts';

/**
 * billing.invoice.payment-status.v1 (compacted) → the newest status per invoice is kept even
 * before the invoice's assessment arrives; known invoices get their status updated, and a
 * transition into failed or overdue creates that alert once.
 */
export async function handlePaymentStatus(deps: NotifierDeps, invoiceId: string | null, s: PaymentStatus | null): Promise<void> {
  if (s === null) {
    deps.logger.info({ invoiceId }, 'status tombstone ignored: notifications keep their last status');
    return;
  }
  const now = deps.now();
  const events = await deps.db.transaction(async (trx) => {
    await lockInvoice(trx, s.invoiceId);
    const fresh = await saveStatus(trx, { invoiceId: s.invoiceId, status: s.status, version: s.version, accountId: s.accountId, dueAt: s.dueAt, changedAt: s.changedAt });
    if (!fresh) return [];
    const existing = await notificationsOfInvoice(trx, s.invoiceId);
    const issued = existing.find((n) => n.kind === 'invoice_issued');
    if (!issued) return []; // kept in invoice_status; applied when the assessment arrives
    const csm = (await lockCsm(trx, issued.csmId)) ?? { id: issued.csmId, email: null, slackUserId: null, timeZone: null };
    const out: LiveEvent[] = (await updateStatus(trx, s.invoiceId, s.status, now)).map((n) => ({ type: 'updated', csmId: n.csmId, notificationId: n.id }));
    const alert = alertFor(s.status);
    if (alert && !existing.some((n) => n.kind === alert)) {
      const n = await insertNotification(trx, { ...issued, csmId: issued.csmId }, alert, s.status, now);
      if (n) {
        await planDeliveries(trx, deps, n, csm, now);
        out.push({ type: 'created', csmId: n.csmId, notificationId: n.id });
      }
    }
    return out;
  });
  if (events.length) {
    await deps.live.announce(deps.db, events);
    deps.kick();
  }
}
