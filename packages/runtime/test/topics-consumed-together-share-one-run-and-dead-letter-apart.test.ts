import { afterAll, describe, expect, it } from 'vitest';
import { AvroSerde, deadLetterName, topicName, topics, type TopicSpec } from '@invoice-signal/events';
import { InvalidRecordError, onBatchesTogether, startConsumer, type RunningConsumer } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, samplePaymentStatus, stackEndpoints, TopicReader, uniqueName, type TestBus } from '@invoice-signal/testkit';

// Topic A: invoice events (id = eventId); topic B: payment statuses (id = invoiceId). A status whose id holds
// "poison" can never succeed.
const idOf = (value: unknown) => (value as { eventId?: string }).eventId ?? (value as { invoiceId: string }).invoiceId;
type Call = Array<{ topic: string; offsets: string[]; ids: string[] }>;

describe('topics consumed together', () => {
  const buses: TestBus[] = [];
  const consumers: RunningConsumer[] = [];
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await Promise.all(buses.map((b) => b.close()));
  });

  async function openPair(label: string) {
    const bus = await openTestBus(label, [topics.invoiceEvents, topics.paymentStatus]);
    buses.push(bus);
    // tx: the id of the transaction that wrote the row (the batch's one transaction).
    await bus.db.raw('create table handled (id text not null, topic text not null, "offset" bigint not null, tx bigint not null default txid_current())');
    const a = topicName(topics.invoiceEvents, bus.namespace);
    const b = topicName(topics.paymentStatus, bus.namespace);
    const event = (eventId: string) => ({ key: 'stripe:in_one', value: sampleInvoiceEvent({ eventId, invoiceId: 'stripe:in_one' }) });
    const publish = (ids: { a?: string[]; b?: string[] }) => Promise.all([
      bus.publisher.publish(topics.invoiceEvents, (ids.a ?? []).map(event)),
      bus.publisher.publish(topics.paymentStatus, (ids.b ?? []).map((id) => ({ key: id, value: samplePaymentStatus({ invoiceId: id }) }))),
    ]);
    return { bus, a, b, publish };
  }

  /** A consumer of A and B together that writes each record's row in the run's transaction and logs each call. */
  async function consumeTogether(bus: TestBus, groupId: string, calls: Call[]) {
    // A serde of its own, like a service's: it has not seen the schemas yet (the publisher's serde has).
    const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace: bus.namespace });
    const consumer = await startConsumer({ ...bus, serde }, {
      groupId,
      retryDelayMs: 20,
      subscriptions: onBatchesTogether([topics.invoiceEvents, topics.paymentStatus], async (groups, { trx }) => {
        const topic = (spec: TopicSpec) => topicName(spec, bus.namespace);
        calls.push(groups.map(({ spec, records }) => ({ topic: topic(spec), offsets: records.map((r) => r.offset), ids: records.map((r) => idOf(r.value)) })));
        const records = groups.flatMap((g) => g.records);
        await trx('handled').insert(records.map((r) => ({ id: idOf(r.value), topic: r.topic, offset: r.offset })));
        const poison = records.find((r) => idOf(r.value).includes('poison'));
        if (poison) throw new InvalidRecordError('BAD_STATUS', `status ${idOf(poison.value)} is not accepted`);
      }),
    });
    consumers.push(consumer);
    return consumer;
  }

  const highWatermark = async (bus: TestBus, topic: string) => {
    const admin = bus.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).map((p) => p.high);
    } finally {
      await admin.disconnect();
    }
  };

  it('hands a fetch\'s records of both topics to one call, in one transaction, and commits both topics\' offsets', async () => {
    const { bus, a, b, publish } = await openPair('together');
    await publish({ a: ['a0', 'a1', 'a2'], b: ['b0', 'b1', 'b2'] });
    const groupId = uniqueName('together');
    const calls: Call[] = [];
    const first = await consumeTogether(bus, groupId, calls);
    await eventually('all six records', async () => (await bus.db('handled').pluck('id')).length === 6);
    expect(calls).toEqual([[
      { topic: a, offsets: ['0', '1', '2'], ids: ['a0', 'a1', 'a2'] },
      { topic: b, offsets: ['0', '1', '2'], ids: ['b0', 'b1', 'b2'] },
    ]]);
    const txs = await bus.db('handled').distinct('tx').pluck('tx');
    expect(txs).toHaveLength(1);

    await first.stop();
    const admin = bus.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId, topics: [a, b] });
      expect(committed.map((t) => [t.topic, t.partitions.map((p) => p.offset)]).sort()).toEqual([[a, ['3']], [b, ['3']]]);
    } finally {
      await admin.disconnect();
    }

    // The same group again: only what came after the commit.
    const again: Call[] = [];
    await consumeTogether(bus, groupId, again);
    await publish({ a: ['a3'], b: ['b3'] });
    await eventually('the two new records', async () => (await bus.db('handled').pluck('id')).length === 8);
    expect(again.flatMap((call) => call.flatMap((g) => g.ids)).sort()).toEqual(['a3', 'b3']);
    expect((await bus.db('handled').select('id').count({ n: '*' }).groupBy('id')).every((r) => Number(r.n) === 1)).toBe(true);
  });

  it('dead-letters a bad record of B to B\'s dead-letter topic and handles every other record of A and B once', async () => {
    const { bus, a, b, publish } = await openPair('together-poison');
    const good = { a: ['a0', 'a1', 'a2', 'a3'], b: ['b0', 'b1', 'b3', 'b4'] };
    await publish({ a: good.a, b: ['b0', 'b1', 'poison2', 'b3', 'b4'] });
    const deadB = await TopicReader.openRaw(deadLetterName(b));
    const groupId = uniqueName('together-poison');
    const calls: Call[] = [];
    try {
      await consumeTogether(bus, groupId, calls);
      const [dead] = await deadB.waitFor(1);
      await eventually('the eight good records', async () => (await bus.db('handled').pluck('id')).length === 8);
      expect(dead.key).toBe('poison2');
      expect(dead.headers['dlq.error.code']).toBe('BAD_STATUS');
      expect(dead.headers['dlq.error.message']).toBe('status poison2 is not accepted');
      expect(dead.headers['dlq.original.topic']).toBe(b);
      expect(dead.headers['dlq.original.partition']).toBe('0');
      expect(dead.headers['dlq.original.offset']).toBe('2');
      expect(dead.headers['dlq.consumer.group']).toBe(groupId);
      // Handed over whole first (both topics in one call), then split to isolate the bad one.
      expect(calls[0].map((g) => g.ids)).toEqual([good.a, ['b0', 'b1', 'poison2', 'b3', 'b4']]);
      const rows = await bus.db('handled').orderBy(['topic', 'offset']).select('id', 'topic');
      expect(rows).toEqual([...good.a.map((id) => ({ id, topic: a })), ...good.b.map((id) => ({ id, topic: b }))]);
      expect(await highWatermark(bus, deadLetterName(b))).toEqual(['1']);
      expect(await highWatermark(bus, deadLetterName(a))).toEqual(['0']);
    } finally {
      await deadB.close();
    }
  });
});
