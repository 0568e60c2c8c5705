import type { CsmOwner } from '@invoice-signal/events';
import type { EventPublisher, Knex, Logger } from '@invoice-signal/runtime';
import type { TrendOptions } from '../domain/health-trend.ts';

export interface HandlerDeps {
  db: Knex;
  publisher: EventPublisher;
  logger: Logger;
  fallbackOwner: CsmOwner;
  historyMonths: number;
  trend: TrendOptions;
  now?: () => number;
}

/**
 * Serialises matching against context updates. Invoice handlers hold it shared (they run in
 * parallel with each other); a context snapshot takes it exclusively. So an invoice that found no
 * mapping has committed its waiting row before the snapshot looks for waiting rows, or it sees
 * the snapshot's mapping: no invoice can fall between the two and stay unmatched.
 */
export const MATCH_LOCK_ID = 0x656e7231;

export const lockShared = (trx: Knex) => trx.raw('select pg_advisory_xact_lock_shared(?)', [MATCH_LOCK_ID]);
export const lockExclusive = (trx: Knex) => trx.raw('select pg_advisory_xact_lock(?)', [MATCH_LOCK_ID]);
