import { isCalendarDate, isTimeZone, type EnrichedInvoice } from '@invoice-signal/events';
import type { BatchContext, IncomingRecord } from '@invoice-signal/runtime';
import { dueZoneEntry, type DueZoneEntry } from '../domain/ledger.ts';
import { applyEntries, type FoldOptions } from '../adapters/ledger-store.ts';

/** The consumer group of billing.invoice.enriched.v1, tied to the events group. */
export const dueZonesGroup = (eventsGroup: string) => `${eventsGroup}.due-zones`;

/** The zone the enricher read an invoice's date-only due date in, when it had one. Anything else says nothing about due dates. */
export function dueZoneOf(enriched: EnrichedInvoice | null): DueZoneEntry | null {
  const invoice = enriched?.invoice;
  if (!enriched || !invoice?.dueDate || !invoice.dueTimeZone || !isCalendarDate(invoice.dueDate) || !isTimeZone(invoice.dueTimeZone)) return null;
  return dueZoneEntry(invoice.invoiceId, enriched.enrichmentId, enriched.revision, invoice.dueTimeZone, invoice.occurredAt);
}

/**
 * billing.invoice.enriched.v1 → the account's billing zone per invoice. Only the enricher knows
 * an invoice's account, and so its billingTimeZone; the tracker keeps the zone in the invoice's
 * ledger and refolds, so its dueAt (and overdue clock) is the end of the due day in that zone,
 * for every event carrying the date-only due date, in any arrival order and on a rebuild.
 */
export function handleDueZones(deps: FoldOptions) {
  return async (records: IncomingRecord<EnrichedInvoice>[], ctx: BatchContext): Promise<void> => {
    const entries = records.flatMap((r) => dueZoneOf(r.value) ?? []);
    if (entries.length > 0) await applyEntries(ctx.trx, entries, deps);
  };
}
