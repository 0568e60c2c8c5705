import type { InvoiceEvent } from '@invoice-signal/events';
import { InvalidRecordError, type IncomingRecord, type Knex } from '@invoice-signal/runtime';
import { vendorEntry, type VendorEntry } from '../domain/ledger.ts';
import { validateInvoiceEvent } from '../domain/validate.ts';
import { applyEntries, applyEntry, type FoldOptions } from '../adapters/ledger-store.ts';

export interface InvoiceEventDeps extends FoldOptions {
  db: Knex;
  /** After a committed transaction: how many events were duplicates and how many invoices changed. */
  onApplied(result: { events: number; duplicates: number; changed: number }): void;
}

// Entries per transaction: big enough to amortise round trips, small enough to hold locks briefly.
const CHUNK = 500;

function toEntry(record: IncomingRecord<InvoiceEvent>): VendorEntry {
  if (record.value === null) {
    throw new InvalidRecordError('PT_TOMBSTONE', `tombstone for key "${record.key}" on ${record.topic}: invoice events are never deleted by tombstone`);
  }
  return vendorEntry(validateInvoiceEvent(record.value, record.key));
}

/**
 * billing.invoice.events.v1 → ledger + refold, one record at a time. Invalid events throw
 * non-retriable errors (the runtime dead-letters them); database errors are retriable.
 */
export function handleInvoiceEvent(deps: InvoiceEventDeps) {
  return async (record: IncomingRecord<InvoiceEvent>): Promise<void> => {
    const { outcome } = await applyEntry(deps.db, toEntry(record), deps);
    deps.onApplied({ events: 1, duplicates: outcome === 'duplicate' ? 1 : 0, changed: outcome === 'changed' ? 1 : 0 });
  };
}

/**
 * The same for a whole fetched batch, one transaction per chunk. Any invalid record fails the
 * batch before anything is written, and the runtime then replays it through handleInvoiceEvent.
 * Several events of one invoice in a batch publish one change: the latest state.
 */
export function handleInvoiceEventBatch(deps: InvoiceEventDeps) {
  return async (records: IncomingRecord<InvoiceEvent>[]): Promise<void> => {
    const entries = records.map(toEntry);
    for (let i = 0; i < entries.length; i += CHUNK) {
      const chunk = entries.slice(i, i + CHUNK);
      const { duplicates, changed } = await applyEntries(deps.db, chunk, deps);
      deps.onApplied({ events: chunk.length, duplicates, changed });
    }
  };
}
