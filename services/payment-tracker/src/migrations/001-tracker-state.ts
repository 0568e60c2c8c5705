import type { Knex, Migration } from '@invoice-signal/runtime';

/** The ledger (every event, deduped by id), the folded state, its history, the outbox and the overdue schedule. */
export const trackerState: Migration = {
  name: '001-tracker-state',
  async up(db: Knex) {
    await db.schema.createTable('invoice_events', (t) => {
      t.text('event_id').primary();
      t.text('invoice_id').notNullable().index();
      t.text('kind').notNullable(); // vendor | overdue (the tracker's own marker)
      t.text('type').notNullable();
      t.bigInteger('occurred_at').notNullable();
      t.jsonb('payload').notNullable();
      t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.schema.createTable('invoice_state', (t) => {
      t.text('invoice_id').primary();
      t.text('status').notNullable();
      t.text('previous_status');
      t.text('currency').notNullable();
      t.bigInteger('amount_due_minor').notNullable();
      t.bigInteger('amount_paid_minor').notNullable();
      t.bigInteger('amount_remaining_minor').notNullable();
      t.bigInteger('amount_refunded_minor').notNullable();
      t.bigInteger('due_at');
      t.text('account_id').index();
      t.text('vendor_customer_id').index();
      t.integer('attempt_count').notNullable();
      t.boolean('disputed').notNullable();
      t.bigInteger('last_event_at').notNullable();
      t.bigInteger('version').notNullable();
      t.bigInteger('changed_at').notNullable();
      t.jsonb('view').notNullable(); // the whole folded view, compared to decide whether anything changed
    });
    await db.schema.createTable('status_transitions', (t) => {
      t.text('invoice_id').notNullable();
      t.text('event_id').notNullable();
      t.text('event_type').notNullable();
      t.text('from_status');
      t.text('to_status').notNullable();
      t.bigInteger('occurred_at').notNullable();
      t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      t.primary(['invoice_id', 'event_id']);
    });
    await db.schema.createTable('status_outbox', (t) => {
      t.bigIncrements('id');
      t.text('invoice_id').notNullable();
      t.bigInteger('version').notNullable();
      t.jsonb('payload'); // null = tombstone
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.schema.createTable('overdue_schedule', (t) => {
      t.text('invoice_id').primary();
      t.bigInteger('due_at').notNullable();
      t.bigInteger('fire_at').notNullable().index();
    });
  },
  async down(db: Knex) {
    for (const table of ['overdue_schedule', 'status_outbox', 'status_transitions', 'invoice_state', 'invoice_events']) await db.schema.dropTableIfExists(table);
  },
};
