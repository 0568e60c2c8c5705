import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import { topicName, type AvroSerde, type TopicSpec, type ValueOf } from '@invoice-signal/events';
import type { Knex } from '../db.ts';
import { TransientError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EventPublisher, OutgoingRecord } from '../producer.ts';
import { failSpan, inSpan, tracer } from '../spans.ts';
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

/**
 * The batch's span (a root: one trace per batch, holding its database and HTTP calls), linked to
 * each record's producer, and one span per record, child of the trace its producer carried in the
 * headers (one trace per invoice) and linked back to the batch.
 */
function batchSpans(spec: TopicSpec, records: IncomingRecord<unknown>[]) {
  const { topic, partition, offset } = records[0];
  const parents = records.map((r) => propagation.extract(ROOT_CONTEXT, r.headers));
  const batch = tracer.startSpan(`batch ${spec.name}`, {
    kind: SpanKind.CONSUMER,
    root: true,
    attributes: { 'messaging.destination.name': topic, 'messaging.destination.partition.id': String(partition), 'messaging.kafka.offset': offset,
      'messaging.batch.message_count': records.length },
    links: parents.flatMap((p) => trace.getSpanContext(p) ?? []).map((linked) => ({ context: linked })),
  });
  const perRecord = new Map<IncomingRecord<unknown>, { span: Span; ctx: Context }>();
  records.forEach((r, i) => {
    const span = tracer.startSpan(`process ${spec.name}`, {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.destination.name': r.topic, 'messaging.kafka.offset': r.offset, 'messaging.batch.message_count': records.length },
      links: [{ context: batch.spanContext() }],
    }, parents[i]);
    perRecord.set(r, { span, ctx: trace.setSpan(parents[i], span) });
  });
  const end = (error?: unknown) => {
    for (const span of [batch, ...[...perRecord.values()].map((p) => p.span)]) {
      if (error) failSpan(span, error);
      span.end();
    }
  };
  return { batch, perRecord, end };
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
 * Spans: the batch, and in it the handler, the send, the commit and the after-commit work.
 */
export async function runBatchOnce(deps: BatchRunDeps, spec: TopicSpec, handle: BatchHandler<unknown>, records: IncomingRecord<unknown>[]): Promise<void> {
  const spans = batchSpans(spec, records);
  try {
    await context.with(trace.setSpan(ROOT_CONTEXT, spans.batch), () => attemptBatch(deps, spec, handle, records, spans.perRecord));
  } catch (error) {
    spans.end(error);
    throw error;
  }
  spans.end();
}

async function attemptBatch(deps: BatchRunDeps, spec: TopicSpec, handle: BatchHandler<unknown>, records: IncomingRecord<unknown>[],
  perRecord: Map<IncomingRecord<unknown>, { ctx: Context }>): Promise<void> {
  const { topic, partition, offset: firstOffset } = records[0];
  const notify = (stage: BatchStage) => deps.listener?.({ stage, topic, partition, records: records.length, firstOffset });
  const after: Array<() => unknown> = [];
  const emitted = new Map<TopicSpec, EmittedRecord<unknown>[]>();
  const trx = await deps.db.transaction();
  try {
    const ctx: BatchContext = {
      trx,
      // Appended in place: a handler may emit once per record.
      emit: (out, list) => {
        const acc = emitted.get(out) ?? [];
        if (acc.length === 0) emitted.set(out, acc);
        for (const r of list) acc.push(r as EmittedRecord<unknown>);
      },
      afterCommit: (fn) => void after.push(fn),
    };
    await inSpan(`handle ${spec.name}`, () => handle(records, ctx));
    notify('handled');
    if (emitted.size) {
      const send = ([out, list]: [TopicSpec, EmittedRecord<unknown>[]]) =>
        deps.publisher.publish(out, list.map(({ cause, ...r }) => ({ ...r, trace: cause ? perRecord.get(cause)?.ctx : undefined })));
      const what = `publishing the output of ${topic}[${partition}]@${firstOffset}`;
      await inSpan('emit', () => withTimeout(Promise.all([...emitted].map(send)), deps.publishTimeoutMs, what));
      notify('produced');
    }
    await inSpan('commit', async () => {
      await trx.commit();
      // Knex resolves commit() even when COMMIT fails (a deferred constraint, a lost connection): the outcome is here.
      await trx.executionPromise;
    });
  } catch (error) {
    await trx.rollback().catch(() => undefined);
    throw error;
  }
  notify('committed');
  if (after.length) await inSpan('after-commit', () => runAfterCommit(deps, spec, after));
}

/** After-commit work: a failure is logged, never retried (the batch is done). */
async function runAfterCommit(deps: BatchRunDeps, spec: TopicSpec, after: Array<() => unknown>): Promise<void> {
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
