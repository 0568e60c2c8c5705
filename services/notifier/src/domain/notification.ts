import { createHash } from 'node:crypto';
import {
  formatMinor, type AssessedInvoice, type CsmNotification, type PaymentState, type RecommendedAction, type TimelineEntry, type ValuePrompt,
} from '@invoice-signal/events';
import type { NotificationKind } from './routing.ts';
import type { Channel } from './preferences.ts';
import type { Acknowledgment } from './acknowledgment.ts';

export type { NotificationKind, TimelineEntry };

export interface CsmRef {
  id: string;
  email: string | null;
  slackUserId: string | null;
  timeZone: string | null;
}

/** The PRD's customerContext, plus the detail an inbox needs to be useful. */
export interface CustomerContextSummary {
  healthScore: number | null;
  paymentHistory: 'excellent' | 'good' | 'fair' | 'poor';
  renewalDate: number | null;
  recentIssues: boolean;
}

export interface NotificationDetails {
  invoiceNumber: string | null;
  hostedInvoiceUrl: string | null;
  flags: Array<{ code: string; severity: string; message: string }>;
  healthTrend: { direction: string; fromScore: number; toScore: number; deltaPoints: number; windowDays: number } | null;
  paymentHistory: { invoices: number; paidOnTime: number; paidLate: number; averageDaysLate: number; failed: number; overdue: number; windowMonths: number };
  /** The texts of the value prompts (what older readers of the stored details expect). */
  valuePrompts: string[];
  tier: string | null;
  /** The risk-scorer's actions as it structured them, dates included. Absent on rows stored before they were kept. */
  actions?: RecommendedAction[];
  /** The value prompts with their kind and data. Absent on rows stored before they were kept. */
  prompts?: ValuePrompt[];
  /** When the vendor issued the invoice. Absent on rows stored before it was kept. */
  issuedAt?: number | null;
}

/** What an assessment says about one invoice: everything a notification of any kind carries. */
export interface InvoiceFacts {
  invoiceId: string;
  customerId: string;
  customerName: string | null;
  csm: CsmRef;
  amountMinor: number;
  currency: string;
  dueAt: number | null;
  riskLevel: string;
  riskFlags: string[];
  recommendedActions: string[];
  customerContext: CustomerContextSummary;
  details: NotificationDetails;
  revision: number;
  assessmentId: string;
  /** The vendor's invoice time and the gateway's receipt (delivery metrics); null on rows stored before they were kept. */
  issuedAt: number | null;
  receivedAt: number | null;
  /** The billing source (stripe, chargebee, ...). */
  source: string | null;
}

/**
 * The PRD's InvoiceNotification, the one shape of a notification in the notifier: mapped once to
 * its row (adapters/notification-store.ts), its API view (http/views.ts) and its event (toEvent).
 * Money is integer minor units of `currency`; times are epoch millis.
 */
export interface InvoiceNotification extends Omit<InvoiceFacts, 'csm'> {
  /** What is still owed, from the payment status; null until one is known. */
  amountRemainingMinor: number | null;
  /** The last payment failure as the vendor gave it. */
  failureReason: string | null;
  /** Oldest first. */
  timeline: TimelineEntry[];
  id: string;
  kind: NotificationKind;
  csmId: string;
  status: PaymentState;
  channels: Channel[];
  notifiedAt: number;
  acknowledgedAt: number | null;
  /** The current acknowledgment's action (a code of the closed set, or null: acknowledged without one), note, author and time. */
  actionTaken: string | null;
  actionNote: string | null;
  acknowledgedBy: string | null;
  actionAt: number | null;
  /** Every acknowledgment recorded, oldest first (loaded for the API's views only). */
  acknowledgmentHistory?: Acknowledgment[];
  version: number;
  updatedAt: number;
  /** Who held it before the account changed owner while it was open (null: never moved). */
  previousCsmId: string | null;
}

/** A change announced to the inbox streams of every instance. */
export interface LiveEvent {
  /** created: new in the CSM's inbox; updated: status/facts changed; acknowledged; removed: reassigned away; note: an ownership note (notificationId is the note's id). */
  type: 'created' | 'updated' | 'acknowledged' | 'removed' | 'note';
  csmId: string;
  notificationId: string;
}

/** Deterministic, so a replayed assessment or status lands on the same row. */
export function notificationId(invoiceId: string, kind: NotificationKind): string {
  return `ntf_${createHash('sha256').update(`${invoiceId}\u0000${kind}`).digest('hex').slice(0, 24)}`;
}

/** What an assessment sets on every notification of its invoice, held by `csmId`. */
export function factFields(f: Omit<InvoiceFacts, 'csm'>, csmId: string) {
  return {
    customerId: f.customerId, customerName: f.customerName, csmId, amountMinor: f.amountMinor, currency: f.currency, dueAt: f.dueAt,
    riskLevel: f.riskLevel, riskFlags: f.riskFlags, recommendedActions: f.recommendedActions, customerContext: f.customerContext, details: f.details,
    revision: f.revision, assessmentId: f.assessmentId, issuedAt: f.issuedAt, receivedAt: f.receivedAt, source: f.source,
  };
}

/** A notification as first stored: routed to no channel yet, unacknowledged, version 1. */
export function newNotification(f: Omit<InvoiceFacts, 'csm'>, csmId: string, kind: NotificationKind, status: PaymentState, now: number): InvoiceNotification {
  return {
    ...factFields(f, csmId), invoiceId: f.invoiceId, id: notificationId(f.invoiceId, kind), kind, status,
    channels: [], notifiedAt: now, updatedAt: now, version: 1,
    acknowledgedAt: null, acknowledgedBy: null, actionTaken: null, actionNote: null, actionAt: null,
    amountRemainingMinor: null, failureReason: null, timeline: [], previousCsmId: null,
  };
}

export function factsFromAssessment(a: AssessedInvoice): InvoiceFacts {
  const e = a.enriched;
  const ctx = e.context;
  const ph = e.paymentHistory;
  return {
    invoiceId: e.invoice.invoiceId,
    customerId: e.accountId,
    customerName: ctx?.name ?? null,
    csm: { id: e.owner.id, email: e.owner.email, slackUserId: e.owner.slackUserId, timeZone: e.owner.timeZone },
    amountMinor: e.invoice.amountDueMinor,
    currency: e.invoice.currency,
    dueAt: e.invoice.dueAt,
    riskLevel: a.riskLevel,
    riskFlags: a.flags.map((f) => f.code),
    recommendedActions: [...a.actions.map((x) => x.text), ...a.valuePrompts.map((p) => p.text)],
    customerContext: {
      healthScore: ctx?.health?.score ?? null,
      paymentHistory: ph.classification,
      renewalDate: ctx?.contract?.renewalDate ?? null,
      recentIssues: (ctx?.supportIssues.open ?? 0) > 0 || (ctx?.supportIssues.last30d ?? 0) > 0,
    },
    details: {
      invoiceNumber: e.invoice.invoiceNumber,
      hostedInvoiceUrl: e.invoice.hostedInvoiceUrl,
      flags: a.flags.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
      healthTrend: e.healthTrend,
      paymentHistory: { invoices: ph.invoices, paidOnTime: ph.paidOnTime, paidLate: ph.paidLate, averageDaysLate: ph.averageDaysLate, failed: ph.failed, overdue: ph.overdue, windowMonths: ph.windowMonths },
      valuePrompts: a.valuePrompts.map((p) => p.text),
      tier: ctx?.contract?.tier ?? null,
      actions: a.actions.map((x) => ({ code: x.code, text: x.text, dueBy: x.dueBy, forFlags: x.forFlags })),
      prompts: a.valuePrompts.map((p) => ({ kind: p.kind, text: p.text, data: p.data })),
      issuedAt: e.invoice.issuedAt,
    },
    revision: e.revision,
    assessmentId: a.assessmentId,
    issuedAt: e.invoice.issuedAt,
    receivedAt: e.invoice.receivedAt,
    source: e.invoice.source,
  };
}

export function summaryLine(n: InvoiceNotification): string {
  const who = n.customerName ?? n.customerId;
  const amount = formatMoney(n.amountMinor, n.currency);
  if (n.kind === 'payment_failed') return `Payment failed: ${who}, ${amount}`;
  if (n.kind === 'overdue') return `Overdue: ${who}, ${amount}`;
  if (n.kind === 'disputed') {
    return n.timeline.some((e) => e.event === 'dispute_lost') ? `Chargeback lost: ${who}, ${amount} back to the customer` : `Chargeback: ${who} disputed ${amount}`;
  }
  if (n.kind === 'written_off') return `Written off: ${who}, ${amount}`;
  return `Invoice issued: ${who}, ${amount}`;
}

/**
 * What an alert adds under its summary: the balance still owed and the last payment failure
 * (overdue and failed payments), the dispute's outcome so far. null when there is nothing to add.
 */
export function balanceLine(n: InvoiceNotification): string | null {
  const parts: string[] = [];
  if (n.kind !== 'invoice_issued' && n.kind !== 'disputed' && n.amountRemainingMinor != null) {
    parts.push(`${formatMoney(n.amountRemainingMinor, n.currency)} still owed of ${formatMoney(n.amountMinor, n.currency)}`);
  }
  if ((n.kind === 'payment_failed' || n.kind === 'overdue') && n.failureReason) parts.push(`last failure: ${n.failureReason}`);
  if (n.kind === 'disputed') {
    const outcome = n.timeline.findLast((e) => e.event === 'dispute_lost' || e.event === 'dispute_won');
    parts.push(outcome?.event === 'dispute_lost' ? 'dispute lost: the money went back to the customer' : outcome ? 'dispute won' : 'dispute open');
  }
  return parts.length ? parts.join(' · ') : null;
}

/** ISO minor units to a display string ("€1,234.56", "IDR 10,000,000.00"): decimals from the shared ISO 4217 table. */
export const formatMoney = (minor: number, currency: string): string => formatMinor(minor, currency);

/**
 * The notification as `csm.notifications.v1` carries it: each field of the generated Avro type named
 * once (a literal of that type: a field added to the schema fails to compile until it is mapped here,
 * and a field added to the domain is never sent unless it is).
 */
export function toEvent(n: InvoiceNotification): CsmNotification {
  return {
    id: n.id, kind: n.kind, invoiceId: n.invoiceId, customerId: n.customerId, customerName: n.customerName, csmId: n.csmId,
    amountMinor: n.amountMinor, currency: n.currency, dueAt: n.dueAt, status: n.status, riskLevel: n.riskLevel, riskFlags: n.riskFlags,
    customerContext: n.customerContext, channels: n.channels, notifiedAt: n.notifiedAt, recommendedActions: n.recommendedActions,
    acknowledgedAt: n.acknowledgedAt, actionTaken: n.actionTaken, actionNote: n.actionNote, acknowledgedBy: n.acknowledgedBy, actionAt: n.actionAt,
    version: n.version, updatedAt: n.updatedAt, amountRemainingMinor: n.amountRemainingMinor, failureReason: n.failureReason,
    previousCsmId: n.previousCsmId, timeline: n.timeline,
  };
}
