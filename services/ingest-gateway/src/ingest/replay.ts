import { topics } from '@invoice-signal/events';
import type { EventPublisher } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';

/**
 * Republishes the canonical events of every receipt received since `since`, exactly as first
 * decided (same eventId, so consumers dedupe), and marks unpublished ones published.
 */
export async function replaySince(receipts: ReceiptLog, publisher: EventPublisher, since: Date): Promise<{ receipts: number; wasUnpublished: number }> {
  let total = 0;
  let unpublished = 0;
  for await (const page of receipts.since(since)) {
    await publisher.publish(topics.invoiceEvents, page.map((r) => ({ key: r.event!.invoiceId, value: r.event!, headers: { 'event.id': r.event!.eventId, source: r.event!.source, replayed: 'true' } })));
    await receipts.markPublished(page.filter((r) => !r.publishedAt).map((r) => r.id));
    total += page.length;
    unpublished += page.filter((r) => !r.publishedAt).length;
  }
  return { receipts: total, wasUnpublished: unpublished };
}
