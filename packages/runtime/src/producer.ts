import { context, propagation, type Context } from '@opentelemetry/api';
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import { type AvroSerde, topicName, type TopicSpec, type ValueOf } from '@invoice-signal/events';
import { TransientError } from './errors.ts';

export interface OutgoingRecord<V> {
  key: string;
  /** null publishes a tombstone (compacted topics). */
  value: V | null;
  headers?: Record<string, string>;
  /** The trace this record continues; default: the active one. */
  trace?: Context;
}

/** The small interface services publish through; KafkaJS stays behind it. */
export interface EventPublisher {
  publish<T extends TopicSpec>(spec: T, records: OutgoingRecord<ValueOf<T>>[]): Promise<void>;
  /** Raw bytes, for dead letters and replays: no encoding. */
  publishRaw(topic: string, records: { key: Buffer | string | null; value: Buffer | null; headers?: Record<string, string | Buffer> }[]): Promise<void>;
  close(): Promise<void>;
}

/** Adds the current trace context to headers so the consumer continues the same trace. */
function withTraceHeaders(headers: Record<string, string> = {}, trace: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(trace, carrier);
  return carrier;
}

type Messages = Parameters<Producer['send']>[0]['messages'];

interface Waiting {
  messages: Messages;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Joins the publishes that callers make side by side (consumers handling several partitions,
 * concurrent HTTP requests) into one produce request per topic. The idempotent producer keeps one
 * request in flight, so without this every caller would wait for every other caller's ack. Each
 * caller still resolves only once the broker has its records, and fails with them.
 */
function coalescing(sendNow: (topic: string, messages: Messages) => Promise<void>, maxMessages = 500) {
  const queues = new Map<string, Waiting[]>();
  const flushing = new Set<string>();
  async function flush(topic: string) {
    flushing.add(topic);
    try {
      for (let queue = queues.get(topic); queue?.length; queue = queues.get(topic)) {
        // Whole callers only, up to maxMessages per request (a single large caller goes alone).
        let count = 0;
        let take = 0;
        while (take < queue.length && (take === 0 || count + queue[take].messages.length <= maxMessages)) count += queue[take++].messages.length;
        const batch = queue.splice(0, take);
        try {
          await sendNow(topic, batch.flatMap((w) => w.messages));
          batch.forEach((w) => { w.resolve(); });
        } catch (error) {
          batch.forEach((w) => { w.reject(error); });
        }
      }
    } finally {
      flushing.delete(topic);
    }
  }
  return (topic: string, messages: Messages) =>
    new Promise<void>((resolve, reject) => {
      const queue = queues.get(topic) ?? [];
      queue.push({ messages, resolve, reject });
      queues.set(topic, queue);
      // The next turn of the event loop lets callers that are ready now join this request.
      if (!flushing.has(topic)) setImmediate(() => void flush(topic));
    });
}

/**
 * Idempotent producer, acks from all in-sync replicas: a resolved publish means the broker has
 * the records. Failures surface as TransientError so callers answer 503 or retry.
 *
 * Retries are unlimited, as KafkaJS requires for the idempotent guarantee (a request retried
 * with the same sequence numbers is written once). Callers bound the wait instead: the gateway
 * answers 503 after PUBLISH_TIMEOUT_MS and the consumer retries its batch after publishTimeoutMs.
 * A send abandoned that way may still land later; every reader dedupes by the record's own id.
 */
export async function createPublisher(kafka: Kafka, serde: AvroSerde): Promise<EventPublisher> {
  // The default (murmur2, Java-compatible) partitioner, named so KafkaJS does not warn about it.
  const producer: Producer = kafka.producer({
    idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5000 },
  });
  await producer.connect();
  const send = coalescing(async (topic, messages) => {
    try {
      await producer.send({ topic, acks: -1, messages });
    } catch (error) {
      throw new TransientError('KAFKA_PRODUCE', `publishing ${messages.length} record(s) to ${topic} failed: ${(error as Error).message}`, error);
    }
  });
  return {
    async publish(spec, records) {
      if (records.length === 0) return;
      const messages = await Promise.all(
        records.map(async (r) => ({
          key: r.key,
          value: r.value === null ? null : await serde.encode(spec, r.value),
          headers: withTraceHeaders(r.headers, r.trace),
        })),
      );
      await send(topicName(spec, serde.namespace), messages);
    },
    async publishRaw(topic, records) {
      await send(topic, records);
    },
    async close() {
      await producer.disconnect();
    },
  };
}
