/**
 * One load step: a warm-up then a steady window at a fixed rate (open loop), then the figures of
 * the steady window. The load generator and the tracker are child processes; this process only
 * takes snapshots at the edges of the window (CPU from /proc, Postgres statistics, broker JMX
 * counters, the services' /metrics) and asks the tracker for its per-step figures.
 * Used for the system (HTTP into the gateway), the null pipeline (produce into invoice events)
 * and the soak (one long step).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from '@invoice-signal/local-stack';
import { cpuWindow, type CpuAccount, type CpuWindow } from './cpu.ts';
import { countersDelta, databaseCounters, resetStatements, statementsByDatabase, tableWrites, writesDelta, type DbCounters, type StatementFigures, type TableWrites } from './database-stats.ts';
import { brokerDelta, type BrokerCounters, type BrokerDelta, type JmxSampler } from './kafka-jmx.ts';
import type { LoadResult } from './load.ts';
import { histogramQuantile, sum, type Scrape } from './metrics.ts';
import type { Summary } from './stats.ts';
import type { StepSummary } from './tracker-worker.ts';
import type { Stage } from './tracker.ts';
import type { DeliverySpec } from './webhooks.ts';
import type { Worker } from './worker.ts';

/** A stage of the pipeline: the process, its database, the tracker stage whose records it emits, the topic it writes. */
export interface StageSpec {
  name: string;
  /** The tracker stage counting the invoices this stage handled (its output, or its input for a branch). */
  stage: Stage;
  /** Its output topic (produce appends are counted there). */
  topic: string;
  database?: { name: string; url: string };
}

export interface StepContext {
  load: Worker;
  tracker: Worker;
  cpu: CpuAccount;
  /** The broker's counters, read once a second (undefined: JMX unavailable). */
  jmx?: JmxSampler;
  adminUrl: string;
  statementStats: boolean;
  stages: StageSpec[];
  /** The services' /metrics (the system only). */
  scrape?: () => Promise<Map<ServiceName, Scrape>>;
}

export type Drive =
  | { kind: 'http'; origin: string; delivery: DeliverySpec }
  | { kind: 'kafka'; brokers: string[]; registryUrl: string; namespace: string; accounts: number };

export interface StepOptions {
  label: string;
  rate: number;
  warmupSeconds: number;
  seconds: number;
  maxInFlight: number;
  drainSeconds: number;
  drive: Drive;
  /** Called every 10 s while the load runs (the soak samples memory with it). */
  every10s?: () => void;
}

export interface StageFigures {
  /** Invoices this stage handled in the window (its tracker stage's records timestamped inside it). */
  invoices: number;
  cores: number;
  cpuMsPerInvoice: number;
  statements?: StatementFigures;
  statementsPerInvoice?: number;
  transactionControlPerInvoice?: number;
  db?: DbCounters;
  commitsPerInvoice?: number;
  rowsWrittenPerInvoice?: number;
  rowsReadPerInvoice?: number;
  tables?: TableWrites;
  /** Produce partition appends on its output topic per invoice, and records per append. */
  appendsPerInvoice?: number;
  recordsPerAppend?: number;
}

export interface Verdict {
  sustained: boolean;
  reasons: string[];
}

export interface StepResult {
  label: string;
  rate: number;
  load: LoadResult;
  tracked: StepSummary;
  /** Notifications of the step's invoices timestamped in the steady window, per second. */
  notifiedPerSecond: number;
  /** Backlog (past the gateway, not yet notified) growth over the second half of the window, invoices, by least squares. */
  backlogGrowth: number;
  backlogMax: number;
  cpu: CpuWindow;
  /** Non-bench CPU during the window (cores). */
  otherCores: number;
  stages: Record<string, StageFigures>;
  /** CPU ms per invoice: the system (services/stages + broker + registry + Postgres), and everything of ours. */
  cpuMsPerInvoice: { system: number; all: number };
  /** Broker-wide requests per invoice by type (the tracker's own subtracted), over the JMX window. */
  kafka?: { window: BrokerDelta; invoices: number; requestsPerInvoice: Record<string, number> };
  /** The notifier's invoice_to_notification_seconds over the window (bucket upper bounds, ms). */
  histogram?: { p50: number; p99: number };
  drainSeconds: number;
  verdict: Verdict;
}

interface Edge {
  cpu: ReturnType<CpuAccount['snapshot']>;
  db?: Map<string, DbCounters>;
  tables?: Map<string, TableWrites>;
  statements?: Map<string, StatementFigures>;
  jmx?: BrokerCounters;
  trackerRequests?: Record<string, number>;
  scrape?: Map<ServiceName, Scrape>;
}

const databasesOf = (ctx: StepContext) => ctx.stages.flatMap((s) => (s.database ? [s.database] : []));

/** What is read at each edge of the window; CPU first, as it is the sharpest. */
async function edge(ctx: StepContext, opening: boolean): Promise<Edge> {
  const cpu = ctx.cpu.snapshot();
  const dbs = databasesOf(ctx);
  const names = dbs.map((d) => d.name);
  const [db, tables, statements, jmx, trackerRequests, scrape] = await Promise.all([
    databaseCounters(ctx.adminUrl, names).catch(() => undefined),
    Promise.all(dbs.map(async (d) => [d.name, await tableWrites(d.url)] as const)).then((e) => new Map(e)).catch(() => undefined),
    // Statements: reset at the opening edge, read at the closing one.
    !ctx.statementStats ? undefined : opening ? resetStatements(ctx.adminUrl).then(() => undefined) : statementsByDatabase(ctx.adminUrl, names).catch(() => undefined),
    ctx.jmx?.latest(),
    ctx.tracker.call<Record<string, number>>('requests'),
    ctx.scrape?.(),
  ]);
  return { cpu, db, tables, statements: statements ?? undefined, jmx, trackerRequests, scrape };
}

/** Least-squares slope of the backlog over the second half of the window, times the half's length. */
function growthOverSecondHalf(points: Array<[number, number, number]>, steadyAt: number, endedAt: number): { growth: number; max: number } {
  const mid = (steadyAt + endedAt) / 2;
  const half = points.filter(([t]) => t >= mid && t <= endedAt);
  const max = Math.max(0, ...points.filter(([t]) => t >= steadyAt && t <= endedAt).map(([, b]) => b));
  if (half.length < 3) return { growth: Number.NaN, max };
  const n = half.length;
  const mx = half.reduce((s, [t]) => s + t, 0) / n;
  const my = half.reduce((s, [, b]) => s + b, 0) / n;
  const sxy = half.reduce((s, [t, b]) => s + (t - mx) * (b - my), 0);
  const sxx = half.reduce((s, [t]) => s + (t - mx) ** 2, 0);
  return { growth: sxx > 0 ? (sxy / sxx) * (endedAt - mid) : 0, max };
}

/**
 * Sustained: ≥ 99 % of the offered rate notified in the steady window, backlog flat over the second
 * half (growth ≤ 1 % of what was offered in that half, or ≤ 100 ms worth of load and at least 10
 * invoices: batches come and go in steps that size), nothing shed or refused, p99 < 300 ms.
 */
export function verdictOf(rate: number, seconds: number, notifiedPerSecond: number, backlogGrowth: number, load: LoadResult, p99: number): Verdict {
  const reasons: string[] = [];
  if (notifiedPerSecond < 0.99 * rate) reasons.push(`notified ${notifiedPerSecond.toFixed(0)}/s < 99 % of ${rate}/s`);
  const allowance = Math.max(0.01 * rate * (seconds / 2), 0.1 * rate, 10);
  if (!(backlogGrowth <= allowance)) reasons.push(`backlog grew ${Number.isFinite(backlogGrowth) ? backlogGrowth.toFixed(0) : '?'} over the second half (allowed ${allowance.toFixed(0)})`);
  if (load.total.shed > 0) reasons.push(`${load.total.shed} shed`);
  if (load.total.failed > 0) reasons.push(`${load.total.failed} refused or failed (${Object.entries(load.statuses).filter(([k]) => k !== '2xx').map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  if (!(p99 < 300)) reasons.push(`p99 ${Number.isFinite(p99) ? p99.toFixed(0) : '∞'} ms ≥ 300 ms`);
  return { sustained: reasons.length === 0, reasons };
}

const perInvoice = (x: number | undefined, n: number) => (x === undefined || n <= 0 ? undefined : x / n);

export async function runStep(ctx: StepContext, o: StepOptions): Promise<StepResult> {
  const total = Math.round(o.rate * o.warmupSeconds) + Math.round(o.rate * o.seconds);
  await ctx.tracker.call('register', { label: o.label, total });
  await ctx.tracker.call('sample-start', { label: o.label, everyMs: 1000 });
  let opening: Promise<Edge> | undefined;
  let closing: Promise<Edge> | undefined;
  const offSteady = ctx.load.on('steady', () => {
    opening = edge(ctx, true);
  });
  const offSent = ctx.load.on('sent', () => {
    closing = edge(ctx, false);
  });
  const ticker = o.every10s ? setInterval(o.every10s, 10_000) : undefined;
  o.every10s?.();
  let load: LoadResult;
  try {
    const step = { rate: o.rate, warmupSeconds: o.warmupSeconds, seconds: o.seconds, maxInFlight: o.maxInFlight };
    load = o.drive.kind === 'http'
      ? await ctx.load.call<LoadResult>('http-open', { ...step, origin: o.drive.origin, delivery: o.drive.delivery })
      : await ctx.load.call<LoadResult>('kafka-open', { ...step, brokers: o.drive.brokers, registryUrl: o.drive.registryUrl, namespace: o.drive.namespace, label: o.label, accounts: o.drive.accounts });
  } finally {
    offSteady();
    offSent();
    clearInterval(ticker);
  }
  const a = await opening!;
  const z = await closing!;

  // Drain: every accepted invoice should come out as a notification.
  const accepted = load.total.ok;
  const drainStart = Date.now();
  while (Date.now() - drainStart < o.drainSeconds * 1000) {
    const counts = await ctx.tracker.call<Record<Stage, number>>('progress', { label: o.label });
    if (counts.notifications >= accepted) break;
    await sleep(250);
  }
  const drainSeconds = (Date.now() - drainStart) / 1000;
  await ctx.tracker.call('sample-stop', { label: o.label });
  const tracked = await ctx.tracker.call<StepSummary>('summary', { label: o.label, t0: load.t0, rate: o.rate, firstSteady: load.firstSteady, steadyAt: load.steadyAt, endedAt: load.endedAt, notAccepted: load.notAccepted });
  const jmxInvoices = a.jmx && z.jmx ? (await ctx.tracker.call<Record<Stage, number>>('window-counts', { label: o.label, from: a.jmx.at, to: z.jmx.at })).notifications : 0;
  await ctx.tracker.call('forget', { label: o.label });

  const windowSeconds = (load.endedAt - load.steadyAt) / 1000;
  const cpu = cpuWindow(a.cpu, z.cpu);
  const notifiedPerSecond = tracked.inWindow.notifications / windowSeconds;
  const { growth, max } = growthOverSecondHalf(tracked.backlog, load.steadyAt, load.endedAt);
  const kafka = a.jmx && z.jmx ? brokerDelta(a.jmx, z.jmx) : undefined;

  const stages: Record<string, StageFigures> = {};
  for (const s of ctx.stages) {
    const invoices = tracked.inWindow[s.stage];
    const cores = cpu.groups[s.name] ?? 0;
    const f: StageFigures = { invoices, cores, cpuMsPerInvoice: invoices > 0 ? (cores * windowSeconds * 1000) / invoices : Number.NaN };
    if (s.database) {
      f.statements = z.statements?.get(s.database.name);
      f.statementsPerInvoice = perInvoice(f.statements?.statements, invoices);
      f.transactionControlPerInvoice = perInvoice(f.statements?.transactionControl, invoices);
      if (a.db && z.db) {
        f.db = countersDelta(a.db.get(s.database.name), z.db.get(s.database.name));
        f.commitsPerInvoice = perInvoice(f.db.commits, invoices);
        f.rowsWrittenPerInvoice = perInvoice(f.db.rowsWritten, invoices);
        f.rowsReadPerInvoice = perInvoice(f.db.rowsRead, invoices);
      }
      if (a.tables && z.tables) f.tables = writesDelta(a.tables.get(s.database.name) ?? {}, z.tables.get(s.database.name) ?? {});
    }
    // A topic absent from the readings had no record yet when the reader started: unknown, not zero.
    if (kafka && jmxInvoices > 0 && z.jmx?.appends[s.topic] !== undefined) {
      const appends = kafka.appends[s.topic] ?? 0;
      f.appendsPerInvoice = appends / jmxInvoices;
      f.recordsPerAppend = appends > 0 ? (kafka.messages[s.topic] ?? 0) / appends : Number.NaN;
    }
    stages[s.name] = f;
  }

  const systemGroups = new Set([...ctx.stages.map((s) => s.name), 'kafka', 'registry', 'postgres']);
  const systemCores = Object.entries(cpu.groups).filter(([g]) => systemGroups.has(g)).reduce((s, [, c]) => s + c, 0);
  const notifiedInWindow = tracked.inWindow.notifications;
  const cpuMs = (cores: number) => (notifiedInWindow > 0 ? (cores * windowSeconds * 1000) / notifiedInWindow : Number.NaN);

  let kafkaFigures: StepResult['kafka'];
  if (kafka && jmxInvoices > 0) {
    const own = Object.fromEntries(Object.entries(z.trackerRequests ?? {}).map(([k, v]) => [k, v - (a.trackerRequests?.[k] ?? 0)]));
    const requestsPerInvoice = Object.fromEntries(Object.entries(kafka.requests).map(([k, v]) => [k, Math.max(0, v - (own[k] ?? 0)) / jmxInvoices]));
    kafkaFigures = { window: kafka, invoices: jmxInvoices, requestsPerInvoice };
  }

  let histogram: StepResult['histogram'];
  const before = a.scrape?.get('notifier');
  const after = z.scrape?.get('notifier');
  if (before && after && sum(after, 'invoice_to_notification_seconds_count') > 0) {
    const q = (p: number) => histogramQuantile(before, after, 'invoice_to_notification_seconds', p) * 1000;
    histogram = { p50: q(0.5), p99: q(0.99) };
  }

  return {
    label: o.label, rate: o.rate, load, tracked, notifiedPerSecond, backlogGrowth: growth, backlogMax: max, cpu, otherCores: cpu.other, stages,
    cpuMsPerInvoice: { system: cpuMs(systemCores), all: cpuMs(cpu.ours) }, kafka: kafkaFigures, histogram, drainSeconds,
    verdict: verdictOf(o.rate, o.seconds, notifiedPerSecond, growth, load, tracked.endToEnd.p99),
  };
}

/** The step's latency figures, for one line of progress. */
export function progressLine(s: StepResult): string {
  const e = s.tracked.endToEnd as Summary;
  return `notified ${s.notifiedPerSecond.toFixed(0)}/s of ${s.rate}/s, p50/p99 ${e.p50.toFixed(0)}/${Number.isFinite(e.p99) ? e.p99.toFixed(0) : '∞'} ms, backlog growth ${Number.isFinite(s.backlogGrowth) ? s.backlogGrowth.toFixed(0) : '?'}, shed ${s.load.total.shed}, other work ${s.otherCores.toFixed(2)} cores, ${s.verdict.sustained ? 'sustained' : `not sustained (${s.verdict.reasons.join('; ')})`}`;
}
