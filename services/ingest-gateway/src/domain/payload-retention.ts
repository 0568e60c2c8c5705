const dayMs = 86_400_000;

/**
 * Receipts received before this instant have their raw vendor payload pruned (customer PII: names,
 * e-mails, addresses). Null when the retention is 0: payloads are kept for ever.
 */
export function payloadRetentionCutoff(now: number, retentionDays: number): number | null {
  return retentionDays > 0 ? now - retentionDays * dayMs : null;
}
