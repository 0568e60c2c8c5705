import type { AssessedInvoice } from '@invoice-signal/events';
import { lockKeys, names, unnestRows, type Column, type Knex } from '@invoice-signal/runtime';
import type { Assessment } from '../domain/assess.ts';
import type { HistoryRow } from '../domain/batch-history.ts';
import type { InvoiceHistory, PastInvoice } from '../domain/history.ts';
import type { Rules } from '../domain/rules.ts';

// The scorer's own state: per-account invoice history and the assessments it made. Every
// function but recordRules runs in the consumer batch's transaction.

export interface StoredAssessment {
  /** Read only for a row to publish again (unpublished); null otherwise. */
  value: AssessedInvoice | null;
  /** False only for a row an earlier version of the scorer committed before the broker acked it. */
  published: boolean;
}

/**
 * Serialises the batch with any other transaction on the same accounts (another partition's
 * batch during a rebalance, a second instance): one statement, locks taken in sorted order so
 * two batches never wait on each other in a cycle. It must be a statement of its own: the reads
 * after it take their snapshot once every lock is granted, so they see what the holder committed.
 */
export const lockAccounts = (trx: Knex.Transaction, accountIds: string[]) => lockKeys(trx, accountIds.map((id) => `risk-scorer:account:${id}`));

/** The assessments already made for these enrichments (replays), by enrichmentId; the value only of those to publish again. */
export async function existingAssessments(trx: Knex.Transaction, enrichmentIds: string[]): Promise<Map<string, StoredAssessment>> {
  const rows: Array<{ enrichment_id: string; value: AssessedInvoice | null; published_at: Date | null }> = await trx('assessments')
    .select('enrichment_id', 'published_at', trx.raw('case when published_at is null then value end as value'))
    .whereRaw('enrichment_id = any(?::text[])', [enrichmentIds]);
  return new Map(rows.map((r) => [r.enrichment_id, { value: r.value, published: r.published_at !== null }]));
}

interface RowOut { i: number | null; kind: 'account' | 'subscription' | 'stored'; invoice_id: string; account_id: string; subscription_id: string | null; currency: string; total_minor: number; issued_at: number; revision: number }
const toRow = (r: RowOut): HistoryRow => ({ invoiceId: r.invoice_id, accountId: r.account_id, subscriptionId: r.subscription_id, currency: r.currency, totalMinor: r.total_minor, issuedAt: r.issued_at, revision: r.revision });
const toPast = (r: RowOut): PastInvoice => ({ invoiceId: r.invoice_id, subscriptionId: r.subscription_id, currency: r.currency, totalMinor: r.total_minor, issuedAt: r.issued_at });

const COLUMNS = 'h.invoice_id, h.account_id, h.subscription_id, h.currency, h.total_minor, h.issued_at, h.revision';
/** The latest row strictly before the looked-up invoice (by time, then id in byte order), skipping the invoices the batch writes. */
const latestEarlier = (extra: string) => `select ${COLUMNS} from invoice_history h
  where h.account_id = q.account_id ${extra}
    and (h.issued_at, h.invoice_id collate "C") < (q.at, q.invoice_id collate "C")
    and h.invoice_id <> all(?::text[])
  order by h.issued_at desc, h.invoice_id collate "C" desc limit 1`;

const HISTORY_SQL = `with q as (
  select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[]) with ordinality as q(account_id, subscription_id, at, invoice_id, i)
)
select q.i, 'account' as kind, h.* from q cross join lateral (${latestEarlier('')}) h
union all
select q.i, 'subscription' as kind, h.* from q cross join lateral (${latestEarlier('and h.subscription_id = q.subscription_id')}) h where q.subscription_id is not null
union all
select null, 'stored' as kind, ${COLUMNS} from invoice_history h where h.invoice_id = any(?::text[])`;

/**
 * What the table says about the batch's new invoices, in one statement: for each row, the latest
 * earlier invoice of its account and of its subscription among the invoices the batch does not
 * write, and the stored rows of those it does (see domain/batch-history.ts for how they combine).
 */
export async function storedHistory(trx: Knex.Transaction, rows: HistoryRow[]): Promise<{ fromTable: InvoiceHistory[]; stored: Map<string, HistoryRow> }> {
  const written = [...new Set(rows.map((r) => r.invoiceId))];
  const { rows: out }: { rows: RowOut[] } = await trx.raw(HISTORY_SQL, [
    rows.map((r) => r.accountId), rows.map((r) => r.subscriptionId) as string[] /* null elements bind as SQL null */, rows.map((r) => r.issuedAt), rows.map((r) => r.invoiceId),
    written, written, written,
  ]);
  const fromTable: InvoiceHistory[] = rows.map(() => ({ previousForAccount: null, previousForSubscription: null }));
  const stored = new Map<string, HistoryRow>();
  for (const r of out) {
    if (r.kind === 'stored') stored.set(r.invoice_id, toRow(r));
    else if (r.kind === 'account') fromTable[r.i! - 1].previousForAccount = toPast(r);
    else fromTable[r.i! - 1].previousForSubscription = toPast(r);
  }
  return { fromTable, stored };
}

type HistoryWrite = HistoryRow & { enrichmentId: string };
const historyColumns: Column<HistoryWrite>[] = [
  ['invoice_id', 'text', (r) => r.invoiceId], ['account_id', 'text', (r) => r.accountId], ['subscription_id', 'text', (r) => r.subscriptionId],
  ['currency', 'text', (r) => r.currency], ['total_minor', 'bigint', (r) => r.totalMinor], ['issued_at', 'bigint', (r) => r.issuedAt],
  ['revision', 'int', (r) => r.revision], ['enrichment_id', 'text', (r) => r.enrichmentId],
];

/** One row per invoice (dedupe first); a later revision (late account match) moves it, an older one never does. */
export async function rememberInvoices(trx: Knex.Transaction, rows: HistoryWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const v = unnestRows(rows, historyColumns);
  const set = historyColumns.slice(1).map(([name]) => `${name} = excluded.${name}`).join(', ');
  await trx.raw(
    `insert into invoice_history (${names(historyColumns)}) select ${names(historyColumns, 'v.')} from ${v.sql}
     on conflict (invoice_id) do update set ${set} where invoice_history.revision <= excluded.revision`,
    v.bindings,
  );
}

const assessmentColumns: Column<Assessment>[] = [
  ['enrichment_id', 'text', (a) => a.value.enriched.enrichmentId], ['assessment_id', 'text', (a) => a.value.assessmentId],
  ['account_id', 'text', (a) => a.value.accountId], ['invoice_id', 'text', (a) => a.value.enriched.invoice.invoiceId],
  ['revision', 'int', (a) => a.value.enriched.revision], ['rule_version', 'text', (a) => a.value.ruleVersion], ['risk_level', 'text', (a) => a.value.riskLevel],
  ['risk_score', 'int', (a) => a.decision.score], ['reasons', 'json', (a) => JSON.stringify(a.decision.reasons)],
  ['value', 'json', (a) => JSON.stringify(a.value)], ['assessed_at', 'timestamptz', (a) => new Date(a.value.assessedAt)],
];

/**
 * The new assessments, already marked published: the runtime commits only after the broker
 * acknowledged the records emitted with this batch, so a committed row was published.
 */
export async function saveAssessments(trx: Knex.Transaction, made: Assessment[]): Promise<void> {
  if (made.length === 0) return;
  const v = unnestRows(made, assessmentColumns);
  await trx.raw(
    `insert into assessments (${names(assessmentColumns)}, published_at) select ${names(assessmentColumns, 'v.')}, now() from ${v.sql} on conflict do nothing`,
    v.bindings,
  );
}

/** Rows left unpublished by the scorer's former per-record path, re-emitted with this batch. */
export async function markPublished(trx: Knex.Transaction, enrichmentIds: string[]): Promise<void> {
  if (enrichmentIds.length === 0) return;
  await trx('assessments').whereRaw('enrichment_id = any(?::text[])', [enrichmentIds]).whereNull('published_at').update({ published_at: trx.fn.now() });
}

/** Records the rule version in use, once, with its full configuration. */
export async function recordRules(db: Knex, rules: Rules): Promise<void> {
  await db('rule_versions').insert({ version: rules.version, config: JSON.stringify(rules.config) }).onConflict('version').ignore();
}
