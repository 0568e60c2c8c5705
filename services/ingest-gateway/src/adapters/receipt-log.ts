import type { InvoiceEvent } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import { dedupeKey, type Delivery } from '../domain/delivery.ts';

export interface Receipt {
  id: number;
  dedupeKey: string;
  event: InvoiceEvent | null;
  publishedAt: Date | null;
  /** When its raw vendor payload was pruned (retention); the canonical event is kept. */
  payloadPrunedAt: Date | null;
}

interface Row {
  id: number;
  dedupe_key: string;
  event: InvoiceEvent | null;
  published_at: Date | null;
  payload_pruned_at: Date | null;
}

const toReceipt = (r: Row): Receipt => ({ id: r.id, dedupeKey: r.dedupe_key, event: r.event, publishedAt: r.published_at, payloadPrunedAt: r.payload_pruned_at });

/** A receipt this instance holds the claim of: it publishes `event`, then marks it published. */
export interface Claimed {
  id: number;
  dedupeKey: string;
  event: InvoiceEvent;
}

/** A stored receipt as a later copy of its delivery sees it. */
export interface ReceiptState {
  dedupeKey: string;
  hasEvent: boolean;
  published: boolean;
  /** Unpublished and not claimed, or its claim expired (its owner died or gave up). */
  claimable: boolean;
}

export interface NewReceipt {
  delivery: Delivery;
  raw: string;
  contentType: string | null;
}

/** The receipt's columns, as one element of the json_to_recordset parameter. */
const receiptRow = ({ delivery: d, raw, contentType }: NewReceipt) => ({
  source: d.source, vendor_event_id: d.vendorEventId, vendor_type: d.vendorType, dedupe_key: dedupeKey(d.source, d.vendorEventId),
  content_type: contentType, raw_payload: raw, event: d.event, invoice_id: d.event?.invoiceId ?? null, event_type: d.event?.type ?? null, occurred_at: d.event?.occurredAt ?? null,
});

/**
 * One statement for a whole group: every new receipt, already claimed for `claimMs` by this
 * instance when it has an event to publish (a receipt with none is done: published_at set).
 * Known dedupe keys are left alone (`DO NOTHING`): the stored event, decided at first acceptance,
 * is the one published, so retries publish the same bytes. Rows go in key order, so two instances
 * inserting overlapping copies wait on each other's keys in the same order and never deadlock.
 */
const insertClaimedSql = `
insert into receipts (source, vendor_event_id, vendor_type, dedupe_key, content_type, raw_payload, event, invoice_id, event_type, occurred_at, published_at, claimed_until, publish_attempts)
select r.source, r.vendor_event_id, r.vendor_type, r.dedupe_key, r.content_type, r.raw_payload, r.event, r.invoice_id, r.event_type, r.occurred_at,
       case when r.event is null then now() end,
       case when r.event is not null then now() + ?::int * interval '1 millisecond' end,
       case when r.event is not null then 1 else 0 end
from json_to_recordset(?::json) as r(source text, vendor_event_id text, vendor_type text, dedupe_key text, content_type text, raw_payload text,
                                     event jsonb, invoice_id text, event_type text, occurred_at bigint)
order by r.dedupe_key
on conflict (dedupe_key) do nothing
returning id, dedupe_key`;

/**
 * Claims the stored, unpublished receipts of these keys that nobody else holds (or whose claim
 * expired), rows locked in id order so overlapping claims never deadlock. A concurrent claimer's
 * row is re-checked after its lock is released, so exactly one of them gets it.
 */
const claimSql = `
update receipts r set claimed_until = now() + ?::int * interval '1 millisecond', publish_attempts = r.publish_attempts + 1
from (select id from receipts
      where dedupe_key = any(?::text[]) and published_at is null and event is not null and (claimed_until is null or claimed_until < now())
      order by id for update) c
where r.id = c.id
returning r.id, r.dedupe_key, r.event`;

/** The gateway's receipt log: every accepted delivery with its raw payload (until its retention ends), deduplicated by key. */
export function createReceiptLog(db: Knex) {
  return {
    /** Inserts the receipts whose keys are new, claimed by this instance; returns the inserted ones' ids by key. */
    async insertClaimed(receipts: NewReceipt[], claimMs: number): Promise<Map<string, number>> {
      if (!receipts.length) return new Map();
      const { rows } = await db.raw(insertClaimedSql, [claimMs, JSON.stringify(receipts.map(receiptRow))]);
      return new Map((rows as Array<{ id: string | number; dedupe_key: string }>).map((r) => [r.dedupe_key, Number(r.id)]));
    },

    /** Claims the unpublished receipts of these keys that no one else holds. */
    async claim(keys: string[], claimMs: number): Promise<Claimed[]> {
      if (!keys.length) return [];
      const { rows } = await db.raw(claimSql, [claimMs, keys]);
      return (rows as Array<{ id: string | number; dedupe_key: string; event: InvoiceEvent }>).map((r) => ({ id: Number(r.id), dedupeKey: r.dedupe_key, event: r.event }));
    },

    async states(keys: string[]): Promise<ReceiptState[]> {
      if (!keys.length) return [];
      const rows = await db('receipts').whereRaw('dedupe_key = any(?::text[])', [keys]).select(db.raw(
        'dedupe_key, event is not null as has_event, published_at is not null as published, (claimed_until is null or claimed_until < now()) as claimable',
      ));
      return rows.map((r) => ({ dedupeKey: r.dedupe_key as string, hasEvent: Boolean(r.has_event), published: Boolean(r.published), claimable: Boolean(r.claimable) }));
    },

    /** Gives up claims after a failed publish, so a retry on any instance publishes at once. */
    async releaseClaims(ids: number[]): Promise<void> {
      if (ids.length) await db('receipts').whereRaw('id = any(?::bigint[])', [ids]).whereNull('published_at').update({ claimed_until: null });
    },

    /** Stripe payment intent / charge ids → invoice, one upsert for the group (refs unique and sorted). */
    async saveRefs(refs: Array<{ ref: string; invoiceId: string }>): Promise<void> {
      if (refs.length) await db('payment_refs').insert(refs.map((r) => ({ ref: r.ref, invoice_id: r.invoiceId }))).onConflict('ref').merge();
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
        const rows = await db<Row>('receipts').where('received_at', '>=', since).andWhere('id', '>', after).whereNotNull('event').orderBy('id').limit(pageSize).select(['id', 'dedupe_key', 'event', 'published_at', 'payload_pruned_at']);
        if (!rows.length) return;
        yield rows.map((r) => toReceipt(r as Row));
        after = rows[rows.length - 1].id;
      }
    },

    /** One statement for every receipt whose records the broker acknowledged. */
    async markPublished(ids: number[]): Promise<void> {
      if (ids.length) await db('receipts').whereRaw('id = any(?::bigint[])', [ids]).whereNull('published_at').update({ published_at: db.fn.now() });
    },
  };
}

export type ReceiptLog = ReturnType<typeof createReceiptLog>;
