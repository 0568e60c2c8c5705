import { topics, type EnrichedInvoice, type InvoiceEvent } from '@invoice-signal/events';
import type { BatchHandler, IncomingRecord, Knex } from '@invoice-signal/runtime';
import { matchKeyOf, type MatchKey, type VendorRef } from '../domain/account-resolution.ts';
import { enrich } from '../domain/enrichment.ts';
import { contextStore } from '../adapters/context-store.ts';
import { enrichmentStore } from '../adapters/enrichment-store.ts';
import { refKey } from '../adapters/payment-store.ts';
import { enricherMetrics } from '../metrics.ts';
import { lockShared, type HandlerDeps } from './deps.ts';
import { paymentHistories } from './history.ts';

interface Issued {
  record: IncomingRecord<InvoiceEvent>;
  invoice: InvoiceEvent;
  key: MatchKey;
  /** The account it resolved to (given by the source, or through its vendor reference), if any. */
  accountId: string | null;
}

/** An issued event before its vendor reference is resolved. */
type Candidate = Omit<Issued, 'accountId'>;

/** The batch's `issued` events, each eventId once (a redelivery within the batch is the same event). */
function issuedOnce(records: IncomingRecord<InvoiceEvent>[]): Candidate[] {
  const byEvent = new Map<string, Candidate>();
  for (const record of records) {
    const invoice = record.value;
    if (invoice?.type === 'issued' && !byEvent.has(invoice.eventId)) byEvent.set(invoice.eventId, { record, invoice, key: matchKeyOf(invoice) });
  }
  return [...byEvent.values()];
}

/** Resolves every vendor reference of the batch in one statement. */
async function resolveAccounts(trx: Knex, items: Candidate[]): Promise<Issued[]> {
  const refs = items.flatMap(({ key }): VendorRef[] => (key.kind === 'vendor' ? [key.ref] : []));
  const owners = await contextStore(trx).accountsFor(refs);
  return items.map((item) => {
    const { key } = item;
    const accountId = key.kind === 'account' ? key.accountId : key.kind === 'vendor' ? (owners.get(refKey(key.ref.source, key.ref.vendorCustomerId)) ?? null) : null;
    return { ...item, accountId };
  });
}

type Enriched = { e: EnrichedInvoice; record: IncomingRecord<InvoiceEvent>; waitFor: MatchKey };

/** Joins each invoice with its context and payment history: one statement each for references, contexts and histories. */
async function enrichAll(deps: HandlerDeps, trx: Knex, candidates: Candidate[], at: number): Promise<Enriched[]> {
  const issued = await resolveAccounts(trx, candidates);
  const contexts = await contextStore(trx).getMany([...new Set(issued.flatMap((i) => (i.accountId ? [i.accountId] : [])))]);
  const histories = await paymentHistories(trx, issued, deps.historyMonths);
  return issued.map((i, n) => ({
    record: i.record,
    waitFor: i.key,
    e: enrich({
      invoice: i.invoice, accountId: i.accountId, context: (i.accountId && contexts.get(i.accountId)) || null, payments: histories[n]!,
      fallbackOwner: deps.fallbackOwner, revision: 1, now: at, historyMonths: deps.historyMonths, trend: deps.trend,
    }),
  }));
}

/** Enriches the batch's issued events under the shared match lock; returns those not enriched before (their rows are new). */
async function enrichNew(deps: HandlerDeps, trx: Knex.Transaction, candidates: Candidate[], at: number): Promise<Enriched[]> {
  await lockShared(trx);
  const all = await enrichAll(deps, trx, candidates, at);
  // The insert is the dedupe check: an event enriched before keeps its row and is not emitted again.
  const fresh = await enrichmentStore(trx).recordMany(all.map(({ e, waitFor }) => ({ enriched: e, waitFor })));
  return all.filter(({ e }) => fresh.has(e.invoice.eventId));
}

function count(records: IncomingRecord<InvoiceEvent>[], enriched: Enriched[]): void {
  const ignored = records.filter((r) => r.value?.type !== 'issued').length;
  enricherMetrics.invoiceEvents.inc({ outcome: 'ignored' }, ignored);
  enricherMetrics.invoiceEvents.inc({ outcome: 'duplicate' }, records.length - ignored - enriched.length);
  enricherMetrics.invoiceEvents.inc({ outcome: 'enriched' }, enriched.length);
  for (const matched of [true, false]) enricherMetrics.enrichments.inc({ matched: String(matched), kind: 'first' }, enriched.filter(({ e }) => e.matched === matched).length);
}

/**
 * billing.invoice.events.v1 → billing.invoice.enriched.v1, for `issued` events only, a batch at a
 * time: the shared match lock, then one statement each for vendor references, contexts, payment
 * histories and the enrichment rows (see README, statements per batch). Only rows the insert
 * created are emitted, and the transaction commits only after the broker acknowledged them: a
 * replayed batch finds its rows and emits nothing; a failed send leaves no row and the retry
 * enriches again.
 */
export function invoiceEventHandler(deps: HandlerDeps): BatchHandler<InvoiceEvent> {
  const now = deps.now ?? Date.now;
  return async (records, ctx) => {
    const candidates = issuedOnce(records);
    const enriched = candidates.length ? await enrichNew(deps, ctx.trx, candidates, now()) : [];
    if (enriched.length) ctx.emit(topics.enriched, enriched.map(({ e, record }) => ({ key: e.accountId, value: e, cause: record })));
    ctx.afterCommit(() => count(records, enriched));
  };
}
