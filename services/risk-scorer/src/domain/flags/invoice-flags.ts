import type { RiskFlag } from '@invoice-signal/events';
import { decideHighValue } from '../high-value.ts';
import { facts, money } from '../format.ts';
import type { FlagInput } from './flag-input.ts';

/**
 * Amount due at or above the threshold, converted with the FX table (see domain/high-value.ts):
 * the one definition of "high value" (the notifier routes on this flag). A currency with no rate is
 * raised too, saying so, rather than never being high.
 */
export function highValue({ enriched, rules, highValue: bar }: FlagInput): RiskFlag | null {
  const rule = rules.HIGH_VALUE;
  if (!rule.enabled) return null;
  const { amountDueMinor, currency } = enriched.invoice;
  const decision = decideHighValue(amountDueMinor, currency, bar);
  if (!decision.high) return null;
  const { threshold, fx } = bar.policy;
  const reference = money(bar.thresholds.get(threshold.currency)!, threshold.currency);
  if (decision.reason === 'no_fx_rate') {
    return {
      code: 'HIGH_VALUE',
      severity: rule.severity,
      message: `No exchange rate for ${currency} in the FX table (rates of ${fx.asOf}): ${money(amountDueMinor, currency)} due is treated as high value `
        + `until a rate lets it be compared with the ${reference} threshold.`,
      facts: facts({ amountDueMinor, currency, reason: 'no_fx_rate', threshold: reference, ratesAsOf: fx.asOf }),
    };
  }
  const rate = currency === fx.base ? '1' : fx.rates[currency];
  return {
    code: 'HIGH_VALUE',
    severity: rule.severity,
    message: `High-value invoice: ${money(amountDueMinor, currency)} due, at or above the ${money(decision.thresholdMinor, currency)} threshold (${reference}).`,
    facts: facts({
      amountDueMinor, currency, thresholdMinor: decision.thresholdMinor, threshold: reference, rate: `1 ${currency} = ${rate} ${fx.base}`, ratesAsOf: fx.asOf,
    }),
  };
}

/** The enricher could not map the vendor customer to an account; the owner shown is the fallback. */
export function unmatchedAccount({ enriched, rules }: FlagInput): RiskFlag | null {
  const rule = rules.UNMATCHED_ACCOUNT;
  if (!rule.enabled || enriched.matched) return null;
  const { invoice } = enriched;
  const who = invoice.vendorCustomerId ? `${invoice.source} customer ${invoice.vendorCustomerId}` : `a ${invoice.source} customer with no id`;
  return {
    code: 'UNMATCHED_ACCOUNT',
    severity: rule.severity,
    message: `Invoice ${invoice.invoiceNumber ?? invoice.invoiceId} is from ${who}, which is not mapped to any account yet: it was routed to the fallback owner.`,
    facts: facts({ source: invoice.source, vendorCustomerId: invoice.vendorCustomerId, accountId: enriched.accountId, fallbackOwner: enriched.owner.id }),
  };
}
