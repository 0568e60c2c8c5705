import type { Knex } from '@invoice-signal/runtime';

/**
 * "Earlier" in an account's history breaks ties of equal times by invoice id in byte order
 * (`collate "C"`), the order the batch handler also applies in memory to invoices of the same
 * batch, whatever the database's default collation. Indexes in that order let the batch's history
 * lookup stop at the first row instead of sorting the rows of equal time.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw('create index invoice_history_account_order on invoice_history (account_id, issued_at, invoice_id collate "C")');
  await db.raw('create index invoice_history_subscription_order on invoice_history (account_id, subscription_id, issued_at, invoice_id collate "C")');
  await db.raw('drop index invoice_history_account_time');
  await db.raw('drop index invoice_history_subscription_time');
}
