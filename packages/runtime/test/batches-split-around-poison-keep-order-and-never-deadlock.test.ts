import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics } from '@invoice-signal/events';
import { InvalidRecordError, lockKeys, onBatch, startConsumer, type RunningConsumer } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, TopicReader, uniqueName, type TestBus } from '@invoice-signal/testkit';

describe('the batch consumer', () => {
  let bus: TestBus;
  const consumers: RunningConsumer[] = [];
  beforeAll(async () => {
    bus = await openTestBus('batches', [topics.invoiceEvents], { partitions: 2 });
    await bus.db.raw('create table handled (event_id text primary key, invoice_id text not null, seq bigserial)');
    await bus.db.raw('create table counters (account text primary key, n int not null default 0)');
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await bus?.close();
  });

  it('dead-letters only the bad record in the middle of a batch and handles the others in offset order', async () => {
    const prefix = 'poison_';
    const ids = Array.from({ length: 9 }, (_, i) => `${prefix}${i}`);
    const sizes: number[] = [];
    // One key, one partition, one send: the nine arrive as one fetched batch.
    await bus.publisher.publish(topics.invoiceEvents, ids.map((id) => ({ key: 'stripe:in_one', value: sampleInvoiceEvent({ eventId: id, invoiceId: 'stripe:in_one', currency: id === `${prefix}4` ? 'XXX' : 'EUR' }) })));
    const dlq = await TopicReader.openRaw(deadLetterName(topicName(topics.invoiceEvents, bus.namespace)));
    consumers.push(await startConsumer(bus, {
      groupId: uniqueName('poison'),
      subscriptions: [onBatch(topics.invoiceEvents, async (records, { trx }) => {
        const mine = records.filter((r) => r.value!.eventId.startsWith(prefix));
        if (mine.length === 0) return;
        sizes.push(mine.length);
        await trx('handled').insert(mine.map((r) => ({ event_id: r.value!.eventId, invoice_id: r.value!.invoiceId }))).onConflict('event_id').ignore();
        const bad = mine.find((r) => r.value!.currency === 'XXX');
        if (bad) throw new InvalidRecordError('BAD_CURRENCY', `event ${bad.value!.eventId}: currency XXX is not accepted`);
      })],
    }));
    try {
      await eventually('the eight good records', async () => (await bus.db('handled').where('event_id', 'like', `${prefix}%`).pluck('event_id')).length === 8);
      const [dead] = await dlq.waitFor(1);
      expect(dead.headers['dlq.error.code']).toBe('BAD_CURRENCY');
      expect(dead.headers['dlq.error.message']).toBe(`event ${prefix}4: currency XXX is not accepted`);
      expect(await bus.db('handled').where('event_id', 'like', `${prefix}%`).orderBy('seq').pluck('event_id')).toEqual(ids.filter((id) => id !== `${prefix}4`));
      expect(sizes[0]).toBe(9); // handed over whole first, then split to isolate the bad one
      expect(dlq.records).toHaveLength(1);
    } finally {
      await dlq.close();
    }
  });

  it('keeps each invoice\'s events in order across batch boundaries, with partitions in parallel', async () => {
    const prefix = 'order_';
    const invoices = ['a', 'b', 'c', 'd'].map((x) => `stripe:in_${prefix}${x}`);
    const batchCount = { n: 0 };
    for (let round = 0; round < 10; round++) {
      await bus.publisher.publish(topics.invoiceEvents, invoices.map((invoiceId) => ({ key: invoiceId, value: sampleInvoiceEvent({ eventId: `${invoiceId}#${round}`, invoiceId }) })));
    }
    consumers.push(await startConsumer(bus, {
      groupId: uniqueName('order'),
      fetchMaxBytesPerPartition: 2048,
      subscriptions: [onBatch(topics.invoiceEvents, async (records, { trx }) => {
        const mine = records.filter((r) => r.value!.eventId.includes(prefix));
        if (mine.length === 0) return;
        batchCount.n += 1;
        for (const r of mine) await trx('handled').insert({ event_id: r.value!.eventId, invoice_id: r.value!.invoiceId });
      })],
    }));
    await eventually('all forty events', async () => Number((await bus.db('handled').where('event_id', 'like', `%${prefix}%`).count({ n: '*' }))[0].n) === 40);
    expect(batchCount.n).toBeGreaterThan(2);
    for (const invoiceId of invoices) {
      const seen = await bus.db('handled').where({ invoice_id: invoiceId }).orderBy('seq').pluck('event_id');
      expect(seen).toEqual(Array.from({ length: 10 }, (_, round) => `${invoiceId}#${round}`));
    }
  });

  it('never deadlocks when batches on two partitions lock the same rows in opposite orders', async () => {
    const accounts = Array.from({ length: 8 }, (_, i) => `acct_${i}`);
    await bus.db('counters').insert(accounts.map((account) => ({ account })));
    const [{ deadlocks: before }] = (await bus.db.raw('select deadlocks from pg_stat_database where datname = current_database()')).rows;
    // Each event names every account; the order differs per event, and the two partitions run at once.
    const events = Array.from({ length: 60 }, (_, i) => ({
      key: `stripe:in_lock_${i}`,
      value: sampleInvoiceEvent({ eventId: `lock_${i}`, invoiceId: `stripe:in_lock_${i}`, invoiceNumber: (i % 2 ? [...accounts].reverse() : accounts).join(',') }),
    }));
    for (let i = 0; i < events.length; i += 6) await bus.publisher.publish(topics.invoiceEvents, events.slice(i, i + 6));
    consumers.push(await startConsumer(bus, {
      groupId: uniqueName('locks'),
      fetchMaxBytesPerPartition: 4096,
      subscriptions: [onBatch(topics.invoiceEvents, async (records, { trx }) => {
        const mine = records.filter((r) => r.value!.eventId.startsWith('lock_'));
        const names = mine.flatMap((r) => (r.value!.invoiceNumber ?? '').split(','));
        await lockKeys(trx, names.map((a) => `test:account:${a}`));
        for (const name of names) await trx('counters').where({ account: name }).increment('n', 1);
      })],
    }));
    await eventually('every event counted on every account', async () => (await bus.db('counters').pluck('n')).every((n) => n === 60), { timeoutMs: 30000 });
    const [{ deadlocks: after }] = (await bus.db.raw('select deadlocks from pg_stat_database where datname = current_database()')).rows;
    expect(Number(after) - Number(before)).toBe(0);
  });
});
