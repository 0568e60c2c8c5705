import type { Knex, Migration } from '@invoice-signal/runtime';

/** status_outbox takes the runtime outbox's shape (the invoice id is the record's key); waiting rows stay. */
export const runtimeOutbox: Migration = {
  name: '002-runtime-outbox',
  async up(db: Knex) {
    await db.schema.alterTable('status_outbox', (t) => t.renameColumn('invoice_id', 'key'));
  },
  async down(db: Knex) {
    await db.schema.alterTable('status_outbox', (t) => t.renameColumn('key', 'invoice_id'));
  },
};
