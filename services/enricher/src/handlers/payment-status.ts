import type { PaymentStatus } from '@invoice-signal/events';
import type { IncomingRecord } from '@invoice-signal/runtime';
import { paymentStore } from '../adapters/payment-store.ts';
import type { HandlerDeps } from './deps.ts';

/** billing.invoice.payment-status.v1 → per-invoice payment history (newest version wins; a tombstone deletes). */
export function paymentStatusHandler(deps: HandlerDeps) {
  return async ({ key, value }: IncomingRecord<PaymentStatus>): Promise<void> => {
    const payments = paymentStore(deps.db);
    if (value) await payments.upsert(value);
    else if (key) await payments.remove(key);
  };
}
