import type { BillingSource, CustomerContext } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import { vendorRefsOf, type VendorRef } from '../domain/account-resolution.ts';

/** The latest context snapshot per account and the vendor references it declares. */
export function contextStore(db: Knex) {
  return {
    async get(accountId: string): Promise<CustomerContext | null> {
      const row = await db('account_context').where({ account_id: accountId }).first('context');
      return (row?.context as CustomerContext | undefined) ?? null;
    },

    async snapshotAt(accountId: string): Promise<number | null> {
      const row = await db('account_context').where({ account_id: accountId }).first('snapshot_at');
      return row ? Number(row.snapshot_at) : null;
    },

    async accountFor(source: BillingSource, vendorCustomerId: string): Promise<string | null> {
      const row = await db('vendor_refs').where({ source, vendor_customer_id: vendorCustomerId }).first('account_id');
      return row?.account_id ?? null;
    },

    /**
     * Replaces the account's snapshot and its vendor references. A reference another account
     * held moves to this one: the newest snapshot that names a billing identity owns it.
     */
    async save(context: CustomerContext): Promise<VendorRef[]> {
      await db('account_context')
        .insert({ account_id: context.accountId, snapshot_at: context.snapshotAt, context: JSON.stringify(context), updated_at: db.fn.now() })
        .onConflict('account_id').merge();
      await db('vendor_refs').where({ account_id: context.accountId }).delete();
      const refs = vendorRefsOf(context);
      if (refs.length) {
        await db('vendor_refs')
          .insert(refs.map((r) => ({ source: r.source, vendor_customer_id: r.vendorCustomerId, account_id: context.accountId })))
          .onConflict(['source', 'vendor_customer_id']).merge(['account_id']);
      }
      return refs;
    },

    /** A tombstone on the compacted topic: the account is gone. */
    async remove(accountId: string): Promise<void> {
      await db('vendor_refs').where({ account_id: accountId }).delete();
      await db('account_context').where({ account_id: accountId }).delete();
    },
  };
}
