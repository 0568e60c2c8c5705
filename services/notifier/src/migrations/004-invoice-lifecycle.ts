import type { Knex, Migration } from '@invoice-signal/runtime';

/**
 * What the CSM sees of an invoice's life after it was notified: the remaining balance, the last
 * payment failure and a timeline on each notification; the stored status keeps the amounts,
 * failure and dispute outcome its changes are computed from.
 */
export const invoiceLifecycle: Migration = {
  name: '004-invoice-lifecycle',
  async up(db: Knex) {
    await db.schema.alterTable('notifications', (t) => {
      t.bigInteger('amount_remaining_minor');
      t.text('failure_reason');
    });
    // The account-owners migration may have added it already.
    await db.raw("alter table notifications add column if not exists timeline jsonb not null default '[]'::jsonb");
    await db.schema.alterTable('invoice_status', (t) => {
      t.text('currency');
      t.bigInteger('amount_due_minor');
      t.bigInteger('amount_remaining_minor');
      t.bigInteger('amount_credited_minor');
      t.bigInteger('amount_refunded_minor');
      t.text('failure_reason');
      t.text('dispute_status');
    });
  },
};
