/**
 * Group commit, the pure part: deliveries that arrive together are recorded and published
 * together, and copies of one delivery (same dedupe key) are one receipt.
 */

export type Outcome = 'accepted' | 'duplicate' | 'ignored';

/** Items by key in order of first arrival; each key's first item is the one recorded. */
export function byKey<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const copies = groups.get(key);
    if (copies) copies.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** What a copy answers, given what became of the first copy: only one of them published it. */
export const copyOutcome = (first: Outcome, isFirst: boolean): Outcome => (isFirst || first === 'ignored' ? first : 'duplicate');

/** A receipt found already stored: what a new copy of it answers, or that it must wait or claim. */
export type StoredDecision = Outcome | 'claimed_elsewhere' | 'claimable';

export function decideStored(state: { hasEvent: boolean; published: boolean; claimable: boolean }): StoredDecision {
  if (!state.hasEvent) return 'ignored';
  if (state.published) return 'duplicate';
  return state.claimable ? 'claimable' : 'claimed_elsewhere';
}

/** Poll delays while another instance publishes: quick at first (its ack usually takes ms), then every 250 ms. */
export const pollDelayMs = (attempt: number) => Math.min(250, 20 * 2 ** attempt);

/** Payment references of a group, one per ref (an upsert cannot touch one row twice), the last one winning, sorted (lock order). */
export function uniqueRefs(pairs: Array<{ ref: string; invoiceId: string }>): Array<{ ref: string; invoiceId: string }> {
  const byRef = new Map(pairs.map((p) => [p.ref, p.invoiceId]));
  return [...byRef.keys()].sort().map((ref) => ({ ref, invoiceId: byRef.get(ref)! }));
}
