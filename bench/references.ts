/**
 * References measured in the same run as the system, on the same stack:
 * - a bare Fastify route (HTTP + JSON parsing, nothing else) under the same load generator;
 * - raw kafkajs produce → consume at the pipeline's record size (what one hop costs at least);
 * - the Kafka clients compared: produce throughput of kafkajs and @platformatic/kafka, same
 *   broker, record size and batch size (issue 12, item 6);
 * - the null pipeline: the same runtime and topics with pass-through handlers, driven at the
 *   step rates (what the pipeline costs before any business logic).
 * The Postgres floor is in postgres-floor.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { topicName, topics } from '@invoice-signal/events';
import { provisionTopics } from '@invoice-signal/runtime';
import { cpuWindow, type CpuAccount } from './cpu.ts';
import type { ProduceResult, RoundTrip } from './kafka-reference-worker.ts';
import type { JmxSampler } from './kafka-jmx.ts';
import type { LoadResult } from './load.ts';
import type { Summary } from './stats.ts';
import { progressLine, runStep, type StageSpec, type StepContext, type StepResult } from './system-load.ts';
import { Worker } from './worker.ts';

export interface HttpReference {
  /** Open loop at each rate the system was offered. */
  atRate: LoadResult[];
  /** Closed loop: the most the bare route answers per second. */
  max: { perSecond: number; latency: Summary; failed: number; concurrency: number };
  rssBytes: number;
  cores: number;
}

/** The bare route in its own process, driven by the load generator like the gateway. */
export async function bareFastify(load: Worker, cpu: CpuAccount, rates: number[], warmupSeconds: number, seconds: number, concurrency: number, rss: (pid: number) => number): Promise<HttpReference> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bare-fastify.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  cpu.name(child.pid, 'bare Fastify');
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const { url } = JSON.parse(line.toString()) as { url: string };
    const delivery = { label: 'ref', accounts: 100, secret: 'whsec_reference_only' };
    const atRate: LoadResult[] = [];
    const a = cpu.snapshot();
    for (const rate of rates) {
      atRate.push(await load.call<LoadResult>('http-open', { origin: url, rate, warmupSeconds, seconds, maxInFlight: maxInFlightFor(rate), delivery: { ...delivery, label: `ref${rate}` } }));
    }
    const window = cpuWindow(a, cpu.snapshot());
    const max = await load.call<HttpReference['max']>('http-closed', { origin: url, concurrency, seconds: Math.min(seconds, 8), delivery: { ...delivery, label: 'refmax' } });
    return { atRate, max, rssBytes: rss(child.pid!), cores: window.groups['bare Fastify'] ?? 0 };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Connections (= requests in flight) so that a target answering within 500 ms never makes the client queue. */
export function maxInFlightFor(rate: number): number {
  return Math.max(64, Math.ceil(rate * 0.5));
}

export interface KafkaReferences {
  recordBytes: number;
  roundtrip?: RoundTrip;
  clients: Array<ProduceResult & { brokerCores: number }>;
  errors: string[];
}

/** Raw kafkajs round trip, then each client's produce throughput, each batch size, same topic. */
export async function kafkaReferences(cpu: CpuAccount, brokers: string[], topic: string, recordBytes: number, o: { rate: number; seconds: number; records: number; batches: number[] }): Promise<KafkaReferences> {
  const admin = new Kafka({ clientId: 'bench-reference-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const out: KafkaReferences = { recordBytes, clients: [], errors: [] };
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
    const worker = await Worker.start('kafka-reference-worker.ts', 'kafka reference');
    cpu.name(worker.pid, 'kafka reference client');
    try {
      out.roundtrip = await worker.call<RoundTrip>('roundtrip', { brokers, topic, rate: o.rate, seconds: o.seconds, records: o.records, bytes: recordBytes }).catch((error: Error) => {
        out.errors.push(`raw kafkajs round trip: ${error.message.split('\n')[0]}`);
        return undefined;
      });
      for (const batch of o.batches) {
        for (const client of ['kafkajs', '@platformatic/kafka'] as const) {
          const a = cpu.snapshot();
          const r = await worker.call<ProduceResult>('produce', { client, brokers, topic, records: o.records, batch, bytes: recordBytes }).catch((error: Error) => {
            out.errors.push(`${client}, batches of ${batch}: ${error.message.split('\n')[0]}`);
            return undefined;
          });
          const w = cpuWindow(a, cpu.snapshot());
          if (r) out.clients.push({ ...r, brokerCores: w.groups.kafka ?? 0 });
        }
      }
    } finally {
      await worker.stop();
    }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
  return out;
}

export interface NullPipeline {
  namespace: string;
  steps: StepResult[];
  error?: string;
}

export const nullStages = ['enricher', 'risk-scorer', 'notifier', 'payment-tracker'] as const;

/** Starts one null stage and waits until its consumer joined. */
async function startNullStage(stage: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(import.meta.dirname, 'null-pipeline.ts'), stage], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`null ${stage} exited (${code}) before it was ready`);
  });
  const ready = (async () => {
    for await (const line of lines) if (line.includes('"ready"')) return;
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return child;
}

export interface NullOptions {
  rates: number[];
  warmupSeconds: number;
  seconds: number;
  partitions: number;
  accounts: number;
  database: { name: string; url: string };
}

/** The null pipeline at rising rates, stopping at the first step not sustained. */
export async function nullPipeline(cpu: CpuAccount, load: Worker, startSampler: () => Promise<JmxSampler | undefined>, namespace: string, o: NullOptions, say: (line: string) => void): Promise<NullPipeline> {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const registryUrl = process.env.SCHEMA_REGISTRY_URL!;
  const admin = new Kafka({ clientId: 'bench-null-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await provisionTopics(admin, Object.values(topics), { namespace, partitions: o.partitions });
  await admin.disconnect();
  const env = { ...process.env, TOPIC_NAMESPACE: namespace, DATABASE_URL: o.database.url, LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1' };
  const children: ChildProcess[] = [];
  const result: NullPipeline = { namespace, steps: [] };
  let tracker: Worker | undefined;
  let sampler: JmxSampler | undefined;
  try {
    for (const stage of nullStages) {
      const child = await startNullStage(stage, env);
      children.push(child);
      cpu.name(child.pid, `null ${stage}`);
    }
    tracker = await Worker.start('tracker-worker.ts', 'null tracker', [brokers.join(','), registryUrl, namespace]);
    cpu.name(tracker.pid, 'tracker');
    const stages: StageSpec[] = [
      { name: 'null enricher', stage: 'enriched', topic: topicName(topics.enriched, namespace) },
      { name: 'null risk-scorer', stage: 'assessed', topic: topicName(topics.assessed, namespace) },
      { name: 'null notifier', stage: 'notifications', topic: topicName(topics.notifications, namespace) },
      { name: 'null payment-tracker', stage: 'events', topic: topicName(topics.paymentStatus, namespace) },
    ];
    const ctx: StepContext = { load, tracker, cpu, adminUrl: process.env.DATABASE_URL!, statementStats: false, stages };
    const drive = { kind: 'kafka' as const, brokers, registryUrl, namespace, accounts: o.accounts };
    // Priming: connections, JIT, and a first record on every topic for the broker's counters.
    await runStep(ctx, { label: `${namespace}p`, rate: 20, warmupSeconds: 0, seconds: 3, maxInFlight: 64, drainSeconds: 30, drive });
    sampler = await startSampler();
    ctx.jmx = sampler;
    for (const rate of o.rates) {
      say(`null pipeline: ${rate}/s (${o.warmupSeconds} s warm-up, ${o.seconds} s measured)`);
      const step = await runStep(ctx, { label: `${namespace}r${rate}`, rate, warmupSeconds: o.warmupSeconds, seconds: o.seconds, maxInFlight: maxInFlightFor(rate), drainSeconds: Math.max(20, o.seconds), drive });
      result.steps.push(step);
      say(`  ${progressLine(step)}`);
      if (!step.verdict.sustained) break;
    }
  } catch (error) {
    result.error = (error as Error).message.split('\n')[0];
    say(`null pipeline failed: ${result.error}`);
  } finally {
    sampler?.stop();
    await tracker?.stop();
    await Promise.all(children.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, 'exit');
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15000).unref())]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }));
  }
  return result;
}
