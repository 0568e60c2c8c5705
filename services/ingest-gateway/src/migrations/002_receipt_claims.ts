import type { Migration } from '@invoice-signal/runtime';

/**
 * Group commit: a receipt being published is claimed until `claimed_until` instead of being held
 * under a row lock while the broker answers. Another instance with a copy of the delivery waits
 * for the claim (published → duplicate) or, once it has expired (its owner died), claims it itself.
 */
export const receiptClaims: Migration = {
  name: '002_receipt_claims',
  async up(db) {
    await db.schema.alterTable('receipts', (t) => {
      t.timestamp('claimed_until', { useTz: true });
    });
  },
  async down(db) {
    await db.schema.alterTable('receipts', (t) => {
      t.dropColumn('claimed_until');
    });
  },
};
