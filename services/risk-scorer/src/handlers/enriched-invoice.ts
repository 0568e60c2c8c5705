import { topics, type AssessedInvoice, type EnrichedInvoice } from '@invoice-signal/events';
import { InvalidRecordError, type BatchContext, type EmittedRecord, type IncomingRecord, type Knex, type Logger } from '@invoice-signal/runtime';
import { existingAssessments, lockAccounts, markPublished, rememberInvoices, saveAssessments, storedHistory } from '../adapters/assessment-store.ts';
import { riskMetrics } from '../metrics.ts';
import { assess, problemsOf } from '../domain/assess.ts';
import { historiesInOffsetOrder, lastWritePerInvoice, type HistoryRow } from '../domain/batch-history.ts';
import { toPastInvoice } from '../domain/history.ts';
import type { Rules } from '../domain/rules.ts';

export interface EnrichedInvoiceDeps {
  rules: Rules;
  logger: Logger;
  now?: () => number;
}

interface Item {
  record: IncomingRecord<EnrichedInvoice>;
  enriched: EnrichedInvoice;
}

/** The record's enriched invoice, or InvalidRecordError (the runtime isolates and dead-letters that record alone). */
function validated(record: IncomingRecord<EnrichedInvoice>, logger: Logger): EnrichedInvoice {
  const enriched = record.value;
  if (!enriched) throw new InvalidRecordError('RISK_TOMBSTONE', `tombstone on ${record.topic} (key ${record.key}): enriched invoices are never deleted`);
  const problems = problemsOf(enriched);
  if (problems.length) throw new InvalidRecordError('RISK_INVALID_ENRICHED', `enriched invoice ${enriched.enrichmentId || '(no id)'} cannot be assessed: ${problems.join('; ')}`);
  if (record.key !== enriched.accountId) logger.warn({ key: record.key, accountId: enriched.accountId }, 'record key is not the accountId: per-account ordering is not guaranteed');
  return enriched;
}

/** The first record of each enrichment, in offset order: a later copy in the same batch is a replay of it. */
function firstOfEach(items: Item[]): Item[] {
  const seen = new Set<string>();
  return items.filter(({ enriched }) => !seen.has(enriched.enrichmentId) && seen.add(enriched.enrichmentId));
}

const historyRowOf = (enriched: EnrichedInvoice): HistoryRow & { enrichmentId: string } =>
  ({ ...toPastInvoice(enriched.invoice), accountId: enriched.accountId, revision: enriched.revision, enrichmentId: enriched.enrichmentId });

/**
 * Decides the batch's new enrichments exactly as one record at a time in offset order would (an
 * invoice sees the batch's earlier invoices of its account), then stores history and assessments:
 * 3 statements whatever the batch size.
 */
async function assessNew(trx: Knex.Transaction, fresh: Item[], rules: Rules, assessedAt: number): Promise<Map<string, AssessedInvoice>> {
  if (fresh.length === 0) return new Map();
  const rows = fresh.map((i) => historyRowOf(i.enriched));
  const { fromTable, stored } = await storedHistory(trx, rows);
  const histories = historiesInOffsetOrder(rows, fromTable, stored);
  const made = fresh.map((item, k) => assess(item.enriched, histories[k], rules, assessedAt));
  await rememberInvoices(trx, lastWritePerInvoice(rows));
  await saveAssessments(trx, made);
  return new Map(made.map((m) => [m.value.enriched.enrichmentId, m.value]));
}

function countAfterCommit(emitted: AssessedInvoice[], republished: number, skipped: number, logger: Logger) {
  for (const value of emitted) {
    riskMetrics.assessments.inc({ level: value.riskLevel });
    for (const f of value.flags) riskMetrics.flags.inc({ code: f.code });
    const noRate = value.flags.find((f) => f.code === 'HIGH_VALUE' && f.facts.reason === 'no_fx_rate');
    if (noRate) {
      riskMetrics.highValueWithoutRate.inc({ currency: noRate.facts.currency });
      logger.warn({ invoiceId: value.enriched.invoice.invoiceId, currency: noRate.facts.currency }, 'no FX rate for this currency: the invoice is flagged HIGH_VALUE; add a rate (HIGH_VALUE_FX_RATES)');
    }
  }
  if (republished) riskMetrics.replays.inc({ outcome: 'republished' }, republished);
  if (skipped) riskMetrics.replays.inc({ outcome: 'skipped' }, skipped);
}

/**
 * billing.invoice.enriched.v1 → billing.invoice.assessed.v1, a fetched batch at a time in the
 * runtime's transaction: lock the accounts, find the enrichments already assessed, decide and
 * store the new ones, emit them. Decided once per enrichmentId: a replay of a published one
 * emits nothing; a row the former per-record path left unpublished is re-emitted unchanged.
 */
export function handleEnrichedInvoices(deps: EnrichedInvoiceDeps) {
  const now = deps.now ?? Date.now;
  return async (records: IncomingRecord<EnrichedInvoice>[], ctx: BatchContext): Promise<void> => {
    const firsts = firstOfEach(records.map((record) => ({ record, enriched: validated(record, deps.logger) })));
    const ids = firsts.map((i) => i.enriched.enrichmentId);
    await lockAccounts(ctx.trx, firsts.map((i) => i.enriched.accountId));
    const existing = await existingAssessments(ctx.trx, ids);
    const made = await assessNew(ctx.trx, firsts.filter((i) => !existing.has(i.enriched.enrichmentId)), deps.rules, now());
    const unpublished = ids.filter((id) => existing.get(id)?.published === false);
    await markPublished(ctx.trx, unpublished);

    // In offset order, so an account's assessments keep the order of its invoices.
    const out: EmittedRecord<AssessedInvoice>[] = firsts.flatMap(({ record, enriched }) => {
      const stored = existing.get(enriched.enrichmentId);
      const value = made.get(enriched.enrichmentId) ?? (stored && !stored.published ? stored.value : undefined);
      return value ? [{ key: value.accountId, value, headers: { 'assessment-id': value.assessmentId }, cause: record }] : [];
    });
    if (out.length) ctx.emit(topics.assessed, out);
    ctx.afterCommit(() => countAfterCommit(out.map((o) => o.value!), unpublished.length, records.length - out.length, deps.logger));
  };
}
