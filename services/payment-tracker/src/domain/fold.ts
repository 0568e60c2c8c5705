import { endOfLocalDay, type InvoiceEvent, type PaymentStatus } from '@invoice-signal/events';
import { canonicalOrder, entryType, type DueZoneEntry, type EntryType, type LedgerEntry, type StatusEntry, type VendorEntry, type TrackerStatus } from './ledger.ts';
import { nextStatus } from './transitions.ts';

/**
 * The state of one invoice as a pure function of its set of events: the same set gives the same
 * view whatever order the events arrived in (the fold runs over the canonical order).
 */
export type InvoiceView = Omit<PaymentStatus, 'status' | 'previousStatus' | 'changedAt' | 'version'> & {
  /** `deleted` is the tracker's own terminal state; it is published as a tombstone. */
  status: TrackerStatus;
};

export interface Transition {
  eventId: string;
  eventType: EntryType;
  from: TrackerStatus | null;
  to: TrackerStatus;
  /** Vendor time of the event that caused it. */
  occurredAt: number;
}

export interface Folded {
  view: InvoiceView;
  /** Status changes along the canonical order: the invoice's history. */
  transitions: Transition[];
}

/** The newest non-null value of a field across vendor events in canonical order. */
function latest<K extends keyof InvoiceEvent>(events: InvoiceEvent[], key: K): InvoiceEvent[K] | null {
  for (let i = events.length - 1; i >= 0; i--) if (events[i][key] !== null && events[i][key] !== undefined) return events[i][key];
  return null;
}

/** The zone of the newest enrichment that named one, or null. */
function accountZone(entries: LedgerEntry[]): string | null {
  const zones = entries.filter((e): e is DueZoneEntry => e.kind === 'due_zone').sort((a, b) => a.revision - b.revision || (a.eventId < b.eventId ? -1 : 1));
  return zones.at(-1)?.timeZone ?? null;
}

/**
 * The due instant of the newest event that has one. A date-only due date (dueDate) was read in
 * the gateway's zone; when the enricher placed the account in another zone, it ends at the end of
 * that day there instead.
 */
function dueAtOf(events: InvoiceEvent[], zone: string | null): number | null {
  const carrier = events.findLast((e) => e.dueAt !== null && e.dueAt !== undefined);
  if (!carrier) return null;
  return carrier.dueDate && zone && zone !== carrier.dueTimeZone ? endOfLocalDay(carrier.dueDate, zone) : carrier.dueAt;
}

const maxOf = (events: InvoiceEvent[], pick: (e: InvoiceEvent) => number) => events.reduce((m, e) => Math.max(m, pick(e)), 0);

/** Folds an invoice's entries. Returns undefined when there is no vendor event yet (nothing to say). */
export function foldInvoice(entries: LedgerEntry[]): Folded | undefined {
  const vendor = entries.filter((e): e is VendorEntry => e.kind === 'vendor').sort(canonicalOrder);
  if (vendor.length === 0) return undefined;
  const events = vendor.map((v) => v.event);
  const dueAt = dueAtOf(events, accountZone(entries));
  // A marker computed for an earlier due date (the due date moved, or its zone did) no longer applies.
  const live = entries.filter((e): e is StatusEntry => e.kind === 'vendor' || (e.kind === 'overdue' && e.dueAt === dueAt)).sort(canonicalOrder);

  let status: TrackerStatus | null = null;
  const transitions: Transition[] = [];
  for (const entry of live) {
    const next = nextStatus(status, entryType(entry));
    if (next !== null && next !== status) {
      transitions.push({ eventId: entry.eventId, eventType: entryType(entry), from: status, to: next, occurredAt: entry.occurredAt });
      status = next;
    }
  }

  const last = events[events.length - 1];
  const amountPaidMinor = maxOf(events, (e) => e.amountPaidMinor);
  const failures = events.filter((e) => e.type === 'payment_failed');
  const disputes = events.filter((e) => e.type === 'disputed');
  const firstInto = (s: TrackerStatus) => transitions.find((t) => t.to === s)?.occurredAt ?? null;
  const lastInto = (s: TrackerStatus) => transitions.findLast((t) => t.to === s)?.occurredAt ?? null;
  const view: InvoiceView = {
    invoiceId: last.invoiceId,
    status: status!,
    source: last.source,
    vendorCustomerId: latest(events, 'vendorCustomerId'),
    accountId: latest(events, 'accountId'),
    invoiceNumber: latest(events, 'invoiceNumber'),
    currency: last.currency,
    totalMinor: last.totalMinor,
    amountDueMinor: last.amountDueMinor,
    // Payments and refunds only accumulate, so the largest reported figure is the truest one.
    amountPaidMinor,
    amountRemainingMinor: Math.max(0, last.amountDueMinor - amountPaidMinor),
    amountRefundedMinor: maxOf(events, (e) => e.amountRefundedMinor),
    amountCreditedMinor: Math.max(0, last.totalMinor - last.amountDueMinor),
    issuedAt: latest(events, 'issuedAt'),
    dueAt,
    paidAt: status === 'paid' || status === 'deleted' ? firstInto('paid') : null,
    overdueSince: lastInto('overdue'),
    // Vendors report cumulative attempts; failures that carry no count (0) still count one each. A
    // failure that repeats the vendor's count (Stripe's charge.failed beside invoice.payment_failed)
    // is the same attempt, not another one.
    attemptCount: Math.max(maxOf(events, (e) => e.attemptCount), failures.filter((e) => e.attemptCount === 0).length),
    failureReason: latest(failures, 'failureReason'),
    disputed: disputes.length > 0,
    disputeStatus: disputeStatusOf(disputes),
    lastEventAt: events.reduce((m, e) => Math.max(m, e.occurredAt), 0),
  };
  return { view, transitions };
}

/** The newest dispute's outcome; a dispute event without one (older gateway) means it is open. */
function disputeStatusOf(disputes: InvoiceEvent[]): string | null {
  if (disputes.length === 0) return null;
  return latest(disputes, 'disputeStatus') ?? 'open';
}

/** Field by field equality. */
export function identicalView(a: InvoiceView | undefined, b: InvoiceView): boolean {
  return !!a && (Object.keys(b) as Array<keyof InvoiceView>).every((k) => a[k] === b[k]);
}

/** Whether two views publish the same thing (a change is only published when they differ): any two deletions are one tombstone. */
export function sameView(a: InvoiceView | undefined, b: InvoiceView): boolean {
  return (a?.status === 'deleted' && b.status === 'deleted') || identicalView(a, b);
}
