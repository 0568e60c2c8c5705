import type { InvoiceEvent } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import { dedupeKey, type Delivery } from '../domain/delivery.ts';

export interface Receipt {
  id: number;
  dedupeKey: string;
  event: InvoiceEvent | null;
  publishedAt: Date | null;
}

interface Row {
  id: number;
  dedupe_key: string;
  event: InvoiceEvent | null;
  published_at: Date | null;
}

const toReceipt = (r: Row): Receipt => ({ id: r.id, dedupeKey: r.dedupe_key, event: r.event, publishedAt: r.published_at });

/** The gateway's receipt log: every accepted delivery with its raw payload, deduplicated by key. */
export function createReceiptLog(db: Knex) {
  return {
    /**
     * Records the delivery unless its dedupe key is known; either way returns the stored receipt,
     * whose event (decided at first acceptance) is the one to publish, so retries publish the same bytes.
     */
    async record(delivery: Delivery, raw: string, contentType: string | null): Promise<Receipt> {
      const key = dedupeKey(delivery.source, delivery.vendorEventId);
      const [inserted] = await db<Row>('receipts')
        .insert({
          source: delivery.source, vendor_event_id: delivery.vendorEventId, vendor_type: delivery.vendorType, dedupe_key: key,
          content_type: contentType, raw_payload: raw, event: delivery.event ? JSON.stringify(delivery.event) : null,
          invoice_id: delivery.event?.invoiceId ?? null, event_type: delivery.event?.type ?? null, occurred_at: delivery.event?.occurredAt ?? null,
        } as never)
        .onConflict('dedupe_key').ignore()
        .returning(['id', 'dedupe_key', 'event', 'published_at']);
      if (delivery.paymentRefs?.length && delivery.event) {
        await db('payment_refs').insert(delivery.paymentRefs.map((ref) => ({ ref, invoice_id: delivery.event!.invoiceId }))).onConflict('ref').merge();
      }
      if (inserted) return toReceipt(inserted as Row);
      return toReceipt(await db<Row>('receipts').where({ dedupe_key: key }).first(['id', 'dedupe_key', 'event', 'published_at']) as Row);
    },

    /**
     * Runs `publish` for the receipt while holding its row lock, then marks it published, so two
     * concurrent copies of one delivery publish once. Returns false when it was already published.
     */
    async publishOnce(id: number, publish: (event: InvoiceEvent | null) => Promise<void>): Promise<boolean> {
      return db.transaction(async (trx) => {
        const row = await trx<Row>('receipts').where({ id }).forUpdate().first(['id', 'event', 'published_at']);
        if (!row || row.published_at) return false;
        await trx('receipts').where({ id }).increment('publish_attempts', 1);
        await publish(row.event);
        await trx('receipts').where({ id }).update({ published_at: trx.fn.now() });
        return true;
      });
    },

    /** The invoice's most recent event by vendor time, and whether it was ever issued. */
    async history(invoiceId: string): Promise<{ last: InvoiceEvent | null; issued: boolean }> {
      const last = (await db('receipts').where({ invoice_id: invoiceId }).whereNotNull('event').orderBy([{ column: 'occurred_at', order: 'desc' }, { column: 'id', order: 'desc' }]).first(['event'])) as { event: InvoiceEvent } | undefined;
      const issued = await db('receipts').where({ invoice_id: invoiceId, event_type: 'issued' }).first(['id']);
      return { last: last?.event ?? null, issued: Boolean(issued) };
    },

    async invoiceForPaymentRef(refs: string[]): Promise<string | null> {
      if (!refs.length) return null;
      const row = await db('payment_refs').whereIn('ref', refs).first(['invoice_id']);
      return (row?.invoice_id as string | undefined) ?? null;
    },

    /** Which of these canonical invoice ids have any receipt (reconciliation skips them). */
    async knownInvoices(invoiceIds: string[]): Promise<Set<string>> {
      if (!invoiceIds.length) return new Set();
      const rows = await db('receipts').whereIn('invoice_id', invoiceIds).distinct('invoice_id');
      return new Set(rows.map((r) => r.invoice_id as string));
    },

    /** Receipts received since `since`, oldest first, in pages (for replay). */
    async *since(since: Date, pageSize = 500): AsyncGenerator<Receipt[]> {
      let after = 0;
      for (;;) {
        const rows = await db<Row>('receipts').where('received_at', '>=', since).andWhere('id', '>', after).whereNotNull('event').orderBy('id').limit(pageSize).select(['id', 'dedupe_key', 'event', 'published_at']);
        if (!rows.length) return;
        yield rows.map((r) => toReceipt(r as Row));
        after = rows[rows.length - 1].id;
      }
    },

    async markPublished(ids: number[]): Promise<void> {
      if (ids.length) await db('receipts').whereIn('id', ids).whereNull('published_at').update({ published_at: db.fn.now() });
    },
  };
}

export type ReceiptLog = ReturnType<typeof createReceiptLog>;
