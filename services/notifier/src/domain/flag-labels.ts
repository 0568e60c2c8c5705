/**
 * What a CSM reads for each risk flag code (the risk-scorer's codes stay in the API and on the
 * topics; only people get the label).
 */
export const flagLabels: Record<string, string> = {
  FIRST_INVOICE: 'First invoice for this account',
  AMOUNT_CHANGE: 'Amount changed from the last invoice',
  HEALTH_DECLINING: 'Customer health declining',
  LATE_PAYMENT_HISTORY: 'History of late payments',
  CONTRACT_DISPUTE: 'Open contract dispute',
  PAYMENT_FAILED_RECENTLY: 'A payment failed recently',
  RENEWAL_APPROACHING: 'Renewal coming up',
  HIGH_VALUE: 'High-value invoice',
  UNMATCHED_ACCOUNT: 'Customer not mapped to an account',
};

/** The label of a flag; a code the table does not know yet reads as words ("NEW_RULE" → "New rule") rather than as a code. */
export function flagLabel(code: string): string {
  const known = flagLabels[code];
  if (known) return known;
  const words = code.toLowerCase().split(/[_\s]+/).filter(Boolean).join(' ');
  return words ? words[0].toUpperCase() + words.slice(1) : code;
}
