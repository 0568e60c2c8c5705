import type { Consumer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { IncomingRecord } from './records.ts';

/**
 * Commits processed offsets to the group at most every `intervalMs` (and at once while stopping),
 * one request for every partition: a commit per batch cost the broker as much as the batch's
 * records. Only offsets of batches whose transaction committed and whose output the broker
 * acknowledged come here, so a crash replays at most the last interval; handlers are idempotent.
 */
export type OffsetSender = (offsets: Array<{ topic: string; partition: number; offset: string }>) => Promise<void>;

export function offsetCommitter(consumer: Consumer, intervalMs: number, logger: Logger, onCommitted?: (records: IncomingRecord<unknown>[]) => void) {
  // Consumer.commitOffsets does nothing once a stop has begun: a batch that ends then sends through its own eachBatch.
  const viaConsumer: OffsetSender = (offsets) => consumer.commitOffsets(offsets);
  let pending = new Map<string, { topic: string; partition: number; offset: string }>();
  let records: IncomingRecord<unknown>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  function flush(send: OffsetSender = viaConsumer): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return inFlight;
    const offsets = [...pending.values()];
    const done = records;
    pending = new Map();
    records = [];
    inFlight = inFlight.then(() => send(offsets)).then(
      () => onCommitted?.(done),
      // A rebalance or a lost broker: the partitions' next owner replays from the last commit.
      (error) => logger.warn({ err: error, partitions: offsets.length }, 'offset commit failed; those records will be processed again'),
    );
    return inFlight;
  }

  return {
    /** These records are processed: their offsets go out with the next commit, or now through `now`. */
    add(processed: IncomingRecord<unknown>[], now?: OffsetSender): Promise<void> {
      for (const r of processed) {
        const key = `${r.topic}\u0000${r.partition}`;
        const next = (BigInt(r.offset) + 1n).toString();
        const held = pending.get(key);
        if (!held || BigInt(next) > BigInt(held.offset)) pending.set(key, { topic: r.topic, partition: r.partition, offset: next });
      }
      records.push(...processed);
      if (now || intervalMs === 0) return flush(now);
      timer ??= setTimeout(() => void flush(), intervalMs).unref();
      return Promise.resolve();
    },
    flush,
  };
}
