/** The printed outcome of a chaos run. */
import type { FaultRecord, Watchdog } from './faults.ts';
import type { FuzzReport } from './fuzz/run-fuzz.ts';
import type { SendStats } from './sender.ts';
import type { Workload } from './workload.ts';

export interface ChaosOutcome {
  workload: Workload;
  stats: SendStats;
  streamSeconds: number;
  faults: FaultRecord[];
  exits: Watchdog['unexpectedExits'];
  topics: { sent: number; notified: number; lost: string[]; duplicated: string[]; unexpected: string[]; statusMismatches: unknown[]; notificationStatusMismatches: unknown[]; notificationRecords: number };
  view: { dbIssued: number; dbTotal: number; dbDuplicateRows: number; apiPendingTotal: number };
  settleSeconds: number;
  fuzz?: Omit<FuzzReport, 'system'>;
}

const sample = (xs: unknown[]) => (xs.length ? ` e.g. ${JSON.stringify(xs.slice(0, 3))}` : '');

/** Prints the report and returns the problems (empty when nothing was lost, duplicated or wrong). */
export function printReport(o: ChaosOutcome, say: (line: string) => void): string[] {
  const t = o.topics;
  say('');
  say('== chaos report');
  say(`deliveries            ${o.workload.deliveries.length} (${o.workload.duplicates} duplicates, ${o.workload.reordered} invoices with payment events before their issue event) in ${o.streamSeconds.toFixed(0)} s`);
  say(`delivery attempts     ${o.stats.attempts} ${JSON.stringify(o.stats.byStatus)}; most attempts for one delivery: ${o.stats.maxAttempts}`);
  say(`faults                ${o.faults.map((f) => `${f.fault} @${f.atDelivery} (${f.seconds.toFixed(1)} s)`).join('; ')}`);
  say(`unexpected exits      ${o.exits.length}${o.exits.map((e) => ` ${e.service}(${e.code ?? e.signal})`).join('')}`);
  say(`N sent                ${t.sent} distinct invoices`);
  say(`N notified            ${t.notified} distinct invoice_issued notifications (${t.notificationRecords} records on csm.notifications.v1; settled ${o.settleSeconds.toFixed(0)} s after the stream)`);
  say(`lost                  ${t.lost.length}${sample(t.lost)}`);
  say(`duplicated            ${t.duplicated.length}${sample(t.duplicated)}`);
  say(`unexpected invoices   ${t.unexpected.length}${sample(t.unexpected)}`);
  say(`payment status wrong  ${t.statusMismatches.length} (billing.invoice.payment-status.v1, newest version per invoice)${sample(t.statusMismatches)}`);
  say(`notification status   ${t.notificationStatusMismatches.length} wrong${sample(t.notificationStatusMismatches)}`);
  say(`notifier database     ${o.view.dbIssued} invoice_issued rows, ${o.view.dbTotal} notifications, ${o.view.dbDuplicateRows} duplicate (invoice, kind); API pending total ${o.view.apiPendingTotal}`);
  say(`rejected deliveries   ${o.stats.rejected.length}${sample(o.stats.rejected)}`);
  const problems: string[] = [];
  if (t.lost.length) problems.push(`${t.lost.length} lost`);
  if (t.duplicated.length) problems.push(`${t.duplicated.length} duplicated`);
  if (t.unexpected.length) problems.push(`${t.unexpected.length} unexpected`);
  if (t.statusMismatches.length) problems.push(`${t.statusMismatches.length} payment statuses wrong`);
  if (t.notificationStatusMismatches.length) problems.push(`${t.notificationStatusMismatches.length} notification statuses wrong`);
  if (o.view.dbIssued !== t.sent || o.view.dbDuplicateRows) problems.push(`notifier database holds ${o.view.dbIssued} invoice_issued rows for ${t.sent} invoices`);
  if (o.view.apiPendingTotal !== o.view.dbTotal) problems.push(`API pending total ${o.view.apiPendingTotal} != ${o.view.dbTotal} notifications`);
  if (o.stats.rejected.length) problems.push(`${o.stats.rejected.length} deliveries rejected`);
  if (o.fuzz) {
    say(`fuzz                  ${o.fuzz.requests} requests over ${o.fuzz.routes.length} routes (${o.fuzz.runsPerRoute} generated cases each + oversized bodies); findings: ${o.fuzz.findings.length}`);
    for (const f of o.fuzz.findings) say(`  finding: ${f.slice(0, 6000)}`);
    if (o.fuzz.findings.length) problems.push(`${o.fuzz.findings.length} fuzz findings`);
  }
  say(problems.length ? `RESULT: FAIL (${problems.join(', ')})` : `RESULT: OK: ${t.sent} sent, ${t.notified} notified, 0 lost, 0 duplicated`);
  return problems;
}
