import type { CsmOwner } from '@invoice-signal/events';
import { lockKeys, lockKeyShared, type Knex, type Logger } from '@invoice-signal/runtime';
import type { TrendOptions } from '../domain/health-trend.ts';

/** What the batch handlers need besides their batch (which brings the transaction and the output). */
export interface HandlerDeps {
  logger: Logger;
  fallbackOwner: CsmOwner;
  historyMonths: number;
  trend: TrendOptions;
  now?: () => number;
}

/**
 * Serialises matching against context updates. Invoice batches hold it shared (they run in
 * parallel with each other); a batch of context snapshots takes it exclusively. So an invoice that
 * found no mapping has committed its waiting row before the snapshot looks for waiting rows, or it
 * sees the snapshot's mapping: no invoice can fall between the two and stay unmatched. One lock,
 * taken once per batch, so batches cannot deadlock on it.
 */
const MATCH_LOCK = 'enricher:account-matching';

export const lockShared = (trx: Knex.Transaction) => lockKeyShared(trx, MATCH_LOCK);
export const lockExclusive = (trx: Knex.Transaction) => lockKeys(trx, [MATCH_LOCK]);
