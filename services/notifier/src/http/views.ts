import type { InvoiceNotification } from '../domain/notification.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API's JSON for a notification: the PRD's InvoiceNotification with ISO-8601 times and minor units. */
export function notificationView(n: InvoiceNotification) {
  return {
    id: n.id, kind: n.kind, invoiceId: n.invoiceId, customerId: n.customerId, customerName: n.customerName, csmId: n.csmId,
    amount: n.amountMinor, amountMinor: n.amountMinor, currency: n.currency, dueDate: iso(n.dueAt), status: n.status,
    riskLevel: n.riskLevel, riskFlags: n.riskFlags, flags: n.details.flags,
    customerContext: { ...n.customerContext, renewalDate: iso(n.customerContext.renewalDate) },
    healthTrend: n.details.healthTrend, paymentHistory: n.details.paymentHistory,
    recommendedActions: n.recommendedActions, invoiceNumber: n.details.invoiceNumber, hostedInvoiceUrl: n.details.hostedInvoiceUrl,
    channels: n.channels, notifiedAt: iso(n.notifiedAt), acknowledgedAt: iso(n.acknowledgedAt), actionTaken: n.actionTaken, version: n.version,
    amountRemainingMinor: n.amountRemainingMinor, failureReason: n.failureReason, timeline: n.timeline.map((e) => ({ ...e, at: iso(e.at) })),
  };
}

const nullable = (type: string) => ({ type: [type, 'null'] });

/** OpenAPI/JSON schema of notificationView (documentation and response serialisation). */
export const notificationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, kind: { type: 'string', enum: ['invoice_issued', 'payment_failed', 'overdue', 'disputed', 'written_off'] }, invoiceId: { type: 'string' },
    customerId: { type: 'string' }, customerName: nullable('string'), csmId: { type: 'string' },
    amount: { type: 'integer', description: 'minor units (same as amountMinor)' }, amountMinor: { type: 'integer' }, currency: { type: 'string' },
    dueDate: nullable('string'), status: { type: 'string' }, riskLevel: { type: 'string' }, riskFlags: { type: 'array', items: { type: 'string' } },
    flags: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, severity: { type: 'string' }, message: { type: 'string' } } } },
    customerContext: { type: 'object', properties: { healthScore: nullable('integer'), paymentHistory: { type: 'string' }, renewalDate: nullable('string'), recentIssues: { type: 'boolean' } } },
    healthTrend: { type: ['object', 'null'], additionalProperties: true },
    paymentHistory: { type: 'object', additionalProperties: true },
    recommendedActions: { type: 'array', items: { type: 'string' } }, invoiceNumber: nullable('string'), hostedInvoiceUrl: nullable('string'),
    channels: { type: 'array', items: { type: 'string' } }, notifiedAt: { type: 'string' }, acknowledgedAt: nullable('string'), actionTaken: nullable('string'),
    version: { type: 'integer' },
    amountRemainingMinor: { type: ['integer', 'null'], description: 'what is still owed, minor units (null until a payment status is known)' },
    failureReason: { type: ['string', 'null'], description: "the last payment failure as the vendor gave it" },
    timeline: {
      type: 'array', description: 'what happened to the invoice since it was notified, oldest first',
      items: { type: 'object', properties: { at: { type: 'string' }, event: { type: 'string' }, note: nullable('string') } },
    },
  },
} as const;

export const problemSchema = {
  type: 'object',
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' } },
} as const;
