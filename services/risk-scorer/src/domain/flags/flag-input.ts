import type { EnrichedInvoice, RiskFlag } from '@invoice-signal/events';
import type { HighValueBar } from '../high-value.ts';
import type { InvoiceHistory } from '../history.ts';
import type { RulesConfig } from '../rules.ts';

export interface FlagInput {
  enriched: EnrichedInvoice;
  history: InvoiceHistory;
  rules: RulesConfig['flags'];
  /** rules.HIGH_VALUE's thresholds per currency (Rules.highValue). */
  highValue: HighValueBar;
  /** Reference time of the invoice (see invoiceTime). */
  at: number;
  /** The customer's name for sentences, or the account id when no context is known. */
  customer: string;
}

/** A flag rule: pure, returns the flag with its sentence and facts, or null when it does not apply. */
export type FlagRule = (input: FlagInput) => RiskFlag | null;
