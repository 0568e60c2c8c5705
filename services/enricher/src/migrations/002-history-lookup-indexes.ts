import type { Migration } from '@invoice-signal/runtime';

/** The date an invoice belongs to a payment-history window by (see domain/payment-history.ts `invoiceDate`). */
const INVOICE_DATE = 'coalesce(issued_at, due_at, changed_at)';

/**
 * Indexes for the payment-history lookup (adapters/payment-store.ts `historyQuery`): both of its
 * branches find an account's or a billing identity's invoices and the window start in one index
 * range, so its cost follows the rows it returns, not the size of the table. They replace the
 * single-column indexes of 001, which they cover (fewer indexes to maintain per status upsert).
 */
export const historyLookupIndexes: Migration = {
  name: '002-history-lookup-indexes',
  async up(db) {
    await db.raw(`create index payment_history_account_dated on payment_history (account_id, (${INVOICE_DATE}))`);
    await db.raw(`create index payment_history_ref_dated on payment_history (source, vendor_customer_id, (${INVOICE_DATE}))`);
    await db.raw('drop index if exists payment_history_account_id_index');
    await db.raw('drop index if exists payment_history_source_vendor_customer_id_index');
    // An account's references read from the index alone (the join to payment_history needs both columns).
    await db.raw('create index vendor_refs_account_refs on vendor_refs (account_id, source, vendor_customer_id)');
    await db.raw('drop index if exists vendor_refs_account_id_index');
  },
  async down(db) {
    await db.raw('create index if not exists vendor_refs_account_id_index on vendor_refs (account_id)');
    await db.raw('drop index if exists vendor_refs_account_refs');
    await db.raw('create index if not exists payment_history_account_id_index on payment_history (account_id)');
    await db.raw('create index if not exists payment_history_source_vendor_customer_id_index on payment_history (source, vendor_customer_id)');
    await db.raw('drop index if exists payment_history_account_dated');
    await db.raw('drop index if exists payment_history_ref_dated');
  },
};
