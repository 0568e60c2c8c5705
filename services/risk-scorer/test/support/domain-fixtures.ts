import type { CustomerContext, EnrichedInvoice, InvoiceEvent, PaymentHistorySummary } from '@invoice-signal/events';
import { sampleCustomerContext, sampleEnrichedInvoice, sampleInvoiceEvent } from '@invoice-signal/testkit';
import { defaultRulesFile, loadRulesFile } from '../../src/adapters/rules-file.ts';
import type { FlagInput } from '../../src/domain/flags/index.ts';
import { highValueBar } from '../../src/domain/high-value.ts';
import { emptyHistory, invoiceTime, type InvoiceHistory, type PastInvoice } from '../../src/domain/history.ts';
import type { FlagCode, Rules, RulesConfig } from '../../src/domain/rules.ts';

export const DAY = 24 * 3600 * 1000;
export const shippedRules: Rules = loadRulesFile(defaultRulesFile);

/** The shipped rules with one flag's parameters replaced, so a test states the thresholds it checks. */
export function rulesWith<C extends FlagCode>(code: C, params: Partial<RulesConfig['flags'][C]>): RulesConfig['flags'] {
  return { ...shippedRules.config.flags, [code]: { ...shippedRules.config.flags[code], ...params } };
}

/** A plain account: no payment trouble, no disputes, stable health, standard tier, renewal far away. */
export function quietEnriched(over: { invoice?: Partial<InvoiceEvent>; context?: Partial<CustomerContext> | null; payment?: Partial<PaymentHistorySummary>; enriched?: Partial<EnrichedInvoice> } = {}): EnrichedInvoice {
  const base = sampleEnrichedInvoice();
  const context = over.context === null ? null : sampleCustomerContext({
    health: { score: 80, asOf: base.invoice.issuedAt!, history: [] },
    contract: { ...sampleCustomerContext().contract!, renewalDate: base.invoice.issuedAt! + 300 * DAY, tier: 'standard' },
    supportIssues: { open: 0, last30d: 0, recent: [] },
    disputes: { count: 0, lastAt: null },
    ...over.context,
  });
  return {
    ...base,
    invoice: sampleInvoiceEvent({ accountId: 'acc_acme', totalMinor: 500_000, amountDueMinor: 500_000, amountRemainingMinor: 500_000, ...over.invoice }),
    context,
    healthTrend: { direction: 'stable', fromScore: 80, toScore: 80, deltaPoints: 0, windowDays: 60 },
    paymentHistory: { windowMonths: 12, invoices: 11, paidOnTime: 11, paidLate: 0, averageDaysLate: 0, maxDaysLate: 0, failed: 0, overdue: 0, lastFailedAt: null, classification: 'excellent', ...over.payment },
    ...over.enriched,
  };
}

export function past(over: Partial<PastInvoice> = {}): PastInvoice {
  return { invoiceId: 'stripe:in_prev', subscriptionId: 'sub_123', currency: 'EUR', totalMinor: 100_000, issuedAt: Date.UTC(2026, 9, 1), ...over };
}

export function flagInput(enriched: EnrichedInvoice, rules: RulesConfig['flags'] = shippedRules.config.flags, history: InvoiceHistory = emptyHistory): FlagInput {
  const customer = enriched.context?.name ?? enriched.accountId;
  return { enriched, history, rules, highValue: highValueBar(rules.HIGH_VALUE), at: invoiceTime(enriched.invoice), customer };
}
