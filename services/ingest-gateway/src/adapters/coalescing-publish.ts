import { topics, type InvoiceEvent } from '@invoice-signal/events';
import type { EventPublisher } from '@invoice-signal/runtime';

interface Waiter { events: InvoiceEvent[]; resolve(): void; reject(error: unknown): void }

/**
 * Publishes invoice events, coalescing requests that arrive while a send is in flight into the
 * next single send. The idempotent producer allows one request in flight, so without this every
 * concurrent webhook would queue for its own round trip. No delay is added: an idle publisher
 * sends at once. Each caller still resolves only after the broker acked its own records, and a
 * failed send rejects every caller in it.
 */
export function createCoalescingPublish(publisher: EventPublisher, maxBatch = 500) {
  let queue: Waiter[] = [];
  let sending = false;

  async function drain() {
    sending = true;
    while (queue.length) {
      const batch: Waiter[] = [];
      let size = 0;
      while (queue.length && (size === 0 || size + queue[0].events.length <= maxBatch)) {
        const w = queue.shift()!;
        batch.push(w);
        size += w.events.length;
      }
      try {
        const records = batch.flatMap((w) => w.events).map((e) => ({ key: e.invoiceId, value: e, headers: { 'event.id': e.eventId, source: e.source } }));
        await publisher.publish(topics.invoiceEvents, records);
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    sending = false;
  }

  return (events: InvoiceEvent[]): Promise<void> => {
    if (!events.length) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => queue.push({ events, resolve, reject }));
    if (!sending) void drain();
    return done;
  };
}
