import type { Knex, Migration } from '@invoice-signal/runtime';

/**
 * What the outcome metrics are computed from: every acknowledgment action (the notification keeps
 * the current one), the invoice's vendor and gateway times on its notifications, and the payment
 * dates on the stored status (kept for every invoice, notified or not: backfilled history is the
 * on-time baseline).
 */
export const outcomes: Migration = {
  name: '005-outcomes',
  async up(db: Knex) {
    await db.raw(`create table acknowledgment_actions (
      id bigserial primary key, notification_id text not null, invoice_id text not null, action_taken text, note text,
      by_csm_id text not null, holder_csm_id text not null, at bigint not null)`);
    await db.raw('create index acknowledgment_actions_invoice on acknowledgment_actions (invoice_id, at)');
    await db.raw('create index acknowledgment_actions_notification on acknowledgment_actions (notification_id, at)');
    await db.schema.alterTable('notifications', (t) => {
      t.text('action_note');
      t.bigInteger('action_at');
      t.bigInteger('issued_at');
      t.bigInteger('received_at');
      t.text('source');
    });
    // Acknowledgments recorded before the closed set become other with their text as the note, as
    // the API now records the old free-text form.
    await db.raw(`update notifications set action_note = action_taken, action_taken = 'other'
      where action_taken is not null and action_taken not in ('contacted_customer', 'scheduled_call', 'sent_value_summary', 'confirmed_payment_date', 'no_action_needed', 'other')`);
    await db.raw('update notifications set action_at = acknowledged_at where acknowledged_at is not null');
    await db.raw(`insert into acknowledgment_actions (notification_id, invoice_id, action_taken, note, by_csm_id, holder_csm_id, at)
      select id, invoice_id, action_taken, action_note, coalesce(acknowledged_by, csm_id), csm_id, acknowledged_at from notifications where acknowledged_at is not null`);
    await db.raw('create index notifications_outcomes on notifications (notified_at) where kind = \'invoice_issued\'');
    await db.schema.alterTable('invoice_status', (t) => {
      t.text('source');
      t.bigInteger('issued_at');
      t.bigInteger('paid_at');
      t.bigInteger('overdue_since');
      t.bigInteger('last_event_at');
    });
    await db.raw('create index invoice_status_account on invoice_status (account_id)');
  },
};
