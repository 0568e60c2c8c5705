import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics, type PaymentStatus } from '@invoice-signal/events';
import { createOutboxTable, defineOutbox, metricsRegistry, startJob, type EventPublisher, type Outbox, type ServiceContext } from '@invoice-signal/runtime';
import { eventually, openTestBus, samplePaymentStatus, TopicReader, uniqueName, type TestBus } from '@invoice-signal/testkit';

type Drainer = Pick<ServiceContext, 'name' | 'db' | 'publisher' | 'serde' | 'logger' | 'job' | 'onStop'> & { stop(): Promise<void> };

describe('the runtime outbox', () => {
  let bus: TestBus;
  let reader: TopicReader<PaymentStatus>;
  let outbox: Outbox<typeof topics.paymentStatus>;

  beforeAll(async () => {
    bus = await openTestBus('outbox', [topics.paymentStatus], { partitions: 3 });
    await createOutboxTable(bus.db, 'status_outbox');
    outbox = defineOutbox({ table: 'status_outbox', topic: topics.paymentStatus, versionHeader: 'status-version' });
    reader = await TopicReader.open(topics.paymentStatus, bus.serde);
  });
  afterAll(async () => {
    await reader?.close();
    await bus?.close();
  });

  /** What a service's context gives the drainer; `stop` runs its stoppers as a service shutdown would. */
  function drainer(publisher: EventPublisher = bus.publisher): Drainer {
    const stoppers: Array<() => unknown> = [];
    return {
      name: 'payment-tracker', db: bus.db, publisher, serde: bus.serde, logger: bus.logger,
      job: (opts) => {
        const job = startJob(bus.db, bus.logger, opts);
        stoppers.push(() => job.stop());
        return job;
      },
      onStop: (fn) => void stoppers.push(fn),
      stop: async () => {
        for (const fn of stoppers.reverse()) await fn();
      },
    };
  }
  const status = (invoiceId: string, version: number, state: PaymentStatus['status'] = 'pending') => samplePaymentStatus({ invoiceId, version, status: state });
  const waiting = async () => Number((await bus.db('status_outbox').count({ n: '*' }))[0].n);
  const of = (key: string) => reader.records.filter((r) => r.key === key);

  it('publishes what a committed transaction wrote, in write order per key, woken by the commit; a rollback publishes nothing', async () => {
    const ctx = drainer();
    // A run at start, then only the wake-up on commit could publish within the test.
    const job = outbox.drain(ctx, { everyMs: 600_000 });
    try {
      await job.runNow();
      const [a, b, gone] = [uniqueName('in_a'), uniqueName('in_b'), uniqueName('in_gone')];
      await bus.db.transaction(async (trx) => {
        await outbox.write(trx, [1, 2, 3].map((v) => ({ key: a, version: v, value: status(a, v) })));
        await outbox.write(trx, [{ key: b, version: 1, value: status(b, 1) }, { key: gone, version: 2, value: null }]);
        await outbox.write(trx, [{ key: a, version: 4, value: status(a, 4, 'paid') }]);
        await sleep(300); // the drainer sees none of it yet
        expect(of(a)).toEqual([]);
      });
      await expect(bus.db.transaction(async (trx) => {
        await outbox.write(trx, [{ key: b, version: 9, value: status(b, 9, 'voided') }]);
        throw new Error('rolled back');
      })).rejects.toThrow('rolled back');

      const published = await reader.waitFor(4, (r) => r.key === a, 10_000);
      expect(published.map((r) => [r.value?.version, r.headers['status-version']])).toEqual([[1, '1'], [2, '2'], [3, '3'], [4, '4']]);
      expect(published.at(-1)?.value?.status).toBe('paid');
      const [tombstone] = await reader.waitFor(1, (r) => r.key === gone);
      expect([tombstone.value, tombstone.headers['status-version']]).toEqual([null, '2']);
      await eventually('the outbox to be empty', async () => (await waiting()) === 0);
      await sleep(500);
      expect(of(b).map((r) => r.value?.version)).toEqual([1]);
    } finally {
      await ctx.stop();
    }
  });

  it('keeps what was written while no drainer ran and publishes it after a restart', async () => {
    const key = uniqueName('in_restart');
    await bus.db.transaction((trx) => outbox.write(trx, [{ key, version: 1, value: status(key, 1) }, { key, version: 2, value: status(key, 2, 'failed') }]));
    await sleep(300);
    expect(of(key)).toEqual([]);
    expect(await waiting()).toBe(2);
    const ctx = drainer();
    outbox.drain(ctx, { everyMs: 600_000 });
    try {
      expect((await reader.waitFor(2, (r) => r.key === key)).map((r) => r.value?.version)).toEqual([1, 2]);
      await eventually('the outbox to be empty', async () => (await waiting()) === 0);
    } finally {
      await ctx.stop();
    }
  });

  it('publishes again after a failure between the broker ack and the delete: the same versions, in order, then nothing more', async () => {
    let crashes = 1;
    const crashing: EventPublisher = {
      ...bus.publisher,
      async publish(spec, records) {
        await bus.publisher.publish(spec, records);
        if (crashes-- > 0) throw new Error('lost the connection after the ack');
      },
    };
    const key = uniqueName('in_crash');
    const ctx = drainer(crashing);
    outbox.drain(ctx, { everyMs: 600_000 });
    try {
      await bus.db.transaction((trx) => outbox.write(trx, [1, 2].map((v) => ({ key, version: v, value: status(key, v) }))));
      const published = await reader.waitFor(4, (r) => r.key === key);
      expect(published.map((r) => r.value?.version)).toEqual([1, 2, 1, 2]);
      expect(published[2].value).toEqual(published[0].value);
      await eventually('the outbox to be empty', async () => (await waiting()) === 0);
      await sleep(500);
      expect(of(key)).toHaveLength(4);
    } finally {
      await ctx.stop();
    }
  });

  it('publishes each record once with two instances draining, and reports what waits, for how long, and what went out', async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held: EventPublisher = { ...bus.publisher, publish: async (spec, records) => gate.then(() => bus.publisher.publish(spec, records)) };
    const [one, two] = [drainer(held), drainer(held)];
    const prefix = uniqueName('pair');
    const keys = (t: number) => [0, 1, 2].map((k) => `${prefix}_${t}_${k}`);
    const metric = async (name: string) => (await metricsRegistry.getSingleMetric(name)!.get()).values.find((v) => v.labels.outbox === 'status_outbox')?.value;
    const before = (await metric('outbox_published_total')) ?? 0;
    // Ten transactions side by side, each writing versions 1..7 of its own three keys in one statement.
    const rows = (t: number) => Array.from({ length: 21 }, (_, i) => ({ key: keys(t)[i % 3], version: Math.floor(i / 3) + 1 }));
    const write = (t: number) => bus.db.transaction((trx) => outbox.write(trx, rows(t).map((r) => ({ ...r, value: status(r.key, r.version) }))));
    await Promise.all(Array.from({ length: 10 }, (_, t) => write(t)));
    outbox.drain(one, { everyMs: 50, batchSize: 30 });
    outbox.drain(two, { everyMs: 50, batchSize: 30 });
    try {
      await sleep(1100); // the first run holds its rows at the gate
      expect(await metric('outbox_pending')).toBe(210);
      expect(await metric('outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(1);
      open();
      const records = await reader.waitFor(210, (r) => r.key?.startsWith(prefix) === true, 20_000);
      await sleep(500);
      expect(reader.records.filter((r) => r.key?.startsWith(prefix))).toHaveLength(210);
      for (const key of Array.from({ length: 10 }, (_, t) => keys(t)).flat()) {
        expect(records.filter((r) => r.key === key).map((r) => r.value!.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      }
      expect(((await metric('outbox_published_total')) ?? 0) - before).toBe(210);
      await eventually('the pending gauge to reach 0', async () => (await metric('outbox_pending')) === 0);
      expect(await metric('outbox_oldest_age_seconds')).toBe(0);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('dead-letters a row the schema refuses, with the reason, deletes it and publishes what follows it', async () => {
    const dlq = await TopicReader.openRaw(deadLetterName(topicName(topics.paymentStatus, bus.namespace)));
    const counter = metricsRegistry.getSingleMetric('outbox_dead_lettered_total')!;
    const metric = async () => (await counter.get()).values.find((v) => v.labels.outbox === 'status_outbox')?.value ?? 0;
    const before = await metric();
    const [bad, good] = [uniqueName('in_bad'), uniqueName('in_good')];
    await bus.db.transaction(async (trx) => {
      // Written by hand: the service's types would not let this payload through.
      await trx('status_outbox').insert({ key: bad, version: 1, payload: JSON.stringify({ ...status(bad, 1), status: 'no-such-status' }) });
      await outbox.write(trx, [{ key: good, version: 1, value: status(good, 1) }]);
    });
    const ctx = drainer();
    outbox.drain(ctx, { everyMs: 600_000 });
    try {
      expect((await reader.waitFor(1, (r) => r.key === good)).map((r) => r.value?.version)).toEqual([1]);
      const [dead] = await dlq.waitFor(1, (r) => r.key === bad);
      expect(JSON.parse(dead.value!.toString()).status).toBe('no-such-status');
      expect(dead.headers['dlq.error.code']).toBe('EVT_ENCODE');
      expect(dead.headers['dlq.outbox.table']).toBe('status_outbox');
      expect(dead.headers['status-version']).toBe('1');
      await eventually('the outbox to be empty', async () => (await waiting()) === 0);
      expect(of(bad)).toEqual([]);
      expect((await metric()) - before).toBe(1);
    } finally {
      await ctx.stop();
      await dlq.close();
    }
  });

  it('flags a failed gauge scrape instead of keeping the last value', async () => {
    const ctx = drainer();
    outbox.drain(ctx, { everyMs: 600_000 });
    const gauge = async (name: string) => (await metricsRegistry.getSingleMetric(name)!.get()).values.find((v) => v.labels.outbox === 'status_outbox')?.value;
    try {
      await bus.db.transaction((trx) => trx('status_outbox').insert({ key: uniqueName('in_held'), version: 1, payload: null }));
      await bus.db.raw('alter table status_outbox rename to status_outbox_away');
      expect(await gauge('outbox_pending')).toBeUndefined();
      expect(await gauge('outbox_scrape_failed')).toBe(1);
      await bus.db.raw('alter table status_outbox_away rename to status_outbox');
      expect(await gauge('outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
      expect(await gauge('outbox_scrape_failed')).toBe(0);
    } finally {
      await ctx.stop();
    }
  });
});
