import type { PaymentStatus } from '@invoice-signal/events';
import type { InvoiceView } from './fold.ts';
import { overdueAt, type TrackerStatus } from './ledger.ts';
import { awaitingPayment } from './transitions.ts';

/**
 * The record published for a changed view: the view plus publication bookkeeping (version,
 * previous published status, when). null for a deleted invoice, which becomes a tombstone.
 */
export function statusRecord(view: InvoiceView, version: number, previous: TrackerStatus | null, changedAt: number): PaymentStatus | null {
  if (view.status === 'deleted') return null;
  const { status, ...rest } = view;
  return { ...rest, status, previousStatus: previous === 'deleted' ? null : previous, changedAt, version };
}

/** When the overdue clock of this view fires, or null when it does not run (paid, closed, no due date). */
export function overdueFireAt(view: InvoiceView, graceMs: number): number | null {
  return awaitingPayment(view.status) && view.dueAt !== null ? overdueAt(view.dueAt, graceMs) : null;
}
