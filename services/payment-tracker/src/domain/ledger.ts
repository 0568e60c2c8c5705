import type { InvoiceEvent, PaymentState } from '@invoice-signal/events';

/** The tracker's status of an invoice: the published states plus `deleted` (published as a tombstone). */
export type TrackerStatus = PaymentState | 'deleted';

/** A vendor event as received on billing.invoice.events.v1. */
export interface VendorEntry {
  kind: 'vendor';
  eventId: string;
  invoiceId: string;
  occurredAt: number;
  event: InvoiceEvent;
}

/**
 * The tracker's own fact "this invoice was still unpaid at dueAt + grace". Its time is the due
 * date plus grace (not the wall clock of the scan), so a rebuild reproduces it exactly.
 */
export interface OverdueMarker {
  kind: 'overdue';
  eventId: string;
  invoiceId: string;
  occurredAt: number;
  /** The due date the marker was computed for; a later due date makes the marker moot. */
  dueAt: number;
}

/** Everything the tracker stores about an invoice: the set its state is computed from. */
export type LedgerEntry = VendorEntry | OverdueMarker;

export type EntryType = InvoiceEvent['type'] | 'overdue';

export const entryType = (e: LedgerEntry): EntryType => (e.kind === 'vendor' ? e.event.type : 'overdue');

export function vendorEntry(event: InvoiceEvent): VendorEntry {
  return { kind: 'vendor', eventId: event.eventId, invoiceId: event.invoiceId, occurredAt: event.occurredAt, event };
}

/** Deterministic id: the same invoice and due date can only ever be marked overdue once. */
export function overdueMarker(invoiceId: string, dueAt: number, graceMs: number): OverdueMarker {
  return { kind: 'overdue', eventId: `payment-tracker:overdue:${invoiceId}:${dueAt}`, invoiceId, occurredAt: dueAt + graceMs, dueAt };
}

/**
 * Tie-break among events with the same vendor time: the one that should win is applied last.
 * Only matters when clocks collide; the transition table already makes paid/voided/deleted sticky.
 */
const rank: Record<EntryType, number> = {
  issued: 0, updated: 1, unknown: 1, payment_failed: 2, overdue_reported: 3, overdue: 3,
  disputed: 4, refunded: 5, uncollectible: 6, voided: 7, paid: 8, deleted: 9,
};

/** The canonical order every fold uses: vendor time, then rank, then event id. Total, so deterministic. */
export function canonicalOrder(a: LedgerEntry, b: LedgerEntry): number {
  return a.occurredAt - b.occurredAt || rank[entryType(a)] - rank[entryType(b)] || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
