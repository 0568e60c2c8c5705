const dayMs = 86_400_000;

/**
 * Receipts received before this instant have their raw vendor payload pruned (customer PII: names,
 * e-mails, addresses). A retention of 0 keeps payloads for ever: no pruning job runs at all.
 */
export function payloadRetentionCutoff(now: number, retentionDays: number): number {
  return now - retentionDays * dayMs;
}
