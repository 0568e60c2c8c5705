import type { RiskFlag } from '@invoice-signal/events';
import type { FlagCode } from '../rules.ts';
import { contractDispute, healthDeclining, latePaymentHistory, paymentFailedRecently, renewalApproaching } from './customer-flags.ts';
import type { FlagInput, FlagRule } from './flag-input.ts';
import { amountChange, firstInvoice } from './history-flags.ts';
import { highValue, unmatchedAccount } from './invoice-flags.ts';

export type { FlagInput, FlagRule } from './flag-input.ts';

/** Every flag rule, in the order assessments list the flags (most actionable first). */
export const flagRules: Record<FlagCode, FlagRule> = {
  UNMATCHED_ACCOUNT: unmatchedAccount,
  PAYMENT_FAILED_RECENTLY: paymentFailedRecently,
  LATE_PAYMENT_HISTORY: latePaymentHistory,
  CONTRACT_DISPUTE: contractDispute,
  HEALTH_DECLINING: healthDeclining,
  AMOUNT_CHANGE: amountChange,
  FIRST_INVOICE: firstInvoice,
  RENEWAL_APPROACHING: renewalApproaching,
  HIGH_VALUE: highValue,
};

export function evaluateFlags(input: FlagInput): RiskFlag[] {
  return Object.values(flagRules).flatMap((rule) => rule(input) ?? []);
}
