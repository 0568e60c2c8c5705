import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics } from '@invoice-signal/events';
import { InvalidRecordError, onBatch, startConsumer, TransientError, type EventPublisher, type RunningConsumer } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, TopicReader, uniqueName, type TestBus } from '@invoice-signal/testkit';

describe('the consumer loop', () => {
  let bus: TestBus;
  let topic: string;
  let publisher: EventPublisher;
  let consumer: RunningConsumer;
  const handled: string[] = [];
  const failuresLeft = new Map<string, number>();

  beforeAll(async () => {
    bus = await openTestBus('dlq', [topics.invoiceEvents]);
    topic = topicName(topics.invoiceEvents, bus.namespace);
    publisher = bus.publisher;
    consumer = await startConsumer(bus, {
      groupId: uniqueName('group'),
      retryDelayMs: 20,
      subscriptions: [onBatch(topics.invoiceEvents, async (records, { afterCommit }) => {
        for (const { value } of records) {
          if (value!.currency === 'XXX') throw new InvalidRecordError('BAD_CURRENCY', `currency ${value!.currency} is not accepted`);
          const left = failuresLeft.get(value!.eventId) ?? 0;
          if (left > 0) {
            failuresLeft.set(value!.eventId, left - 1);
            throw new TransientError('DB_DOWN', 'database unavailable');
          }
        }
        afterCommit(() => handled.push(...records.map((r) => r.value!.eventId)));
      })],
    });
  });
  afterAll(async () => {
    await consumer?.stop();
    await bus?.close();
  });

  it('dead-letters undecodable bytes and rejected records with the reason, and goes on with the next', async () => {
    const dlq = await TopicReader.openRaw(deadLetterName(topic));
    try {
      await publisher.publishRaw(topic, [{ key: 'stripe:in_poison', value: Buffer.from('{"not":"avro"}'), headers: { origin: 'fuzzer' } }]);
      await publisher.publish(topics.invoiceEvents, [
        { key: 'stripe:in_bad', value: sampleInvoiceEvent({ eventId: 'e-bad', invoiceId: 'stripe:in_bad', currency: 'XXX' }) },
        { key: 'stripe:in_good', value: sampleInvoiceEvent({ eventId: 'e-good', invoiceId: 'stripe:in_good' }) },
      ]);
      await eventually('the good record to be handled', () => handled.includes('e-good'));
      const dead = await dlq.waitFor(2);
      const poison = dead.find((r) => r.key === 'stripe:in_poison')!;
      expect(poison.value!.toString()).toBe('{"not":"avro"}');
      expect(poison.headers['dlq.error.code']).toBe('EVT_DECODE');
      expect(poison.headers['dlq.error.message']).toContain('Confluent wire format');
      expect(poison.headers['dlq.original.topic']).toBe(topic);
      expect(poison.headers.origin).toBe('fuzzer');
      const rejected = dead.find((r) => r.key === 'stripe:in_bad')!;
      expect(rejected.headers['dlq.error.code']).toBe('BAD_CURRENCY');
      expect(rejected.headers['dlq.error.message']).toBe('currency XXX is not accepted');
      expect(handled).not.toContain('e-bad');
    } finally {
      await dlq.close();
    }
  });

  it('retries a retriable failure and then handles the record once, without dead-lettering it', async () => {
    failuresLeft.set('e-flaky', 2);
    await publisher.publish(topics.invoiceEvents, [{ key: 'stripe:in_flaky', value: sampleInvoiceEvent({ eventId: 'e-flaky', invoiceId: 'stripe:in_flaky' }) }]);
    await eventually('the flaky record to be handled', () => handled.includes('e-flaky'));
    expect(failuresLeft.get('e-flaky')).toBe(0);
    expect(handled.filter((id) => id === 'e-flaky')).toHaveLength(1);
  });
});
