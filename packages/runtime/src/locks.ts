import type { Knex } from './db.ts';

/**
 * Transaction-scoped advisory locks, the one spelling for every service: a key is any string
 * (`<what>:<id>`), hashed by Postgres to 64 bits.
 */

/**
 * Locks every key until the transaction ends, in ONE statement and in sorted order, so two
 * batches that overlap wait for each other instead of deadlocking.
 */
export async function lockKeys(trx: Knex.Transaction, keys: Iterable<string>): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await trx.raw('select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from (select k from unnest(?::text[]) as k order by k) as sorted', [sorted]);
}

/** Takes the lock only if it is free: false when another transaction holds it (single-instance jobs). */
export async function tryLockKey(trx: Knex.Transaction, key: string): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: Array<{ locked: boolean }> }>('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked', [key]);
  return rows[0].locked === true;
}

/** Shares the lock with other shared holders; an exclusive holder (lockKeys) waits for all of them. */
export async function lockKeyShared(trx: Knex.Transaction, key: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock_shared(hashtextextended(?, 0))', [key]);
}
