import type { AssessedInvoice, CsmNotification, CustomerContext, EnrichedInvoice, InvoiceEvent, PaymentStatus } from '@invoice-signal/events';

const day = 24 * 3600 * 1000;
const t0 = Date.UTC(2026, 10, 1, 9, 30);

/** Realistic values of every event type, with every optional field filled, for round trips. */
export function sampleInvoiceEvent(overrides: Partial<InvoiceEvent> = {}): InvoiceEvent {
  return {
    eventId: 'stripe:evt_1QabcDEF', invoiceId: 'stripe:in_1QabcDEF', type: 'issued', source: 'stripe',
    vendorEventId: 'evt_1QabcDEF', vendorInvoiceId: 'in_1QabcDEF', vendorCustomerId: 'cus_Acme001', accountId: null,
    subscriptionId: 'sub_123', invoiceNumber: 'ACME-0042', currency: 'EUR', totalMinor: 1_250_000, amountDueMinor: 1_250_000,
    amountPaidMinor: 0, amountRemainingMinor: 1_250_000, amountRefundedMinor: 0, issuedAt: t0, dueAt: t0 + 30 * day,
    periodStart: t0 - 30 * day, periodEnd: t0, attemptCount: 0, failureReason: null,
    hostedInvoiceUrl: 'https://invoice.stripe.com/i/acct_1/test', occurredAt: t0, receivedAt: t0 + 150,
    dueDate: null, dueTimeZone: null, origin: 'live',
    disputeStatus: null,
    ...overrides,
  };
}

export function samplePaymentStatus(overrides: Partial<PaymentStatus> = {}): PaymentStatus {
  return {
    invoiceId: 'stripe:in_1QabcDEF', source: 'stripe', vendorCustomerId: 'cus_Acme001', accountId: 'acc_acme', status: 'failed',
    previousStatus: 'pending', currency: 'EUR', amountDueMinor: 1_250_000, amountPaidMinor: 0, amountRemainingMinor: 1_250_000,
    amountRefundedMinor: 0, issuedAt: t0, dueAt: t0 + 30 * day, paidAt: null, attemptCount: 2, disputed: false,
    lastEventAt: t0 + 3 * day, changedAt: t0 + 3 * day + 20, version: 3,
    totalMinor: 1_300_000, amountCreditedMinor: 50_000, invoiceNumber: 'ACME-0042', failureReason: 'card_declined', overdueSince: null, disputeStatus: null,
    ...overrides,
  };
}

export function sampleCustomerContext(overrides: Partial<CustomerContext> = {}): CustomerContext {
  return {
    accountId: 'acc_acme', name: 'Acme Corp',
    csm: { id: 'csm_alice', email: 'alice@example.com', slackUserId: 'U0ALICE', timeZone: 'Europe/Paris', team: 'emea' },
    health: { score: 62, asOf: t0, history: [{ score: 80, asOf: t0 - 60 * day }, { score: 71, asOf: t0 - 30 * day }] },
    contract: { arrMinor: 15_000_000, currency: 'EUR', startDate: t0 - 300 * day, endDate: t0 + 65 * day, renewalDate: t0 + 35 * day, plan: 'Enterprise', tier: 'strategic' },
    supportIssues: { open: 2, last30d: 5, recent: [{ id: 'SUP-881', title: 'SSO login loops', severity: 'high', openedAt: t0 - 4 * day, open: true }] },
    disputes: { count: 1, lastAt: t0 - 90 * day },
    valueDelivered: [{ metric: 'hours saved', value: 1240.5, unit: 'hours', period: '2026-Q3' }],
    vendorRefs: { stripeCustomerId: 'cus_Acme001', chargebeeCustomerId: 'cb_acme', salesforceAccountId: '001ACME' },
    snapshotAt: t0, origin: 'crm', billingTimeZone: 'Europe/Paris',
    ...overrides,
  };
}

export function sampleEnrichedInvoice(overrides: Partial<EnrichedInvoice> = {}): EnrichedInvoice {
  const context = sampleCustomerContext();
  return {
    enrichmentId: 'enr_stripe:in_1QabcDEF_1', accountId: 'acc_acme', matched: true, revision: 1, owner: context.csm,
    invoice: sampleInvoiceEvent({ accountId: 'acc_acme' }), context,
    healthTrend: { direction: 'declining', fromScore: 80, toScore: 62, deltaPoints: -18, windowDays: 60 },
    paymentHistory: { windowMonths: 12, invoices: 11, paidOnTime: 8, paidLate: 3, averageDaysLate: 6.5, maxDaysLate: 14, failed: 1, overdue: 1, lastFailedAt: t0 - 40 * day, classification: 'fair' },
    enrichedAt: t0 + 400,
    ...overrides,
  };
}

export function sampleAssessedInvoice(overrides: Partial<AssessedInvoice> = {}): AssessedInvoice {
  return {
    assessmentId: 'asm_enr_stripe:in_1QabcDEF_1_v1', accountId: 'acc_acme', enriched: sampleEnrichedInvoice(), riskLevel: 'high', ruleVersion: '2026-11-01',
    flags: [{ code: 'HEALTH_DECLINING', severity: 'medium', message: 'Health fell 18 points in 60 days (80 → 62).', facts: { from: '80', to: '62', windowDays: '60' } }],
    actions: [{ code: 'PROACTIVE_OUTREACH', text: 'Call Acme Corp before the due date.', dueBy: t0 + 25 * day, forFlags: ['HEALTH_DECLINING'] }],
    valuePrompts: [{ kind: 'send_value_summary', text: 'This quarter Acme saved 1,240.5 hours.', data: { 'hours saved': '1240.5 hours' } }],
    assessedAt: t0 + 500,
    ...overrides,
  };
}

export function sampleNotification(overrides: Partial<CsmNotification> = {}): CsmNotification {
  return {
    id: 'ntf_1', kind: 'invoice_issued', invoiceId: 'stripe:in_1QabcDEF', customerId: 'acc_acme', customerName: 'Acme Corp', csmId: 'csm_alice',
    amountMinor: 1_250_000, currency: 'EUR', dueAt: t0 + 30 * day, status: 'pending', riskLevel: 'high', riskFlags: ['HEALTH_DECLINING'],
    customerContext: { healthScore: 62, paymentHistory: 'fair', renewalDate: t0 + 35 * day, recentIssues: true },
    channels: ['in_app', 'slack'], notifiedAt: t0 + 800, acknowledgedAt: null, actionTaken: null,
    recommendedActions: ['Call Acme Corp before the due date.'], version: 1, updatedAt: t0 + 800,
    amountRemainingMinor: 1_250_000, failureReason: null, previousCsmId: null, timeline: [{ at: t0 + 800, event: 'issued', note: null }],
    actionNote: null, acknowledgedBy: null, actionAt: null,
    ...overrides,
  };
}
