import { topics, type CustomerContext, type EnrichedInvoice } from '@invoice-signal/events';
import { InvalidRecordError, type BatchContext, type BatchHandler, type IncomingRecord } from '@invoice-signal/runtime';
import { matchKeyOf, UNMATCHED_PREFIX, type VendorRef } from '../domain/account-resolution.ts';
import { enrich } from '../domain/enrichment.ts';
import { contextStore } from '../adapters/context-store.ts';
import { enrichmentStore } from '../adapters/enrichment-store.ts';
import { enricherMetrics } from '../metrics.ts';
import { lockExclusive, type HandlerDeps } from './deps.ts';
import { paymentHistories } from './history.ts';

type Outcome = 'applied' | 'stale' | 'deleted';

/** A snapshot must sit under its own account's key: anything else can never be applied. */
function checkKey({ key, value }: IncomingRecord<CustomerContext>): void {
  if (value && (value.accountId !== key || value.accountId.startsWith(UNMATCHED_PREFIX))) {
    throw new InvalidRecordError('CTX_BAD_KEY', `context snapshot for account "${value.accountId}" arrived under key "${key}"; the key must be the accountId and must not start with "${UNMATCHED_PREFIX}"`);
  }
}

/** Enriches again (revision + 1, matched) every invoice that waited for this account or one of its references. */
async function reenrichWaiting(deps: HandlerDeps, ctx: BatchContext, record: IncomingRecord<CustomerContext>, context: CustomerContext, refs: VendorRef[]): Promise<EnrichedInvoice[]> {
  const store = enrichmentStore(ctx.trx);
  const waiting = await store.waitingFor(context.accountId, refs);
  if (waiting.length === 0) return [];
  const histories = await paymentHistories(ctx.trx, waiting.map((w) => ({ invoice: w.invoice, accountId: context.accountId, key: matchKeyOf(w.invoice) })), deps.historyMonths);
  const at = (deps.now ?? Date.now)();
  const reenriched = waiting.map((w, i) => enrich({ invoice: w.invoice, accountId: context.accountId, context, payments: histories[i]!, fallbackOwner: deps.fallbackOwner, revision: w.revision + 1, now: at, historyMonths: deps.historyMonths, trend: deps.trend }));
  await store.markMatchedMany(reenriched);
  ctx.emit(topics.enriched, reenriched.map((e) => ({ key: e.accountId, value: e, cause: record })));
  return reenriched;
}

/** One snapshot (or tombstone), in the batch's transaction, after the snapshots before it. */
async function applySnapshot(deps: HandlerDeps, ctx: BatchContext, record: IncomingRecord<CustomerContext>): Promise<Outcome> {
  const { key, value } = record;
  const contexts = contextStore(ctx.trx);
  if (!value) {
    if (key) await contexts.remove(key);
    return 'deleted';
  }
  const held = await contexts.snapshotAt(value.accountId);
  if (held !== null && held >= value.snapshotAt) return 'stale';
  const refs = await contexts.save(value);
  const reenriched = await reenrichWaiting(deps, ctx, record, value, refs);
  if (reenriched.length) {
    ctx.afterCommit(() => {
      enricherMetrics.enrichments.inc({ matched: 'true', kind: 'late' }, reenriched.length);
      deps.logger.info({ accountId: value.accountId, invoices: reenriched.map((e) => e.invoice.invoiceId) }, 're-enriched invoices that were waiting for this account');
    });
  }
  return 'applied';
}

/**
 * cs.customer-context.v1 → the context view and vendor-ref mapping. Rare traffic, so one record
 * after the other, all in the batch's transaction under the exclusive match lock (taken once). A
 * snapshot not newer than the one held (by snapshotAt) is ignored. Invoices that were waiting for
 * this account or one of its vendor references are enriched again and emitted with the batch.
 */
export function customerContextHandler(deps: HandlerDeps): BatchHandler<CustomerContext> {
  return async (records, ctx) => {
    // Before any work: a bad record fails the batch at once, and the runtime isolates it.
    records.forEach(checkKey);
    await lockExclusive(ctx.trx);
    const outcomes: Outcome[] = [];
    for (const record of records) outcomes.push(await applySnapshot(deps, ctx, record));
    ctx.afterCommit(() => outcomes.forEach((outcome) => { enricherMetrics.snapshots.inc({ outcome }); }));
  };
}
