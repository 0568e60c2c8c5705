import type { AssessedInvoice, EnrichedInvoice } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import type { Assessment } from '../domain/assess.ts';
import { invoiceTime, toPastInvoice, type InvoiceHistory, type PastInvoice } from '../domain/history.ts';
import type { Rules } from '../domain/rules.ts';

export interface StoredAssessment {
  value: AssessedInvoice;
  /** True when an earlier run already assessed this enrichment (a replay). */
  replayed: boolean;
  published: boolean;
}

interface HistoryRow { invoice_id: string; subscription_id: string | null; currency: string; total_minor: number; issued_at: number }
const toPast = (r: HistoryRow): PastInvoice => ({ invoiceId: r.invoice_id, subscriptionId: r.subscription_id, currency: r.currency, totalMinor: r.total_minor, issuedAt: r.issued_at });

/** The scorer's own state: per-account invoice history and the assessments it made (its outbox). */
export function createAssessmentStore(db: Knex) {
  /** Invoices of the account strictly before this one (by time, then id), never the invoice itself. */
  const earlier = (trx: Knex.Transaction, enriched: EnrichedInvoice) =>
    trx<HistoryRow>('invoice_history')
      .where('account_id', enriched.accountId)
      .whereNot('invoice_id', enriched.invoice.invoiceId)
      .whereRaw('(issued_at, invoice_id) < (?, ?)', [invoiceTime(enriched.invoice), enriched.invoice.invoiceId]);

  /** The latest earlier invoice of the account and of the subscription, in one round trip. */
  async function historyOf(trx: Knex.Transaction, enriched: EnrichedInvoice): Promise<InvoiceHistory> {
    const latest = (by: 'account' | 'subscription') => {
      const q = earlier(trx, enriched).select(trx.raw('? as kind', [by]), 'invoice_id', 'subscription_id', 'currency', 'total_minor', 'issued_at');
      if (by === 'subscription') q.where('subscription_id', enriched.invoice.subscriptionId!);
      return q.orderBy([{ column: 'issued_at', order: 'desc' }, { column: 'invoice_id', order: 'desc' }]).limit(1);
    };
    const rows: Array<HistoryRow & { kind: string }> = enriched.invoice.subscriptionId
      ? await trx.unionAll([latest('account'), latest('subscription')], true)
      : await latest('account');
    const find = (by: string) => rows.find((r) => r.kind === by);
    return {
      previousForAccount: find('account') ? toPast(find('account')!) : null,
      previousForSubscription: find('subscription') ? toPast(find('subscription')!) : null,
    };
  }

  /** One row per invoice; a later revision (late account match) moves it, an older one never does. */
  async function remember(trx: Knex.Transaction, enriched: EnrichedInvoice) {
    const past = toPastInvoice(enriched.invoice);
    await trx('invoice_history')
      .insert({ invoice_id: past.invoiceId, account_id: enriched.accountId, subscription_id: past.subscriptionId, currency: past.currency, total_minor: past.totalMinor, issued_at: past.issuedAt, revision: enriched.revision, enrichment_id: enriched.enrichmentId })
      .onConflict('invoice_id')
      .merge(['account_id', 'subscription_id', 'currency', 'total_minor', 'issued_at', 'revision', 'enrichment_id'])
      .where('invoice_history.revision', '<=', enriched.revision);
  }

  return {
    /**
     * Returns the assessment of this enrichment, deciding it only the first time. The account is
     * locked for the transaction so two consumers (during a rebalance) never interleave its history.
     */
    async assessOnce(enriched: EnrichedInvoice, decide: (history: InvoiceHistory) => Assessment): Promise<StoredAssessment> {
      return db.transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [enriched.accountId]);
        const existing = await trx('assessments').where('enrichment_id', enriched.enrichmentId).first('value', 'published_at');
        if (existing) return { value: existing.value as AssessedInvoice, replayed: true, published: existing.published_at !== null };
        const { value, decision } = decide(await historyOf(trx, enriched));
        await remember(trx, enriched);
        await trx('assessments').insert({
          enrichment_id: enriched.enrichmentId, assessment_id: value.assessmentId, account_id: value.accountId, invoice_id: enriched.invoice.invoiceId,
          revision: enriched.revision, rule_version: value.ruleVersion, risk_level: value.riskLevel, risk_score: decision.score,
          reasons: JSON.stringify(decision.reasons), value: JSON.stringify(value), assessed_at: new Date(value.assessedAt),
        });
        return { value, replayed: false, published: false };
      });
    },

    /**
     * Not waiting for the WAL flush is safe here: losing this mark in a database crash only means
     * a replay re-sends the identical stored assessment.
     */
    async markPublished(enrichmentId: string) {
      await db.transaction(async (trx) => {
        await trx.raw('set local synchronous_commit = off');
        await trx('assessments').where('enrichment_id', enrichmentId).whereNull('published_at').update({ published_at: trx.fn.now() });
      });
    },

    /** Records the rule version in use, once, with its full configuration. */
    async recordRules(rules: Rules) {
      await db('rule_versions').insert({ version: rules.version, config: JSON.stringify(rules.config) }).onConflict('version').ignore();
    },
  };
}

export type AssessmentStore = ReturnType<typeof createAssessmentStore>;
