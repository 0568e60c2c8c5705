import type { Migration } from '@invoice-signal/runtime';

/** Epoch millis are stored as bigint: the wire format's unit, no time-zone conversions. */
export const enricherState: Migration = {
  name: '001-enricher-state',
  async up(db) {
    await db.schema.createTable('account_context', (t) => {
      t.text('account_id').primary();
      t.bigInteger('snapshot_at').notNullable();
      t.jsonb('context').notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.schema.createTable('vendor_refs', (t) => {
      t.text('source').notNullable();
      t.text('vendor_customer_id').notNullable();
      t.text('account_id').notNullable().index();
      t.primary(['source', 'vendor_customer_id']);
    });
    await db.schema.createTable('payment_history', (t) => {
      t.text('invoice_id').primary();
      t.text('account_id').index();
      t.text('source').notNullable();
      t.text('vendor_customer_id');
      t.text('status').notNullable();
      t.bigInteger('issued_at');
      t.bigInteger('due_at');
      t.bigInteger('paid_at');
      t.boolean('ever_failed').notNullable().defaultTo(false);
      t.bigInteger('last_failed_at');
      t.bigInteger('changed_at').notNullable();
      t.bigInteger('version').notNullable();
      t.index(['source', 'vendor_customer_id']);
    });
    await db.schema.createTable('invoice_enrichments', (t) => {
      t.text('event_id').primary();
      t.text('invoice_id').notNullable().index();
      t.text('account_id').notNullable();
      t.boolean('matched').notNullable();
      t.integer('revision').notNullable();
      t.text('enrichment_id').notNullable();
      // What an unmatched invoice waits for: its account id, or its vendor reference.
      t.text('wait_account_id');
      t.text('wait_source');
      t.text('wait_vendor_customer_id');
      t.jsonb('invoice').notNullable();
      t.bigInteger('enriched_at').notNullable();
    });
    await db.raw('create index invoice_enrichments_waiting_account on invoice_enrichments (wait_account_id) where not matched');
    await db.raw('create index invoice_enrichments_waiting_ref on invoice_enrichments (wait_source, wait_vendor_customer_id) where not matched');
  },
  async down(db) {
    for (const t of ['invoice_enrichments', 'payment_history', 'vendor_refs', 'account_context']) await db.schema.dropTableIfExists(t);
  },
};
