import type { Migration } from '@invoice-signal/runtime';

/**
 * Per vendor source: where the recovery of missed events has read up to, and whether the history
 * of the last months was imported on first connection. Durable, so a restart neither skips nor
 * repeats either.
 */
export const vendorSync: Migration = {
  name: '003_vendor_sync',
  async up(db) {
    await db.schema.createTable('vendor_sync', (t) => {
      t.text('source').primary();
      // Epoch ms: the vendor's events created before this have been read back.
      t.bigInteger('events_cursor').notNullable();
      t.timestamp('connected_at', { useTz: true }).notNullable();
      // Set once the backfill (invoices created in [backfill_from, connected_at]) has been emitted.
      t.bigInteger('backfill_from');
      t.timestamp('backfill_done_at', { useTz: true });
      t.integer('backfill_invoices');
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
  },
  async down(db) {
    await db.schema.dropTable('vendor_sync');
  },
};
