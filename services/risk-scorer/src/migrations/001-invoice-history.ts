import type { Knex } from '@invoice-signal/runtime';

/**
 * One row per invoice (not per enrichment): a re-enrichment of the same invoice updates its row
 * instead of adding a second invoice to the account's history. Times are epoch millis (UTC).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('invoice_history', (t) => {
    t.text('invoice_id').primary();
    t.text('account_id').notNullable();
    t.text('subscription_id');
    t.string('currency', 3).notNullable();
    t.bigInteger('total_minor').notNullable();
    t.bigInteger('issued_at').notNullable().comment('invoice issuedAt, else occurredAt; epoch ms');
    t.integer('revision').notNullable();
    t.text('enrichment_id').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.index(['account_id', 'issued_at', 'invoice_id'], 'invoice_history_account_time');
    t.index(['account_id', 'subscription_id', 'issued_at', 'invoice_id'], 'invoice_history_subscription_time');
  });
}
