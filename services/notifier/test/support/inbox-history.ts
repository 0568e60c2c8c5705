import type { AssessedInvoice, PaymentStatus, RecommendedAction, RiskFlag, ValuePrompt } from '@invoice-signal/events';
import { samplePaymentStatus } from '@invoice-signal/testkit';
import { assessment, type InvoiceSpec } from './harness.ts';

export const day = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** An assessment as the risk-scorer writes it: the flags, actions and value prompts given, the invoice's number and issue date. */
export function assessed(spec: Omit<InvoiceSpec, 'flags'> & { number: string; issuedAt: number; riskFlags?: RiskFlag[]; actions?: RecommendedAction[]; prompts?: ValuePrompt[] }): AssessedInvoice {
  const a = assessment(spec);
  return {
    ...a,
    flags: spec.riskFlags ?? [],
    actions: spec.actions ?? [],
    valuePrompts: spec.prompts ?? [],
    enriched: { ...a.enriched, invoice: { ...a.enriched.invoice, invoiceNumber: spec.number, issuedAt: spec.issuedAt } },
  };
}

/** A payment status as the tracker publishes it for an invoice of `amount` (EUR minor units). */
export function paymentStatus(invoiceId: string, accountId: string, version: number, amount: number, dueAt: number, over: Partial<PaymentStatus> = {}): PaymentStatus {
  return samplePaymentStatus({
    invoiceId, accountId, version, status: 'pending', previousStatus: null, amountDueMinor: amount, totalMinor: amount, amountCreditedMinor: 0,
    amountRemainingMinor: amount, amountPaidMinor: 0, failureReason: null, attemptCount: 0, dueAt, changedAt: Date.now() - (10 - version) * 1000, invoiceNumber: null, ...over,
  });
}

/**
 * Northwind's overdue invoice, as the risk-scorer words it: four flags, five actions whose dates
 * have all passed (it was assessed before its due date), and the four value prompts of a strategic
 * account, the value-summary draft among them.
 */
export function northwindOverdue(csmId: string, now: number, dueAt: number): AssessedInvoice {
  const label = 'invoice INV-2026-0042 (€12,500.00)';
  const outreachBy = dueAt - 7 * day;
  const flag = (code: string, severity: RiskFlag['severity'], message: string): RiskFlag => ({ code, severity, message, facts: {} });
  return assessed({
    invoiceId: 'stripe:in_nw_42', accountId: 'acc_northwind', accountName: 'Northwind Traders', csmId, amountMinor: 1_250_000, riskLevel: 'high', dueAt,
    number: 'INV-2026-0042', issuedAt: now - 40 * day,
    riskFlags: [
      flag('CONTRACT_DISPUTE', 'high', `Northwind Traders has 1 dispute on record (the last on ${isoDate(now - 50 * day)}, 50 days ago).`),
      flag('LATE_PAYMENT_HISTORY', 'medium', "Northwind Traders's payment history is fair over the last 12 months (11 invoices): 3 paid late, 9.3 days late on average."),
      flag('HEALTH_DECLINING', 'medium', "Northwind Traders's health score fell 18 points in 60 days (80 → 62)."),
      flag('HIGH_VALUE', 'info', 'High-value invoice: €12,500.00 due, at or above the €9,200.00 threshold (USD 10,000).'),
    ],
    actions: [
      { code: 'PROACTIVE_OUTREACH', dueBy: outreachBy, forFlags: ['CONTRACT_DISPUTE', 'LATE_PAYMENT_HISTORY', 'HEALTH_DECLINING'],
        text: `Reach out to Northwind Traders before ${isoDate(outreachBy)} (the invoice is due ${isoDate(dueAt)}) to make sure ${label} gets paid on time.` },
      { code: 'RESOLVE_DISPUTE', dueBy: outreachBy, forFlags: ['CONTRACT_DISPUTE'], text: `Make sure the dispute of ${isoDate(now - 50 * day)} is settled before ${label} is due; bring finance in if it is not.` },
      { code: 'CONFIRM_PAYMENT_DATE', dueBy: outreachBy, forFlags: ['LATE_PAYMENT_HISTORY'], text: `Confirm with Northwind Traders when ${label} will be paid: their payment history is fair (3 paid late).` },
      { code: 'REVIEW_ACCOUNT_HEALTH', dueBy: outreachBy, forFlags: ['HEALTH_DECLINING'], text: `Find out what is behind Northwind Traders's falling health and agree a plan with them before ${label} is due.` },
      { code: 'WATCH_HIGH_VALUE_PAYMENT', dueBy: dueAt, forFlags: ['HIGH_VALUE'], text: `Follow ${label} until it is paid and confirm with Northwind Traders's finance team that it is scheduled.` },
    ],
    prompts: [
      { kind: 'send_value_summary', data: { customer: 'Northwind Traders', invoice: 'INV-2026-0042' },
        text: `Hello Northwind Traders team, ahead of invoice INV-2026-0042 (€12,500.00, due ${isoDate(dueAt)}) here is a short summary of the value you got from us: hours saved: 1,240.5 hours (2026-Q3); tickets deflected: 3,410 tickets (2026-Q3). Happy to walk you through it on a short call.` },
      { kind: 'schedule_check_in', data: { checkInBy: isoDate(dueAt - 5 * day) }, text: `Schedule a check-in call with Northwind Traders before ${isoDate(dueAt - 5 * day)} (invoice INV-2026-0042, due ${isoDate(dueAt)}); health is 62.` },
      { kind: 'share_success_metrics', data: {}, text: "Share these success metrics with Northwind Traders's stakeholders before payment: hours saved: 1,240.5 hours (2026-Q3)." },
      { kind: 'address_concerns', data: {}, text: `Address Northwind Traders's open concerns before the invoice is paid: 1 open support issue: SUP-881 "SSO login loops" (high).` },
    ],
  });
}

/** Northwind's next invoice, not yet due: two actions due now, a check-in and a payment to follow later. */
export function northwindUpcoming(csmId: string, now: number, dueAt: number): AssessedInvoice {
  const label = 'invoice INV-2026-0057 (€3,200.00)';
  return assessed({
    invoiceId: 'stripe:in_nw_57', accountId: 'acc_northwind', accountName: 'Northwind Traders', csmId, amountMinor: 320_000, riskLevel: 'medium', dueAt,
    number: 'INV-2026-0057', issuedAt: now - 2 * day,
    riskFlags: [{ code: 'RENEWAL_APPROACHING', severity: 'medium', message: `Northwind Traders renews on ${isoDate(dueAt + 9 * day)}, 9 days after this invoice is due (${isoDate(dueAt)}).`, facts: {} }],
    actions: [
      { code: 'PROACTIVE_OUTREACH', dueBy: now - 2 * day, forFlags: ['RENEWAL_APPROACHING'], text: `Reach out to Northwind Traders before ${isoDate(now - 2 * day)} to make sure ${label} gets paid on time.` },
      { code: 'PREPARE_RENEWAL', dueBy: now - 2 * day, forFlags: ['RENEWAL_APPROACHING'], text: `Renewal is on ${isoDate(dueAt + 9 * day)}: line up the renewal conversation with Northwind Traders alongside ${label}.` },
      { code: 'WATCH_HIGH_VALUE_PAYMENT', dueBy: dueAt, forFlags: [], text: `Follow ${label} until it is paid.` },
    ],
    prompts: [{ kind: 'schedule_check_in', data: { checkInBy: isoDate(dueAt - 3 * day) }, text: `Schedule a check-in call with Northwind Traders before ${isoDate(dueAt - 3 * day)}.` }],
  });
}
