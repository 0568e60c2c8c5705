import type { RiskFlag } from '@invoice-signal/events';
import { facts, isoDate, money, num } from '../format.ts';
import type { FlagInput } from './flag-input.ts';

/** No earlier invoice of the account in the scorer's own history. Unknown for an unmatched account. */
export function firstInvoice({ enriched, history, rules, customer }: FlagInput): RiskFlag | null {
  const rule = rules.FIRST_INVOICE;
  if (!rule.enabled || !enriched.matched || history.previousForAccount !== null) return null;
  const { invoice } = enriched;
  return {
    code: 'FIRST_INVOICE',
    severity: rule.severity,
    message: `This is the first invoice we have seen for ${customer} (${money(invoice.totalMinor, invoice.currency)}): first bills are where billing contacts, PO numbers and payment methods go wrong.`,
    facts: facts({ earlierInvoices: 0, totalMinor: invoice.totalMinor, currency: invoice.currency, contractStart: enriched.context?.contract?.startDate ? isoDate(enriched.context.contract.startDate) : null }),
  };
}

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
