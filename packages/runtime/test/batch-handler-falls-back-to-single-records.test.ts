import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics } from '@invoice-signal/events';
import { InvalidRecordError, onBatch, startConsumer, type EventPublisher, type RunningConsumer } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, TopicReader, uniqueName, type TestBus } from '@invoice-signal/testkit';

describe('the consumer loop with a batch handler', () => {
  let bus: TestBus;
  let topic: string;
  let publisher: EventPublisher;
  let consumer: RunningConsumer;
  const batches: string[][] = [];
  const singles: string[] = [];

  beforeAll(async () => {
    bus = await openTestBus('batch', [topics.invoiceEvents]);
    topic = topicName(topics.invoiceEvents, bus.namespace);
    publisher = bus.publisher;
    // Publish before the consumer starts, so the records arrive as one fetched batch.
    await publisher.publish(topics.invoiceEvents, ['a', 'b', 'c'].map((id) => ({ key: `k_${id}`, value: sampleInvoiceEvent({ eventId: id, invoiceId: `k_${id}` }) })));
    const reject = (currency: string) => {
      if (currency === 'XXX') throw new InvalidRecordError('BAD_CURRENCY', `currency ${currency} is not accepted`);
    };
    consumer = await startConsumer(bus, {
      groupId: uniqueName('group'),
      subscriptions: [onBatch(topics.invoiceEvents,
        async (records) => {
          for (const r of records) reject(r.value!.currency); // all-or-nothing: check before "writing"
          batches.push(records.map((r) => r.value!.eventId));
        },
        async (record) => {
          reject(record.value!.currency);
          singles.push(record.value!.eventId);
        })],
    });
  });
  afterAll(async () => {
    await consumer?.stop();
    await bus?.close();
  });

  it('hands a fetched batch over at once, and replays a batch with a bad record one by one, dead-lettering only that one', async () => {
    const dlq = await TopicReader.openRaw(deadLetterName(topic));
    try {
      await eventually('the first batch to be handled', () => batches.flat().includes('c'));
      expect(batches).toEqual([['a', 'b', 'c']]); // sent in one request, fetched and handed over as one batch
      await publisher.publish(topics.invoiceEvents, ['d', 'bad', 'e'].map((id) => ({ key: `k_${id}`, value: sampleInvoiceEvent({ eventId: id, invoiceId: `k_${id}`, currency: id === 'bad' ? 'XXX' : 'EUR' }) })));
      await eventually('the good records of the second batch to be handled', () => singles.includes('d') && singles.includes('e'));
      expect(batches).toEqual([['a', 'b', 'c']]);
      expect(singles).toEqual(['d', 'e']);
      const [dead] = await dlq.waitFor(1, (r) => r.key === 'k_bad');
      expect(dead.headers['dlq.error.code']).toBe('BAD_CURRENCY');
    } finally {
      await dlq.close();
    }
  });
});
