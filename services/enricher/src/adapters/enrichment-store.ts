import type { EnrichedInvoice, InvoiceEvent } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import type { MatchKey, VendorRef } from '../domain/account-resolution.ts';

export interface WaitingInvoice {
  eventId: string;
  revision: number;
  invoice: InvoiceEvent;
}

/** One row per issued-invoice event: the dedupe record, and the waiting list of unmatched invoices. */
export function enrichmentStore(db: Knex) {
  return {
    /** False when this event was enriched before (the row exists): the caller must not publish again. */
    async record(e: EnrichedInvoice, waitFor: MatchKey): Promise<boolean> {
      const inserted = await db('invoice_enrichments')
        .insert({
          event_id: e.invoice.eventId, invoice_id: e.invoice.invoiceId, account_id: e.accountId, matched: e.matched, revision: e.revision,
          enrichment_id: e.enrichmentId, invoice: JSON.stringify(e.invoice), enriched_at: e.enrichedAt,
          wait_account_id: !e.matched && waitFor.kind === 'account' ? waitFor.accountId : null,
          wait_source: !e.matched && waitFor.kind === 'vendor' ? waitFor.ref.source : null,
          wait_vendor_customer_id: !e.matched && waitFor.kind === 'vendor' ? waitFor.ref.vendorCustomerId : null,
        })
        .onConflict('event_id').ignore()
        .returning('event_id');
      return inserted.length === 1;
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

    async markMatched(e: EnrichedInvoice): Promise<void> {
      await db('invoice_enrichments').where({ event_id: e.invoice.eventId }).update({
        account_id: e.accountId, matched: true, revision: e.revision, enrichment_id: e.enrichmentId, enriched_at: e.enrichedAt,
        wait_account_id: null, wait_source: null, wait_vendor_customer_id: null,
      });
    },
  };
}
