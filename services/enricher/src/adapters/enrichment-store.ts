import type { EnrichedInvoice, InvoiceEvent } from '@invoice-signal/events';
import { pgArray, type Knex } from '@invoice-signal/runtime';
import type { MatchKey, VendorRef } from '../domain/account-resolution.ts';

export interface WaitingInvoice {
  eventId: string;
  revision: number;
  invoice: InvoiceEvent;
}

/** An enrichment to record, and what it waits for while unmatched. */
export interface NewEnrichment {
  enriched: EnrichedInvoice;
  waitFor: MatchKey;
}

/** What an unmatched enrichment waits for, as (wait_account_id, wait_source, wait_vendor_customer_id). */
function waitColumns({ enriched, waitFor }: NewEnrichment): [string | null, string | null, string | null] {
  if (enriched.matched) return [null, null, null];
  if (waitFor.kind === 'account') return [waitFor.accountId, null, null];
  if (waitFor.kind === 'vendor') return [null, waitFor.ref.source, waitFor.ref.vendorCustomerId];
  return [null, null, null];
}

/** One row per issued-invoice event: the dedupe record, and the waiting list of unmatched invoices. */
export function enrichmentStore(db: Knex) {
  return {
    /**
     * Records a batch's enrichments in one insert (eventIds unique within the call, in sorted
     * order so concurrent batches meet on rows in the same order). Returns the eventIds that were
     * new: an event enriched before keeps its row, and its caller must not publish it again.
     */
    async recordMany(items: NewEnrichment[]): Promise<Set<string>> {
      if (items.length === 0) return new Set();
      const rows = [...items].sort((a, b) => (a.enriched.invoice.eventId < b.enriched.invoice.eventId ? -1 : 1));
      const col = <T>(f: (i: NewEnrichment) => T) => rows.map(f);
      const waits = rows.map(waitColumns);
      const { rows: inserted } = await db.raw(
        `insert into invoice_enrichments (event_id, invoice_id, account_id, matched, revision, enrichment_id, invoice, enriched_at, wait_account_id, wait_source, wait_vendor_customer_id)
         select * from unnest(?::text[], ?::text[], ?::text[], ?::boolean[], ?::int[], ?::text[], ?::jsonb[], ?::bigint[], ?::text[], ?::text[], ?::text[])
         order by 1
         on conflict (event_id) do nothing
         returning event_id`,
        [
          col((i) => i.enriched.invoice.eventId), col((i) => i.enriched.invoice.invoiceId), col((i) => i.enriched.accountId), col((i) => i.enriched.matched),
          col((i) => i.enriched.revision), col((i) => i.enriched.enrichmentId), col((i) => JSON.stringify(i.enriched.invoice)), col((i) => i.enriched.enrichedAt),
          pgArray(waits.map((w) => w[0])), pgArray(waits.map((w) => w[1])), pgArray(waits.map((w) => w[2])),
        ],
      );
      return new Set((inserted as Array<{ event_id: string }>).map((r) => r.event_id));
    },

    /** Unmatched invoices that a snapshot of `accountId` declaring `refs` now matches. */
    async waitingFor(accountId: string, refs: VendorRef[]): Promise<WaitingInvoice[]> {
      const rows = await db('invoice_enrichments')
        .where('matched', false)
        .where((q) => {
          q.where('wait_account_id', accountId);
          for (const r of refs) q.orWhere((w) => w.where({ wait_source: r.source, wait_vendor_customer_id: r.vendorCustomerId }));
        })
        .orderBy('enriched_at')
        .select('event_id', 'revision', 'invoice');
      return rows.map((r) => ({ eventId: r.event_id, revision: r.revision, invoice: r.invoice as InvoiceEvent }));
    },

    /** The waiting rows of these (now matched) enrichments, in one statement. */
    async markMatchedMany(enriched: EnrichedInvoice[]): Promise<void> {
      if (enriched.length === 0) return;
      await db.raw(
        `update invoice_enrichments e set account_id = v.account_id, matched = true, revision = v.revision, enrichment_id = v.enrichment_id,
                enriched_at = v.enriched_at, wait_account_id = null, wait_source = null, wait_vendor_customer_id = null
           from unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::bigint[]) as v(event_id, account_id, revision, enrichment_id, enriched_at)
          where e.event_id = v.event_id`,
        [enriched.map((e) => e.invoice.eventId), enriched.map((e) => e.accountId), enriched.map((e) => e.revision), enriched.map((e) => e.enrichmentId), enriched.map((e) => e.enrichedAt)],
      );
    },
  };
}
