/** The printed table and BENCHMARKS.md, from the figures of one run. */
import { serviceNames } from '@invoice-signal/local-stack';
import type { HttpReference, KafkaReference } from './references.ts';
import type { StepResult } from './system-load.ts';
import { fixed, mib, ms, ratio, triple, type Summary } from './stats.ts';

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
  seconds: number;
  accounts: number;
  partitions: number;
  steps: StepResult[];
  http: HttpReference;
  kafka: KafkaReference;
  slackPosts: number;
  /** The gateway under a closed loop with the pipeline running (undefined when the run stopped early). */
  gatewayMax?: { perSecond: number; latency: Summary; failed: number; concurrency: number };
  /** CPU with the system running and no load offered. */
  idle: { services: Record<string, { cores: number }>; infraCores: Record<string, number> };
  durationSeconds: number;
}

/** The highest sustained step, else the one that delivered the most. */
export function bestStep(steps: StepResult[]): StepResult | undefined {
  const sustained = steps.filter((s) => s.sustained);
  if (sustained.length) return sustained.reduce((a, b) => (b.rate > a.rate ? b : a));
  return steps.reduce<StepResult | undefined>((a, b) => (!a || b.notifiedPerSecond > a.notifiedPerSecond ? b : a), undefined);
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function stepsTable(steps: StepResult[]): string {
  return table(
    ['offered/s', 'sent', 'accepted/s (HTTP)', 'HTTP p50/p95/p99 ms', 'notified/s (steady)', 'notified/s (incl. drain)', 'webhook→notification p50/p95/p99 ms', 'notifier histogram p50/p95/p99 ms', 'failed / shed', 'drained', 'sustained'],
    steps.map((s) => [String(s.rate), String(s.http.sent), fixed(s.http.achieved), triple(s.http.latency), fixed(s.notifiedPerSecond), fixed(s.completedPerSecond), triple(s.endToEnd), `≤${ms(s.histogram.p50)} / ≤${ms(s.histogram.p95)} / ≤${ms(s.histogram.p99)}`, `${s.http.failed} / ${s.http.shed}`, s.drained ? `yes (${fixed(s.drainSeconds, 1)} s)` : `no (${s.notified}/${s.http.ok})`, s.sustained ? 'yes' : 'no']),
  );
}

export function stagesTable(s: StepResult): string {
  return table(['stage', 'from → to', 'p50 ms', 'p95 ms', 'p99 ms'], [
    ['ingest-gateway', 'webhook sent → record on invoice events', ...pcts(s.stages['gateway']!)],
    ['enricher', 'invoice events → enriched', ...pcts(s.stages['enricher']!)],
    ['risk-scorer', 'enriched → assessed', ...pcts(s.stages['risk-scorer']!)],
    ['notifier', 'assessed → csm.notifications', ...pcts(s.stages['notifier']!)],
    ['whole', 'webhook sent → csm.notifications', ...pcts(s.endToEnd)],
  ]);
}

const pcts = (x: { p50: number; p95: number; p99: number }) => [ms(x.p50), ms(x.p95), ms(x.p99)];

export function servicesTable(s: StepResult, http: HttpReference, idle: RunFigures['idle']): string {
  const perInvoice = (cores: number) => fixed((cores * 1000) / s.http.achieved, 1);
  const rows = serviceNames.map((n) => {
    const f = s.services[n]!;
    return [n, fixed(f.recordsPerSecond), fixed(f.cores, 2), fixed(idle.services[n]?.cores ?? NaN, 2), perInvoice(f.cores), f.db ? `${fixed(f.db.commits, 1)} / ${fixed(f.db.rowsRead, 0)} / ${fixed(f.db.rowsWritten, 1)}` : '–', mib(f.rssBytes), ratio(f.rssBytes, http.rssBytes)];
  });
  const label: Record<string, string> = { kafka: 'Kafka broker', registry: 'schema registry', postgres: 'Postgres (all backends)', bench: 'bench (load generator + tracker)', ours: 'all of the above', machine: 'whole machine (incl. other engineers)' };
  for (const [k, v] of Object.entries(s.infraCores)) rows.push([label[k] ?? k, '', fixed(v, 2), fixed(idle.infraCores[k] ?? NaN, 2), k === 'machine' || k === 'bench' ? '' : perInvoice(v), '', '', '']);
  rows.push(['bare Fastify (reference)', '', '', '', '', '', mib(http.rssBytes), '1.00×']);
  return table(['process', 'records/s handled', 'CPU cores', 'CPU cores idle', 'CPU ms per invoice', 'Postgres per invoice: commits / rows read / rows written', 'RSS at end', 'RSS vs bare Fastify'], rows);
}

export function referencesTable(f: RunFigures, best: StepResult | undefined): string {
  const refAtBest = f.http.atRate.find((r) => r.offered === best?.rate);
  const rows = [
    ['bare Fastify route, same JSON body, same generator', `${fixed(f.http.max.perSecond)} req/s max (closed loop, ${f.http.max.concurrency} connections); p50/p95/p99 ${triple(f.http.max.latency)} ms`, refAtBest ? `at ${refAtBest.offered}/s: ${triple(refAtBest.latency)} ms` : '–'],
    ['raw kafkajs produce→consume, same broker', `${fixed(f.kafka.throughput.perSecond)} records/s (batches of 500, ${f.kafka.throughput.records} records of ${f.kafka.throughput.bytes} B)`, `at ${f.kafka.latency.rate}/s, one record per send: ${triple(f.kafka.latency.summary)} ms`],
  ];
  return table(['reference', 'throughput', 'latency p50/p95/p99'], rows);
}

export function ratiosTable(f: RunFigures, best: StepResult | undefined): string {
  if (!best) return '(no step ran)';
  const refAtBest = f.http.atRate.find((r) => r.offered === best.rate);
  return table(['ours', 'reference', 'ratio ours / reference'], [
    f.gatewayMax
      ? [`gateway max ${fixed(f.gatewayMax.perSecond)} accepted/s (closed loop, ${f.gatewayMax.concurrency} connections, pipeline running; p50/p99 ${ms(f.gatewayMax.latency.p50)} / ${ms(f.gatewayMax.latency.p99)} ms, ${f.gatewayMax.failed} failed)`, `bare Fastify max ${fixed(f.http.max.perSecond)} req/s (p50/p99 ${ms(f.http.max.latency.p50)} / ${ms(f.http.max.latency.p99)} ms)`, ratio(f.gatewayMax.perSecond, f.http.max.perSecond)]
      : [`gateway accepted ${fixed(best.http.achieved)}/s at ${best.rate}/s offered`, `bare Fastify max ${fixed(f.http.max.perSecond)} req/s`, ratio(best.http.achieved, f.http.max.perSecond)],
    [`gateway HTTP p50 ${ms(best.http.latency.p50)} ms / p99 ${ms(best.http.latency.p99)} ms`, refAtBest ? `bare Fastify at the same rate p50 ${ms(refAtBest.latency.p50)} / p99 ${ms(refAtBest.latency.p99)} ms` : '–', refAtBest ? `${ratio(best.http.latency.p50, refAtBest.latency.p50)} / ${ratio(best.http.latency.p99, refAtBest.latency.p99)}` : '–'],
    [`end to end ${fixed(best.notifiedPerSecond)} invoices/s`, `raw kafkajs ${fixed(f.kafka.throughput.perSecond)} records/s`, ratio(best.notifiedPerSecond, f.kafka.throughput.perSecond)],
    [`webhook→notification p50 ${ms(best.endToEnd.p50)} / p99 ${ms(best.endToEnd.p99)} ms (4 hops)`, `one kafkajs hop p50 ${ms(f.kafka.latency.summary.p50)} / p99 ${ms(f.kafka.latency.summary.p99)} ms (×4 hops: ${ms(4 * f.kafka.latency.summary.p50)} / ${ms(4 * f.kafka.latency.summary.p99)})`, `${ratio(best.endToEnd.p50, 4 * f.kafka.latency.summary.p50)} / ${ratio(best.endToEnd.p99, 4 * f.kafka.latency.summary.p99)} of 4 bare hops`],
  ]);
}

/**
 * Instances per service for a target rate, from the CPU each service spent per invoice at the best
 * step (one core per instance, run at 70 % so a lost instance can be absorbed), and partitions
 * (≥ the largest consumer group, with room to grow 50 % without repartitioning, a multiple of 6).
 */
export function capacityTable(best: StepResult | undefined): string {
  if (!best || best.notifiedPerSecond <= 0) return '(no throughput measured)';
  const S = best.notifiedPerSecond;
  const rows: string[][] = [];
  for (const factor of [10, 100]) {
    const target = S * factor;
    const instances = serviceNames.map((n) => Math.max(1, Math.ceil((target * (best.services[n]!.cores / S)) / 0.7)));
    const partitions = Math.max(6, Math.ceil((Math.max(...instances) * 1.5) / 6) * 6);
    const pg = ((best.infraCores.postgres ?? 0) / S) * target;
    const kafka = ((best.infraCores.kafka ?? 0) / S) * target;
    rows.push([`${factor}× = ${fixed(target)} invoices/s`, serviceNames.map((n, i) => `${n} ${instances[i]}`).join(', '), String(partitions), `${fixed(pg, 1)} cores`, `${fixed(kafka, 1)} cores`]);
  }
  return table(['load', 'instances (1 core each, 70 % busy)', 'partitions per topic', 'Postgres CPU at this rate', 'Kafka CPU at this rate'], rows);
}

/** The headline: highest sustained rate and highest rate meeting the latency target. */
export function headline(steps: StepResult[]): string {
  const sustained = steps.filter((s) => s.sustained);
  const top = sustained.at(-1);
  const underTarget = sustained.filter((s) => s.endToEnd.p99 < 500).at(-1);
  const knee = steps.find((s) => !s.sustained);
  return [
    top ? `Highest sustained: ${top.rate} invoices/s offered → ${fixed(top.notifiedPerSecond)}/s notified, webhook→notification p50/p95/p99 ${triple(top.endToEnd)} ms.` : 'No step was sustained.',
    underTarget ? `Highest with p99 < 500 ms: ${underTarget.rate}/s (p99 ${ms(underTarget.endToEnd.p99)} ms).` : 'No step met p99 < 500 ms.',
    knee ? `First step not sustained: ${knee.rate}/s offered → ${fixed(knee.notifiedPerSecond)}/s notified, p99 ${ms(knee.endToEnd.p99)} ms.` : '',
    'Target: 1,000 invoices/s with p99 < 500 ms.',
  ].filter(Boolean).join(' ');
}

export function printed(f: RunFigures): string {
  const best = bestStep(f.steps);
  return [
    `invoice-signal benchmark — ${f.machine.date}; ${f.machine.cores} cores, ${f.machine.memory} RAM; load average before ${f.machine.loadBefore}, after ${f.machine.loadAfter}`,
    headline(f.steps),
    '', 'System (5 services as processes, real Kafka/registry/Postgres; signed Stripe invoice.finalized webhooks, open loop):', stepsTable(f.steps),
    '', `Where the time goes (best step: ${best?.rate ?? '–'}/s offered), broker timestamps of each invoice's record on each topic:`, best ? stagesTable(best) : '–',
    '', 'Per service over the best step\'s window (CPU from process_cpu_seconds_total; stack processes from /proc):', best ? servicesTable(best, f.http, f.idle) : '–',
    '', 'References (same run):', referencesTable(f, best),
    '', 'Ratios:', ratiosTable(f, best),
    '', 'Capacity estimate:', capacityTable(best),
  ].join('\n');
}
