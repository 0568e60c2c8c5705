import type { PaymentHistorySummary, RiskFlag } from '@invoice-signal/events';
import { DAY_MS, daysBetween, facts, isoDate, num, plural } from '../format.ts';
import type { FlagInput } from './flag-input.ts';

/** `12 days before this invoice`, or `after this invoice was issued` for later events (a re-enrichment). */
const relativeTo = (daysBefore: number) => (daysBefore >= 0 ? `${plural(daysBefore, 'day')} before this invoice` : 'after this invoice was issued');

/**
 * A drop of dropPoints or more over at most maxWindowDays, or a score under the floor. The trend
 * shown beside the flag is the enricher's: a drop counts only when that trend says declining, and
 * a low score that the trend shows improving is not called declining.
 */
export function healthDeclining({ enriched, rules, customer }: FlagInput): RiskFlag | null {
  const rule = rules.HEALTH_DECLINING;
  if (!rule.enabled) return null;
  const trend = enriched.healthTrend;
  const score = enriched.context?.health?.score ?? trend?.toScore ?? null;
  const dropped = trend?.direction === 'declining' && trend.deltaPoints <= -rule.dropPoints && trend.windowDays <= rule.maxWindowDays;
  const underFloor = score !== null && score < rule.floorScore && trend?.direction !== 'improving';
  if (!dropped && !underFloor) return null;
  const parts: string[] = [];
  if (dropped) parts.push(`fell ${-trend.deltaPoints} points in ${plural(trend.windowDays, 'day')} (${trend.fromScore} → ${trend.toScore})`);
  if (underFloor) parts.push(`is ${score}, under the floor of ${rule.floorScore}`);
  return {
    code: 'HEALTH_DECLINING',
    severity: dropped && underFloor ? rule.bothSeverity : rule.severity,
    message: `${customer}'s health score ${parts.join(' and ')}.`,
    facts: facts({
      score, floorScore: rule.floorScore, fromScore: trend?.fromScore, toScore: trend?.toScore, deltaPoints: trend?.deltaPoints,
      windowDays: trend?.windowDays, trend: trend?.direction, dropThresholdPoints: rule.dropPoints, dropped, underFloor,
    }),
  };
}

/**
 * The figures behind a payment-history rating, in the enricher's terms: late share of the settled
 * invoices, days late, still overdue, failed payments. Empty when nothing went wrong.
 */
function paymentHistoryReasons(h: PaymentHistorySummary): string[] {
  const settled = h.paidOnTime + h.paidLate;
  const reasons: string[] = [];
  if (h.paidLate > 0) reasons.push(`${num(h.paidLate)} of ${plural(settled, 'paid invoice')} ${h.paidLate === 1 ? 'was' : 'were'} paid late (on average ${num(h.averageDaysLate, 1)} days, at worst ${plural(h.maxDaysLate, 'day')})`);
  if (h.overdue > 0) reasons.push(`${plural(h.overdue, 'invoice')} still overdue`);
  if (h.failed > 0) reasons.push(`${plural(h.failed, 'failed payment')}${h.lastFailedAt === null ? '' : `, the last on ${isoDate(h.lastFailedAt)}`}`);
  return reasons;
}

/**
 * Raised exactly when the enricher rates the payment history fair or poor, so the flag and the
 * rating shown beside it always agree; the message gives the figures the rating rests on.
 */
export function latePaymentHistory({ enriched, rules, customer }: FlagInput): RiskFlag | null {
  const rule = rules.LATE_PAYMENT_HISTORY;
  const h = enriched.paymentHistory;
  if (!rule.enabled || (h.classification !== 'fair' && h.classification !== 'poor')) return null;
  const reasons = paymentHistoryReasons(h);
  const settled = h.paidOnTime + h.paidLate;
  return {
    code: 'LATE_PAYMENT_HISTORY',
    severity: h.classification === 'poor' ? rule.poorSeverity : rule.severity,
    message: `${customer}'s payment history is ${h.classification} over the last ${plural(h.windowMonths, 'month')} (${plural(h.invoices, 'invoice')}): ${reasons.join('; ') || 'the enricher gave no figures'}.`,
    facts: facts({
      classification: h.classification, reasons: reasons.join('; '), invoices: h.invoices, paidOnTime: h.paidOnTime, paidLate: h.paidLate,
      lateSharePercent: settled === 0 ? 0 : num((h.paidLate / settled) * 100, 1), averageDaysLate: num(h.averageDaysLate, 1), maxDaysLate: h.maxDaysLate,
      overdue: h.overdue, failedPayments: h.failed, lastFailedAt: h.lastFailedAt === null ? null : isoDate(h.lastFailedAt), windowMonths: h.windowMonths,
    }),
  };
}

/** Disputes within the look-back of the invoice date; disputes with no date count (we cannot rule them out). */
export function contractDispute({ enriched, rules, at, customer }: FlagInput): RiskFlag | null {
  const rule = rules.CONTRACT_DISPUTE;
  const disputes = enriched.context?.disputes;
  if (!rule.enabled || !disputes || disputes.count <= 0) return null;
  const ago = disputes.lastAt === null ? null : daysBetween(disputes.lastAt, at);
  if (ago !== null && at - disputes.lastAt! > rule.lookbackDays * DAY_MS) return null;
  const recent = disputes.lastAt !== null && at - disputes.lastAt <= rule.highWithinDays * DAY_MS;
  const when = disputes.lastAt === null ? 'no date recorded' : `the last on ${isoDate(disputes.lastAt)}, ${relativeTo(ago!)}`;
  return {
    code: 'CONTRACT_DISPUTE',
    severity: recent ? 'high' : rule.severity,
    message: `${customer} has ${plural(disputes.count, 'dispute')} on record (${when}).`,
    facts: facts({ disputes: disputes.count, lastDisputeAt: disputes.lastAt === null ? null : isoDate(disputes.lastAt), daysSinceLastDispute: ago, lookbackDays: rule.lookbackDays }),
  };
}

/** The last failed payment of the account is within withinDays before the invoice date. */
export function paymentFailedRecently({ enriched, rules, at, customer }: FlagInput): RiskFlag | null {
  const rule = rules.PAYMENT_FAILED_RECENTLY;
  const h = enriched.paymentHistory;
  if (!rule.enabled || h.lastFailedAt === null || at - h.lastFailedAt > rule.withinDays * DAY_MS) return null;
  const ago = daysBetween(h.lastFailedAt, at);
  return {
    code: 'PAYMENT_FAILED_RECENTLY',
    severity: rule.severity,
    message: `A payment from ${customer} failed on ${isoDate(h.lastFailedAt)}, ${relativeTo(ago)} (${plural(h.failed, 'failed payment')} in ${plural(h.windowMonths, 'month')}).`,
    facts: facts({ lastFailedAt: isoDate(h.lastFailedAt), daysSinceFailure: ago, failedPayments: h.failed, windowMonths: h.windowMonths, withinDays: rule.withinDays }),
  };
}

/**
 * The renewal is still ahead at the invoice date and at most withinDaysOfDue after the due date
 * (a renewal before the due date is closer still). Without a due date the invoice date stands in.
 */
export function renewalApproaching({ enriched, rules, at, customer }: FlagInput): RiskFlag | null {
  const rule = rules.RENEWAL_APPROACHING;
  const renewal = enriched.context?.contract?.renewalDate ?? null;
  const due = enriched.invoice.dueAt ?? at;
  if (!rule.enabled || renewal === null || renewal < at || renewal - due > rule.withinDaysOfDue * DAY_MS) return null;
  const afterDue = daysBetween(due, renewal);
  const relation = afterDue >= 0 ? `${plural(afterDue, 'day')} after` : `${plural(-afterDue, 'day')} before`;
  return {
    code: 'RENEWAL_APPROACHING',
    severity: rule.severity,
    message: `${customer} renews on ${isoDate(renewal)}, ${relation} this invoice is due (${isoDate(due)}): payment and renewal will be discussed together.`,
    facts: facts({ renewalDate: isoDate(renewal), dueDate: isoDate(due), daysFromDueToRenewal: afterDue, withinDaysOfDue: rule.withinDaysOfDue, arrMinor: enriched.context?.contract?.arrMinor, arrCurrency: enriched.context?.contract?.currency }),
  };
}
