import type { CustomerContext } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import { vendorRefsOf, type VendorRef } from '../domain/account-resolution.ts';
import { refKey } from './payment-store.ts';

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

    /** The contexts held for these accounts, in one statement. */
    async getMany(accountIds: string[]): Promise<Map<string, CustomerContext>> {
      if (accountIds.length === 0) return new Map();
      const { rows } = await db.raw('select account_id, context from account_context where account_id = any(?::text[])', [accountIds]);
      return new Map((rows as Array<{ account_id: string; context: CustomerContext }>).map((r) => [r.account_id, r.context]));
    },

    /** Which account each of these billing identities belongs to, in one statement (keyed by refKey). */
    async accountsFor(refs: VendorRef[]): Promise<Map<string, string>> {
      if (refs.length === 0) return new Map();
      const { rows } = await db.raw(
        `select vr.source, vr.vendor_customer_id, vr.account_id
           from unnest(?::text[], ?::text[]) as r(source, vendor_customer_id)
           join vendor_refs vr on vr.source = r.source and vr.vendor_customer_id = r.vendor_customer_id`,
        [refs.map((r) => r.source), refs.map((r) => r.vendorCustomerId)],
      );
      return new Map((rows as Array<{ source: string; vendor_customer_id: string; account_id: string }>).map((r) => [refKey(r.source, r.vendor_customer_id), r.account_id]));
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
