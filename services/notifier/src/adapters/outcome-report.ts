import type { NotifierDeps } from '../handlers/deps.ts';
import { computeOutcomes, type NotifiedInvoice } from '../domain/outcomes.ts';
import { dueView, iso, moneyView } from '../domain/display.ts';
import { baselineInvoices, goLiveOf, notifiedInvoices, type OutcomeScope } from './outcome-store.ts';

export interface OutcomeOptions {
  /** OUTCOMES_GO_LIVE_DATE: invoices issued before it are the baseline (default: the first notification). */
  goLiveAt: number | null;
}

/** The metrics for a window and scope, as the API, the page and the weekly e-mail show them. */
export async function outcomesFor(deps: NotifierDeps, scope: OutcomeScope, opts: OutcomeOptions, zone: string) {
  const now = deps.now();
  const notified = await notifiedInvoices(deps.db, scope);
  const inWindow = (at: number | null) => at !== null && at >= scope.from && at < scope.to;
  const accounts = [...new Set(notified.filter((i) => inWindow(i.notifiedAt) || inWindow(i.dueAt)).map((i) => i.accountId))];
  const goLiveAt = await goLiveOf(deps.db, opts.goLiveAt);
  const history = await baselineInvoices(deps.db, accounts, goLiveAt);
  const out = computeOutcomes(notified, history, { from: scope.from, to: scope.to, now });
  return {
    from: iso(scope.from), to: iso(scope.to), csmId: scope.csmId, team: scope.team, generatedAt: iso(now), goLiveAt: iso(goLiveAt), baselineAccounts: accounts.length,
    ...out, needsOutreach: out.needsOutreach.map((i) => needsOutreachView(i, zone)),
  };
}

function needsOutreachView(i: NotifiedInvoice, zone: string) {
  return {
    invoiceId: i.invoiceId, customerId: i.accountId, customerName: i.customerName, csmId: i.csmId, team: i.team, status: i.status,
    ...dueView(i.dueAt, zone), ...moneyView(i.amountMinor, i.currency), riskLevel: i.riskLevel, currentAction: i.currentAction,
  };
}

export type OutcomeReport = Awaited<ReturnType<typeof outcomesFor>>;
