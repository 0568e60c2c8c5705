import type { PaymentState } from '@invoice-signal/events';
import { formatMoney, type InvoiceNotification, type NotificationKind, type TimelineEntry } from './notification.ts';

/**
 * A payment status as the tracker publishes it (newest `version` wins). Amounts are null on rows
 * stored before the notifier kept them: unknown, so never compared.
 */
export interface StatusFact {
  invoiceId: string;
  status: PaymentState;
  version: number;
  accountId: string | null;
  dueAt: number | null;
  changedAt: number;
  currency: string | null;
  amountDueMinor: number | null;
  amountRemainingMinor: number | null;
  amountCreditedMinor: number | null;
  amountRefundedMinor: number | null;
  failureReason: string | null;
  /** open, won or lost; null when never disputed. */
  disputeStatus: string | null;
  /** What the outcome metrics read (null or absent on rows stored before they were kept). */
  source?: string | null;
  issuedAt?: number | null;
  paidAt?: number | null;
  /** When it went overdue (the earliest the notifier saw). */
  overdueSince?: number | null;
  /** Vendor time of the newest event in this status (when a void or write-off happened). */
  lastEventAt?: number | null;
}

/** Paid, voided or written off: nothing more to collect, so nothing to announce as new. */
export const settledStatuses: readonly PaymentState[] = ['paid', 'voided', 'uncollectible'];
export const settled = (status: PaymentState) => settledStatuses.includes(status);

/** Alerts that call for the CSM to act on a settled invoice: they stay in the pending list. */
export const actionKinds: NotificationKind[] = ['disputed', 'written_off'];

/** The alerts a status calls for: a failed payment, overdue, a write-off, a dispute (open or lost). */
export function alertsFor(s: Pick<StatusFact, 'status' | 'disputeStatus'>): NotificationKind[] {
  const out: NotificationKind[] = [];
  if (s.status === 'failed') out.push('payment_failed');
  if (s.status === 'overdue') out.push('overdue');
  if (s.status === 'uncollectible') out.push('written_off');
  if (s.disputeStatus === 'open' || s.disputeStatus === 'lost') out.push('disputed');
  return out;
}

/** What a notification shows of its invoice before a status: its own fields (the first status after an assessment). */
export function baselineOf(n: InvoiceNotification): StatusFact {
  return {
    invoiceId: n.invoiceId, status: n.status, version: 0, accountId: null, dueAt: n.dueAt, changedAt: n.updatedAt, currency: n.currency,
    amountDueMinor: n.amountMinor, amountRemainingMinor: n.amountRemainingMinor ?? n.amountMinor, amountCreditedMinor: null, amountRefundedMinor: null,
    failureReason: n.failureReason, disputeStatus: null,
  };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const statusEvent: Record<PaymentState, string> = { pending: 'updated', failed: 'payment_failed', overdue: 'overdue', paid: 'paid', voided: 'voided', uncollectible: 'uncollectible' };
const disputeEvent: Record<string, string> = { open: 'disputed', won: 'dispute_won', lost: 'dispute_lost' };

/** What changed between two statuses of an invoice, as the CSM reads it; oldest first. */
export function timelineEntries(prev: StatusFact, next: StatusFact): TimelineEntry[] {
  const at = next.changedAt;
  const currency = next.currency ?? prev.currency;
  const money = (minor: number) => (currency ? formatMoney(minor, currency) : String(minor));
  const out: TimelineEntry[] = [];
  const entry = (event: string, note: string | null) => out.push({ at, event, note });
  // Only a move a CSM can see: the same day read in another zone (a date-only due date placed in the
  // account's billing zone) is not news.
  if (prev.dueAt !== null && next.dueAt !== null && day(prev.dueAt) !== day(next.dueAt)) entry('updated', `due date moved from ${day(prev.dueAt)} to ${day(next.dueAt)}`);
  if (known(prev.amountDueMinor, next.amountDueMinor) && prev.amountDueMinor !== next.amountDueMinor) {
    const credit = (next.amountCreditedMinor ?? 0) - (prev.amountCreditedMinor ?? next.amountCreditedMinor ?? 0);
    entry('updated', credit > 0
      ? `credit note of ${money(credit)} applied: ${money(next.amountDueMinor!)} due instead of ${money(prev.amountDueMinor!)}`
      : `amount changed from ${money(prev.amountDueMinor!)} to ${money(next.amountDueMinor!)}`);
  }
  else if (known(prev.amountRemainingMinor, next.amountRemainingMinor) && next.amountRemainingMinor! < prev.amountRemainingMinor! && next.status === prev.status) {
    entry('updated', `${money(prev.amountRemainingMinor! - next.amountRemainingMinor!)} paid; ${money(next.amountRemainingMinor!)} still owed`);
  }
  if (known(prev.amountRefundedMinor, next.amountRefundedMinor) && next.amountRefundedMinor! > prev.amountRefundedMinor!) entry('refunded', `${money(next.amountRefundedMinor! - prev.amountRefundedMinor!)} refunded`);
  if (prev.status !== next.status) entry(statusEvent[next.status], statusNote(next, money));
  else if ((next.status === 'failed' || next.status === 'overdue') && next.failureReason && next.failureReason !== prev.failureReason) entry('payment_failed', next.failureReason);
  if (next.disputeStatus && next.disputeStatus !== prev.disputeStatus) entry(disputeEvent[next.disputeStatus] ?? 'disputed', null);
  return out;
}

const known = (a: number | null, b: number | null) => a !== null && b !== null;

function statusNote(s: StatusFact, money: (minor: number) => string): string | null {
  if (s.status === 'failed') return s.failureReason;
  if ((s.status === 'overdue' || s.status === 'uncollectible') && s.amountRemainingMinor !== null) return `${money(s.amountRemainingMinor)} unpaid`;
  return null;
}

/** The longest timeline kept on a notification: the newest entries win. */
export const timelineLimit = 50;

/**
 * A notification brought up to date with its invoice's status: status, due date, amounts, last
 * failure, timeline. Returns whether anything changed.
 */
export function followStatus(n: InvoiceNotification, s: StatusFact, entries: TimelineEntry[]): boolean {
  const next = {
    status: s.status,
    dueAt: s.dueAt ?? n.dueAt,
    amountMinor: s.amountDueMinor ?? n.amountMinor,
    amountRemainingMinor: s.amountRemainingMinor ?? n.amountRemainingMinor,
    failureReason: s.failureReason ?? n.failureReason,
    timeline: entries.length ? [...n.timeline, ...entries].slice(-timelineLimit) : n.timeline,
  };
  const changed = (Object.keys(next) as Array<keyof typeof next>).some((k) => next[k] !== n[k]);
  if (changed) Object.assign(n, next);
  return changed;
}
