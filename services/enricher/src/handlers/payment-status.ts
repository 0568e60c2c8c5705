import type { PaymentStatus } from '@invoice-signal/events';
import type { BatchHandler } from '@invoice-signal/runtime';
import { planStatusBatch } from '../domain/payment-status-batch.ts';
import { paymentStore } from '../adapters/payment-store.ts';

/**
 * billing.invoice.payment-status.v1 (compacted) → per-invoice payment history, a batch at a time:
 * folded in memory per invoice (the last record per key wins; newest version wins; a tombstone
 * deletes), then at most one delete and one upsert. Nothing to emit.
 */
export function paymentStatusHandler(): BatchHandler<PaymentStatus> {
  return async (records, ctx) => {
    const plan = planStatusBatch(records);
    const payments = paymentStore(ctx.trx);
    // Deletes first: a value after a tombstone in the same batch is then inserted afresh.
    await payments.removeMany(plan.deletes);
    await payments.upsertMany(plan.upserts, plan.failures);
  };
}
