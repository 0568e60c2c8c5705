import { topics, type PaymentStatus } from '@invoice-signal/events';
import type { EventPublisher, Knex } from '@invoice-signal/runtime';

interface OutboxRow {
  id: number;
  invoice_id: string;
  version: number;
  payload: PaymentStatus | null;
}

/**
 * One run of the status relay (a singleton job: one instance publishes at a time, which keeps the
 * topic in outbox = commit order per invoice): publishes the oldest committed changes and deletes
 * them in the job's transaction. A crash after the broker ack but before the commit republishes
 * the same versions (readers keep the highest), never loses one. Returns how many it published.
 */
export async function publishStatuses(trx: Knex.Transaction, publisher: EventPublisher, batchSize: number): Promise<number> {
  const batch: OutboxRow[] = await trx('status_outbox').select('id', 'invoice_id', 'version', 'payload').orderBy('id').limit(batchSize);
  if (batch.length === 0) return 0;
  await publisher.publish(topics.paymentStatus, batch.map((r) => ({ key: r.invoice_id, value: r.payload, headers: { 'status-version': String(r.version) } })));
  await trx('status_outbox').whereIn('id', batch.map((r) => r.id)).del();
  return batch.length;
}
