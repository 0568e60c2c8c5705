/**
 * One load step against the running system: signed Stripe invoice.finalized webhooks into the
 * gateway at a fixed rate for a fixed time (open loop), then the figures of that step: invoices
 * notified per second, webhook → notification latency, the latency of each stage (broker
 * timestamps on each topic), and per-service records/s and CPU from /metrics.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceNames, type ServiceName } from '@invoice-signal/local-stack';
import { eventually } from '@invoice-signal/testkit';
import { undiciPool } from './deps.ts';
import { databaseCounters, perInvoice, type DbCounters } from './database-stats.ts';
import { openLoop, type LoadResult } from './load.ts';
import { cpuSeconds, histogramQuantile, machineBusySeconds, scrape, stackPids, sum, type Scrape } from './metrics.ts';
import { summarize, type Summary } from './stats.ts';
import type { Bench } from './system.ts';
import { serviceUrls } from './system.ts';
import { stages, type PipelineTracker, type Stage } from './tracker.ts';
import { prepare } from './webhooks.ts';

export interface ServiceFigures {
  /** Records handled per second (consumers, outcome ok) over the window; the gateway: deliveries accepted. */
  recordsPerSecond: number;
  /** CPU cores used on average over the window. */
  cores: number;
  rssBytes: number;
  /** Postgres work per invoice accepted in the window, in the service's own database. */
  db?: DbCounters;
}

export interface StepResult {
  rate: number;
  http: LoadResult;
  /**
   * Invoices notified per second in steady state: notifications whose broker timestamp falls in the
   * send window shifted by the median end-to-end latency, over the window's length.
   */
  notifiedPerSecond: number;
  /** All the step's notifications over first scheduled send → last notification. */
  completedPerSecond: number;
  /** All of the step's invoices notified before the drain deadline. */
  drained: boolean;
  notified: number;
  drainSeconds: number;
  endToEnd: Summary;
  /** Stage → latency added (ms): gateway = scheduled send → event record, then topic to topic. */
  stages: Record<string, Summary>;
  histogram: { p50: number; p95: number; p99: number };
  services: Record<string, ServiceFigures>;
  /** CPU cores of the stack's processes, this bench process, and the whole machine. */
  infraCores: Record<string, number>;
  sustained: boolean;
}

export interface StepOptions {
  rate: number;
  seconds: number;
  label: string;
  concurrency: number;
  drainSeconds: number;
  stackDir: string;
  registryPort: number;
}

const throughputOf = (service: ServiceName, s: Scrape) =>
  service === 'ingest-gateway' ? sum(s, 'ingest_deliveries_total', (l) => l.outcome === 'accepted') : sum(s, 'consumer_records_total', (l) => l.outcome === 'ok');

async function scrapeAll(b: Bench): Promise<Map<ServiceName, Scrape>> {
  return new Map(await Promise.all(serviceUrls(b).map(async ([n, url]) => [n, await scrape(url)] as [ServiceName, Scrape])));
}

function infraSnapshot(stackDir: string, registryPort: number) {
  const pids = stackPids(stackDir, registryPort);
  const byPid = new Map(Object.values(pids).flat().map((p) => [p, cpuSeconds(p)]));
  return { pids, byPid, bench: process.cpuUsage(), machine: machineBusySeconds() };
}

type InfraSnapshot = ReturnType<typeof infraSnapshot>;

/** Cores used over a window by the stack's processes, this process, all of ours, and the whole machine. */
function infraDelta(a: InfraSnapshot, z: InfraSnapshot, seconds: number, services: Record<string, ServiceFigures>): Record<string, number> {
  const cores: Record<string, number> = {};
  for (const [group, pids] of Object.entries(z.pids)) cores[group] = pids.reduce((s, p) => s + (z.byPid.get(p)! - (a.byPid.get(p) ?? 0)), 0) / seconds;
  const bench = process.cpuUsage(a.bench);
  cores.bench = (bench.user + bench.system) / 1e6 / seconds;
  cores.ours = Object.values(cores).reduce((s, c) => s + c, 0) + Object.values(services).reduce((s, f) => s + f.cores, 0);
  cores.machine = (z.machine - a.machine) / seconds;
  return cores;
}

/** CPU of every process with no load offered: the fixed cost (consumer polling, timers, metrics). */
export async function idleWindow(b: Bench, seconds: number, stackDir: string, registryPort: number): Promise<{ services: Record<string, ServiceFigures>; infraCores: Record<string, number> }> {
  const before = await scrapeAll(b);
  const infraBefore = infraSnapshot(stackDir, registryPort);
  await sleep(seconds * 1000);
  const after = await scrapeAll(b);
  const infraAfter = infraSnapshot(stackDir, registryPort);
  const services: Record<string, ServiceFigures> = {};
  for (const name of serviceNames) {
    const s0 = before.get(name) ?? [];
    const s1 = after.get(name) ?? [];
    services[name] = { recordsPerSecond: 0, cores: (sum(s1, 'process_cpu_seconds_total') - sum(s0, 'process_cpu_seconds_total')) / seconds, rssBytes: sum(s1, 'process_resident_memory_bytes') };
  }
  return { services, infraCores: infraDelta(infraBefore, infraAfter, seconds, services) };
}

export async function runStep(b: Bench, tracker: PipelineTracker, o: StepOptions): Promise<StepResult> {
  const gateway = b.system.url('ingest-gateway');
  const deliveries = prepare(o.label, Math.round(o.rate * o.seconds), b.accounts, b.system.secrets.STRIPE_WEBHOOK_SECRET!);
  const sentAt = new Map<string, number>();
  const pool = undiciPool(gateway, o.concurrency);

  const dbUrls = b.system.databaseUrls() as Map<string, string>;
  const dbBefore = await databaseCounters(process.env.DATABASE_URL!, dbUrls);
  const before = await scrapeAll(b);
  const infraBefore = infraSnapshot(o.stackDir, o.registryPort);
  const http = await openLoop({ pool, rate: o.rate, seconds: o.seconds, maxInFlight: 2000, request: (i) => deliveries[i]!, onScheduled: (i, at) => sentAt.set(deliveries[i]!.invoiceId, at) });
  const after = await scrapeAll(b);
  const infraAfter = infraSnapshot(o.stackDir, o.registryPort);
  const db = perInvoice(dbBefore, await databaseCounters(process.env.DATABASE_URL!, dbUrls), Math.max(1, http.ok));
  await pool.close();

  // Drain: every delivery the gateway accepted should come out as a notification.
  const expected = [...sentAt.keys()];
  const drainStart = Date.now();
  const notifications = tracker.seen.notifications;
  const drained = await eventually('the step to drain', () => expected.every((id) => notifications.has(id)), { timeoutMs: o.drainSeconds * 1000, intervalMs: 100 }).then(() => true, () => false);
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const afterDrain = await scrapeAll(b);

  const windowSeconds = http.seconds;
  const endToEnd = summarize(expected.filter((id) => notifications.has(id)).map((id) => notifications.get(id)! - sentAt.get(id)!));
  const shift = Number.isFinite(endToEnd.p50) ? endToEnd.p50 : 0;
  const inWindow = expected.filter((id) => {
    const at = notifications.get(id);
    return at !== undefined && at >= http.startedAt + shift && at <= http.endedAt + shift;
  }).length;
  const lastNotification = Math.max(...expected.map((id) => notifications.get(id) ?? 0));
  const notifiedCount = expected.filter((id) => notifications.has(id)).length;
  const stageLatency: Record<string, Summary> = {};
  const from: Array<[string, (id: string) => number | undefined, Stage]> = [['gateway', (id) => sentAt.get(id), 'events'], ['enricher', (id) => tracker.seen.events.get(id), 'enriched'], ['risk-scorer', (id) => tracker.seen.enriched.get(id), 'assessed'], ['notifier', (id) => tracker.seen.assessed.get(id), 'notifications']];
  for (const [name, start, stage] of from) {
    stageLatency[name] = summarize(expected.flatMap((id) => {
      const a = start(id);
      const z = tracker.seen[stage].get(id);
      return a !== undefined && z !== undefined ? [z - a] : [];
    }));
  }

  const services: Record<string, ServiceFigures> = {};
  for (const name of serviceNames) {
    const s0 = before.get(name) ?? [];
    const s1 = after.get(name) ?? [];
    services[name] = {
      recordsPerSecond: (throughputOf(name, s1) - throughputOf(name, s0)) / windowSeconds,
      cores: (sum(s1, 'process_cpu_seconds_total') - sum(s0, 'process_cpu_seconds_total')) / windowSeconds,
      rssBytes: sum(afterDrain.get(name) ?? [], 'process_resident_memory_bytes'),
      db: db.get(name),
    };
  }
  const infraCores = infraDelta(infraBefore, infraAfter, windowSeconds, services);

  const notifier = [before.get('notifier') ?? [], afterDrain.get('notifier') ?? []] as const;
  const q = (p: number) => histogramQuantile(notifier[0], notifier[1], 'invoice_to_notification_seconds', p) * 1000;
  const notifiedPerSecond = inWindow / windowSeconds;
  const sustained = drained && http.shed === 0 && http.failed === 0 && notifiedPerSecond >= 0.9 * o.rate;
  return {
    rate: o.rate, http, notifiedPerSecond, completedPerSecond: notifiedCount / ((lastNotification - http.startedAt) / 1000), drained, notified: notifiedCount, drainSeconds, endToEnd, stages: stageLatency,
    histogram: { p50: q(0.5), p95: q(0.95), p99: q(0.99) }, services, infraCores, sustained,
  };
}
