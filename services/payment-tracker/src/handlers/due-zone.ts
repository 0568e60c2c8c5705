import { isCalendarDate, isTimeZone, type EnrichedInvoice } from '@invoice-signal/events';
import type { BatchContext, IncomingRecord } from '@invoice-signal/runtime';
import { dueZoneEntry, type DueZoneEntry } from '../domain/ledger.ts';
import { applyLocked, invoicesWithZone, lockInvoices, type FoldOptions } from '../adapters/ledger-store.ts';

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
 *
 * An account without a zone of its own leaves the due date where the gateway read it: such an
 * enrichment changes nothing and is not recorded, unless the invoice was placed in a zone before
 * (stored, or earlier in the batch): then it takes that zone away and is recorded and refolded.
 */
export function handleDueZones(deps: FoldOptions) {
  return async (records: IncomingRecord<EnrichedInvoice>[], ctx: BatchContext): Promise<void> => {
    const found = records.flatMap((r) => {
      const entry = dueZoneOf(r.value);
      return entry ? [{ entry, own: Boolean(r.value!.context?.billingTimeZone) }] : [];
    });
    if (found.length === 0) return;
    await lockInvoices(ctx.trx, found.map((f) => f.entry.invoiceId));
    const zoned = await invoicesWithZone(ctx.trx, found.filter((f) => !f.own).map((f) => f.entry.invoiceId));
    for (const f of found) if (f.own) zoned.add(f.entry.invoiceId);
    await applyLocked(ctx.trx, found.filter((f) => zoned.has(f.entry.invoiceId)).map((f) => f.entry), deps);
  };
}
