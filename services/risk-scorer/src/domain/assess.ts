import type { AssessedInvoice, EnrichedInvoice } from '@invoice-signal/events';
import { recommendActions } from './actions.ts';
import { evaluateFlags } from './flags/index.ts';
import { invoiceTime, type InvoiceHistory } from './history.ts';
import { decideRiskLevel, type RiskDecision } from './risk-level.ts';
import type { Rules } from './rules.ts';
import { valueReinforcement } from './value-prompts.ts';

export interface Assessment {
  value: AssessedInvoice;
  decision: RiskDecision;
}

/** Deterministic, as the schema promises: the same enrichment under the same rules has the same id. */
export const assessmentIdOf = (enrichmentId: string, ruleVersion: string) => `asm_${enrichmentId}_${ruleVersion}`;

/**
 * The whole decision for one enriched invoice: flags, risk level, actions, value prompts. Pure:
 * everything it depends on is an argument, and `assessedAt` is only recorded, never used to decide.
 */
export function assess(enriched: EnrichedInvoice, history: InvoiceHistory, rules: Rules, assessedAt: number): Assessment {
  const at = invoiceTime(enriched.invoice);
  const customer = enriched.context?.name ?? enriched.accountId;
  const flags = evaluateFlags({ enriched, history, rules: rules.config.flags, highValue: rules.highValue, at, customer });
  const decision = decideRiskLevel(flags, rules.config.scoring);
  return {
    decision,
    value: {
      assessmentId: assessmentIdOf(enriched.enrichmentId, rules.version),
      accountId: enriched.accountId,
      enriched,
      riskLevel: decision.level,
      ruleVersion: rules.version,
      flags,
      actions: recommendActions(flags, decision.level, enriched, customer, at, rules.config.actions),
      valuePrompts: valueReinforcement(enriched, at, rules.config.valueReinforcement),
      assessedAt,
    },
  };
}

/** Problems that make a record impossible to assess (it is dead-lettered with them), empty when fine. */
export function problemsOf(enriched: EnrichedInvoice): string[] {
  const problems: string[] = [];
  const { invoice } = enriched;
  if (!enriched.enrichmentId.trim()) problems.push('enrichmentId is empty');
  if (!enriched.accountId.trim()) problems.push('accountId is empty');
  if (!invoice.invoiceId.trim()) problems.push('invoice.invoiceId is empty');
  if (!/^[A-Z]{3}$/.test(invoice.currency)) problems.push(`invoice.currency must be an ISO 4217 code in upper case (got "${invoice.currency}")`);
  if (!Number.isSafeInteger(invoice.totalMinor) || invoice.totalMinor < 0) problems.push(`invoice.totalMinor must be a non-negative integer of minor units (got ${invoice.totalMinor})`);
  return problems;
}
