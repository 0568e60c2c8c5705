import type { InvoiceEvent, RiskFlag } from '@invoice-signal/events';
import { DAY_MS, daysBetween, facts, isoDate, money, num, plural } from '../format.ts';
import type { FlagInput } from './flag-input.ts';

/**
 * The billing period the contract start is measured against: the invoice's own service period
 * when it carries one of at least a day (Stripe's first invoice has start = end), else the default.
 */
function billingPeriodMs({ periodStart, periodEnd }: InvoiceEvent, defaultDays: number): number {
  const own = periodStart !== null && periodEnd !== null ? periodEnd - periodStart : 0;
  return own >= DAY_MS ? own : defaultDays * DAY_MS;
}

/**
 * A matched account with no sign of an earlier invoice: none in the scorer's own history, none in
 * the enricher's payment history (backfill included), and a contract that did not start more than
 * one billing period plus a grace before this invoice. At rollout the scorer's history is empty for
 * every customer: the contract start and the payment history are what tell an old customer apart.
 * Unknown for an unmatched account.
 */
export function firstInvoice({ enriched, history, rules, at, customer }: FlagInput): RiskFlag | null {
  const rule = rules.FIRST_INVOICE;
  const { invoice, paymentHistory } = enriched;
  if (!rule.enabled || !enriched.matched || history.previousForAccount !== null || paymentHistory.invoices > 0) return null;
  const start = enriched.context?.contract?.startDate ?? null;
  const periodMs = billingPeriodMs(invoice, rule.billingPeriodDays);
  if (start !== null && at - start > periodMs + rule.contractGraceDays * DAY_MS) return null;
  const none = `no earlier invoice is on record (none in our history, none in the last ${plural(paymentHistory.windowMonths, 'month')} of payment history)`;
  const contract = start === null ? 'no contract start date is known' : `the contract ${start <= at ? 'started' : 'starts'} on ${isoDate(start)}, ${relativeDays(daysBetween(start, at))} this invoice`;
  return {
    code: 'FIRST_INVOICE',
    severity: rule.severity,
    message: `This is the first invoice for ${customer} (${money(invoice.totalMinor, invoice.currency)}): ${none} and ${contract}. First bills are where billing contacts, PO numbers and payment methods go wrong.`,
    facts: facts({
      earlierInvoices: 0, historyInvoices: paymentHistory.invoices, windowMonths: paymentHistory.windowMonths, totalMinor: invoice.totalMinor, currency: invoice.currency,
      contractStart: start === null ? null : isoDate(start), daysSinceContractStart: start === null ? null : daysBetween(start, at),
      billingPeriodDays: num(periodMs / DAY_MS, 1), contractGraceDays: rule.contractGraceDays,
    }),
  };
}

/** `3 days before` / `2 days after` (a contract that starts after its first invoice, billed in advance) / `the day of`. */
const relativeDays = (daysBefore: number) =>
  daysBefore === 0 ? 'the day of' : daysBefore > 0 ? `${plural(daysBefore, 'day')} before` : `${plural(-daysBefore, 'day')} after`;

/**
 * The total against the previous invoice of the same subscription (else of the account). Both the
 * percentage (up or down) and the absolute change must reach their thresholds; a currency switch
 * is not comparable and raises nothing.
 */
export function amountChange({ enriched, history, rules }: FlagInput): RiskFlag | null {
  const rule = rules.AMOUNT_CHANGE;
  const bySubscription = history.previousForSubscription;
  const previous = bySubscription ?? history.previousForAccount;
  const { invoice } = enriched;
  if (!rule.enabled || !previous || previous.currency !== invoice.currency) return null;
  const delta = invoice.totalMinor - previous.totalMinor;
  const minAbsolute = rule.minAbsoluteMinor[invoice.currency] ?? rule.minAbsoluteMinor.default;
  // A previous total of zero makes any increase infinitely large in percent.
  const pct = previous.totalMinor === 0 ? (delta === 0 ? 0 : Infinity) : (delta / previous.totalMinor) * 100;
  const threshold = delta >= 0 ? rule.increasePercent : rule.decreasePercent;
  // Compared as |delta| * 100 >= threshold * previous: exact in integers, so "at the threshold" is exact too.
  if (delta === 0 || Math.abs(delta) * 100 < threshold * previous.totalMinor || Math.abs(delta) < minAbsolute) return null;
  const direction = delta > 0 ? 'up' : 'down';
  const pctText = Number.isFinite(pct) ? `${num(Math.abs(pct), 1)}%` : 'from zero';
  return {
    code: 'AMOUNT_CHANGE',
    severity: Math.abs(delta) * 100 >= rule.highSeverityPercent * previous.totalMinor ? 'high' : rule.severity,
    message: `This invoice is ${money(invoice.totalMinor, invoice.currency)}, ${direction} ${pctText} (${money(Math.abs(delta), invoice.currency)}) from ${money(previous.totalMinor, previous.currency)} on the previous invoice of the ${bySubscription ? 'same subscription' : 'account'} (${isoDate(previous.issuedAt)}).`,
    facts: facts({
      direction, totalMinor: invoice.totalMinor, previousTotalMinor: previous.totalMinor, deltaMinor: delta,
      deltaPercent: Number.isFinite(pct) ? pct.toFixed(1) : 'infinite', currency: invoice.currency,
      previousInvoiceId: previous.invoiceId, previousIssuedAt: isoDate(previous.issuedAt), comparedBy: bySubscription ? 'subscription' : 'account',
      thresholdPercent: threshold, minAbsoluteMinor: minAbsolute,
    }),
  };
}
