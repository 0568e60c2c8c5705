import type { PaymentStatus } from '@invoice-signal/events';
import type { PaymentRecord } from './payment-history.ts';

/** The payment_history row one status would write (before it is merged with the row held). */
export interface StatusRow extends PaymentRecord {
  accountId: string | null;
  source: PaymentStatus['source'];
  vendorCustomerId: string | null;
  version: number;
}

/** A status of the batch that saw a failure: it counts against the held row only if newer than it. */
export interface FailureSeen {
  invoiceId: string;
  version: number;
  lastFailedAt: number | null;
}

/** What one batch of the compacted status topic does to payment_history, in this order. */
export interface StatusBatchPlan {
  /** Invoices whose batch holds a tombstone: their held row goes (a later value is then inserted afresh). */
  deletes: string[];
  /** One row per invoice: the newest version after its last tombstone, with the failures seen on the way. */
  upserts: StatusRow[];
  /** The failures behind `upserts`, so the merge with a held row counts only those newer than it. */
  failures: FailureSeen[];
}

/** A payment that failed is remembered even after the invoice is paid. */
export function statusRow(s: PaymentStatus): StatusRow {
  const failed = s.status === 'failed';
  return {
    invoiceId: s.invoiceId, accountId: s.accountId, source: s.source, vendorCustomerId: s.vendorCustomerId, status: s.status,
    issuedAt: s.issuedAt, dueAt: s.dueAt, paidAt: s.status === 'paid' ? (s.paidAt ?? s.lastEventAt) : s.paidAt,
    everFailed: failed || s.previousStatus === 'failed', lastFailedAt: failed ? s.lastEventAt : null, changedAt: s.changedAt, version: s.version,
  };
}

/**
 * Folds a batch (offset order) per invoice as applying its records one by one would: a tombstone
 * drops what came before it; a value counts only if its version is above every earlier one
 * (a redelivered or reordered older version changes nothing); the last record per key wins.
 */
export function planStatusBatch(records: ReadonlyArray<{ key: string | null; value: PaymentStatus | null }>): StatusBatchPlan {
  const byInvoice = new Map<string, { deleted: boolean; applied: StatusRow[] }>();
  for (const { key, value } of records) {
    const id = value?.invoiceId ?? key;
    if (id === null) continue;
    const seen = byInvoice.get(id) ?? { deleted: false, applied: [] };
    byInvoice.set(id, seen);
    if (!value) {
      seen.deleted = true;
      seen.applied = [];
    } else if (seen.applied.length === 0 || value.version > seen.applied[seen.applied.length - 1]!.version) {
      seen.applied.push(statusRow(value));
    }
  }
  const ids = [...byInvoice.keys()].sort();
  const plan: StatusBatchPlan = { deletes: ids.filter((id) => byInvoice.get(id)!.deleted), upserts: [], failures: [] };
  for (const id of ids) {
    const { applied } = byInvoice.get(id)!;
    if (applied.length === 0) continue;
    const failures = applied.filter((r) => r.everFailed);
    // Versions rise along `applied`, so the last failure seen is the one applying them in order keeps.
    const lastFailedAt = failures.map((r) => r.lastFailedAt).filter((t) => t !== null).at(-1) ?? null;
    plan.upserts.push({ ...applied[applied.length - 1]!, everFailed: failures.length > 0, lastFailedAt });
    plan.failures.push(...failures.map((r) => ({ invoiceId: id, version: r.version, lastFailedAt: r.lastFailedAt })));
  }
  return plan;
}
