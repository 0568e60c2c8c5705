import { SpanKind } from '@opentelemetry/api';
import { Counter, Gauge } from 'prom-client';
import type { TopicSpec, ValueOf } from '@invoice-signal/events';
import type { Knex } from './db.ts';
import type { RunningJob } from './jobs.ts';
import type { EventPublisher, OutgoingRecord } from './producer.ts';
import type { ServiceContext } from './service.ts';
import { inSpan } from './spans.ts';
import { pgArray } from './sql.ts';

/*
 * The transactional outbox: a change and the record announcing it are committed together, and a
 * singleton job publishes the record afterwards. A broker outage delays records, never loses one;
 * a crash between the broker's ack and the delete publishes a record again (readers keep the
 * highest version per key).
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

export interface Outbox<T extends TopicSpec> {
  readonly spec: OutboxSpec<T>;
  /** Queues records in the caller's transaction (one statement); the drainers in this process are woken once it commits. */
  write(trx: Knex.Transaction, records: OutboxRecord<ValueOf<T>>[]): Promise<void>;
  /** A record as it goes on the topic (for records a batch emits itself instead of queueing them). */
  outgoing(record: OutboxRecord<ValueOf<T>>): OutgoingRecord<ValueOf<T>>;
  /** The oldest queued rows, the drainer's read (through the primary key). */
  pending(db: Knex | Knex.Transaction, limit: number): Knex.QueryBuilder;
  /** Starts the drainer: a singleton job `<service>.outbox.<table>`; shutdown stops it. */
  drain(ctx: Pick<ServiceContext, 'name' | 'db' | 'publisher' | 'job' | 'onStop'>, opts: DrainOptions): RunningJob;
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
// The gauges are read from the tables at scrape time (the draining outboxes of this process), so publishing pays nothing for them.
const draining = new Map<string, Knex>();
const stat = (sql: string) =>
  async function collect(this: Gauge<'outbox'>) {
    for (const [table, db] of draining) {
      const { rows } = await db.raw<{ rows: Array<{ value: number | null }> }>(sql, [table]).catch(() => ({ rows: [] }));
      if (rows.length) this.set({ outbox: table }, Number(rows[0].value ?? 0));
    }
  };
new Gauge({
  name: 'outbox_pending', help: 'Records waiting in an outbox, by outbox table', labelNames: ['outbox'] as const,
  collect: stat('select count(*) as value from ??'),
});
new Gauge({
  name: 'outbox_oldest_age_seconds', help: 'Age of the oldest record waiting in an outbox (0 when empty), by outbox table', labelNames: ['outbox'] as const,
  collect: stat('select extract(epoch from now() - min(created_at)) as value from ??'),
});

export function defineOutbox<T extends TopicSpec>(spec: OutboxSpec<T>): Outbox<T> {
  const drainers = new Set<RunningJob>();
  const outgoing = (r: OutboxRecord<ValueOf<T>>): OutgoingRecord<ValueOf<T>> => ({
    key: r.key, value: r.value, headers: { [spec.versionHeader]: String(r.version) },
  });
  const pending = (db: Knex | Knex.Transaction, limit: number) => db(spec.table).select('id', 'key', 'version', 'payload').orderBy('id').limit(limit);

  /** One run in the job's transaction: the oldest rows, in id order (commit order per key: writers hold the key's lock), then deleted. */
  async function publishOldest(trx: Knex.Transaction, publisher: EventPublisher, limit: number): Promise<number> {
    const rows: Row[] = await pending(trx, limit);
    if (rows.length === 0) return 0;
    const attributes = { 'messaging.batch.message_count': rows.length };
    const records = rows.map((r) => outgoing({ key: r.key, version: r.version, value: r.payload as ValueOf<T> | null }));
    await inSpan(`publish ${spec.topic.name}`, () => publisher.publish(spec.topic, records), { kind: SpanKind.PRODUCER, attributes });
    await trx.raw('delete from ?? where id = any(?::bigint[])', [spec.table, pgArray(rows.map((r) => r.id))]);
    published.inc({ outbox: spec.table }, rows.length);
    return rows.length;
  }

  return {
    spec,
    outgoing,
    pending,
    async write(trx, records) {
      if (records.length === 0) return;
      const columns = [records.map((r) => r.key), records.map((r) => r.version), records.map((r) => (r.value === null ? null : JSON.stringify(r.value)))];
      // Ids follow the list's order, so records of one key go out in the order given.
      await trx.raw(
        `insert into ?? (key, version, payload) select key, version, payload
         from unnest(?::text[], ?::bigint[], ?::jsonb[]) with ordinality as v(key, version, payload, n) order by n`,
        [spec.table, ...columns.map(pgArray)],
      );
      // Before the commit the rows are invisible to the drainer; a rollback wakes nobody.
      trx.executionPromise.then(() => drainers.forEach((job) => { job.wake(); }), () => undefined);
    },
    drain(ctx, opts) {
      const job = ctx.job({
        name: `${ctx.name}.outbox.${spec.table}`, everyMs: opts.everyMs, singleton: true,
        run: ({ trx }) => publishOldest(trx!, ctx.publisher, opts.batchSize ?? 500),
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
