import type { EnrichedInvoice, RecommendedAction, RiskFlag, RiskLevel } from '@invoice-signal/events';
import { DAY_MS, isoDate, money } from './format.ts';
import { atLeast } from './risk-level.ts';
import type { FlagCode, RulesConfig } from './rules.ts';

interface ActionContext {
  enriched: EnrichedInvoice;
  customer: string;
  /** Invoice number or id, and its amount, for sentences. */
  label: string;
  /** When outreach should have happened: lead days before the due date, never before the invoice date. */
  outreachBy: number;
}

type ActionBuilder = (flag: RiskFlag, c: ActionContext) => Omit<RecommendedAction, 'forFlags'>;

/** One action per flag; text built from the flag's facts so the CSM sees the same numbers. */
const perFlag: Record<FlagCode, ActionBuilder> = {
  UNMATCHED_ACCOUNT: (f, c) => ({ code: 'LINK_ACCOUNT', dueBy: null,
    text: `Map ${f.facts.source} customer ${f.facts.vendorCustomerId ?? '(no id)'} to its account (context import) so ${c.label} reaches the right CSM.` }),
  PAYMENT_FAILED_RECENTLY: (f, c) => ({ code: 'UPDATE_PAYMENT_METHOD', dueBy: c.outreachBy,
    text: `Ask ${c.customer} to check the card or bank details on file before ${c.label} is collected: a payment failed on ${f.facts.lastFailedAt}.` }),
  LATE_PAYMENT_HISTORY: (f, c) => ({ code: 'CONFIRM_PAYMENT_DATE', dueBy: c.outreachBy,
    text: `Confirm with ${c.customer} when ${c.label} will be paid: their payment history is ${f.facts.classification} (${f.facts.reasons}).` }),
  CONTRACT_DISPUTE: (f, c) => ({ code: 'RESOLVE_DISPUTE', dueBy: c.outreachBy,
    text: `Make sure the dispute${f.facts.lastDisputeAt ? ` of ${f.facts.lastDisputeAt}` : ''} is settled before ${c.label} is due; bring finance in if it is not.` }),
  HEALTH_DECLINING: (_f, c) => ({ code: 'REVIEW_ACCOUNT_HEALTH', dueBy: c.outreachBy,
    text: `Find out what is behind ${c.customer}'s falling health and agree a plan with them before ${c.label} is due.` }),
  AMOUNT_CHANGE: (f, c) => ({ code: 'EXPLAIN_AMOUNT_CHANGE', dueBy: c.outreachBy,
    text: `Walk ${c.customer} through why ${c.label} is ${f.facts.direction} ${f.facts.deltaPercent === 'infinite' ? 'from zero' : `${f.facts.deltaPercent}%`} on the previous invoice before they query it.` }),
  FIRST_INVOICE: (_f, c) => ({ code: 'CONFIRM_BILLING_CONTACT', dueBy: c.outreachBy,
    text: `Confirm with ${c.customer} who receives invoices, whether a PO number is needed and that a payment method is set up, so their first invoice, ${c.label}, is not held up.` }),
  RENEWAL_APPROACHING: (f, c) => ({ code: 'PREPARE_RENEWAL', dueBy: c.outreachBy,
    text: `Renewal is on ${f.facts.renewalDate}: line up the renewal conversation with ${c.customer} alongside ${c.label}.` }),
  HIGH_VALUE: (_f, c) => ({ code: 'WATCH_HIGH_VALUE_PAYMENT', dueBy: c.enriched.invoice.dueAt,
    text: `Follow ${c.label} until it is paid and confirm with ${c.customer}'s finance team that it is scheduled.` }),
};

/** Flags that call for talking to the customer before the due date. */
const outreachFlags: FlagCode[] = ['PAYMENT_FAILED_RECENTLY', 'LATE_PAYMENT_HISTORY', 'CONTRACT_DISPUTE', 'HEALTH_DECLINING', 'AMOUNT_CHANGE', 'FIRST_INVOICE', 'RENEWAL_APPROACHING'];

/**
 * Proactive outreach first (when the level reaches outreachMinLevel), then one action per flag.
 * Every action names the flags it answers.
 */
export function recommendActions(flags: RiskFlag[], level: RiskLevel, enriched: EnrichedInvoice, customer: string, at: number, rules: RulesConfig['actions']): RecommendedAction[] {
  const { invoice } = enriched;
  const due = invoice.dueAt;
  const c: ActionContext = {
    enriched, customer,
    label: `invoice ${invoice.invoiceNumber ?? invoice.invoiceId} (${money(invoice.totalMinor, invoice.currency)})`,
    outreachBy: due === null ? at : Math.max(at, due - rules.outreachLeadDays * DAY_MS),
  };
  const actions: RecommendedAction[] = [];
  const reasons = flags.filter((f) => (outreachFlags as string[]).includes(f.code)).map((f) => f.code);
  if (atLeast(level, rules.outreachMinLevel) && reasons.length > 0) {
    actions.push({ code: 'PROACTIVE_OUTREACH', dueBy: c.outreachBy, forFlags: reasons,
      text: `Reach out to ${customer} before ${isoDate(c.outreachBy, enriched.owner.timeZone)}${due === null ? '' : ` (the invoice is due ${isoDate(due, enriched.owner.timeZone)})`} to make sure ${c.label} gets paid on time.` });
  }
  for (const flag of flags) {
    const build = perFlag[flag.code as FlagCode];
    if (build) actions.push({ ...build(flag, c), forFlags: [flag.code] });
  }
  return actions;
}
