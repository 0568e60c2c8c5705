/** The printed figures and the tables of BENCHMARKS.md, from the figures of one run. */
import type { BenchOptions } from './args.ts';
import type { FloorResult } from './postgres-floor.ts';
import type { HttpReference, KafkaReferences, NullPipeline } from './references.ts';
import type { Soak } from './soak.ts';
import { fixed, mib, ms, ratio, triple, type Summary } from './stats.ts';
import type { StepResult } from './system-load.ts';
import type { Stage } from './tracker.ts';

export interface Machine {
  date: string;
  cores: number;
  memory: string;
  loadBefore: string;
  loadAfter: string;
  node: string;
}

export interface RunFigures {
  machine: Machine;
  command: string;
  options: BenchOptions;
  noise: { limit: number; allowed: boolean; quiet: Array<{ before: string; other: number; machine: number; ours: number }>; refused?: string };
  steps: StepResult[];
  soak?: Soak;
  /** The gateway under a closed loop with the pipeline running. */
  gatewayMax?: { perSecond: number; latency: Summary; failed: number; concurrency: number };
  floor?: FloorResult;
  http?: HttpReference;
  kafka?: KafkaReferences;
  null?: NullPipeline;
  /** Stage → [records, value bytes] the tracker read. */
  recordSizes?: Record<Stage, [number, number]>;
  /** --profile: service → share of busy samples by package. */
  profiles?: Array<[string, Array<[string, number]>]>;
  slackPosts: number;
  errors: string[];
  durationSeconds: number;
  statementStats: boolean;
  jmx: boolean;
}

export const consumerStages = ['enricher', 'risk-scorer', 'notifier', 'payment-tracker'] as const;
export const pipelineStages = ['ingest-gateway', ...consumerStages] as const;

/** The highest sustained step, else the one that notified the most. */
export function bestStep(steps: StepResult[]): StepResult | undefined {
  const sustained = steps.filter((s) => s.verdict.sustained);
  if (sustained.length) return sustained.reduce((a, b) => (b.rate > a.rate ? b : a));
  return steps.reduce<StepResult | undefined>((a, b) => (!a || b.notifiedPerSecond > a.notifiedPerSecond ? b : a), undefined);
}

/** The null pipeline's step at the same rate, else its last. */
export function nullAt(f: RunFigures, rate: number | undefined): StepResult | undefined {
  const steps = f.null?.steps ?? [];
  return steps.find((s) => s.rate === rate) ?? steps.at(-1);
}

export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const opt = (v: number | undefined, digits = 1) => (v === undefined ? '–' : fixed(v, digits));
const sumOf = (s: StepResult, pick: (f: StepResult['stages'][string]) => number | undefined) => {
  const values = pipelineStages.map((n) => (s.stages[n] ? pick(s.stages[n]!) : undefined));
  return values.some((v) => v !== undefined) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : undefined;
};
export const statementsPerInvoice = (s: StepResult) => sumOf(s, (f) => f.statementsPerInvoice);
export const commitsPerInvoice = (s: StepResult) => sumOf(s, (f) => f.commitsPerInvoice);

export function stepsTable(steps: StepResult[]): string {
  return table(
    ['offered/s', 'accepted/s (HTTP)', 'HTTP p50/p99 ms', 'generator lag p99 ms', 'notified/s (steady)', 'webhook→notification p50/p95/p99 ms', 'backlog: growth over 2nd half / max', 'shed / refused', 'other work (cores)', 'CPU ms/invoice: system / all', 'sustained'],
    steps.map((s) => [
      String(s.rate), fixed(s.load.achieved), `${ms(s.load.latency.p50)} / ${ms(s.load.latency.p99)}`, ms(s.load.lag.p99), `${fixed(s.notifiedPerSecond)} (${fixed((100 * s.notifiedPerSecond) / s.rate)} %)`,
      triple(s.tracked.endToEnd), `${fixed(s.backlogGrowth)} / ${fixed(s.backlogMax)}`, `${s.load.total.shed} / ${s.load.total.failed}`, fixed(s.otherCores, 2),
      `${fixed(s.cpuMsPerInvoice.system, 2)} / ${fixed(s.cpuMsPerInvoice.all, 2)}`, s.verdict.sustained ? 'yes' : `no: ${s.verdict.reasons.join('; ')}`,
    ]),
  );
}

export function stageLatencyTable(s: StepResult, nul: StepResult | undefined): string {
  const rows: Array<[string, string, Summary, Summary | undefined]> = [
    ['ingest-gateway', 'webhook scheduled → record on invoice events', s.tracked.stageLatency.gateway!, nul?.tracked.stageLatency.gateway],
    ['enricher', 'invoice events → enriched', s.tracked.stageLatency.enricher!, nul?.tracked.stageLatency.enricher],
    ['risk-scorer', 'enriched → assessed', s.tracked.stageLatency['risk-scorer']!, nul?.tracked.stageLatency['risk-scorer']],
    ['notifier', 'assessed → csm.notifications', s.tracked.stageLatency.notifier!, nul?.tracked.stageLatency.notifier],
    ['whole', 'webhook scheduled → csm.notifications', s.tracked.endToEnd, nul?.tracked.endToEnd],
  ];
  return table(['stage', 'from → to', 'p50 / p95 / p99 ms', `null pipeline${nul ? ` at ${nul.rate}/s` : ''} p50 / p99 ms`, 'ratio p50 / p99'], rows.map(([n, what, x, y]) => [
    n, what, triple(x), y ? `${ms(y.p50)} / ${ms(y.p99)}` : '–', y ? `${ratio(x.p50, y.p50)} / ${ratio(x.p99, y.p99)}` : '–',
  ]));
}

export function perStageTable(s: StepResult): string {
  const rows = pipelineStages.filter((n) => s.stages[n]).map((n) => {
    const f = s.stages[n]!;
    return [n, String(f.invoices), fixed(f.cores, 2), fixed(f.cpuMsPerInvoice, 2), opt(f.statementsPerInvoice, 2), opt(f.transactionControlPerInvoice, 2), opt(f.commitsPerInvoice, 3),
      `${opt(f.rowsWrittenPerInvoice)} / ${opt(f.rowsReadPerInvoice, 0)}`, f.appendsPerInvoice === undefined ? '–' : `${fixed(f.appendsPerInvoice, 3)} (${fixed(f.recordsPerAppend ?? Number.NaN, 1)})`];
  });
  rows.push(['all stages', '', fixed(pipelineStages.reduce((a, n) => a + (s.stages[n]?.cores ?? 0), 0), 2), '', opt(statementsPerInvoice(s), 2), opt(sumOf(s, (f) => f.transactionControlPerInvoice), 2), opt(commitsPerInvoice(s), 3), '', '']);
  return table(['stage (process)', 'invoices in window', 'CPU cores', 'CPU ms/invoice', 'Postgres statements/invoice', 'BEGIN/COMMIT/ROLLBACK per invoice', 'commits/invoice', 'rows written / read per invoice', 'produce appends/invoice (records per append)'], rows);
}

const groupLabels: Record<string, string> = {
  'JMX reader': 'JMX reader (bench: Kafka\'s JmxTool, once a second)', kafka: 'Kafka broker', registry: 'schema registry', postgres: 'Postgres (all backends)', 'load generator': 'load generator (own process)', tracker: 'latency tracker (own process)', 'bench (main)': 'bench main process (snapshots, JMX readings)',
};

export function processesTable(s: StepResult): string {
  const n = s.tracked.inWindow.notifications;
  const perInvoice = (cores: number) => (n > 0 ? fixed((cores * s.cpu.seconds * 1000) / n, 2) : '–');
  const stages = new Set<string>(pipelineStages);
  const rows = Object.entries(s.cpu.groups).filter(([g]) => !stages.has(g)).sort((a, b) => b[1] - a[1]).map(([g, c]) => [groupLabels[g] ?? g, fixed(c, 2), perInvoice(c)]);
  rows.push(['all of ours', fixed(s.cpu.ours, 2), perInvoice(s.cpu.ours)], ['other work (machine − ours)', fixed(s.cpu.other, 2), ''], ['whole machine', fixed(s.cpu.machine, 2), '']);
  return table(['process', 'CPU cores', 'CPU ms/invoice'], rows);
}

export function kafkaRequestsTable(s: StepResult): string {
  if (!s.kafka) return '(broker JMX unavailable)';
  const entries = Object.entries(s.kafka.requestsPerInvoice).filter(([k, v]) => v > 0 && (k === 'Fetch' || !k.startsWith('Fetch'))).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((a, [, v]) => a + v, 0);
  const rows = [...entries.map(([k, v]) => [k, fixed(v, 3)]), ['all', fixed(total, 3)]];
  return `${table(['request', 'per invoice'], rows)}\n\nOver ${fixed(s.kafka.window.seconds, 1)} s of broker readings (${s.kafka.invoices} invoices notified in them); every client of the broker, the schema registry's included.`;
}

export function topStatements(s: StepResult): string {
  const lines: string[] = [];
  for (const n of pipelineStages) {
    const f = s.stages[n];
    if (!f?.statements || f.invoices <= 0) continue;
    lines.push(`- **${n}** (${fixed(f.statements.statements / f.invoices, 1)} statements/invoice, ${fixed(f.statements.execMs / f.invoices, 3)} ms execution/invoice):`);
    for (const t of f.statements.top) lines.push(`  - ${fixed(t.calls / f.invoices, 2)}/invoice, ${fixed(t.ms, 0)} ms: \`${t.query.replaceAll('`', "'")}\``);
  }
  return lines.join('\n') || '(pg_stat_statements unavailable)';
}

export function nullTable(p: NullPipeline | undefined): string {
  if (!p || p.steps.length === 0) return p?.error ? `(failed: ${p.error})` : '(not run)';
  return table(['offered/s', 'notified/s (steady)', 'end to end p50/p95/p99 ms', 'CPU ms/invoice: enricher / risk-scorer / notifier / payment-tracker', 'CPU ms/invoice: system / all', 'produce appends/invoice (records per append), enricher', 'sustained'],
    p.steps.map((s) => [String(s.rate), fixed(s.notifiedPerSecond), triple(s.tracked.endToEnd), ['enricher', 'risk-scorer', 'notifier', 'payment-tracker'].map((n) => fixed(s.stages[`null ${n}`]?.cpuMsPerInvoice ?? Number.NaN, 2)).join(' / '),
      `${fixed(s.cpuMsPerInvoice.system, 2)} / ${fixed(s.cpuMsPerInvoice.all, 2)}`, s.stages['null enricher']?.appendsPerInvoice === undefined ? '–' : `${fixed(s.stages['null enricher']!.appendsPerInvoice!, 3)} (${fixed(s.stages['null enricher']!.recordsPerAppend ?? Number.NaN, 1)})`,
      s.verdict.sustained ? 'yes' : `no: ${s.verdict.reasons.join('; ')}`]));
}

export function clientsTable(k: KafkaReferences | undefined): string {
  if (!k || k.clients.length === 0) return `(not run${k?.errors.length ? `: ${k.errors.join('; ')}` : ''})`;
  const base = (batch: number) => k.clients.find((c) => c.client === 'kafkajs' && c.batch === batch);
  return table(['client', 'records per send', 'records/s', 'client CPU ms per 1,000 records', 'broker CPU cores', 'vs kafkajs (records/s)'], k.clients.map((c) => [
    c.client, String(c.batch), fixed(c.perSecond), fixed(c.cpuMsPerThousand, 1), fixed(c.brokerCores, 2), ratio(c.perSecond, base(c.batch)?.perSecond ?? Number.NaN),
  ]));
}

export function floorTable(fl: FloorResult | undefined): string {
  if (!fl) return '(not run)';
  const rows = fl.services.map((s) => [s.service, fixed(s.rowsPerInvoice, 2), fixed(s.statementsPerInvoice, 3), fixed(s.commitsPerInvoice, 3), fixed(fl.invoices / s.seconds), s.skipped.join('; ') || '']);
  return `${table(['service', 'rows/invoice', 'statements/invoice', 'commits/invoice', 'invoices/s (its own connection)', 'not copied'], rows)}\n\nAll services at once: ${fixed(fl.invoicesPerSecond)} invoices/s, ${fixed(fl.rowsPerSecond)} rows/s, ${fixed(fl.msPerInvoice, 3)} ms per invoice (wall), Postgres CPU ${fixed(fl.postgresCpuMsPerInvoice, 3)} ms per invoice; batches of ${fl.batch} invoices, ${fl.invoices} invoices.`;
}

export function referencesTable(f: RunFigures, best: StepResult | undefined): string {
  const rows: string[][] = [];
  const h = f.http;
  const atBest = h?.atRate.find((r) => r.rate === best?.rate);
  if (h) rows.push(['bare Fastify route, same signed JSON body, same generator', `${fixed(h.max.perSecond)} req/s max (closed loop, ${h.max.concurrency} connections)`, atBest ? `at ${atBest.rate}/s: ${triple(atBest.latency)} ms` : '–']);
  const k = f.kafka?.roundtrip;
  if (k) rows.push([`raw kafkajs produce→consume, ${f.kafka!.recordBytes} B records (the pipeline's average)`, `${fixed(k.throughput.perSecond)} records/s (sends of 500, ${k.throughput.records} records)`, `at ${k.latency.rate}/s, one record per send: ${triple(k.latency.summary)} ms`]);
  const nulBest = f.null?.steps.filter((s) => s.verdict.sustained).at(-1);
  if (f.null) rows.push(['null pipeline (same runtime and topics, pass-through handlers)', nulBest ? `${nulBest.rate}/s sustained` : 'no rate sustained', nulBest ? `at ${nulBest.rate}/s: ${triple(nulBest.tracked.endToEnd)} ms` : '–']);
  if (f.floor) rows.push([`Postgres floor (the pipeline's rows, unnest, batches of ${f.floor.batch})`, `${fixed(f.floor.invoicesPerSecond)} invoices/s, ${fixed(f.floor.rowsPerSecond)} rows/s`, `${fixed(f.floor.msPerInvoice, 3)} ms/invoice wall, ${fixed(f.floor.postgresCpuMsPerInvoice, 3)} ms Postgres CPU`]);
  return rows.length ? table(['reference', 'throughput', 'latency p50/p95/p99'], rows) : '(no reference ran)';
}

/** Each stage against the reference that bounds it. */
export function ratiosTable(f: RunFigures, best: StepResult | undefined): string {
  if (!best) return '(no step ran)';
  const nul = nullAt(f, best.rate);
  const rows: string[][] = [];
  const bareAt = f.http?.atRate.find((r) => r.rate === best.rate);
  if (f.gatewayMax && f.http) rows.push(['ingest-gateway: max accepted/s, pipeline running', `${fixed(f.gatewayMax.perSecond)}/s`, `bare Fastify max ${fixed(f.http.max.perSecond)}/s`, ratio(f.gatewayMax.perSecond, f.http.max.perSecond)]);
  if (bareAt) rows.push([`ingest-gateway: HTTP p50 / p99 at ${best.rate}/s`, `${ms(best.load.latency.p50)} / ${ms(best.load.latency.p99)} ms`, `bare Fastify ${ms(bareAt.latency.p50)} / ${ms(bareAt.latency.p99)} ms`, `${ratio(best.load.latency.p50, bareAt.latency.p50)} / ${ratio(best.load.latency.p99, bareAt.latency.p99)}`]);
  for (const n of consumerStages) {
    const ours = best.stages[n];
    const ref = nul?.stages[`null ${n}`];
    if (ours && ref) rows.push([`${n}: CPU ms/invoice`, fixed(ours.cpuMsPerInvoice, 3), `null ${n} ${fixed(ref.cpuMsPerInvoice, 3)} (at ${nul!.rate}/s)`, ratio(ours.cpuMsPerInvoice, ref.cpuMsPerInvoice)]);
  }
  const nulBest = f.null?.steps.filter((s) => s.verdict.sustained).at(-1);
  const sustained = best.verdict.sustained ? best.rate : 0;
  if (f.null) rows.push(['pipeline: highest sustained rate', `${sustained}/s`, `null pipeline ${nulBest?.rate ?? 0}/s`, ratio(sustained, nulBest?.rate ?? Number.NaN)]);
  if (nul) rows.push([`pipeline: CPU ms/invoice (system) at ${best.rate}/s`, fixed(best.cpuMsPerInvoice.system, 3), `null pipeline ${fixed(nul.cpuMsPerInvoice.system, 3)} at ${nul.rate}/s`, ratio(best.cpuMsPerInvoice.system, nul.cpuMsPerInvoice.system)]);
  const k = f.kafka?.roundtrip;
  if (k) {
    rows.push(['pipeline: notified/s vs one raw kafkajs hop\'s records/s', fixed(best.notifiedPerSecond), `${fixed(k.throughput.perSecond)} records/s`, ratio(best.notifiedPerSecond, k.throughput.perSecond)]);
    rows.push(['pipeline: webhook→notification p50 / p99 (4 hops)', `${ms(best.tracked.endToEnd.p50)} / ${ms(best.tracked.endToEnd.p99)} ms`, `4 × raw kafkajs hop ${ms(4 * k.latency.summary.p50)} / ${ms(4 * k.latency.summary.p99)} ms`, `${ratio(best.tracked.endToEnd.p50, 4 * k.latency.summary.p50)} / ${ratio(best.tracked.endToEnd.p99, 4 * k.latency.summary.p99)}`]);
  }
  const fl = f.floor;
  if (fl) {
    const pgCores = best.cpu.groups.postgres ?? 0;
    const n = best.tracked.inWindow.notifications;
    const pgMs = n > 0 ? (pgCores * best.cpu.seconds * 1000) / n : Number.NaN;
    rows.push(['Postgres CPU ms/invoice (all services)', fixed(pgMs, 3), `floor ${fixed(fl.postgresCpuMsPerInvoice, 3)}`, ratio(pgMs, fl.postgresCpuMsPerInvoice)]);
    for (const s of fl.services) {
      const ours = best.stages[s.service]?.statementsPerInvoice;
      if (ours !== undefined) rows.push([`${s.service}: Postgres statements/invoice`, fixed(ours, 2), `floor ${fixed(s.statementsPerInvoice, 3)}`, ratio(ours, s.statementsPerInvoice)]);
    }
  }
  return rows.length ? table(['ours', 'value', 'reference', 'ratio ours / reference'], rows) : '(no reference ran)';
}

export function soakTable(s: Soak | undefined): string {
  if (!s) return '(not run: no step was sustained, or --no-soak)';
  const rows = s.memory.map((m) => [m.service, mib(m.first), mib(m.afterOneMinute), mib(m.last), mib(m.max), m.flat ? 'yes' : 'NO']);
  return `At ${s.rate}/s for ${s.seconds} s: notified ${fixed(s.step.notifiedPerSecond)}/s, webhook→notification p50/p95/p99 ${triple(s.step.tracked.endToEnd)} ms, backlog growth over the second half ${fixed(s.step.backlogGrowth)}, ${s.step.verdict.sustained ? 'sustained' : `not sustained (${s.step.verdict.reasons.join('; ')})`}.\n\n${table(['service', 'RSS first', 'RSS after 1 min', 'RSS last', 'RSS max', 'flat (last within 10 % of 1 min)'], rows)}`;
}

export function targetsTable(f: RunFigures, best: StepResult | undefined): string {
  const sustained = f.steps.filter((s) => s.verdict.sustained).at(-1);
  const yes = (b: boolean) => (b ? 'met' : 'not met');
  return table(['target (issue 12)', 'measured', ''], [
    ['≥ 1,000 invoices/s sustained, p99 < 300 ms', sustained ? `${sustained.rate}/s, p99 ${ms(sustained.tracked.endToEnd.p99)} ms` : 'nothing sustained', yes((sustained?.rate ?? 0) >= 1000)],
    ['then 2,000/s', sustained ? `${sustained.rate}/s` : '–', yes((sustained?.rate ?? 0) >= 2000)],
    ['CPU per invoice across every process ≤ 1.5 ms', best ? `${fixed(best.cpuMsPerInvoice.system, 2)} ms (system), ${fixed(best.cpuMsPerInvoice.all, 2)} ms with the bench's own processes, at ${best.rate}/s` : '–', yes(best !== undefined && best.cpuMsPerInvoice.system <= 1.5)],
    ['gateway accepts ≥ 2,000 deliveries/s while the pipeline runs', f.gatewayMax ? `${fixed(f.gatewayMax.perSecond)}/s (${f.gatewayMax.failed} failed)` : '–', yes((f.gatewayMax?.perSecond ?? 0) >= 2000 && f.gatewayMax?.failed === 0)],
    ['memory per service flat over the soak', f.soak ? f.soak.memory.filter((m) => !m.flat).map((m) => m.service).join(', ') || 'all flat' : 'no soak', yes(f.soak?.memory.every((m) => m.flat) ?? false)],
  ]);
}

/** The closing-note figures in one paragraph. */
export function headline(f: RunFigures): string {
  const sustained = f.steps.filter((s) => s.verdict.sustained).at(-1);
  const best = bestStep(f.steps);
  const nulBest = f.null?.steps.filter((s) => s.verdict.sustained).at(-1);
  const parts = [
    sustained ? `Highest sustained: ${sustained.rate} invoices/s, webhook→notification p50 ${ms(sustained.tracked.endToEnd.p50)} ms, p99 ${ms(sustained.tracked.endToEnd.p99)} ms.` : `No step was sustained${best ? ` (best: ${best.rate}/s offered → ${fixed(best.notifiedPerSecond)}/s notified, p99 ${ms(best.tracked.endToEnd.p99)} ms)` : ''}.`,
    best ? `At ${best.rate}/s: ${fixed(best.cpuMsPerInvoice.system, 2)} ms CPU per invoice (services, broker, registry, Postgres), ${opt(statementsPerInvoice(best))} Postgres statements and ${opt(commitsPerInvoice(best), 2)} commits per invoice.` : '',
    nulBest || f.null ? `Null pipeline: ${nulBest ? `${nulBest.rate}/s sustained` : 'nothing sustained'}.` : '',
    f.kafka?.roundtrip ? `Raw kafkajs: ${fixed(f.kafka.roundtrip.throughput.perSecond)} records/s.` : '',
    f.floor ? `Postgres floor: ${fixed(f.floor.invoicesPerSecond)} invoices/s (${fixed(f.floor.postgresCpuMsPerInvoice, 3)} ms Postgres CPU per invoice).` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

export function noiseLines(f: RunFigures): string[] {
  const worst = Math.max(0, ...f.noise.quiet.map((q) => q.other), ...f.steps.map((s) => s.otherCores));
  return [
    `Other work on the machine (machine busy − our processes, /proc): ${f.noise.quiet.map((q) => `${fixed(q.other, 2)} cores before ${q.before}`).join(', ') || '–'}; during the steps ${f.steps.map((s) => `${fixed(s.otherCores, 2)} at ${s.rate}/s`).join(', ') || '–'}.`,
    f.noise.refused ? `**Refused to record:** ${f.noise.refused}.` : worst > f.noise.limit ? `**Recorded with noise (--allow-noise): other work reached ${fixed(worst, 2)} cores, above the ${f.noise.limit}-core limit; these figures are not clean.**` : `Other work stayed within the ${f.noise.limit}-core limit.`,
  ];
}

export function printed(f: RunFigures): string {
  const best = bestStep(f.steps);
  const nul = nullAt(f, best?.rate);
  const out = [
    `invoice-signal benchmark — ${f.machine.date}; ${f.machine.cores} cores, ${f.machine.memory} RAM; load average before ${f.machine.loadBefore}, after ${f.machine.loadAfter}; ${f.durationSeconds.toFixed(0)} s`,
    headline(f), ...noiseLines(f),
    ...(f.errors.length ? ['', 'Errors:', ...f.errors.map((e) => `  - ${e}`)] : []),
    '', 'Targets:', targetsTable(f, best),
    '', 'Steps (warm-up, then the steady window):', f.steps.length ? stepsTable(f.steps) : '(none)',
    '', `Latency by stage (${best?.rate ?? '–'}/s):`, best ? stageLatencyTable(best, nul) : '–',
    '', `Per stage (${best?.rate ?? '–'}/s, steady window):`, best ? perStageTable(best) : '–',
    '', 'Other processes:', best ? processesTable(best) : '–',
    '', 'Kafka requests per invoice, broker-wide (tracker subtracted):', best ? kafkaRequestsTable(best) : '–',
    '', 'Costliest statements:', best ? topStatements(best) : '–',
    '', 'References:', referencesTable(f, best),
    '', 'Kafka clients, produce (issue 12 item 6):', clientsTable(f.kafka),
    '', 'Null pipeline:', nullTable(f.null),
    '', 'Postgres floor:', floorTable(f.floor),
    '', 'Ratios:', ratiosTable(f, best),
    '', 'Soak:', soakTable(f.soak),
  ];
  if (f.profiles?.length) out.push('', 'CPU profiles, share of busy samples by package:', ...f.profiles.map(([s, shares]) => `  ${s.padEnd(16)} ${shares.slice(0, 10).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}`));
  return out.join('\n');
}
