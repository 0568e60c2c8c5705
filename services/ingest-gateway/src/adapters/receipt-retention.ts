import type { Knex } from '@invoice-signal/runtime';

/**
 * One batch: the oldest receipts received before `before` that still have their raw payload lose
 * it. Read through the partial index of unpruned receipts; rows another transaction holds (a
 * receipt being claimed) are skipped, the next run takes them.
 */
const pruneSql = `
update receipts r set raw_payload = null, payload_pruned_at = now()
from (select id from receipts
      where payload_pruned_at is null and received_at < ?
      order by received_at
      limit ?
      for update skip locked) old
where r.id = old.id`;

/** Prunes at most `limit` raw payloads older than `before`; returns how many. */
export async function prunePayloads(db: Knex | Knex.Transaction, before: Date, limit: number): Promise<number> {
  const result = await db.raw(pruneSql, [before, limit]);
  return (result as { rowCount: number }).rowCount;
}
