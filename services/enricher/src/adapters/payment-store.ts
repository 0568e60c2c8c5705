import type { BillingSource } from '@invoice-signal/events';
import { pgArray, type Knex } from '@invoice-signal/runtime';
import type { PaymentRecord } from '../domain/payment-history.ts';
import type { FailureSeen, StatusRow } from '../domain/payment-status-batch.ts';

interface Row {
  invoice_id: string; status: PaymentRecord['status']; issued_at: number | null; due_at: number | null; paid_at: number | null;
  ever_failed: boolean; last_failed_at: number | null; changed_at: number;
}

const toRecord = (r: Row): PaymentRecord => ({
  invoiceId: r.invoice_id, status: r.status, issuedAt: r.issued_at, dueAt: r.due_at, paidAt: r.paid_at,
  everFailed: r.ever_failed, lastFailedAt: r.last_failed_at, changedAt: r.changed_at,
});

/** What a batch of invoices needs: histories of accounts, and of billing identities no account claims, each from the earliest window start. */
export interface HistoryLookup {
  accounts: Array<{ accountId: string; from: number }>;
  refs: Array<{ source: BillingSource; vendorCustomerId: string; from: number }>;
}

export interface Histories {
  byAccount: Map<string, PaymentRecord[]>;
  /** Keyed by refKey(source, vendorCustomerId). */
  byRef: Map<string, PaymentRecord[]>;
}

/** A source never contains ':', so this key is unambiguous. */
export const refKey = (source: string, vendorCustomerId: string) => `${source}:${vendorCustomerId}`;

const COLUMNS = 'ph.invoice_id, ph.status, ph.issued_at, ph.due_at, ph.paid_at, ph.ever_failed, ph.last_failed_at, ph.changed_at';
/** Must stay the expression the 002 indexes are built on, or the window filter is not served by them. */
const DATED = 'coalesce(ph.issued_at, ph.due_at, ph.changed_at)';

/**
 * The payment-history lookup of a batch, one statement with three branches: an account's invoices
 * the tracker tagged with it; those whose vendor reference maps to it; and those of unclaimed
 * billing identities. UNION drops a row reached by both account branches.
 * Each branch is a LATERAL lookup per key of the batch, an index range on (key, invoice date)
 * (migration 002): its cost follows the batch and the rows found, not the size of the tables
 * (`OR EXISTS` scanned all of payment_history). `offset 0` keeps the planner from flattening the
 * lookups into a join it may answer with a sequential scan once the batch holds many keys.
 * Exported so a test can EXPLAIN exactly this statement.
 */
export function historyQuery(db: Knex, lookup: HistoryLookup): Knex.Raw {
  const { accounts, refs } = lookup;
  const byRef = (src: string, id: string, from: string) =>
    `(select ${COLUMNS} from payment_history ph where ph.source = ${src} and ph.vendor_customer_id = ${id} and ${DATED} >= ${from} offset 0)`;
  return db.raw(
    `with acc as (select * from unnest(?::text[], ?::bigint[]) as a(account_id, from_at)),
          ref as (select * from unnest(?::text[], ?::text[], ?::bigint[]) as r(source, vendor_customer_id, from_at))
     select acc.account_id as for_account, null::text as for_ref_source, null::text as for_ref_id, h.*
       from acc cross join lateral (select ${COLUMNS} from payment_history ph where ph.account_id = acc.account_id and ${DATED} >= acc.from_at offset 0) h
     union
     select acc.account_id, null, null, h.*
       from acc
       cross join lateral (select vr.source, vr.vendor_customer_id from vendor_refs vr where vr.account_id = acc.account_id offset 0) vr
       cross join lateral ${byRef('vr.source', 'vr.vendor_customer_id', 'acc.from_at')} h
     union
     select null, ref.source, ref.vendor_customer_id, h.*
       from ref cross join lateral ${byRef('ref.source', 'ref.vendor_customer_id', 'ref.from_at')} h`,
    [accounts.map((a) => a.accountId), accounts.map((a) => a.from), refs.map((r) => r.source), refs.map((r) => r.vendorCustomerId), refs.map((r) => r.from)],
  );
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Per-invoice payment state folded from billing.invoice.payment-status.v1. */
export function paymentStore(db: Knex) {
  return {
    /**
     * One upsert for a batch (one row per invoice, see domain/payment-status-batch.ts). The held row
     * changes only for a higher version, so redeliveries and reordering cannot roll it back; it
     * keeps `ever_failed` for good, and takes up the batch's failures only if newer than itself.
     */
    async upsertMany(rows: StatusRow[], failures: FailureSeen[]): Promise<void> {
      if (rows.length === 0) return;
      const col = (k: keyof StatusRow) => pgArray(rows.map((r) => r[k]));
      await db.raw(
        `with failure as (select * from unnest(?::text[], ?::bigint[], ?::bigint[]) as f(invoice_id, version, last_failed_at))
         insert into payment_history (invoice_id, account_id, source, vendor_customer_id, status, issued_at, due_at, paid_at, ever_failed, last_failed_at, changed_at, version)
         select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::boolean[], ?::bigint[], ?::bigint[], ?::bigint[])
         order by 1
         on conflict (invoice_id) do update set
           account_id = excluded.account_id, source = excluded.source, vendor_customer_id = excluded.vendor_customer_id, status = excluded.status,
           issued_at = excluded.issued_at, due_at = excluded.due_at, paid_at = excluded.paid_at, changed_at = excluded.changed_at, version = excluded.version,
           ever_failed = payment_history.ever_failed
             or exists (select 1 from failure f where f.invoice_id = excluded.invoice_id and f.version > payment_history.version),
           last_failed_at = coalesce(
             (select f.last_failed_at from failure f where f.invoice_id = excluded.invoice_id and f.version > payment_history.version and f.last_failed_at is not null order by f.version desc limit 1),
             payment_history.last_failed_at)
         where payment_history.version < excluded.version`,
        [
          failures.map((f) => f.invoiceId), failures.map((f) => f.version), pgArray(failures.map((f) => f.lastFailedAt)),
          col('invoiceId'), col('accountId'), col('source'), col('vendorCustomerId'), col('status'), col('issuedAt'), col('dueAt'), col('paidAt'),
          col('everFailed'), col('lastFailedAt'), col('changedAt'), col('version'),
        ],
      );
    },

    async removeMany(invoiceIds: string[]): Promise<void> {
      if (invoiceIds.length) await db.raw('delete from payment_history where invoice_id = any(?::text[])', [invoiceIds]);
    },

    /** Histories for a batch in one statement (historyQuery), grouped by the account or reference they were asked for. */
    async historyFor(lookup: HistoryLookup): Promise<Histories> {
      const out: Histories = { byAccount: new Map(), byRef: new Map() };
      if (lookup.accounts.length === 0 && lookup.refs.length === 0) return out;
      const { rows } = await historyQuery(db, lookup);
      for (const r of rows as Array<Row & { for_account: string | null; for_ref_source: string | null; for_ref_id: string | null }>) {
        if (r.for_account !== null) push(out.byAccount, r.for_account, toRecord(r));
        else push(out.byRef, refKey(r.for_ref_source!, r.for_ref_id!), toRecord(r));
      }
      return out;
    },
  };
}
