import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { topicName, type AvroSerde, type TopicSpec, type ValueOf } from '@invoice-signal/events';
import { runBatchOnce, inRecordTrace, type BatchContext, type BatchHandler, type BatchListener } from './consumer/batch.ts';
import { deadLetter } from './consumer/dead-letter.ts';
import { offsetCommitter } from './consumer/committer.ts';
import { controlOf, gatherer, type CommitOffsets, type Control, type PartitionPart } from './consumer/gather.ts';
import { decodeAll, headerText, type IncomingRecord } from './consumer/records.ts';
import type { Knex } from './db.ts';
import { errorCode, isPoison, isRetriable } from './errors.ts';
import type { Logger } from './logger.ts';
import { metrics } from './metrics.ts';
import type { EventPublisher } from './producer.ts';
import { retry } from './retry.ts';

export type { IncomingRecord } from './consumer/records.ts';
export type { BatchContext, BatchHandler, BatchListener, BatchStage, EmittedRecord } from './consumer/batch.ts';

export interface Subscription {
  spec: TopicSpec;
  handle: BatchHandler<unknown>;
  /** Set by onBatchesTogether: the subscriptions that share this object share one run per fetch. */
  together?: { specs: TopicSpec[]; handle: JointBatchHandler };
}

/** Binds a batch handler to a topic with the topic's value type. */
export function onBatch<T extends TopicSpec>(spec: T, handle: BatchHandler<ValueOf<T>>): Subscription {
  return { spec, handle: handle as BatchHandler<unknown> };
}

/** A fetch's records of several topics: each topic's (in the order the topics were given), each partition in offset order. */
export type TopicRecords = Array<{ spec: TopicSpec; records: IncomingRecord<unknown>[] }>;
export type JointBatchHandler = (groups: TopicRecords, ctx: BatchContext) => Promise<void>;

/**
 * Binds one handler to several topics whose records of one fetch are handled in ONE run (one
 * transaction, one send, one commit) instead of one run per topic side by side. For handlers that
 * lock the same keys: two such runs of one fetch would wait for each other, one after the other,
 * each with its own reads and commit, and the next fetch waits for both. A failure splits the run
 * like any other (the record that fails alone is dead-lettered to its own topic's DLQ).
 */
export function onBatchesTogether(specs: TopicSpec[], handle: JointBatchHandler): Subscription[] {
  const together = { specs, handle };
  return specs.map((spec) => ({ spec, handle: (records, ctx) => handle([{ spec, records }], ctx), together }));
}

export interface ConsumerOptions {
  groupId: string;
  subscriptions: Subscription[];
  /** Where a new group starts. Default true: a new service reads the whole history. */
  fromBeginning?: boolean;
  /** Partitions handled in parallel (order is kept within a partition). Default 6, the catalogue's partition count. */
  partitionsConsumedConcurrently?: number;
  /** A member that stops heartbeating loses its partitions after this long, ms. Default 6000 (the broker's minimum). */
  sessionTimeoutMs?: number;
  /** Heartbeat interval, ms. Default 1000. */
  heartbeatIntervalMs?: number;
  /** Longest time the broker holds a fetch that has no data yet, ms. Default 100. */
  fetchMaxWaitMs?: number;
  /** Bytes a fetch waits for (up to fetchMaxWaitMs) before it answers. Default 1: a record is handed over at once. */
  fetchMinBytes?: number;
  /** Most bytes fetched per partition per request (the batch size bound). Default 1 MiB. */
  fetchMaxBytesPerPartition?: number;
  /** Longest wait for the broker to acknowledge a batch's output before the batch is retried, ms. Default 30000. */
  publishTimeoutMs?: number;
  /** First retry delay of a failing batch, ms, doubled each attempt up to 5 s. Default 200. */
  retryDelayMs?: number;
  /** Processed offsets are committed at most this often, ms (and at once on stop). Default 500; 0 commits after every batch. */
  commitIntervalMs?: number;
  /** Told each stage of each batch (handled, produced, committed, offsets-committed). */
  listener?: BatchListener;
}

export interface RunningConsumer {
  readonly groupId: string;
  isReady(): boolean;
  stop(): Promise<void>;
}

export interface ConsumerDeps {
  kafka: Kafka;
  serde: AvroSerde;
  publisher: EventPublisher;
  logger: Logger;
  db: Knex;
  /** Whether every dependency answers; a failure while one does not is retried, never dead-lettered. Default: the database and the registry. */
  dependenciesUp?: () => Promise<boolean>;
}

/** The database and the schema registry answer: a record that fails now fails on its own merits. */
function defaultProbe(db: Knex, serde: AvroSerde): () => Promise<boolean> {
  return async () => {
    try {
      await db.raw('select 1');
      const res = await fetch(`${serde.registryUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  };
}

/**
 * The consumer loop every service uses. Per fetched batch: decode, hand the batch to its handler
 * in one transaction, send its output in one request, commit, then commit the offset.
 * - A failure while a dependency is down (by error type and code, or a failed probe) is retried
 *   until it passes; the partition waits meanwhile and keeps heartbeating.
 * - Any other failure splits the batch in halves, down to the record that fails alone; only that
 *   record goes to `<topic>.dlq`, with the reason in headers, and the rest is processed in order.
 */
export async function startConsumer(deps: ConsumerDeps, opts: ConsumerOptions): Promise<RunningConsumer> {
  const { kafka, serde, publisher, db } = deps;
  const byTopic = new Map(opts.subscriptions.map((s) => [topicName(s.spec, serde.namespace), s]));
  const log = deps.logger.child({ group: opts.groupId });
  const dependenciesUp = deps.dependenciesUp ?? defaultProbe(db, serde);
  const runDeps = { db, serde, publisher, logger: log, publishTimeoutMs: opts.publishTimeoutMs ?? 30000, listener: opts.listener };
  const dlqDeps = { publisher, logger: log, groupId: opts.groupId };
  let ready = false;

  const sessionTimeout = opts.sessionTimeoutMs ?? 6000;
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId, allowAutoTopicCreation: false, sessionTimeout, heartbeatInterval: opts.heartbeatIntervalMs ?? Math.min(1000, sessionTimeout / 3),
    maxWaitTimeInMs: opts.fetchMaxWaitMs ?? 100, minBytes: opts.fetchMinBytes ?? 1, maxBytesPerPartition: opts.fetchMaxBytesPerPartition ?? 1024 * 1024,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => (ready = true));
  consumer.on(consumer.events.CRASH, (e) => {
    ready = false;
    log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
  });

  /** Retriable by type and code, or because a dependency is down right now. */
  const mayPass = async (error: unknown) => isRetriable(error) || !(await dependenciesUp());

  /**
   * Retries while the failure may pass; returns the failure that cannot, or null on success (or
   * when stopping). `doubtfulTries`: attempts for a failure that names no culprit (see isPoison)
   * even while every dependency answers — a connection can break and heal between two probes.
   */
  async function attempt(topic: string, what: string, control: Control, work: () => Promise<void>, doubtfulTries = 1): Promise<unknown> {
    const abort = new AbortController();
    let tries = 0;
    try {
      await retry(async () => {
        tries += 1;
        await work();
      }, {
        baseMs: opts.retryDelayMs ?? 200,
        signal: abort.signal,
        retryIf: async (error) => (await mayPass(error)) || (!isPoison(error) && tries < doubtfulTries),
        onRetry: async (error, n) => {
          metrics.consumed.inc({ topic, group: opts.groupId, outcome: 'retried' });
          log.warn({ err: error, code: errorCode(error), attempt: n, batch: what }, 'batch failed while a dependency may be down; retrying');
          await control.heartbeat();
          if (control.stopping()) abort.abort();
        },
      });
      return null;
    } catch (error) {
      if (control.stopping() || (await mayPass(error))) return null; // stopping: left uncommitted for the next owner
      return error;
    }
  }

  /** Dead-letters one record, in its own trace; a broker outage meanwhile is waited out. */
  const sendToDlq = (control: Control, topic: string, partition: number, message: KafkaMessage, error: unknown) =>
    retry(() => inRecordTrace({ headers: headerText(message.headers) }, () => deadLetter(dlqDeps, topic, partition, message, error)), { onRetry: () => control.heartbeat() });

  /** Processes records in order; a failure that cannot pass splits the run until it isolates the record. */
  async function processRun(spec: TopicSpec, handle: BatchHandler<unknown>, records: IncomingRecord<unknown>[], messages: Map<IncomingRecord<unknown>, KafkaMessage>, control: Control): Promise<boolean> {
    if (records.length === 0 || control.stopping()) return !control.stopping();
    const { topic, partition, offset } = records[0];
    const timer = metrics.processing.startTimer({ topic, group: opts.groupId });
    metrics.batchSize.observe({ topic, group: opts.groupId }, records.length);
    let done = false;
    const failure = await attempt(topic, `${topic}[${partition}]@${offset}+${records.length}`, control, async () => {
      await runBatchOnce(runDeps, spec, handle, records);
      done = true;
    }, records.length === 1 ? 5 : 1);
    timer();
    if (done) {
      metrics.consumed.inc({ topic, group: opts.groupId, outcome: 'ok' }, records.length);
      await control.commit(records);
      return true;
    }
    if (failure === null) return false; // stopping
    if (records.length === 1) {
      await sendToDlq(control, topic, partition, messages.get(records[0])!, failure);
      await control.commit(records);
      return true;
    }
    log.info({ topic, partition, from: offset, count: records.length, code: errorCode(failure) }, 'batch failed; splitting it to isolate the bad record');
    const half = Math.ceil(records.length / 2);
    return (await processRun(spec, handle, records.slice(0, half), messages, control)) && processRun(spec, handle, records.slice(half), messages, control);
  }

  /** A record that did not decode: dead-lettered once the registry and database answer and it still does not. */
  async function undecodable(sub: Subscription, part: PartitionPart & { partition: number }, message: KafkaMessage): Promise<boolean> {
    const topic = topicName(sub.spec, serde.namespace);
    const { partition } = part;
    const control = controlOf([{ ...part, records: [{ topic, partition, offset: message.offset } as IncomingRecord<unknown>] }], commitOffsets);
    while (!(await dependenciesUp())) {
      if (control.stopping()) return false;
      await control.heartbeat();
      await sleep(1000);
    }
    const [again] = await decodeAll(serde, sub.spec, topic, partition, [message]);
    if ('record' in again) return processRun(sub.spec, sub.handle, [again.record], new Map([[again.record, message]]), control);
    await sendToDlq(control, topic, partition, message, again.error);
    await control.commit([{ topic, partition, offset: message.offset } as IncomingRecord<unknown>]);
    return true;
  }

  const committer = offsetCommitter(consumer, opts.commitIntervalMs ?? 500, log, (records) =>
    opts.listener?.({ stage: 'offsets-committed', topic: records[0].topic, partition: records[0].partition, records: records.length, firstOffset: records[0].offset }));
  const commitOffsets: CommitOffsets = (records, now) => committer.add(records, now);
  // One gatherer per subscription: the partitions of a fetch become one run of its handler. Subscriptions
  // made together (onBatchesTogether) share one: the fetch's records of all their topics become one run.
  const joint = (together: NonNullable<Subscription['together']>) => {
    const names = together.specs.map((spec) => topicName(spec, serde.namespace));
    const groups = (records: IncomingRecord<unknown>[]): TopicRecords =>
      together.specs.map((spec, i) => ({ spec, records: records.filter((r) => r.topic === names[i]) })).filter((g) => g.records.length > 0);
    const handle: BatchHandler<unknown> = (records, ctx) => together.handle(groups(records), ctx);
    // Topic by topic in the order given (each partition keeps its order): what a split halves.
    return gatherer((records, messages, control) => processRun(byTopic.get(records[0].topic)!.spec, handle, groups(records).flatMap((g) => g.records), messages, control), commitOffsets);
  };
  const shared = new Map<object, ReturnType<typeof gatherer>>();
  const gathered = new Map([...byTopic].map(([topic, sub]) => {
    if (!sub.together) return [topic, gatherer((records, messages, control) => processRun(sub.spec, sub.handle, records, messages, control), commitOffsets)];
    if (!shared.has(sub.together)) shared.set(sub.together, joint(sub.together));
    return [topic, shared.get(sub.together)!];
  }));

  await consumer.connect();
  for (const topic of byTopic.keys()) await consumer.subscribe({ topic, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    // The committer commits (on an interval, and when stopping); KafkaJS would commit after every batch.
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 6,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      metrics.lag.set({ topic: batch.topic, partition: String(batch.partition), group: opts.groupId }, Number(batch.offsetLag()));
      const sub = byTopic.get(batch.topic)!;
      const stopping = () => !isRunning() || isStale();
      const arrived = gathered.get(batch.topic)!.expect();
      let decoded = await decodeAll(serde, sub.spec, batch.topic, batch.partition, batch.messages).finally(arrived);
      // The registry unreachable: decode again until it answers (the partition waits).
      while (!stopping() && decoded.some((d) => 'error' in d && isRetriable(d.error))) {
        await heartbeat();
        await sleep(500);
        decoded = await decodeAll(serde, sub.spec, batch.topic, batch.partition, batch.messages);
      }
      const part = (records: IncomingRecord<unknown>[], messages: Map<IncomingRecord<unknown>, KafkaMessage>): PartitionPart & { partition: number } => ({
        records, messages, heartbeat, stopping, partition: batch.partition, resolveOffset,
        commitNow: (offsets) => commitOffsetsIfNecessary({ topics: [...new Set(offsets.map((o) => o.topic))].map((topic) => ({ topic, partitions: offsets.filter((o) => o.topic === topic) })) }),
      });
      // Runs of decodable records, each undecodable record between them on its own, in offset order.
      let messages = new Map<IncomingRecord<unknown>, KafkaMessage>();
      let run: IncomingRecord<unknown>[] = [];
      for (const d of decoded) {
        if ('record' in d) {
          messages.set(d.record, d.message);
          run.push(d.record);
          continue;
        }
        if (!(await gathered.get(batch.topic)!(part(run, messages)))) return;
        run = [];
        messages = new Map();
        if (!(await undecodable(sub, part([], new Map()), d.message))) return;
      }
      await gathered.get(batch.topic)!(part(run, messages));
      await heartbeat().catch(() => undefined);
    },
  });
  log.info({ topics: [...byTopic.keys()] }, 'consumer started');

  return {
    groupId: opts.groupId,
    isReady: () => ready,
    async stop() {
      ready = false;
      // What is processed goes out now; the batch in hand commits its own offsets as it ends (it sees the stop).
      await committer.flush();
      await consumer.disconnect();
    },
  };
}
