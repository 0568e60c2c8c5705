import { SpanKind } from '@opentelemetry/api';
import { Counter, Gauge } from 'prom-client';
import { deadLetterName, EncodeError, topicName, type AvroSerde, type TopicSpec, type ValueOf } from '@invoice-signal/events';
import { deadLetterHeaders } from './consumer/dead-letter.ts';
import type { Knex } from './db.ts';
import type { RunningJob } from './jobs.ts';
import type { OutgoingRecord } from './producer.ts';
import type { ServiceContext } from './service.ts';
import { inSpan } from './spans.ts';
import { pgArray, unnestRows, type Column } from './sql.ts';

/*
 * The transactional outbox: a change and the record announcing it are committed together, and a
 * singleton job publishes the record afterwards. A broker outage delays records, never loses one;
 * a crash between the broker's ack and the delete publishes a record again (readers keep the
 * highest version per key).
 */

/**
 * Order: rows are published in id order, and ids are taken at write time. Two writes are in commit
 * order only when their writers held a common lock while writing: records about what the writers
 * lock (one invoice, one notification) go out in commit order; records that merely share a key
 * (a CSM holding many notifications locked one by one) may not. Readers keep the highest version
 * per locked thing (the version in `versionHeader`), which is right in every order.
 */
export interface OutboxSpec<T extends TopicSpec> {
  /** The service's outbox table, created by `createOutboxTable` in one of its migrations. */
  table: string;
  topic: T;
  /** The header carrying each record's version (the only place a tombstone carries it). */
  versionHeader: string;
}

export interface OutboxRecord<V> {
  key: string;
  version: number;
  /** null publishes a tombstone. */
  value: V | null;
}

export interface DrainOptions {
  /** Longest wait between runs when nothing wakes the drainer (another instance's changes), ms. */
  everyMs: number;
  /** Records per run, published in one request. Default 500. */
  batchSize?: number;
}

type DrainContext = Pick<ServiceContext, 'name' | 'db' | 'publisher' | 'serde' | 'logger' | 'job' | 'onStop'>;

export interface Outbox<T extends TopicSpec> {
  readonly spec: OutboxSpec<T>;
  /**
   * Queues records in the caller's transaction (one statement); the drainers in this process are woken once it commits.
   * Records about one thing go out in the order written as long as every writer holds that thing's lock (see OutboxSpec).
   */
  write(trx: Knex.Transaction, records: OutboxRecord<ValueOf<T>>[]): Promise<void>;
  /** A record as it goes on the topic (for records a batch emits itself instead of queueing them). */
  outgoing(record: OutboxRecord<ValueOf<T>>): OutgoingRecord<ValueOf<T>>;
  /** Starts the drainer: a singleton job `<service>.outbox.<table>`; shutdown stops it. */
  drain(ctx: DrainContext, opts: DrainOptions): RunningJob;
}

interface Row {
  id: number;
  key: string;
  version: number;
  payload: unknown;
}

const published = new Counter({
  name: 'outbox_published_total', help: 'Records (and tombstones) published from an outbox, by outbox table', labelNames: ['outbox'] as const,
});
const deadLettered = new Counter({
  name: 'outbox_dead_lettered_total', help: 'Outbox rows the topic schema refused, sent to <topic>.dlq and deleted, by outbox table',
  labelNames: ['outbox'] as const,
});
const scrapeFailed = new Gauge({
  name: 'outbox_scrape_failed', help: '1 when the outbox gauges could not be read at the last scrape (their values are then reset), by outbox table',
  labelNames: ['outbox'] as const,
});
// The gauges are read from the tables at scrape time (the draining outboxes of this process), so publishing pays nothing for them.
const draining = new Map<string, Knex>();
const stat = (sql: string) =>
  async function collect(this: Gauge<'outbox'>) {
    for (const [table, db] of draining) {
      try {
        const { rows } = await db.raw<{ rows: Array<{ value: number | null }> }>(sql, [table]);
        this.set({ outbox: table }, Number(rows[0]?.value ?? 0));
        scrapeFailed.set({ outbox: table }, 0);
      } catch {
        // No stale value passed off as current: the series goes, and the flag says why.
        this.remove({ outbox: table });
        scrapeFailed.set({ outbox: table }, 1);
      }
    }
  };
new Gauge({
  name: 'outbox_pending', help: 'Records waiting in an outbox, by outbox table', labelNames: ['outbox'] as const,
  collect: stat('select count(*) as value from ??'),
});
new Gauge({
  name: 'outbox_oldest_age_seconds', help: 'Age of the oldest record waiting in an outbox (0 when empty), by outbox table', labelNames: ['outbox'] as const,
  // The oldest row is the first by id: one primary-key probe, whatever the backlog.
  collect: stat('select extract(epoch from now() - (select created_at from ?? order by id limit 1)) as value'),
});

const outboxColumns: Column<OutboxRecord<unknown>>[] = [
  ['key', 'text', (r) => r.key], ['version', 'bigint', (r) => r.version], ['payload', 'jsonb', (r) => (r.value === null ? null : JSON.stringify(r.value))],
];

export function defineOutbox<T extends TopicSpec>(spec: OutboxSpec<T>): Outbox<T> {
  const drainers = new Set<RunningJob>();
  const outgoing = (r: OutboxRecord<ValueOf<T>>): OutgoingRecord<ValueOf<T>> => ({
    key: r.key, value: r.value, headers: { [spec.versionHeader]: String(r.version) },
  });
  const recordOf = (r: Row) => outgoing({ key: r.key, version: r.version, value: r.payload as ValueOf<T> | null });

  /**
   * Publishes rows in one request. When the schema refuses some (the producer encodes them all before
   * sending anything), those are dead-lettered with the reason and the others published: rows go
   * out in id order, so one that can never be encoded would otherwise hold the outbox up forever.
   */
  async function publishRows(ctx: DrainContext, rows: Row[]): Promise<void> {
    try {
      await ctx.publisher.publish(spec.topic, rows.map(recordOf));
    } catch (error) {
      if (!(error instanceof EncodeError)) throw error;
      const refused = await refusedRows(ctx.serde, rows);
      if (refused.size === 0) throw error;
      const topic = topicName(spec.topic, ctx.serde.namespace);
      const origin = (r: Row) => ({ 'dlq.outbox.table': spec.table, 'dlq.outbox.id': String(r.id) });
      await ctx.publisher.publishRaw(deadLetterName(topic), [...refused].map(([r, reason]) => ({
        key: r.key, value: Buffer.from(JSON.stringify(r.payload)),
        headers: { [spec.versionHeader]: String(r.version), ...deadLetterHeaders(topic, reason, origin(r)) },
      })));
      for (const [r, reason] of refused) {
        ctx.logger.error({ outbox: spec.table, id: r.id, key: r.key, version: r.version, err: reason }, 'outbox row dead-lettered');
      }
      deadLettered.inc({ outbox: spec.table }, refused.size);
      await ctx.publisher.publish(spec.topic, rows.filter((r) => !refused.has(r)).map(recordOf));
    }
  }

  /** The rows the schema refuses, with the reason (tombstones are never refused). */
  async function refusedRows(serde: AvroSerde, rows: Row[]): Promise<Map<Row, EncodeError>> {
    const refused = new Map<Row, EncodeError>();
    for (const r of rows) {
      if (r.payload === null) continue;
      await serde.encode(spec.topic, r.payload as ValueOf<T>).catch((error) => {
        if (!(error instanceof EncodeError)) throw error;
        refused.set(r, error);
      });
    }
    return refused;
  }

  /** One run in the job's transaction: the oldest rows, in id order, then deleted. */
  async function publishOldest(trx: Knex.Transaction, ctx: DrainContext, limit: number): Promise<number> {
    const rows: Row[] = await trx(spec.table).select('id', 'key', 'version', 'payload').orderBy('id').limit(limit);
    if (rows.length === 0) return 0;
    const attributes = { 'messaging.batch.message_count': rows.length };
    await inSpan(`publish ${spec.topic.name}`, () => publishRows(ctx, rows), { kind: SpanKind.PRODUCER, attributes });
    await trx.raw('delete from ?? where id = any(?::bigint[])', [spec.table, pgArray(rows.map((r) => r.id))]);
    published.inc({ outbox: spec.table }, rows.length);
    return rows.length;
  }

  return {
    spec,
    outgoing,
    async write(trx, records) {
      if (records.length === 0) return;
      // Ids follow the list's order, so records of one key go out in the order given.
      const v = unnestRows(records, outboxColumns as Column<OutboxRecord<ValueOf<T>>>[], 'v', true);
      await trx.raw(`insert into ?? (key, version, payload) select key, version, payload from ${v.sql} order by n`, [spec.table, ...v.bindings]);
      // Before the commit the rows are invisible to the drainer; a rollback wakes nobody.
      trx.executionPromise.then(() => drainers.forEach((job) => { job.wake(); }), () => undefined);
    },
    drain(ctx, opts) {
      const job = ctx.job({
        name: `${ctx.name}.outbox.${spec.table}`, everyMs: opts.everyMs, singleton: true,
        run: ({ trx }) => publishOldest(trx!, ctx, opts.batchSize ?? 500),
      });
      drainers.add(job);
      draining.set(spec.table, ctx.db);
      ctx.onStop(() => {
        drainers.delete(job);
        if (draining.get(spec.table) === ctx.db) draining.delete(spec.table);
      });
      return job;
    },
  };
}

/** An outbox table: rows in write order; payload null is a tombstone. */
export async function createOutboxTable(db: Knex, table: string): Promise<void> {
  await db.schema.createTable(table, (t) => {
    t.bigIncrements('id');
    t.text('key').notNullable();
    t.bigInteger('version').notNullable();
    t.jsonb('payload');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
}
