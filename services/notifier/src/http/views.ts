import { bodyTooLarge, problem, tooManyFailuresProblem, unsupportedMedia } from '@invoice-signal/runtime';
import { formatMoney, type InvoiceNotification } from '../domain/notification.ts';
import { dueView, iso, moneyView } from '../domain/display.ts';
import { flagLabel } from '../domain/flag-labels.ts';
import { actionsOf, promptsOf } from '../domain/next-steps.ts';
import { noteText } from '../domain/ownership.ts';
import type { StoredNote } from '../adapters/owner-store.ts';
import { dueDay } from '../domain/time-zone.ts';
import { ackActions, type Acknowledgment } from '../domain/acknowledgment.ts';


/**
 * The API's JSON for a notification (the one mapping from the domain's InvoiceNotification): the
 * PRD's fields with ISO-8601 times and money in minor units; `zone` is the reader's.
 */
export function notificationView(n: InvoiceNotification, zone: string) {
  return {
    id: n.id, kind: n.kind, invoiceId: n.invoiceId, customerId: n.customerId, customerName: n.customerName, csmId: n.csmId,
    ...moneyView(n.amountMinor, n.currency), ...dueView(n.dueAt, zone), status: n.status,
    riskLevel: n.riskLevel, riskFlags: n.riskFlags, flags: n.details.flags.map((f) => ({ ...f, label: flagLabel(f.code) })),
    customerContext: { ...n.customerContext, renewalDate: iso(n.customerContext.renewalDate) },
    healthTrend: n.details.healthTrend, paymentHistory: n.details.paymentHistory,
    recommendedActions: n.recommendedActions, invoiceNumber: n.details.invoiceNumber, hostedInvoiceUrl: n.details.hostedInvoiceUrl,
    channels: n.channels, notifiedAt: iso(n.notifiedAt), acknowledgedAt: iso(n.acknowledgedAt), actionTaken: n.actionTaken, version: n.version,
    acknowledgment: acknowledgmentOf(n), acknowledgmentHistory: (n.acknowledgmentHistory ?? []).map(ackView),
    previousCsmId: n.previousCsmId, amountRemaining: n.amountRemainingMinor, failureReason: n.failureReason,
    timeline: n.timeline.map((e) => ({ ...e, at: iso(e.at) })),
    // What the inbox shows beyond the PRD's fields.
    actions: actionsOf(n).map((a) => ({ ...a, dueBy: iso(a.dueBy), dueDay: a.dueBy === null ? null : dueDay(a.dueBy, zone) })),
    valuePrompts: promptsOf(n), issuedAt: iso(n.details.issuedAt ?? null), updatedAt: iso(n.updatedAt),
    amountRemainingDisplay: n.amountRemainingMinor === null ? null : formatMoney(n.amountRemainingMinor, n.currency),
  };
}

/** A notification as the API sends it (the inbox's cards read this). */
export type NotificationView = ReturnType<typeof notificationView>;

const ackView = (a: Acknowledgment) => ({ actionTaken: a.actionTaken, note: a.note, by: a.by, at: iso(a.at) });

/** The current acknowledgment; null while not acknowledged (also after a lost dispute reopened it). */
function acknowledgmentOf(n: InvoiceNotification) {
  if (n.acknowledgedAt === null) return null;
  const actionTaken = n.actionTaken as Acknowledgment['actionTaken'];
  return ackView({ actionTaken, note: n.actionNote, by: n.acknowledgedBy ?? '', at: n.actionAt ?? n.acknowledgedAt });
}

const nullable = (type: string) => ({ type: [type, 'null'] });

const acknowledgmentSchema = {
  type: 'object',
  properties: {
    actionTaken: { type: ['string', 'null'], enum: [...ackActions, null], description: 'what the CSM did; null: acknowledged without saying (the bodiless form)' },
    note: nullable('string'), by: { type: 'string', description: 'csmId of who recorded it' }, at: { type: 'string' },
  },
} as const;

/** OpenAPI/JSON schema of notificationView (documentation and response serialisation). */
export const notificationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, kind: { type: 'string', enum: ['invoice_issued', 'payment_failed', 'overdue', 'disputed', 'written_off'] }, invoiceId: { type: 'string' },
    customerId: { type: 'string' }, customerName: nullable('string'), csmId: { type: 'string' },
    amount: { type: 'integer', description: 'the amount due, in integer minor units of currency (ISO 4217: cents for EUR, yen for JPY)' },
    currency: { type: 'string' },
    amountDisplay: { type: 'string', description: 'the amount as a CSM reads it, decimals from ISO 4217 ("IDR 10,000,000.00", "¥5,000")' },
    dueDate: { ...nullable('string'), description: 'the instant it is due (ISO-8601)' },
    dueDay: { ...nullable('string'), description: "the due date (YYYY-MM-DD) in the reader's time zone" },
    status: { type: 'string' }, riskLevel: { type: 'string' }, riskFlags: { type: 'array', items: { type: 'string' } },
    flags: {
      type: 'array', description: 'the risk flags: code (as in riskFlags), severity, message (the reason, a sentence) and label (what the inbox shows)',
      items: { type: 'object', properties: { code: { type: 'string' }, label: { type: 'string' }, severity: { type: 'string' }, message: { type: 'string' } } },
    },
    customerContext: { type: 'object', properties: { healthScore: nullable('integer'), paymentHistory: { type: 'string' }, renewalDate: nullable('string'), recentIssues: { type: 'boolean' } } },
    healthTrend: { type: ['object', 'null'], additionalProperties: true },
    paymentHistory: { type: 'object', additionalProperties: true },
    recommendedActions: { type: 'array', items: { type: 'string' } }, invoiceNumber: nullable('string'), hostedInvoiceUrl: nullable('string'),
    channels: { type: 'array', items: { type: 'string' } }, notifiedAt: { type: 'string' }, acknowledgedAt: nullable('string'), actionTaken: { ...nullable('string'), description: 'the current action code (kept for compatibility; see acknowledgment)' },
    acknowledgment: { anyOf: [acknowledgmentSchema, { type: 'null' }], description: 'the current acknowledgment (acknowledgedAt stays the first one)' },
    acknowledgmentHistory: { type: 'array', items: acknowledgmentSchema, description: 'every acknowledgment recorded, oldest first' },
    version: { type: 'integer' },
    previousCsmId: { ...nullable('string'), description: 'who held it before its account changed owner while it was open' },
    amountRemaining: { type: ['integer', 'null'], description: 'what is still owed, integer minor units of currency (null until a payment status is known)' },
    failureReason: { type: ['string', 'null'], description: "the last payment failure as the vendor gave it" },
    timeline: {
      type: 'array', description: 'what happened to the invoice since it was notified, oldest first',
      items: { type: 'object', properties: { at: { type: 'string' }, event: { type: 'string' }, note: nullable('string') } },
    },
    actions: {
      type: 'array', description: "the risk-scorer's recommended actions (recommendedActions has their sentences, then the prompts'), most important first; dueBy is when to act (an instant), dueDay that date in the reader's zone; code is null on notifications stored before actions were kept",
      items: { type: 'object', properties: { code: nullable('string'), text: { type: 'string' }, dueBy: nullable('string'), dueDay: nullable('string'), forFlags: { type: 'array', items: { type: 'string' } } } },
    },
    valuePrompts: {
      type: 'array', description: 'value reinforcement (send_value_summary is a draft ready to paste); data holds the figures it was built from',
      items: { type: 'object', properties: { kind: { type: 'string' }, text: { type: 'string' }, data: { type: 'object', additionalProperties: { type: 'string' } } } },
    },
    issuedAt: { ...nullable('string'), description: 'when the vendor issued the invoice' },
    updatedAt: { type: 'string', description: 'the last change of this notification' },
    amountRemainingDisplay: { ...nullable('string'), description: 'amountRemaining as a CSM reads it (formatted like amountDisplay)' },
  },
} as const;

/** Properties of the notification's schema, for answers that show the same fields of an invoice. */
export const notificationProperties = <K extends keyof typeof notificationSchema.properties>(...keys: K[]) =>
  Object.fromEntries(keys.map((k) => [k, notificationSchema.properties[k]])) as Pick<typeof notificationSchema.properties, K>;

/** An ownership note as the API and the live stream show it. */
export function noteView(n: StoredNote) {
  return {
    id: n.id, kind: n.kind, csmId: n.csmId, accountId: n.accountId, accountName: n.accountName, otherCsmId: n.otherCsmId,
    invoiceIds: n.invoiceIds, text: noteText(n), createdAt: iso(n.createdAt),
  };
}

export const noteSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, kind: { type: 'string', enum: ['moved_away', 'inherited'] }, csmId: { type: 'string' }, accountId: { type: 'string' },
    accountName: nullable('string'), otherCsmId: { type: 'string' }, invoiceIds: { type: 'array', items: { type: 'string' } }, text: { type: 'string' }, createdAt: { type: 'string' },
  },
} as const;

/** The refusals every authenticated route of the CSM API may answer (problem+json). */
export const refusals = {
  400: problem('a path, query or body this schema does not allow (detail names the part)', ['FST_ERR_VALIDATION', 'NTF_INVALID_ACTION', 'NTF_INVALID_WINDOW']),
  401: problem('no bearer token, or a token the JWT policy refuses (WWW-Authenticate: Bearer)', ['HTTP_UNAUTHENTICATED']),
  403: problem("the token's holder may not act for this CSM or account", ['NTF_FORBIDDEN']),
  429: tooManyFailuresProblem,
};

/** What a route with a JSON body may answer besides: the body is too large or not JSON. */
export const bodyRefusals = {
  413: problem('the body is over 64 KiB', bodyTooLarge),
  415: problem('the body is not of the media type this route reads', unsupportedMedia),
};
