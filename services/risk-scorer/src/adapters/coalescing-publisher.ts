import type { TopicSpec, ValueOf } from '@invoice-signal/events';
import type { EventPublisher, OutgoingRecord } from '@invoice-signal/runtime';

interface Waiting<V> {
  record: OutgoingRecord<V>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes to one topic, merging the records that callers hand in while a send is in flight into
 * the next send. The idempotent producer allows one request in flight, so partitions handled in
 * parallel would otherwise queue one record at a time behind each other. Each caller still gets
 * its own broker ack; records of one partition stay in order because its handler awaits each one.
 */
export function createCoalescingPublisher<T extends TopicSpec>(publisher: EventPublisher, spec: T) {
  let queue: Waiting<ValueOf<T>>[] = [];
  let sending = false;

  async function drain() {
    sending = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await publisher.publish(spec, batch.map((w) => w.record));
        batch.forEach((w) => w.resolve());
      } catch (error) {
        batch.forEach((w) => w.reject(error));
      }
    }
    sending = false;
  }

  return {
    publish(record: OutgoingRecord<ValueOf<T>>): Promise<void> {
      return new Promise((resolve, reject) => {
        queue.push({ record, resolve, reject });
        if (!sending) void drain();
      });
    },
  };
}

export type CoalescingPublisher<T extends TopicSpec> = ReturnType<typeof createCoalescingPublisher<T>>;
