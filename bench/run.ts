/**
 * npm run bench: the system benchmark (issues 8 and 12). On a private stack, with nothing else
 * using the machine (it refuses to record when other work takes more than 0.2 cores): the five
 * services as processes, signed Stripe webhooks at rising rates (open loop, warm-up then a steady
 * window), per-stage figures (CPU, Postgres statements and commits, Kafka requests), a soak at the
 * highest sustained rate, and references measured in the same run (bare Fastify, raw kafkajs, the
 * Kafka clients compared, the null pipeline, the Postgres floor). Prints the figures and writes
 * BENCHMARKS.md.  `npm run bench -- --help` lists the options.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { serviceNames } from '@invoice-signal/local-stack';
import { topicName, topics } from '@invoice-signal/events';
import { readOptions } from './args.ts';
import { CpuAccount, quietWindow, type CpuWindow } from './cpu.ts';
import { dbName } from './database-stats.ts';
import { root } from './deps.ts';
import { BrokerJmx, type JmxSampler } from './kafka-jmx.ts';
import { markdown } from './markdown.ts';
import { scrape } from './metrics.ts';
import { postgresFloor, perInvoiceWrites, type FloorService } from './postgres-floor.ts';
import { startBenchStack, type BenchStack } from './private-stack.ts';
import { profilesIn } from './profile.ts';
import { bareFastify, kafkaReferences, maxInFlightFor, nullPipeline } from './references.ts';
import { bestStep, printed, type RunFigures } from './report.ts';
import { soak } from './soak.ts';
import { progressLine, runStep, type StageSpec, type StepContext, type StepResult } from './system-load.ts';
import { cleanup, servicePids, serviceUrls, startSystem, stopServices, type Bench } from './system.ts';
import { rssOf } from './cpu.ts';
import { stackPids } from './metrics.ts';
import { Worker } from './worker.ts';

const o = readOptions();
const began = Date.now();
const say = (line: string) => console.error(`[bench ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const load1 = () => loadavg().map((l) => l.toFixed(2)).join(', ');
const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const namespace = `bench_${stamp}`;
/** Above this, other work on the machine would be in our figures. */
const noiseLimit = 0.2;

const figures: RunFigures = {
  machine: {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), cores: availableParallelism(), node: process.version, loadBefore: load1(), loadAfter: '',
    memory: `${/Mem:\s+(\d+)/.exec(execFileSync('free', ['-g'], { encoding: 'utf8' }))?.[1] ?? '?'} GiB`,
  },
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  options: o, noise: { limit: noiseLimit, allowed: o.allowNoise, quiet: [] }, steps: [], errors: [], slackPosts: 0, durationSeconds: 0,
  statementStats: false, jmx: false,
};

const stack: BenchStack = await startBenchStack(say);
figures.statementStats = stack.statementStats;
if (!stack.statementStats) figures.errors.push('pg_stat_statements could not be loaded: statements per invoice are missing');
const cpu = new CpuAccount(stack.settings.stackDir, stack.settings.registryPort);
const brokers = process.env.KAFKA_BROKERS!.split(',');
const registryUrl = process.env.SCHEMA_REGISTRY_URL!;
const databases: string[] = [];

/** Other work over a quiet window; false when it is too much and noise is not allowed. */
async function quietEnough(before: string): Promise<boolean> {
  const w: CpuWindow = await quietWindow(cpu, 5);
  figures.noise.quiet.push({ before, other: w.other, machine: w.machine, ours: w.ours });
  say(`other work before ${before}: ${w.other.toFixed(2)} cores (machine ${w.machine.toFixed(2)}, ours ${w.ours.toFixed(2)})`);
  if (w.other <= noiseLimit) return true;
  if (o.allowNoise) {
    say(`  more than ${noiseLimit} cores of other work: recording anyway (--allow-noise); the report says so`);
    return true;
  }
  figures.noise.refused = `other work used ${w.other.toFixed(2)} cores before ${before} (limit ${noiseLimit}); stop it, or pass --allow-noise to record anyway`;
  return false;
}

async function teardown(): Promise<void> {
  await cleanup(namespace, databases).catch((error: Error) => say(`cleanup: ${error.message}`));
  if (!o.keepStack) await stack.down().catch((error: Error) => say(`stack down: ${error.message}`));
}

function finish(): never {
  figures.machine.loadAfter = load1();
  figures.durationSeconds = (Date.now() - began) / 1000;
  console.log(printed(figures));
  if (figures.noise.refused) {
    console.error(`\nREFUSED: ${figures.noise.refused}. BENCHMARKS.md left as it was.`);
    process.exit(3);
  }
  if (!o.quick || o.write || o.markdown) {
    const file = o.markdown ?? join(root, 'BENCHMARKS.md');
    writeFileSync(file, markdown(figures));
    say(`wrote ${file} (best step ${bestStep(figures.steps)?.rate ?? '–'}/s) in ${figures.durationSeconds.toFixed(0)} s`);
  }
  process.exit(0);
}

if (!(await quietEnough('starting'))) {
  await teardown();
  finish();
}

const jmx = await BrokerJmx.enable(stack.settings, stackPids(stack.settings.stackDir, stack.settings.registryPort).kafka?.[0], say);
figures.jmx = jmx !== undefined;
if (!jmx) figures.errors.push('broker JMX unavailable: Kafka requests per invoice are missing');
const load = await Worker.start('load-worker.ts', 'load generator');
cpu.name(load.pid, 'load generator');
process.once('SIGINT', () => {
  say('interrupted: cleaning up');
  void teardown().finally(() => process.exit(130));
});

const profileDir = o.profile ? mkdtempSync(join(tmpdir(), 'invoice-signal-profile-')) : '';
await measureSystem();
await measureReferences();
await load.stop();
await teardown();
if (profileDir) figures.profiles = [...profilesIn(profileDir)];
finish();

/** The services at rising rates, the soak, the gateway's maximum, then the Postgres floor on their databases. */
async function measureSystem(): Promise<void> {
  let bench: Bench | undefined;
  let tracker: Worker | undefined;
  let sampler: JmxSampler | undefined;
  try {
    say(`starting the five services (namespace ${namespace}, ${o.partitions} partitions)`);
    // --profile: V8's sampling profiler in every service; --env: extra environment for experiments.
    const env = { ...o.env, ...(o.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}) };
    bench = await startSystem(namespace, o.accounts, o.partitions, env, (b) => (bench = b));
    databases.push(...[...bench.system.databaseUrls().values()].map(dbName));
    for (const [name, pid] of servicePids(bench)) cpu.name(pid, name);
    tracker = await Worker.start('tracker-worker.ts', 'tracker', [brokers.join(','), registryUrl, namespace]);
    cpu.name(tracker.pid, 'tracker');
    const ctx = systemContext(bench, tracker);
    const origin = bench.system.url('ingest-gateway');
    const secret = bench.system.secrets.STRIPE_WEBHOOK_SECRET!;
    const drive = (label: string) => ({ kind: 'http' as const, origin, delivery: { label, accounts: o.accounts, secret } });
    say('priming: 20/s for 5 s (connections, JIT, the broker\'s per-topic counters)');
    await runStep(ctx, { label: `${stamp}p`, rate: 20, warmupSeconds: 0, seconds: 5, maxInFlight: 64, drainSeconds: 60, drive: drive(`${stamp}p`) });
    sampler = await startSampler();
    ctx.jmx = sampler;
    for (const rate of o.rates) {
      if (!(await quietEnough(`the ${rate}/s step`))) break;
      say(`step: ${rate}/s (${o.warmupSeconds} s warm-up, ${o.seconds} s measured)`);
      const step = await runStep(ctx, { label: `${stamp}r${rate}`, rate, warmupSeconds: o.warmupSeconds, seconds: o.seconds, maxInFlight: maxInFlightFor(rate), drainSeconds: Math.max(20, o.seconds / 2), drive: drive(`${stamp}r${rate}`) });
      figures.steps.push(step);
      say(`  ${progressLine(step)}`);
      if (step.otherCores > noiseLimit && !o.allowNoise) {
        figures.noise.refused = `other work used ${step.otherCores.toFixed(2)} cores during the ${rate}/s step (limit ${noiseLimit})`;
        break;
      }
      if (!step.verdict.sustained) break;
    }
    const best = figures.steps.filter((s) => s.verdict.sustained).at(-1);
    if (o.soakSeconds > 0 && best && !figures.noise.refused) {
      say(`soak: ${best.rate}/s for ${o.soakSeconds} s, memory of every service every 10 s`);
      const pids = new Map([...servicePids(bench)].map(([n, p]) => [n as string, p]));
      figures.soak = await soak(ctx, pids, { label: `${stamp}soak`, rate: best.rate, warmupSeconds: 0, seconds: o.soakSeconds, maxInFlight: maxInFlightFor(best.rate), drainSeconds: 30, drive: drive(`${stamp}soak`) });
      say(`  ${progressLine(figures.soak.step)}`);
    } else if (o.soakSeconds > 0) say('soak skipped: no step was sustained');
    figures.recordSizes = await tracker.call('sizes');
    say(`gateway maximum: closed loop of ${o.concurrency} connections for 5 s, pipeline running`);
    figures.gatewayMax = await load.call('http-closed', { origin, concurrency: o.concurrency, seconds: 5, delivery: { label: `${stamp}max`, accounts: o.accounts, secret } });
    figures.slackPosts = bench.slack.posts().length;
  } catch (error) {
    figures.errors.push(`system: ${(error as Error).message.split('\n').slice(0, 12).join('\n')}`);
    say(`system run failed: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    sampler?.stop();
    await tracker?.stop();
    if (bench) await stopServices(bench).catch((error: Error) => say(`stopping the services: ${error.message}`));
  }
  if (bench && figures.steps.length && !figures.noise.refused) await measureFloor(bench);
}

/** The broker's counters once a second, from now on (its topics exist by now). */
async function startSampler(): Promise<JmxSampler | undefined> {
  const sampler = await jmx?.sampler().catch((error: Error) => {
    figures.errors.push(`JMX reader: ${error.message}`);
    return undefined;
  });
  cpu.name(sampler?.child.pid, 'JMX reader');
  return sampler;
}

function systemContext(bench: Bench, tracker: Worker): StepContext {
  const urls = bench.system.databaseUrls();
  const db = (service: (typeof serviceNames)[number]) => (urls.get(service) ? { name: dbName(urls.get(service)!), url: urls.get(service)! } : undefined);
  const t = (spec: (typeof topics)[keyof typeof topics]) => topicName(spec, namespace);
  const stages: StageSpec[] = [
    { name: 'ingest-gateway', stage: 'events', topic: t(topics.invoiceEvents), database: db('ingest-gateway') },
    { name: 'enricher', stage: 'enriched', topic: t(topics.enriched), database: db('enricher') },
    { name: 'risk-scorer', stage: 'assessed', topic: t(topics.assessed), database: db('risk-scorer') },
    { name: 'notifier', stage: 'notifications', topic: t(topics.notifications), database: db('notifier') },
    { name: 'payment-tracker', stage: 'events', topic: t(topics.paymentStatus), database: db('payment-tracker') },
  ];
  const scrapeAll = async () => new Map(await Promise.all(serviceUrls(bench).map(async ([n, url]) => [n, await scrape(url)] as const)));
  return { load, tracker, cpu, adminUrl: process.env.DATABASE_URL!, statementStats: stack.statementStats, stages, scrape: scrapeAll };
}

/** The rows of the best step, written again the cheapest way (services stopped, databases kept). */
async function measureFloor(bench: Bench): Promise<void> {
  const best = bestStep(figures.steps)!;
  const urls = bench.system.databaseUrls();
  const services: FloorService[] = Object.entries(best.stages).flatMap(([name, f]) => {
    const url = urls.get(name as (typeof serviceNames)[number]);
    return url && f.tables && f.invoices > 0 ? [{ service: name, url, perInvoice: perInvoiceWrites(f.tables, f.invoices) }] : [];
  });
  say(`Postgres floor: the rows of the ${best.rate}/s step, ${o.floorInvoices} invoices in batches of ${o.floorBatch}`);
  figures.floor = await postgresFloor(services, o.floorBatch, o.floorInvoices, cpu).catch((error: Error) => {
    figures.errors.push(`Postgres floor: ${error.message.split('\n')[0]}`);
    return undefined;
  });
}

/** Bare Fastify, raw kafkajs, the Kafka clients, the null pipeline: after the system, on the same stack. */
async function measureReferences(): Promise<void> {
  if (!o.references || figures.noise.refused) return;
  const rates = figures.steps.length ? figures.steps.map((s) => s.rate) : o.rates.slice(0, 1);
  try {
    say(`bare Fastify at ${rates.join(', ')}/s, then a closed loop of ${o.concurrency} connections`);
    figures.http = await bareFastify(load, cpu, rates, Math.min(o.warmupSeconds, 2), Math.min(o.seconds, 10), o.concurrency, rssOf);
  } catch (error) {
    figures.errors.push(`bare Fastify: ${(error as Error).message.split('\n')[0]}`);
  }
  const sizes = figures.recordSizes ? Object.values(figures.recordSizes).filter(([n]) => n > 0) : [];
  const recordBytes = sizes.length ? Math.round(sizes.reduce((s, [n, b]) => s + b / n, 0) / sizes.length) : 1500;
  say(`Kafka: raw kafkajs round trip, then kafkajs vs @platformatic/kafka produce (${recordBytes} B records, batches of ${o.kafkaBatches.join(' and ')})`);
  figures.kafka = await kafkaReferences(cpu, brokers, `${namespace}.reference`, recordBytes, { rate: Math.min(500, Math.max(...rates)), seconds: Math.min(o.seconds, 5), records: o.kafkaRecords, batches: o.kafkaBatches }).catch((error: Error) => {
    figures.errors.push(`Kafka references: ${error.message.split('\n')[0]}`);
    return undefined;
  });
  const nullDb = `${namespace}_null`;
  databases.push(nullDb);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${nullDb}`;
  figures.null = await nullPipeline(cpu, load, startSampler, `${namespace}null`, { rates: o.rates, warmupSeconds: o.nullWarmupSeconds, seconds: o.nullSeconds, partitions: o.partitions, accounts: o.accounts, database: { name: nullDb, url: url.toString() } }, say);
}

export type { StepResult };
