import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics } from '@invoice-signal/events';
import { onBatch, startConsumer, type RunningConsumer } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, TopicReader, uniqueName, type TestBus } from '@invoice-signal/testkit';

/**
 * Postgres can refuse a transaction at COMMIT (here a deferred unique constraint). The batch is
 * then not done: nothing of it is kept or announced, and splitting isolates the record that broke
 * the constraint, which alone goes to the dead-letter topic.
 */
describe('a batch whose COMMIT fails', () => {
  let bus: TestBus;
  let consumer: RunningConsumer;
  const announced: string[] = [];

  beforeAll(async () => {
    bus = await openTestBus('commitfail', [topics.invoiceEvents]);
    await bus.db.raw('create table claims (invoice_id text not null, event_id text not null, unique (invoice_id) deferrable initially deferred)');
  });
  afterAll(async () => {
    await consumer?.stop();
    await bus?.close();
  });

  it('keeps nothing of it, announces nothing, and dead-letters only the record that broke the constraint', async () => {
    const dlq = await TopicReader.openRaw(deadLetterName(topicName(topics.invoiceEvents, bus.namespace)));
    try {
      const invoices = ['stripe:in_a', 'stripe:in_b', 'stripe:in_a', 'stripe:in_c']; // the third claims an invoice already claimed
      const records = invoices.map((invoiceId, i) => ({ key: `k${i}`, value: sampleInvoiceEvent({ eventId: `e${i}`, invoiceId }) }));
      await bus.publisher.publish(topics.invoiceEvents, records);
      consumer = await startConsumer(bus, {
        groupId: uniqueName('group'),
        retryDelayMs: 20,
        subscriptions: [onBatch(topics.invoiceEvents, async (records, { trx, afterCommit }) => {
          // A plain insert: the duplicate passes here and is refused only at COMMIT.
          await trx.raw('insert into claims (invoice_id, event_id) select * from unnest(?::text[], ?::text[])',
            [records.map((r) => r.value!.invoiceId), records.map((r) => r.value!.eventId)]);
          afterCommit(() => announced.push(...records.map((r) => r.value!.eventId)));
        })],
      });
      const [dead] = await dlq.waitFor(1);
      expect(dead.key).toBe('k2');
      expect(dead.headers['dlq.error.code']).toBe('23505');
      await eventually('the records after it handled', () => announced.includes('e3'));
      expect(announced).toEqual(['e0', 'e1', 'e3']);
      expect(await bus.db('claims').orderBy('event_id').pluck('event_id')).toEqual(['e0', 'e1', 'e3']);
    } finally {
      await dlq.close();
    }
  });
});
