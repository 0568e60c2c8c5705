import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { AvroSerde, deadLetterName, topicName, type TopicSpec, type ValueOf } from '@invoice-signal/events';
import { errorCode, isRetriable, TransientError } from './errors.ts';
import type { Logger } from './logger.ts';
import { metrics } from './metrics.ts';
import type { EventPublisher } from './producer.ts';

export interface IncomingRecord<V> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** null for a tombstone. */
  value: V | null;
  headers: Record<string, string>;
  /** Broker timestamp, epoch ms. */
  timestamp: number;
}

export interface Subscription {
  spec: TopicSpec;
  handle(record: IncomingRecord<unknown>): Promise<void>;
  /**
   * Optional: all records of one fetched batch (one partition, in offset order) at once, for
   * handlers that write a batch in one transaction. Must be all-or-nothing: on a non-retriable
   * error the loop falls back to `handle` record by record, which dead-letters only the bad ones.
   */
  handleBatch?(records: IncomingRecord<unknown>[]): Promise<void>;
}

/** Binds a handler to a topic with the topic's value type. */
export function on<T extends TopicSpec>(spec: T, handle: (record: IncomingRecord<ValueOf<T>>) => Promise<void>): Subscription {
  return { spec, handle: handle as Subscription['handle'] };
}

/** Like `on`, with a batch handler used for batches of more than one record (`handle` stays the fallback). */
export function onBatch<T extends TopicSpec>(
  spec: T,
  handleBatch: (records: IncomingRecord<ValueOf<T>>[]) => Promise<void>,
  handle: (record: IncomingRecord<ValueOf<T>>) => Promise<void>,
): Subscription {
  return { spec, handle: handle as Subscription['handle'], handleBatch: handleBatch as Subscription['handleBatch'] };
}

export interface ConsumerOptions {
  groupId: string;
  subscriptions: Subscription[];
  /** Where a new group starts. Default true: a new service reads the whole history. */
  fromBeginning?: boolean;
  /** Attempts for a retriable failure before the consumer restarts from its committed offset. Default 5. */
  maxAttempts?: number;
  /** First retry delay in ms, doubled each attempt, capped at 5 s. Default 200. */
  retryDelayMs?: number;
  /** Partitions processed in parallel (order is kept within a partition). Default 3. */
  partitionsConsumedConcurrently?: number;
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
}

const headerText = (headers: KafkaMessage['headers']): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? String(v[0]) : String(v)]])));

/**
 * The consumer loop every service uses. Per record: decode, handle, then mark the offset. A
 * retriable failure is retried with backoff; when attempts run out the loop commits what it
 * processed and rethrows so KafkaJS restarts from there. Anything else goes to `<topic>.dlq`
 * with the reason in headers, and the loop goes on. Offsets only move after the handler's write.
 */
export async function startConsumer(deps: ConsumerDeps, opts: ConsumerOptions): Promise<RunningConsumer> {
  const { kafka, serde, publisher, logger } = deps;
  const maxAttempts = opts.maxAttempts ?? 5;
  const baseDelay = opts.retryDelayMs ?? 200;
  const byTopic = new Map(opts.subscriptions.map((s) => [topicName(s.spec, serde.namespace), s]));
  const log = logger.child({ group: opts.groupId });
  const tracer = trace.getTracer('invoice-signal');
  let ready = false;

  const consumer: Consumer = kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false, sessionTimeout: 30000, heartbeatInterval: 3000 });
  consumer.on(consumer.events.GROUP_JOIN, () => (ready = true));
  consumer.on(consumer.events.CRASH, (e) => {
    ready = false;
    log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
  });

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    await publisher.publishRaw(deadLetterName(topic), [{
      key: message.key,
      value: message.value,
      headers: {
        ...(message.headers as Record<string, Buffer>),
        'dlq.error.code': errorCode(error),
        'dlq.error.message': reason.slice(0, 2000),
        'dlq.original.topic': topic,
        'dlq.original.partition': String(partition),
        'dlq.original.offset': message.offset,
        'dlq.consumer.group': opts.groupId,
        'dlq.failed.at': new Date().toISOString(),
      },
    }]);
    metrics.consumed.inc({ topic, group: opts.groupId, outcome: 'dead_lettered' });
    log.warn({ topic, partition, offset: message.offset, code: errorCode(error), reason }, 'record dead-lettered');
  }

  async function processOne(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) {
    const sub = byTopic.get(topic)!;
    const headers = headerText(message.headers);
    const parent = propagation.extract(context.active(), headers);
    const timer = metrics.processing.startTimer({ topic, group: opts.groupId });
    await tracer.startActiveSpan(`process ${sub.spec.name}`, { kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': topic, 'messaging.kafka.offset': message.offset } }, parent, async (span) => {
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            const value = message.value === null ? null : await serde.decode(sub.spec, message.value);
            const record = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers, timestamp: Number(message.timestamp) };
            await sub.handle(record);
            metrics.consumed.inc({ topic, group: opts.groupId, outcome: 'ok' });
            return;
          } catch (error) {
            if (!isRetriable(error)) {
              span.recordException(error as Error);
              await deadLetter(topic, partition, message, error);
              return;
            }
            metrics.consumed.inc({ topic, group: opts.groupId, outcome: 'retried' });
            if (attempt >= maxAttempts) {
              span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
              throw new TransientError(errorCode(error), `giving up on ${topic}[${partition}]@${message.offset} after ${attempt} attempts: ${(error as Error).message}`, error);
            }
            log.warn({ topic, partition, offset: message.offset, attempt, err: error }, 'retriable failure, retrying');
            await heartbeat().catch(() => undefined);
            await sleep(Math.min(5000, baseDelay * 2 ** (attempt - 1)));
          }
        }
      } finally {
        timer();
        span.end();
      }
    });
  }

  /**
   * The batch path: decode all, hand them over at once, retry retriable failures like processOne.
   * Returns false when something in the batch is not retriable, so the caller goes record by record.
   */
  async function processBatch(topic: string, partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<boolean> {
    const sub = byTopic.get(topic)!;
    const timer = metrics.processing.startTimer({ topic, group: opts.groupId });
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const records = await Promise.all(messages.map(async (message) => {
            const value = message.value === null ? null : await serde.decode(sub.spec, message.value);
            return { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers: headerText(message.headers), timestamp: Number(message.timestamp) };
          }));
          await sub.handleBatch!(records);
          metrics.consumed.inc({ topic, group: opts.groupId, outcome: 'ok' }, records.length);
          return true;
        } catch (error) {
          if (!isRetriable(error)) {
            log.warn({ topic, partition, from: messages[0].offset, count: messages.length, err: error }, 'batch failed; processing its records one by one');
            return false;
          }
          metrics.consumed.inc({ topic, group: opts.groupId, outcome: 'retried' }, messages.length);
          if (attempt >= maxAttempts) {
            throw new TransientError(errorCode(error), `giving up on ${topic}[${partition}]@${messages[0].offset}+${messages.length} after ${attempt} attempts: ${(error as Error).message}`, error);
          }
          log.warn({ topic, partition, from: messages[0].offset, attempt, err: error }, 'retriable batch failure, retrying');
          await heartbeat().catch(() => undefined);
          await sleep(Math.min(5000, baseDelay * 2 ** (attempt - 1)));
        }
      }
    } finally {
      timer();
    }
  }

  await consumer.connect();
  for (const topic of byTopic.keys()) await consumer.subscribe({ topic, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      metrics.lag.set({ topic: batch.topic, partition: String(batch.partition), group: opts.groupId }, Number(batch.offsetLag()));
      if (byTopic.get(batch.topic)!.handleBatch && batch.messages.length > 1 && isRunning() && !isStale()) {
        if (await processBatch(batch.topic, batch.partition, batch.messages, heartbeat)) {
          resolveOffset(batch.messages[batch.messages.length - 1].offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
          return;
        }
      }
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        await processOne(batch.topic, batch.partition, message, heartbeat);
        resolveOffset(message.offset);
        await commitOffsetsIfNecessary();
      }
      await heartbeat();
    },
  });
  log.info({ topics: [...byTopic.keys()] }, 'consumer started');

  return {
    groupId: opts.groupId,
    isReady: () => ready,
    async stop() {
      ready = false;
      // Disconnect waits for the batch in hand and commits the offsets resolved so far.
      await consumer.disconnect();
    },
  };
}
