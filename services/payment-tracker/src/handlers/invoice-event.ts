import type { InvoiceEvent } from '@invoice-signal/events';
import { InvalidRecordError, type BatchContext, type IncomingRecord } from '@invoice-signal/runtime';
import { vendorEntry, type VendorEntry } from '../domain/ledger.ts';
import { validateInvoiceEvent } from '../domain/validate.ts';
import { applyEntries, type FoldOptions } from '../adapters/ledger-store.ts';

export interface InvoiceEventDeps extends FoldOptions {
  /** After the batch committed: how many events it held and how many were duplicates. */
  onApplied(result: { events: number; duplicates: number }): void;
}

function toEntry(record: IncomingRecord<InvoiceEvent>): VendorEntry {
  if (record.value === null) {
    throw new InvalidRecordError('PT_TOMBSTONE', `tombstone for key "${record.key}" on ${record.topic}: invoice events are never deleted by tombstone`);
  }
  return vendorEntry(validateInvoiceEvent(record.value, record.key));
}

/**
 * billing.invoice.events.v1 → ledger + refold, a whole fetched batch in the runtime's one
 * transaction. Every record is validated before anything is written: an invalid one throws
 * InvalidRecordError and the runtime splits the batch to dead-letter it alone. Several events of
 * one invoice in a batch publish one change: the latest state, through the outbox (its drainer is
 * woken once the batch committed). The metrics are counted after the commit too.
 */
export function handleInvoiceEvents(deps: InvoiceEventDeps) {
  return async (records: IncomingRecord<InvoiceEvent>[], ctx: BatchContext): Promise<void> => {
    const entries = records.map(toEntry);
    const { duplicates } = await applyEntries(ctx.trx, entries, deps);
    ctx.afterCommit(() => deps.onApplied({ events: entries.length, duplicates }));
  };
}
