import type { RiskFlag } from '@invoice-signal/events';
import { facts, money } from '../format.ts';
import type { FlagInput } from './flag-input.ts';

/** Total at or above its currency's threshold; a currency with no threshold is never high value. */
export function highValue({ enriched, rules }: FlagInput): RiskFlag | null {
  const rule = rules.HIGH_VALUE;
  const { totalMinor, currency } = enriched.invoice;
  const threshold = rule.thresholdMinor[currency];
  if (!rule.enabled || threshold === undefined || totalMinor < threshold) return null;
  return {
    code: 'HIGH_VALUE',
    severity: rule.severity,
    message: `High-value invoice: ${money(totalMinor, currency)}, at or above the ${money(threshold, currency)} threshold.`,
    facts: facts({ totalMinor, currency, thresholdMinor: threshold }),
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
