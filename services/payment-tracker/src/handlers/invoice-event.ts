import type { InvoiceEvent } from '@invoice-signal/events';
import { InvalidRecordError, type IncomingRecord, type Knex } from '@invoice-signal/runtime';
import { vendorEntry } from '../domain/ledger.ts';
import { validateInvoiceEvent } from '../domain/validate.ts';
import { applyEntry, type ApplyOutcome, type FoldOptions } from '../adapters/ledger-store.ts';

export interface InvoiceEventDeps extends FoldOptions {
  db: Knex;
  /** After a committed change: wakes the outbox drainer. */
  onOutcome(outcome: ApplyOutcome, event: InvoiceEvent): void;
}

/**
 * billing.invoice.events.v1 → ledger + refold. Decode errors and invalid events throw
 * non-retriable errors (the runtime dead-letters them); database errors are retriable.
 */
export function handleInvoiceEvent(deps: InvoiceEventDeps) {
  return async (record: IncomingRecord<InvoiceEvent>): Promise<void> => {
    if (record.value === null) {
      throw new InvalidRecordError('PT_TOMBSTONE', `tombstone for key "${record.key}" on ${record.topic}: invoice events are never deleted by tombstone`);
    }
    const event = validateInvoiceEvent(record.value, record.key);
    const { outcome } = await applyEntry(deps.db, vendorEntry(event), deps);
    deps.onOutcome(outcome, event);
  };
}
