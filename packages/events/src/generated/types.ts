// Generated from schemas/*.avsc by `npm run generate`. Do not edit: change the schema instead.

/** A canonical invoice lifecycle event from any billing source. Topic billing.invoice.events.v1, key invoiceId. */
export interface InvoiceEvent {
  /** Deterministic id of this event: the same vendor delivery always yields the same eventId, so consumers dedupe on it. */
  eventId: string;
  /** Canonical, source-qualified invoice id, e.g. stripe:in_123. */
  invoiceId: string;
  type: InvoiceEventType;
  source: BillingSource;
  /** The vendor's own id of the delivery (Stripe event id, Chargebee event id, Salesforce notification id, upload row hash). */
  vendorEventId: string;
  vendorInvoiceId: string;
  /** The customer reference in the vendor's system, resolved to an account by the enricher. */
  vendorCustomerId: null | string;
  /** Set when the source already knows our account id (manual uploads). */
  accountId: null | string;
  subscriptionId: null | string;
  invoiceNumber: null | string;
  /** ISO 4217 code, upper case. */
  currency: string;
  /** Invoice total in minor units of currency. */
  totalMinor: number;
  amountDueMinor: number;
  amountPaidMinor: number;
  amountRemainingMinor: number;
  amountRefundedMinor: number;
  issuedAt: null | number;
  dueAt: null | number;
  periodStart: null | number;
  periodEnd: null | number;
  /** Payment attempts so far, as the vendor reports them. */
  attemptCount: number;
  failureReason: null | string;
  hostedInvoiceUrl: null | string;
  /** When the vendor says it happened; consumers order on it. */
  occurredAt: number;
  /** When the gateway accepted the delivery. */
  receivedAt: number;
  /** The due date as the vendor sent it when it carried no time of day (YYYY-MM-DD). dueAt is then the end of that day in dueTimeZone; the enricher moves it to the account's billing time zone when it knows one. */
  dueDate: null | string;
  /** IANA zone in which a date-only dueDate became dueAt. */
  dueTimeZone: null | string;
  /** live: a vendor delivery; recovered: a missed event read back from the vendor's event API; backfill: history imported on first connection, which nobody is notified of. */
  origin: InvoiceEventOrigin;
  /** On a disputed event: open, won or lost (the chargeback stands). null on other events. */
  disputeStatus: null | string;
}

export const InvoiceEventTypeSymbols = ['issued', 'updated', 'paid', 'payment_failed', 'voided', 'uncollectible', 'deleted', 'refunded', 'disputed', 'overdue_reported', 'unknown'] as const;
export type InvoiceEventType = (typeof InvoiceEventTypeSymbols)[number];

export const BillingSourceSymbols = ['stripe', 'chargebee', 'salesforce', 'manual', 'other'] as const;
export type BillingSource = (typeof BillingSourceSymbols)[number];

export const InvoiceEventOriginSymbols = ['live', 'recovered', 'backfill'] as const;
export type InvoiceEventOrigin = (typeof InvoiceEventOriginSymbols)[number];

/** Latest payment status of one invoice. Topic billing.invoice.payment-status.v1 (compacted), key invoiceId; a tombstone (null value) when the invoice is deleted. */
export interface PaymentStatus {
  invoiceId: string;
  source: BillingSource;
  vendorCustomerId: null | string;
  accountId: null | string;
  status: PaymentState;
  previousStatus: null | PaymentState;
  currency: string;
  amountDueMinor: number;
  amountPaidMinor: number;
  amountRemainingMinor: number;
  amountRefundedMinor: number;
  issuedAt: null | number;
  dueAt: null | number;
  paidAt: null | number;
  attemptCount: number;
  disputed: boolean;
  /** Vendor time of the newest event folded into this state. */
  lastEventAt: number;
  /** When the tracker produced this state. */
  changedAt: number;
  /** Increases by one with every published change of this invoice. Readers keep the highest version per invoice. */
  version: number;
  /** Invoice total before credits, minor units of currency. */
  totalMinor: number;
  /** totalMinor minus amountDueMinor when positive: pre-payment credit notes and applied customer balance. */
  amountCreditedMinor: number;
  invoiceNumber: null | string;
  /** The vendor's reason for the latest failed payment attempt. */
  failureReason: null | string;
  /** When the invoice became overdue: due date plus the tracker's grace, or the vendor's overdue report. */
  overdueSince: null | number;
  /** The latest dispute's outcome: open, won or lost (a chargeback: the money went back to the customer). null when never disputed. */
  disputeStatus: null | string;
}

export const PaymentStateSymbols = ['pending', 'paid', 'overdue', 'failed', 'voided', 'uncollectible'] as const;
export type PaymentState = (typeof PaymentStateSymbols)[number];

/** A snapshot of one account's customer-success context. Topic cs.customer-context.v1 (compacted), key accountId. A later snapshotAt replaces an earlier one. */
export interface CustomerContext {
  accountId: string;
  name: string;
  csm: CsmOwner;
  health: null | Health;
  contract: null | Contract;
  supportIssues: SupportIssues;
  disputes: Disputes;
  valueDelivered: Array<ValueMetric>;
  vendorRefs: VendorRefs;
  /** When the source took this snapshot; older snapshots never overwrite newer ones. */
  snapshotAt: number;
  /** Which system produced the snapshot (crm, health, support, import-api, csv). */
  origin: string;
  /** IANA zone of the account's billing entity: a date-only due date ends at midnight there. */
  billingTimeZone: null | string;
}

export interface CsmOwner {
  id: string;
  email: null | string;
  slackUserId: null | string;
  /** IANA zone, e.g. Europe/Paris. */
  timeZone: null | string;
  /** The CSM's team: a manager scoped to a team sees its accounts. */
  team: null | string;
}

export interface Health {
  /** 0-100. */
  score: number;
  asOf: number;
  history: Array<HealthPoint>;
}

export interface HealthPoint {
  score: number;
  asOf: number;
}

export interface Contract {
  arrMinor: number;
  currency: string;
  startDate: null | number;
  endDate: null | number;
  renewalDate: null | number;
  plan: null | string;
  tier: AccountTier;
}

export const AccountTierSymbols = ['strategic', 'standard'] as const;
export type AccountTier = (typeof AccountTierSymbols)[number];

export interface SupportIssues {
  open: number;
  last30d: number;
  recent: Array<SupportIssue>;
}

export interface SupportIssue {
  id: string;
  title: string;
  severity: null | string;
  openedAt: null | number;
  open: boolean;
}

export interface Disputes {
  count: number;
  lastAt: null | number;
}

export interface ValueMetric {
  metric: string;
  value: number;
  unit: string;
  period: string;
}

export interface VendorRefs {
  stripeCustomerId: null | string;
  chargebeeCustomerId: null | string;
  salesforceAccountId: null | string;
}

/** An issued invoice joined with its customer context and payment history. Topic billing.invoice.enriched.v1, key accountId. Named types from invoice-event.avsc and customer-context.avsc are inlined when registered. */
export interface EnrichedInvoice {
  /** Deterministic: the same invoice event enriched with the same context snapshot yields the same id. */
  enrichmentId: string;
  /** Our account id, or unmatched:<source>:<vendorCustomerId> when no mapping exists yet. */
  accountId: string;
  matched: boolean;
  /** 1 for the first enrichment of an invoice; higher when re-enriched after a late context. */
  revision: number;
  /** The CSM who owns the account, or the configured fallback owner when unmatched. */
  owner: CsmOwner;
  invoice: InvoiceEvent;
  context: null | CustomerContext;
  healthTrend: null | HealthTrend;
  paymentHistory: PaymentHistorySummary;
  enrichedAt: number;
}

export interface HealthTrend {
  direction: TrendDirection;
  fromScore: number;
  toScore: number;
  deltaPoints: number;
  windowDays: number;
}

export const TrendDirectionSymbols = ['improving', 'stable', 'declining', 'unknown'] as const;
export type TrendDirection = (typeof TrendDirectionSymbols)[number];

export interface PaymentHistorySummary {
  windowMonths: number;
  invoices: number;
  paidOnTime: number;
  paidLate: number;
  averageDaysLate: number;
  maxDaysLate: number;
  failed: number;
  overdue: number;
  lastFailedAt: null | number;
  classification: PaymentHistoryClass;
}

export const PaymentHistoryClassSymbols = ['excellent', 'good', 'fair', 'poor'] as const;
export type PaymentHistoryClass = (typeof PaymentHistoryClassSymbols)[number];

/** An enriched invoice with its risk assessment. Topic billing.invoice.assessed.v1, key accountId. */
export interface AssessedInvoice {
  /** Deterministic: enrichmentId plus rule version. */
  assessmentId: string;
  accountId: string;
  enriched: EnrichedInvoice;
  riskLevel: RiskLevel;
  /** Version of the rule configuration that decided riskLevel. */
  ruleVersion: string;
  flags: Array<RiskFlag>;
  actions: Array<RecommendedAction>;
  valuePrompts: Array<ValuePrompt>;
  assessedAt: number;
}

export const RiskLevelSymbols = ['none', 'low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RiskLevelSymbols)[number];

export interface RiskFlag {
  /** FIRST_INVOICE, AMOUNT_CHANGE, HEALTH_DECLINING, LATE_PAYMENT_HISTORY, CONTRACT_DISPUTE, PAYMENT_FAILED_RECENTLY, RENEWAL_APPROACHING, HIGH_VALUE, UNMATCHED_ACCOUNT. */
  code: string;
  severity: FlagSeverity;
  /** A sentence a CSM can read. */
  message: string;
  /** The numbers behind the flag. */
  facts: Record<string, string>;
}

export const FlagSeveritySymbols = ['info', 'low', 'medium', 'high'] as const;
export type FlagSeverity = (typeof FlagSeveritySymbols)[number];

export interface RecommendedAction {
  code: string;
  text: string;
  dueBy: null | number;
  forFlags: Array<string>;
}

export interface ValuePrompt {
  kind: ValuePromptKind;
  text: string;
  data: Record<string, string>;
}

export const ValuePromptKindSymbols = ['send_value_summary', 'schedule_check_in', 'share_success_metrics', 'address_concerns', 'other'] as const;
export type ValuePromptKind = (typeof ValuePromptKindSymbols)[number];

/** A notification created for a CSM (PRD InvoiceNotification). Topic csm.notifications.v1, key csmId. */
export interface CsmNotification {
  id: string;
  kind: NotificationKind;
  invoiceId: string;
  customerId: string;
  customerName: null | string;
  csmId: string;
  amountMinor: number;
  currency: string;
  dueAt: null | number;
  status: NotificationPaymentStatus;
  riskLevel: string;
  riskFlags: Array<string>;
  customerContext: NotificationContext;
  /** Where it was or will be delivered: in_app, slack, email_digest. */
  channels: Array<string>;
  notifiedAt: number;
  acknowledgedAt: null | number;
  /** The current acknowledgment's action: contacted_customer, scheduled_call, sent_value_summary, confirmed_payment_date, no_action_needed or other; null when not acknowledged, or acknowledged without one. */
  actionTaken: null | string;
  /** What the CSM should do, in words (risk-scorer actions and value prompts). */
  recommendedActions: Array<string>;
  /** Increases with every change of this notification (status, acknowledgement, reassignment); consumers keep the highest per id. */
  version: number;
  updatedAt: null | number;
  /** What is still owed, in minor units of currency. */
  amountRemainingMinor: null | number;
  /** The last payment failure as the vendor gave it. */
  failureReason: null | string;
  /** Set when the account changed owner while this notification was open. */
  previousCsmId: null | string;
  /** What happened to the invoice since it was notified, oldest first. */
  timeline: Array<TimelineEntry>;
  /** The current acknowledgment's note (required with other). */
  actionNote: null | string;
  /** csmId of who recorded the current acknowledgment. */
  acknowledgedBy: null | string;
  /** When the current acknowledgment was recorded (acknowledgedAt stays the first). */
  actionAt: null | number;
}

export const NotificationKindSymbols = ['invoice_issued', 'payment_failed', 'overdue', 'disputed', 'written_off', 'other'] as const;
export type NotificationKind = (typeof NotificationKindSymbols)[number];

export const NotificationPaymentStatusSymbols = ['pending', 'paid', 'overdue', 'failed', 'voided', 'uncollectible'] as const;
export type NotificationPaymentStatus = (typeof NotificationPaymentStatusSymbols)[number];

export interface NotificationContext {
  healthScore: null | number;
  paymentHistory: string;
  renewalDate: null | number;
  recentIssues: boolean;
}

export interface TimelineEntry {
  at: number;
  /** issued, updated, payment_failed, overdue, paid, voided, uncollectible, disputed, dispute_lost, dispute_won, refunded, reassigned. */
  event: string;
  note: null | string;
}
