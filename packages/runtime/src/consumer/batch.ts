import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { topicName, type AvroSerde, type TopicSpec, type ValueOf } from '@invoice-signal/events';
import type { Knex } from '../db.ts';
import { TransientError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EventPublisher, OutgoingRecord } from '../producer.ts';
import type { IncomingRecord } from './records.ts';

/** A record to publish with the batch; `cause` is the incoming record it answers (its trace continues). */
export interface EmittedRecord<V> extends OutgoingRecord<V> {
  cause?: IncomingRecord<unknown>;
}

/** What a batch handler gets besides its records. */
export interface BatchContext {
  /** The batch's one transaction. It commits only after every emitted record is acknowledged by the broker. */
  trx: Knex.Transaction;
  /** Queues records for the batch's one send, made after the handler returns and before the commit. */
  emit<T extends TopicSpec>(spec: T, records: EmittedRecord<ValueOf<T>>[]): void;
  /** Runs once the transaction committed (wake a worker, announce, count). A failure here is logged, not retried. */
  afterCommit(fn: () => unknown): void;
}

/**
 * Handles a fetched batch (one partition, offset order) at once: reads and writes through
 * `ctx.trx` with set-based statements, emits its output with `ctx.emit`. All or nothing: a throw
 * rolls everything back, and the runtime retries the batch or splits it to isolate a bad record.
 */
export type BatchHandler<V> = (records: IncomingRecord<V>[], ctx: BatchContext) => Promise<void>;

/** Stages of a batch, in order, for instrumentation (and for tests that crash a process at one). */
export type BatchStage = 'handled' | 'produced' | 'committed' | 'offsets-committed';
export type BatchListener = (event: { stage: BatchStage; topic: string; partition: number; records: number; firstOffset: string }) => void;

export interface BatchRunDeps {
  db: Knex;
  serde: AvroSerde;
  publisher: EventPublisher;
  logger: Logger;
  /** Longest wait for the broker to acknowledge a batch's output before the batch is retried. */
  publishTimeoutMs: number;
  listener?: BatchListener;
}

const tracer = trace.getTracer('invoice-signal');

/** One span per record, child of the trace its producer carried in the headers: one trace per invoice. */
function recordSpans(spec: TopicSpec, records: IncomingRecord<unknown>[], size: number): Map<IncomingRecord<unknown>, { span: Span; ctx: Context }> {
  const spans = new Map<IncomingRecord<unknown>, { span: Span; ctx: Context }>();
  for (const r of records) {
    const parent = propagation.extract(ROOT_CONTEXT, r.headers);
    const span = tracer.startSpan(`process ${spec.name}`, {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.destination.name': r.topic, 'messaging.kafka.offset': r.offset, 'messaging.batch.message_count': size },
    }, parent);
    spans.set(r, { span, ctx: trace.setSpan(parent, span) });
  }
  return spans;
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientError('KAFKA_PUBLISH_TIMEOUT', `${what}: no broker acknowledgement within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One attempt at a batch: one transaction around the handler, the emitted records in one send
 * per topic before the commit, then the after-commit work. Throws what the attempt threw.
 */
export async function runBatchOnce(deps: BatchRunDeps, spec: TopicSpec, handle: BatchHandler<unknown>, records: IncomingRecord<unknown>[]): Promise<void> {
  const { topic, partition, offset: firstOffset } = records[0];
  const notify = (stage: BatchStage) => deps.listener?.({ stage, topic, partition, records: records.length, firstOffset });
  const spans = recordSpans(spec, records, records.length);
  const after: Array<() => unknown> = [];
  try {
    await deps.db.transaction(async (trx) => {
      const emitted = new Map<TopicSpec, EmittedRecord<unknown>[]>();
      const ctx: BatchContext = {
        trx,
        emit: (out, list) => void emitted.set(out, [...(emitted.get(out) ?? []), ...(list as EmittedRecord<unknown>[])]),
        afterCommit: (fn) => void after.push(fn),
      };
      await handle(records, ctx);
      notify('handled');
      const sends = [...emitted].map(([out, list]) => deps.publisher.publish(out, list.map(({ cause, ...r }) => ({ ...r, trace: cause ? spans.get(cause)?.ctx : undefined }))));
      await withTimeout(Promise.all(sends), deps.publishTimeoutMs, `publishing the output of ${topic}[${partition}]@${firstOffset}`);
      if (emitted.size) notify('produced');
    });
    notify('committed');
    for (const { span } of spans.values()) span.end();
  } catch (error) {
    for (const { span } of spans.values()) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
    }
    throw error;
  }
  for (const fn of after) {
    try {
      await fn();
    } catch (error) {
      deps.logger.warn({ err: error, topic: topicName(spec, deps.serde.namespace) }, 'after-commit work failed');
    }
  }
}

/** Runs `fn` inside the trace of `record` (so log lines about it carry its trace id). */
export function inRecordTrace<T>(record: { headers: Record<string, string> } | undefined, fn: () => T): T {
  return record ? context.with(propagation.extract(ROOT_CONTEXT, record.headers), fn) : fn();
}
