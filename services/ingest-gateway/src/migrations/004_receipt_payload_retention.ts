import type { Migration } from '@invoice-signal/runtime';

/**
 * Raw vendor payloads hold customer PII, so they are pruned after a retention period. The rest of
 * the receipt stays: its dedupe key (a copy arriving later is still a duplicate), the canonical
 * event (what replay republishes, what the mapping of later events reads) and the invoice columns.
 * The partial index holds only receipts whose payload is still there, so the pruning scan never
 * walks the ever-growing pruned history.
 */
export const receiptPayloadRetention: Migration = {
  name: '004_receipt_payload_retention',
  async up(db) {
    // Both are catalogue changes only: no table rewrite, however many receipts there are.
    await db.raw('alter table receipts alter column raw_payload drop not null');
    await db.schema.alterTable('receipts', (t) => {
      t.timestamp('payload_pruned_at', { useTz: true });
    });
    await db.raw('create index receipts_payload_kept_received_at on receipts (received_at) where payload_pruned_at is null');
  },
  // raw_payload stays nullable: a pruned receipt has none to give back.
  async down(db) {
    await db.raw('drop index receipts_payload_kept_received_at');
    await db.schema.alterTable('receipts', (t) => {
      t.dropColumn('payload_pruned_at');
    });
  },
};
