import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ValuePromptKindSymbols, type CustomerContext, type EnrichedInvoice, type Health, type PaymentHistorySummary } from '@invoice-signal/events';
import { sampleCustomerContext, sampleInvoiceEvent } from '@invoice-signal/testkit';
// The enricher computes the rating and the trend a CSM sees beside the flags: scenarios are
// checked against its own functions, so a scenario can never show a rating the enricher would not.
import { healthTrend } from '../../../enricher/src/domain/health-trend.ts';
import { classify } from '../../../enricher/src/domain/payment-history.ts';
import { assess } from '../../src/domain/assess.ts';
import type { InvoiceHistory, PastInvoice } from '../../src/domain/history.ts';
import { flagCodes, type Rules } from '../../src/domain/rules.ts';
import { contradictions } from './agreement.ts';

const DAY = 24 * 3600 * 1000;

/** `2026-11-02` (midnight UTC) or a date-time with its zone. */
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, 'an ISO-8601 date or date-time with zone').transform((s) => Date.parse(s));
const count = z.number().int().nonnegative();
const flag = z.enum(flagCodes);
const prompt = z.enum(ValuePromptKindSymbols);

const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'kebab-case'),
  description: z.string().min(10),
  invoice: z.strictObject({
    issuedAt: date.optional(), dueAt: date.nullable().optional(), currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    totalMinor: count.optional(), amountDueMinor: count.optional(), periodStart: date.nullable().optional(), periodEnd: date.nullable().optional(),
    subscriptionId: z.string().nullable().optional(),
  }).default({}),
  matched: z.boolean().default(true),
  context: z.strictObject({
    tier: z.enum(['strategic', 'standard']).optional(), contractStart: date.nullable().optional(), renewalDate: date.nullable().optional(),
    health: z.strictObject({ score: z.number().int().min(0).max(100), history: z.array(z.strictObject({ score: z.number().int().min(0).max(100), asOf: date })).default([]) }).nullable().optional(),
    disputes: z.strictObject({ count, lastAt: date.nullable() }).optional(),
    supportIssues: z.strictObject({ open: count, last30d: count, recent: z.array(z.strictObject({ id: z.string(), title: z.string(), severity: z.string().nullable(), openedAt: date.nullable(), open: z.boolean() })).default([]) }).optional(),
    valueDelivered: z.array(z.strictObject({ metric: z.string(), value: z.number(), unit: z.string(), period: z.string() })).optional(),
  }).default({}),
  paymentHistory: z.strictObject({
    invoices: count, paidOnTime: count, paidLate: count, averageDaysLate: z.number().nonnegative(), maxDaysLate: count, failed: count, overdue: count,
    lastFailedAt: date.nullable(), classification: z.enum(['excellent', 'good', 'fair', 'poor']),
  }).partial().default({}),
  earlierInvoices: z.array(z.strictObject({ issuedAt: date, totalMinor: count, currency: z.string().optional(), subscriptionId: z.string().nullable().optional() })).default([]),
  expect: z.array(flag),
  mustNot: z.array(flag),
  expectPrompts: z.array(prompt).default([]),
  mustNotPrompts: z.array(prompt).default([]),
});
const fileSchema = z.strictObject({ doc: z.string(), scenarios: z.array(scenarioSchema).min(1) });

export type Scenario = z.infer<typeof scenarioSchema>;
export interface ScenarioFile { file: string; doc: string; scenarios: Scenario[] }

/** Every `*.json` of the scenario folder, validated: a misspelt field names the file and the field. */
export function loadScenarioFiles(dir: string): ScenarioFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return { file, ...parsed.data };
  });
}

/** Defaults: the README's "a quiet, established account" (scenarios state only what differs). */
const defaultIssuedAt = Date.parse('2026-11-02T09:00:00Z');
const quietHistory: PaymentHistorySummary = {
  windowMonths: 12, invoices: 12, paidOnTime: 12, paidLate: 0, averageDaysLate: 0, maxDaysLate: 0, failed: 0, overdue: 0, lastFailedAt: null, classification: 'excellent',
};

function contextOf(s: Scenario, accountId: string, issuedAt: number): CustomerContext | null {
  if (!s.matched) return null;
  const c = s.context;
  const health: Health | null = c.health === null ? null : c.health
    ? { score: c.health.score, asOf: issuedAt, history: c.health.history }
    : { score: 80, asOf: issuedAt, history: [{ score: 80, asOf: issuedAt - 60 * DAY }] };
  const sample = sampleCustomerContext();
  return {
    ...sample, accountId, name: `Customer ${s.name}`, health,
    contract: {
      arrMinor: 12_000_000, currency: 'USD', endDate: null, plan: null, tier: c.tier ?? 'standard',
      startDate: c.contractStart === undefined ? Date.parse('2024-01-15') : c.contractStart,
      renewalDate: c.renewalDate === undefined ? Date.parse('2027-09-01') : c.renewalDate,
    },
    supportIssues: c.supportIssues ?? { open: 0, last30d: 0, recent: [] },
    disputes: c.disputes ?? { count: 0, lastAt: null },
    valueDelivered: c.valueDelivered ?? [],
  };
}

/** The EnrichedInvoice the enricher would publish for the scenario, and the scorer's history of the account. */
export function scenarioInput(s: Scenario): { enriched: EnrichedInvoice; history: InvoiceHistory } {
  const issuedAt = s.invoice.issuedAt ?? defaultIssuedAt;
  const accountId = s.matched ? `acc_${s.name}` : `unmatched:stripe:cus_${s.name}`;
  const totalMinor = s.invoice.totalMinor ?? 100_000;
  const subscriptionId = s.invoice.subscriptionId === undefined ? `sub_${s.name}` : s.invoice.subscriptionId;
  const invoice = sampleInvoiceEvent({
    eventId: `stripe:evt_${s.name}`, invoiceId: `stripe:in_${s.name}`, vendorEventId: `evt_${s.name}`, vendorInvoiceId: `in_${s.name}`,
    vendorCustomerId: `cus_${s.name}`, accountId: s.matched ? accountId : null, subscriptionId, invoiceNumber: `INV-${s.name}`,
    currency: s.invoice.currency ?? 'USD', totalMinor, amountDueMinor: s.invoice.amountDueMinor ?? totalMinor, amountRemainingMinor: s.invoice.amountDueMinor ?? totalMinor,
    issuedAt, dueAt: s.invoice.dueAt === undefined ? issuedAt + 30 * DAY : s.invoice.dueAt, occurredAt: issuedAt, receivedAt: issuedAt + 100,
    periodStart: s.invoice.periodStart ?? null, periodEnd: s.invoice.periodEnd ?? null,
  });
  const context = contextOf(s, accountId, issuedAt);
  const fallback = { id: 'csm_triage', email: null, slackUserId: null, timeZone: null, team: null };
  const past: PastInvoice[] = s.earlierInvoices.map((p, i) => ({
    invoiceId: `stripe:in_${s.name}_earlier_${i}`, subscriptionId: p.subscriptionId === undefined ? subscriptionId : p.subscriptionId,
    currency: p.currency ?? invoice.currency, totalMinor: p.totalMinor, issuedAt: p.issuedAt,
  })).sort((a, b) => a.issuedAt - b.issuedAt);
  const sameSubscription = past.filter((p) => subscriptionId !== null && p.subscriptionId === subscriptionId);
  return {
    enriched: {
      enrichmentId: `enr_${s.name}`, accountId, matched: s.matched, revision: 1, owner: context?.csm ?? fallback, invoice, context,
      healthTrend: healthTrend(context?.health ?? null), paymentHistory: { ...quietHistory, ...s.paymentHistory }, enrichedAt: issuedAt + 1000,
    },
    history: { previousForAccount: past.at(-1) ?? null, previousForSubscription: sameSubscription.at(-1) ?? null },
  };
}

/** Scenarios that could not happen, or whose HIGH_VALUE expectation would hang on where the threshold is. */
function unrealistic(s: Scenario, { enriched }: ReturnType<typeof scenarioInput>): string[] {
  const h = enriched.paymentHistory;
  const { invoice } = enriched;
  const problems: string[] = [];
  const rated = classify(h);
  if (rated !== h.classification) problems.push(`paymentHistory.classification is ${h.classification}, but the enricher rates these figures ${rated}`);
  if (h.paidOnTime + h.paidLate + h.overdue > h.invoices) problems.push('paymentHistory: paidOnTime + paidLate + overdue exceed invoices');
  if ((h.failed > 0) !== (h.lastFailedAt !== null)) problems.push('paymentHistory: lastFailedAt is set exactly when failed > 0');
  if (h.paidLate === 0 ? h.averageDaysLate !== 0 || h.maxDaysLate !== 0 : h.averageDaysLate > h.maxDaysLate || h.averageDaysLate < 1) problems.push('paymentHistory: days late do not fit paidLate');
  if (s.earlierInvoices.some((p) => p.issuedAt >= invoice.issuedAt!)) problems.push('earlierInvoices must be issued before the invoice');
  for (const code of s.expect) if (s.mustNot.includes(code)) problems.push(`${code} is both expected and forbidden`);
  const usdDue = invoice.currency === 'USD' ? invoice.amountDueMinor : null;
  if (s.expect.includes('HIGH_VALUE') && !(usdDue !== null && usdDue >= 50_000_000)) problems.push('expect HIGH_VALUE only for USD 500,000.00 or more due');
  if (s.mustNot.includes('HIGH_VALUE') && !(usdDue !== null && usdDue <= 100_000)) problems.push('mustNot HIGH_VALUE only for USD 1,000.00 or less due');
  return problems;
}

/** Everything wrong with a scenario's outcome under the rules, each naming the flag or prompt; empty when it passes. */
export function scenarioProblems(s: Scenario, rules: Rules): string[] {
  const input = scenarioInput(s);
  const problems = unrealistic(s, input);
  const { value } = assess(input.enriched, input.history, rules, 0);
  const raised = new Map(value.flags.map((f) => [f.code, f]));
  const prompts = new Set(value.valuePrompts.map((p) => p.kind));
  const list = [...raised.keys()].join(', ') || 'none';
  for (const code of s.expect) if (!raised.has(code)) problems.push(`expected ${code}, not raised (raised: ${list})`);
  for (const code of s.mustNot) if (raised.has(code)) problems.push(`${code} must not appear, raised: "${raised.get(code)!.message}"`);
  for (const kind of s.expectPrompts) if (!prompts.has(kind)) problems.push(`expected value prompt ${kind}, missing (got: ${[...prompts].join(', ') || 'none'})`);
  for (const kind of s.mustNotPrompts) if (prompts.has(kind)) problems.push(`value prompt ${kind} must not appear`);
  return [...problems, ...contradictions(value)];
}
