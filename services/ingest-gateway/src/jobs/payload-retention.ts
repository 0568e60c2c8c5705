import type { Knex, Logger } from '@invoice-signal/runtime';
import { prunePayloads } from '../adapters/receipt-retention.ts';
import { payloadRetentionCutoff } from '../domain/payload-retention.ts';
import { payloadsPruned } from '../metrics.ts';

export interface RetentionSettings {
  retentionDays: number;
  batchSize: number;
}

/**
 * One run of the retention job: one batch, in the job's transaction. Pruning any tells the runner
 * there may be more, so a backlog (the first run after an upgrade) drains batch after batch at
 * once, each its own short transaction, until a run finds none.
 */
export async function prunePayloadsOnce(trx: Knex.Transaction, settings: RetentionSettings, now: number, logger: Logger): Promise<number> {
  const cutoff = payloadRetentionCutoff(now, settings.retentionDays);
  const pruned = await prunePayloads(trx, new Date(cutoff), settings.batchSize);
  if (pruned) {
    payloadsPruned.inc(pruned);
    logger.info({ pruned, receivedBefore: new Date(cutoff).toISOString() }, 'raw vendor payloads pruned from the receipt log');
  }
  return pruned;
}
