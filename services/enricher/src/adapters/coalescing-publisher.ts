import type { TopicSpec, ValueOf } from '@invoice-signal/events';
import type { EventPublisher, OutgoingRecord } from '@invoice-signal/runtime';

interface Pending {
  records: OutgoingRecord<unknown>[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers the publishes of handlers running side by side (one per partition) into one produce
 * request per topic. The shared idempotent producer sends one request at a time, so without this
 * each enrichment waits for the broker ack of every other one. Each caller still resolves only
 * once the broker has its records, and fails with them if the request fails.
 */
export function coalescingPublisher(inner: EventPublisher): EventPublisher {
  const queues = new Map<TopicSpec, Pending[]>();
  const flushing = new Set<TopicSpec>();

  async function flush(spec: TopicSpec): Promise<void> {
    flushing.add(spec);
    try {
      for (let batch = queues.get(spec); batch && batch.length; batch = queues.get(spec)) {
        queues.set(spec, []);
        try {
          await inner.publish(spec, batch.flatMap((p) => p.records) as never);
          batch.forEach((p) => p.resolve());
        } catch (error) {
          batch.forEach((p) => p.reject(error));
        }
      }
    } finally {
      flushing.delete(spec);
    }
  }

  return {
    publish<T extends TopicSpec>(spec: T, records: OutgoingRecord<ValueOf<T>>[]): Promise<void> {
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const queue = queues.get(spec) ?? [];
        queue.push({ records, resolve, reject });
        queues.set(spec, queue);
        // The next tick lets the other handlers that are ready join this request.
        if (!flushing.has(spec)) setImmediate(() => void flush(spec));
      });
    },
    publishRaw: (topic, records) => inner.publishRaw(topic, records),
    close: () => inner.close(),
  };
}
