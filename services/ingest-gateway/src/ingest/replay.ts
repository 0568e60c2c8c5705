import { topics } from '@invoice-signal/events';
import type { EventPublisher } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';

export interface ReplayResult {
  receipts: number;
  wasUnpublished: number;
  /** Of those republished, how many had lost their raw vendor payload to retention (their canonical event was kept). */
  payloadPruned: number;
}

/**
 * Republishes the canonical events of every receipt received since `since`, exactly as first
 * decided (same eventId, so consumers dedupe), and marks unpublished ones published. It reads
 * only the stored canonical event, never the raw payload, so a receipt whose payload was pruned
 * republishes exactly as before; it is counted so the report can say so.
 */
export async function replaySince(receipts: ReceiptLog, publisher: EventPublisher, since: Date): Promise<ReplayResult> {
  let total = 0;
  let unpublished = 0;
  let pruned = 0;
  for await (const page of receipts.since(since)) {
    await publisher.publish(topics.invoiceEvents, page.map((r) => ({ key: r.event!.invoiceId, value: r.event!, headers: { 'event.id': r.event!.eventId, source: r.event!.source, replayed: 'true' } })));
    await receipts.markPublished(page.filter((r) => !r.publishedAt).map((r) => r.id));
    total += page.length;
    unpublished += page.filter((r) => !r.publishedAt).length;
    pruned += page.filter((r) => r.payloadPrunedAt).length;
  }
  return { receipts: total, wasUnpublished: unpublished, payloadPruned: pruned };
}
