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
 * The tracker's own fact "this invoice was still unpaid after dueAt + grace". Its time is the
 * first millisecond after the due date plus grace (not the wall clock of the scan), so a rebuild
 * reproduces it exactly, and a payment at dueAt + grace itself still counts (dueAt is the last
 * on-time instant: a date-only due date ends at 23:59:59.999 local).
 */
export interface OverdueMarker {
  kind: 'overdue';
  eventId: string;
  invoiceId: string;
  occurredAt: number;
  /** The due date the marker was computed for; a later due date makes the marker moot. */
  dueAt: number;
}

/**
 * The billing zone the enricher chose for an invoice's date-only due date (the account's
 * billingTimeZone, learned from billing.invoice.enriched.v1). The fold re-reads the invoice's
 * dueDate in it, whichever event carried the date. The highest enrichment revision wins.
 */
export interface DueZoneEntry {
  kind: 'due_zone';
  eventId: string;
  invoiceId: string;
  occurredAt: number;
  timeZone: string;
  revision: number;
}

/** The entries that move the status, in canonical order. */
export type StatusEntry = VendorEntry | OverdueMarker;

/** Everything the tracker stores about an invoice: the set its state is computed from. */
export type LedgerEntry = StatusEntry | DueZoneEntry;

export type EntryType = InvoiceEvent['type'] | 'overdue';

export const entryType = (e: StatusEntry): EntryType => (e.kind === 'vendor' ? e.event.type : 'overdue');

/** The ledger's `type` column. */
export const ledgerType = (e: LedgerEntry): string => (e.kind === 'due_zone' ? 'due_zone' : entryType(e));

export function vendorEntry(event: InvoiceEvent): VendorEntry {
  return { kind: 'vendor', eventId: event.eventId, invoiceId: event.invoiceId, occurredAt: event.occurredAt, event };
}

/** Deterministic id: the same invoice and due date can only ever be marked overdue once. */
export function overdueMarker(invoiceId: string, dueAt: number, graceMs: number): OverdueMarker {
  return { kind: 'overdue', eventId: `payment-tracker:overdue:${invoiceId}:${dueAt}`, invoiceId, occurredAt: overdueAt(dueAt, graceMs), dueAt };
}

/** The first instant an unpaid invoice is late: dueAt is the last on-time millisecond, grace extends it. */
export const overdueAt = (dueAt: number, graceMs: number) => dueAt + graceMs + 1;

/** One zone entry per enrichment (a redelivered enrichment is the same entry). */
export function dueZoneEntry(invoiceId: string, enrichmentId: string, revision: number, timeZone: string, occurredAt: number): DueZoneEntry {
  return { kind: 'due_zone', eventId: `enricher:due-zone:${enrichmentId}`, invoiceId, occurredAt, timeZone, revision };
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
export function canonicalOrder(a: StatusEntry, b: StatusEntry): number {
  return a.occurredAt - b.occurredAt || rank[entryType(a)] - rank[entryType(b)] || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
