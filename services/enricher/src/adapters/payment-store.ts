import type { BillingSource, PaymentStatus } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import type { PaymentRecord } from '../domain/payment-history.ts';

interface Row {
  invoice_id: string; status: PaymentRecord['status']; issued_at: number | null; due_at: number | null; paid_at: number | null;
  ever_failed: boolean; last_failed_at: number | null; changed_at: number;
}

const toRecord = (r: Row): PaymentRecord => ({
  invoiceId: r.invoice_id, status: r.status, issuedAt: r.issued_at, dueAt: r.due_at, paidAt: r.paid_at,
  everFailed: r.ever_failed, lastFailedAt: r.last_failed_at, changedAt: r.changed_at,
});

/** Per-invoice payment state folded from billing.invoice.payment-status.v1. */
export function paymentStore(db: Knex) {
  return {
    /**
     * Keeps the highest version per invoice (redeliveries and reordering cannot roll it back) and
     * remembers that a payment failed even after the invoice is paid.
     */
    async upsert(s: PaymentStatus): Promise<void> {
      const failed = s.status === 'failed';
      await db('payment_history')
        .insert({
          invoice_id: s.invoiceId, account_id: s.accountId, source: s.source, vendor_customer_id: s.vendorCustomerId, status: s.status,
          issued_at: s.issuedAt, due_at: s.dueAt, paid_at: s.status === 'paid' ? (s.paidAt ?? s.lastEventAt) : s.paidAt,
          ever_failed: failed || s.previousStatus === 'failed', last_failed_at: failed ? s.lastEventAt : null, changed_at: s.changedAt, version: s.version,
        })
        .onConflict('invoice_id')
        .merge({
          account_id: db.raw('excluded.account_id'), source: db.raw('excluded.source'), vendor_customer_id: db.raw('excluded.vendor_customer_id'),
          status: db.raw('excluded.status'), issued_at: db.raw('excluded.issued_at'), due_at: db.raw('excluded.due_at'), paid_at: db.raw('excluded.paid_at'),
          ever_failed: db.raw('payment_history.ever_failed or excluded.ever_failed'),
          last_failed_at: db.raw('coalesce(excluded.last_failed_at, payment_history.last_failed_at)'),
          changed_at: db.raw('excluded.changed_at'), version: db.raw('excluded.version'),
        })
        .where('payment_history.version', '<', s.version);
    },

    async remove(invoiceId: string): Promise<void> {
      await db('payment_history').where({ invoice_id: invoiceId }).delete();
    },

    /**
     * An account's invoices dated since `from`, except `excludeInvoiceId` (the invoice being enriched):
     * those the tracker tagged with the account, and those whose vendor reference maps to it.
     */
    async forAccount(accountId: string, from: number, excludeInvoiceId: string): Promise<PaymentRecord[]> {
      const rows: Row[] = await db('payment_history')
        .where((q) => {
          q.where('account_id', accountId).orWhereExists((sub) => {
            sub.select(db.raw('1')).from('vendor_refs')
              .whereRaw('vendor_refs.source = payment_history.source and vendor_refs.vendor_customer_id = payment_history.vendor_customer_id')
              .where('vendor_refs.account_id', accountId);
          });
        })
        .whereRaw('coalesce(issued_at, due_at, changed_at) >= ?', [from])
        .whereNot('invoice_id', excludeInvoiceId);
      return rows.map(toRecord);
    },

    /** History of a billing identity no account claims yet (unmatched invoices still get one). */
    async forVendorRef(source: BillingSource, vendorCustomerId: string, from: number, excludeInvoiceId: string): Promise<PaymentRecord[]> {
      const rows: Row[] = await db('payment_history')
        .where({ source, vendor_customer_id: vendorCustomerId })
        .whereRaw('coalesce(issued_at, due_at, changed_at) >= ?', [from])
        .whereNot('invoice_id', excludeInvoiceId);
      return rows.map(toRecord);
    },
  };
}
