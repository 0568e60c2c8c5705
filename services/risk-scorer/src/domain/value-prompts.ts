import type { EnrichedInvoice, ValueMetric, ValuePrompt } from '@invoice-signal/events';
import { DAY_MS, facts, isoDate, money, num, plural } from './format.ts';
import type { RulesConfig } from './rules.ts';

const metricText = (m: ValueMetric) => `${m.metric}: ${num(m.value)} ${m.unit} (${m.period})`;
const metricData = (metrics: ValueMetric[]) => Object.fromEntries(metrics.map((m, i) => [`metric.${i + 1}`, metricText(m)]));

/**
 * Value reinforcement for accounts of the configured tiers (FR-5): a value summary ready to paste,
 * a check-in call before the due date, the success metrics to share, and the open concerns to
 * address. Each prompt carries the data it was built from.
 */
export function valueReinforcement(enriched: EnrichedInvoice, at: number, rules: RulesConfig['valueReinforcement']): ValuePrompt[] {
  const ctx = enriched.context;
  const tier = ctx?.contract?.tier;
  if (!ctx || !tier || !rules.tiers.includes(tier)) return [];
  const { invoice } = enriched;
  const amount = money(invoice.totalMinor, invoice.currency);
  const label = invoice.invoiceNumber ?? invoice.invoiceId;
  // Dates as on the CSM's calendar.
  const day = (ms: number) => isoDate(ms, enriched.owner.timeZone);
  const dueText = invoice.dueAt === null ? '' : `, due ${day(invoice.dueAt)}`;
  const metrics = ctx.valueDelivered.slice(0, rules.maxMetrics);
  const base = { accountId: enriched.accountId, customer: ctx.name, invoice: label, amount, dueDate: invoice.dueAt === null ? null : day(invoice.dueAt) };
  const prompts: ValuePrompt[] = [];

  if (metrics.length > 0) {
    prompts.push({
      kind: 'send_value_summary',
      text: `Hello ${ctx.name} team, ahead of invoice ${label} (${amount}${dueText}) here is a short summary of the value you got from us: ${metrics.map(metricText).join('; ')}. Happy to walk you through it on a short call.`,
      data: { ...facts(base), ...metricData(metrics) },
    });
  }
  const checkInBy = invoice.dueAt === null ? at + rules.checkInLeadDays * DAY_MS : Math.max(at, invoice.dueAt - rules.checkInLeadDays * DAY_MS);
  prompts.push({
    kind: 'schedule_check_in',
    text: `Schedule a check-in call with ${ctx.name} before ${day(checkInBy)}${dueText ? ` (invoice ${label}${dueText})` : ''}${ctx.health ? `; health is ${ctx.health.score}` : ''}.`,
    data: facts({ ...base, checkInBy: day(checkInBy), csmTimeZone: ctx.csm.timeZone, healthScore: ctx.health?.score, renewalDate: ctx.contract?.renewalDate ? isoDate(ctx.contract.renewalDate) : null }),
  });
  if (metrics.length > 0) {
    prompts.push({
      kind: 'share_success_metrics',
      text: `Share these success metrics with ${ctx.name}'s stakeholders before payment: ${metrics.map(metricText).join('; ')}.`,
      data: { ...facts({ accountId: enriched.accountId, metrics: metrics.length }), ...metricData(metrics) },
    });
  }
  const concerns = openConcerns(enriched);
  if (concerns) prompts.push(concerns);
  return prompts;
}

/** Open support issues and disputes, listed by id and title so the CSM can act on them. */
function openConcerns(enriched: EnrichedInvoice): ValuePrompt | null {
  const ctx = enriched.context!;
  const open = ctx.supportIssues.recent.filter((i) => i.open);
  const openCount = Math.max(ctx.supportIssues.open, open.length);
  if (openCount === 0 && ctx.disputes.count === 0) return null;
  const parts: string[] = [];
  if (openCount > 0) {
    const listed = open.map((i) => `${i.id} "${i.title}"${i.severity ? ` (${i.severity})` : ''}`).join(', ');
    parts.push(`${plural(openCount, 'open support issue')}${listed ? `: ${listed}` : ''}`);
  }
  if (ctx.disputes.count > 0) parts.push(`${plural(ctx.disputes.count, 'dispute')}${ctx.disputes.lastAt ? `, the last on ${isoDate(ctx.disputes.lastAt)}` : ''}`);
  return {
    kind: 'address_concerns',
    text: `Address ${ctx.name}'s open concerns before the invoice is paid: ${parts.join('; ')}.`,
    data: {
      ...facts({ accountId: enriched.accountId, openSupportIssues: openCount, supportIssuesLast30d: ctx.supportIssues.last30d, disputes: ctx.disputes.count, lastDisputeAt: ctx.disputes.lastAt ? isoDate(ctx.disputes.lastAt) : null }),
      ...Object.fromEntries(open.map((i, n) => [`issue.${n + 1}`, `${i.id}: ${i.title}${i.severity ? ` (${i.severity})` : ''}`])),
    },
  };
}
