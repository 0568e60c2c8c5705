import { topics, type InvoiceEvent } from '@invoice-signal/events';
import { TransientError, type EventPublisher } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import type { Delivery } from '../domain/delivery.ts';
import { deliveries as counter } from '../metrics.ts';

export type Outcome = 'accepted' | 'duplicate' | 'ignored';

export interface RawPayload {
  text: string;
  contentType: string | null;
}

/**
 * The durable path of every delivery: receipt first (raw payload, dedupe key), then the
 * canonical event to Kafka (resolves after the broker's ack), then the receipt is marked
 * published, and only then does the caller answer 2xx. A broker failure throws TransientError
 * (→ 503) and leaves the receipt unpublished, so the vendor's retry publishes it; a retry of a
 * published receipt publishes nothing.
 */
export function createIngestor(deps: { receipts: ReceiptLog; publisher: EventPublisher; publishTimeoutMs: number }) {
  const { receipts, publisher } = deps;
  // Concurrent deliveries share produce requests: the runtime's publisher joins them.
  const send = (events: InvoiceEvent[]) =>
    publisher.publish(topics.invoiceEvents, events.map((e) => ({ key: e.invoiceId, value: e, headers: { 'event.id': e.eventId, source: e.source } })));
  const publish = async (events: InvoiceEvent[]) => {
    if (!events.length) return;
    // KafkaJS retries a lost broker for a long while; the vendor should hear 503 well before its own timeout.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientError('KAFKA_PUBLISH_TIMEOUT', `the broker did not acknowledge within ${deps.publishTimeoutMs} ms`)), deps.publishTimeoutMs);
    });
    try {
      await Promise.race([send(events), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    /** One delivery; concurrent copies of it are serialised on the receipt's row lock. */
    async acceptOne(delivery: Delivery, raw: RawPayload): Promise<Outcome> {
      const receipt = await receipts.record(delivery, raw.text, raw.contentType);
      const published = await receipts.publishOnce(receipt.id, async (event) => {
        if (event) await publish([event]);
      });
      const outcome: Outcome = !receipt.event ? 'ignored' : published ? 'accepted' : 'duplicate';
      counter.inc({ source: delivery.source, type: delivery.vendorType, outcome });
      return outcome;
    },

    /** Many deliveries of one request (upload rows, Salesforce notifications): one batch to Kafka. */
    async acceptMany(batch: Array<{ delivery: Delivery; raw: RawPayload }>): Promise<Outcome[]> {
      const stored = [];
      for (const { delivery, raw } of batch) stored.push(await receipts.record(delivery, raw.text, raw.contentType));
      // The same row twice in one request is one receipt: publish it once, report the copy as a duplicate.
      const pending = [...new Map(stored.filter((r) => r.event && !r.publishedAt).map((r) => [r.id, r])).values()];
      await publish(pending.map((r) => r.event!));
      await receipts.markPublished(pending.map((r) => r.id));
      const seen = new Set<number>();
      return stored.map((r, i) => {
        const first = !seen.has(r.id);
        seen.add(r.id);
        const outcome: Outcome = !r.event ? 'ignored' : r.publishedAt || !first ? 'duplicate' : 'accepted';
        counter.inc({ source: batch[i].delivery.source, type: batch[i].delivery.vendorType, outcome });
        return outcome;
      });
    },
  };
}

export type Ingestor = ReturnType<typeof createIngestor>;
