import type { Knex, Migration } from '@invoice-signal/runtime';

/** Times are epoch millis (bigint); money is bigint minor units. */
export const initial: Migration = {
  name: '001-initial',
  async up(db: Knex) {
    await db.schema.createTable('notifications', (t) => {
      t.text('id').primary();
      t.text('kind').notNullable();
      t.text('invoice_id').notNullable();
      t.text('customer_id').notNullable();
      t.text('customer_name');
      t.text('csm_id').notNullable();
      t.bigInteger('amount_minor').notNullable();
      t.text('currency').notNullable();
      t.bigInteger('due_at');
      t.text('status').notNullable();
      t.text('risk_level').notNullable();
      t.integer('risk_rank').notNullable();
      t.jsonb('risk_flags').notNullable();
      t.jsonb('recommended_actions').notNullable();
      t.jsonb('customer_context').notNullable();
      t.jsonb('details').notNullable();
      t.jsonb('channels').notNullable();
      t.bigInteger('notified_at').notNullable();
      t.bigInteger('acknowledged_at');
      t.text('acknowledged_by');
      t.text('action_taken');
      t.integer('revision').notNullable();
      t.text('assessment_id').notNullable();
      t.integer('version').notNullable().defaultTo(1);
      t.integer('published_version').notNullable().defaultTo(0);
      t.bigInteger('updated_at').notNullable();
      t.unique(['invoice_id', 'kind']);
      t.index(['customer_id']);
    });
    await db.raw('create index notifications_pending on notifications (csm_id, due_at) where acknowledged_at is null');
    await db.raw('create index notifications_unpublished on notifications (updated_at) where published_version < version');
    await db.schema.createTable('invoice_status', (t) => {
      t.text('invoice_id').primary();
      t.text('status').notNullable();
      t.bigInteger('version').notNullable();
      t.text('account_id');
      t.bigInteger('due_at');
      t.bigInteger('changed_at').notNullable();
    });
    await db.schema.createTable('csm_directory', (t) => {
      t.text('csm_id').primary();
      t.text('email');
      t.text('slack_user_id');
      t.text('time_zone');
      t.bigInteger('updated_at').notNullable();
    });
    await db.schema.createTable('preferences', (t) => {
      t.text('csm_id').primary();
      t.jsonb('prefs').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await db.schema.createTable('digests', (t) => {
      t.bigIncrements('id');
      t.text('csm_id').notNullable();
      t.text('period_key').notNullable();
      t.text('state').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.bigInteger('next_attempt_at').notNullable();
      t.bigInteger('lease_until');
      t.text('last_error');
      t.bigInteger('sent_at');
      t.text('message_id');
      t.bigInteger('created_at').notNullable();
      t.unique(['csm_id', 'period_key']);
    });
    await db.schema.createTable('deliveries', (t) => {
      t.bigIncrements('id');
      t.text('notification_id').notNullable().references('notifications.id');
      t.text('csm_id').notNullable();
      t.text('customer_id').notNullable();
      t.text('channel').notNullable();
      t.text('state').notNullable();
      t.text('reason');
      t.bigInteger('not_before').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.bigInteger('lease_until');
      t.text('last_error');
      t.bigInteger('sent_at');
      t.text('external_ref');
      t.bigInteger('digest_id').references('digests.id');
      t.bigInteger('created_at').notNullable();
      t.unique(['notification_id', 'channel', 'csm_id']);
    });
    await db.raw("create index deliveries_due on deliveries (channel, not_before) where state = 'pending'");
    await db.raw('create index deliveries_csm on deliveries (csm_id, channel, created_at)');
    await db.schema.createTable('delivery_log', (t) => {
      t.bigIncrements('id');
      t.text('channel').notNullable();
      t.text('csm_id').notNullable();
      t.bigInteger('delivery_id');
      t.bigInteger('digest_id');
      t.integer('attempt').notNullable();
      t.text('outcome').notNullable();
      t.text('detail');
      t.bigInteger('at').notNullable();
      t.index(['csm_id', 'at']);
    });
  },
};
