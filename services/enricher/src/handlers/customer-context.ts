import { topics, type CustomerContext, type EnrichedInvoice } from '@invoice-signal/events';
import { InvalidRecordError, type IncomingRecord } from '@invoice-signal/runtime';
import { matchKeyOf, UNMATCHED_PREFIX } from '../domain/account-resolution.ts';
import { enrich } from '../domain/enrichment.ts';
import { contextStore } from '../adapters/context-store.ts';
import { enrichmentStore } from '../adapters/enrichment-store.ts';
import { enricherMetrics } from '../metrics.ts';
import { lockExclusive, type HandlerDeps } from './deps.ts';
import { paymentsFor } from './invoice-event.ts';

/**
 * cs.customer-context.v1 → the context view and vendor-ref mapping. A snapshot not newer than the
 * one held (by snapshotAt) is ignored. Invoices that were waiting for this account or one of its
 * vendor references are enriched again (revision + 1, matched) in the same transaction.
 */
export function customerContextHandler(deps: HandlerDeps) {
  const now = deps.now ?? Date.now;
  return async ({ key, value }: IncomingRecord<CustomerContext>): Promise<void> => {
    if (value && (value.accountId !== key || value.accountId.startsWith(UNMATCHED_PREFIX))) {
      throw new InvalidRecordError('CTX_BAD_KEY', `context snapshot for account "${value.accountId}" arrived under key "${key}"; the key must be the accountId and must not start with "${UNMATCHED_PREFIX}"`);
    }
    const outcome = await deps.db.transaction(async (trx) => {
      await lockExclusive(trx);
      const contexts = contextStore(trx);
      if (!value) {
        if (key) await contexts.remove(key);
        return 'deleted';
      }
      const held = await contexts.snapshotAt(value.accountId);
      if (held !== null && held >= value.snapshotAt) return 'stale';
      const refs = await contexts.save(value);
      const store = enrichmentStore(trx);
      const reenriched: EnrichedInvoice[] = [];
      for (const waiting of await store.waitingFor(value.accountId, refs)) {
        const payments = await paymentsFor(trx, waiting.invoice, value.accountId, matchKeyOf(waiting.invoice), deps.historyMonths);
        const e = enrich({ invoice: waiting.invoice, accountId: value.accountId, context: value, payments, fallbackOwner: deps.fallbackOwner, revision: waiting.revision + 1, now: now(), historyMonths: deps.historyMonths, trend: deps.trend });
        await store.markMatched(e);
        reenriched.push(e);
      }
      await deps.publisher.publish(topics.enriched, reenriched.map((e) => ({ key: e.accountId, value: e })));
      if (reenriched.length) {
        enricherMetrics.enrichments.inc({ matched: 'true', kind: 'late' }, reenriched.length);
        deps.logger.info({ accountId: value.accountId, invoices: reenriched.map((e) => e.invoice.invoiceId) }, 're-enriched invoices that were waiting for this account');
      }
      return 'applied';
    });
    enricherMetrics.snapshots.inc({ outcome });
  };
}
