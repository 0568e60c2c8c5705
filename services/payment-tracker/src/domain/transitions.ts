import type { EntryType, TrackerStatus } from './ledger.ts';

type From = TrackerStatus | 'none';

/**
 * The state machine, as data (README has the same table). Rows: what arrives, in canonical
 * order; columns: the status before. A missing cell means "no change". Sticky states:
 * deleted absorbs everything; paid absorbs everything but deletion (money received beats a late
 * failure, void or overdue); voided and uncollectible yield only to paid and deleted; overdue
 * yields to paid, voided, uncollectible, deleted (a retry failing after the due date keeps it overdue).
 */
export const transitionTable: Record<EntryType, Partial<Record<From, TrackerStatus>>> = {
  issued: { none: 'pending' },
  updated: { none: 'pending' },
  unknown: { none: 'pending' },
  payment_failed: { none: 'failed', pending: 'failed' },
  overdue_reported: { none: 'overdue', pending: 'overdue', failed: 'overdue' },
  // The marker can sort before the first vendor event (an invoice issued already past due).
  overdue: { none: 'overdue', pending: 'overdue', failed: 'overdue' },
  // A refund or dispute is about a charge, so the invoice was paid even if we missed that event.
  refunded: { none: 'paid' },
  disputed: { none: 'paid' },
  uncollectible: { none: 'uncollectible', pending: 'uncollectible', failed: 'uncollectible', overdue: 'uncollectible' },
  voided: { none: 'voided', pending: 'voided', failed: 'voided', overdue: 'voided', uncollectible: 'voided' },
  paid: { none: 'paid', pending: 'paid', failed: 'paid', overdue: 'paid', uncollectible: 'paid', voided: 'paid' },
  deleted: { none: 'deleted', pending: 'deleted', failed: 'deleted', overdue: 'deleted', paid: 'deleted', voided: 'deleted', uncollectible: 'deleted' },
};

export function nextStatus(current: TrackerStatus | null, type: EntryType): TrackerStatus | null {
  return transitionTable[type][current ?? 'none'] ?? current;
}

/** Statuses in which the invoice still waits for money, so the overdue clock runs. */
export const awaitingPayment = (status: TrackerStatus | null) => status === 'pending' || status === 'failed';
