import type { RiskFlag } from '@invoice-signal/events';
import { DAY_MS, daysBetween, facts, isoDate, num, plural } from '../format.ts';
import type { FlagInput } from './flag-input.ts';

/** `12 days before this invoice`, or `after this invoice was issued` for later events (a re-enrichment). */
const relativeTo = (daysBefore: number) => (daysBefore >= 0 ? `${plural(daysBefore, 'day')} before this invoice` : 'after this invoice was issued');

/** A drop of dropPoints or more over at most maxWindowDays (the enricher's trend), or a score under the floor. */
export function healthDeclining({ enriched, rules, customer }: FlagInput): RiskFlag | null {
  const rule = rules.HEALTH_DECLINING;
  if (!rule.enabled) return null;
  const trend = enriched.healthTrend;
  const score = enriched.context?.health?.score ?? trend?.toScore ?? null;
  const dropped = !!trend && trend.deltaPoints <= -rule.dropPoints && trend.windowDays <= rule.maxWindowDays;
  const underFloor = score !== null && score < rule.floorScore;
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
      windowDays: trend?.windowDays, dropThresholdPoints: rule.dropPoints, dropped, underFloor,
    }),
  };
}

/** Paid late plus currently overdue invoices in the enricher's payment-history window. */
export function latePaymentHistory({ enriched, rules, customer }: FlagInput): RiskFlag | null {
  const rule = rules.LATE_PAYMENT_HISTORY;
  const h = enriched.paymentHistory;
  const late = h.paidLate + h.overdue;
  if (!rule.enabled || late < rule.minLatePayments) return null;
  const high = late >= rule.highLatePayments || rule.highClassifications.includes(h.classification);
  const overdue = h.overdue > 0 ? `, ${h.overdue} still overdue` : '';
  return {
    code: 'LATE_PAYMENT_HISTORY',
    severity: high ? 'high' : rule.severity,
    message: `${customer} paid ${h.paidLate} of ${plural(h.invoices, 'invoice')} late in the last ${plural(h.windowMonths, 'month')}${overdue} (on average ${num(h.averageDaysLate, 1)} days late, at worst ${h.maxDaysLate}); payment history is ${h.classification}.`,
    facts: facts({
      latePayments: late, paidLate: h.paidLate, overdue: h.overdue, invoices: h.invoices, paidOnTime: h.paidOnTime, windowMonths: h.windowMonths,
      averageDaysLate: num(h.averageDaysLate, 1), maxDaysLate: h.maxDaysLate, classification: h.classification, minLatePayments: rule.minLatePayments,
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
