import type { Migration } from '@invoice-signal/runtime';
import { receiptClaims } from './002_receipt_claims.ts';
import { vendorSync } from './003_vendor_sync.ts';
import { receiptPayloadRetention } from './004_receipt_payload_retention.ts';

/** Ordered; names are recorded in knex_migrations, so never rename one that has shipped. */
export const migrations: Migration[] = [
  {
    name: '001_receipts',
    async up(db) {
      // One row per accepted delivery (or upload row): the audit log and the source of replays.
      await db.schema.createTable('receipts', (t) => {
        t.bigIncrements('id');
        t.text('source').notNullable();
        t.text('vendor_event_id').notNullable();
        t.text('vendor_type').notNullable();
        t.text('dedupe_key').notNullable().unique();
        t.text('content_type');
        t.text('raw_payload').notNullable();
        // The canonical event decided at first acceptance; null when the type is one we ignore.
        t.jsonb('event');
        t.text('invoice_id');
        t.text('event_type');
        t.bigInteger('occurred_at');
        t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
        t.timestamp('published_at', { useTz: true });
        t.integer('publish_attempts').notNullable().defaultTo(0);
        t.index(['invoice_id', 'occurred_at']);
        t.index(['received_at']);
      });
      // Stripe disputes name a payment intent or charge, not the invoice: remember which invoice each pays.
      await db.schema.createTable('payment_refs', (t) => {
        t.text('ref').primary();
        t.text('invoice_id').notNullable();
      });
    },
    async down(db) {
      await db.schema.dropTable('payment_refs');
      await db.schema.dropTable('receipts');
    },
  },
  receiptClaims,
  vendorSync,
  receiptPayloadRetention,
];
