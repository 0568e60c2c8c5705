import { topics, type InvoiceEvent } from '@invoice-signal/events';
import type { IncomingRecord, Knex } from '@invoice-signal/runtime';
import { matchKeyOf, type MatchKey } from '../domain/account-resolution.ts';
import { enrich, referenceTime } from '../domain/enrichment.ts';
import { windowStart, type PaymentRecord } from '../domain/payment-history.ts';
import { contextStore } from '../adapters/context-store.ts';
import { enrichmentStore } from '../adapters/enrichment-store.ts';
import { paymentStore } from '../adapters/payment-store.ts';
import { enricherMetrics } from '../metrics.ts';
import { lockShared, type HandlerDeps } from './deps.ts';

/** Payments of the account (or, unmatched, of the billing identity) in the window before this invoice. */
export async function paymentsFor(trx: Knex, invoice: InvoiceEvent, accountId: string | null, key: MatchKey, months: number): Promise<PaymentRecord[]> {
  const from = windowStart(referenceTime(invoice), months);
  const payments = paymentStore(trx);
  if (accountId) return payments.forAccount(accountId, from, invoice.invoiceId);
  if (key.kind === 'vendor') return payments.forVendorRef(key.ref.source, key.ref.vendorCustomerId, from, invoice.invoiceId);
  return [];
}

/**
 * billing.invoice.events.v1 → billing.invoice.enriched.v1, for `issued` events only. Dedupes on
 * eventId: the row and the publish share one transaction, so a failed publish leaves no row and
 * the redelivery enriches again; a redelivery after success finds the row and publishes nothing.
 */
export function invoiceEventHandler(deps: HandlerDeps) {
  const now = deps.now ?? Date.now;
  return async ({ value }: IncomingRecord<InvoiceEvent>): Promise<void> => {
    if (!value || value.type !== 'issued') {
      enricherMetrics.invoiceEvents.inc({ outcome: 'ignored' });
      return;
    }
    const outcome = await deps.db.transaction(async (trx) => {
      await lockShared(trx);
      const key = matchKeyOf(value);
      const contexts = contextStore(trx);
      const accountId = key.kind === 'account' ? key.accountId : key.kind === 'vendor' ? await contexts.accountFor(key.ref.source, key.ref.vendorCustomerId) : null;
      const context = accountId ? await contexts.get(accountId) : null;
      const payments = await paymentsFor(trx, value, accountId, key, deps.historyMonths);
      const enriched = enrich({ invoice: value, accountId, context, payments, fallbackOwner: deps.fallbackOwner, revision: 1, now: now(), historyMonths: deps.historyMonths, trend: deps.trend });
      // The insert is the dedupe check: a redelivered event finds its row and publishes nothing.
      if (!(await enrichmentStore(trx).record(enriched, key))) return 'duplicate';
      await deps.publisher.publish(topics.enriched, [{ key: enriched.accountId, value: enriched }]);
      enricherMetrics.enrichments.inc({ matched: String(enriched.matched), kind: 'first' });
      return 'enriched';
    });
    enricherMetrics.invoiceEvents.inc({ outcome });
  };
}
