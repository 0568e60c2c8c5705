import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { onBatch, startConsumer } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, uniqueName, type TestBus } from '@invoice-signal/testkit';

describe('stopping a consumer mid-stream', () => {
  let bus: TestBus;
  beforeAll(async () => {
    bus = await openTestBus('shutdown', [topics.invoiceEvents]);
  });
  afterAll(async () => bus?.close());

  it('commits exactly the records handled, so the next instance resumes with no gap and no repeat', async () => {
    const total = 60;
    for (let i = 0; i < total; i += 5) {
      await bus.publisher.publish(topics.invoiceEvents, Array.from({ length: 5 }, (_, j) => ({
        key: `stripe:in_${i + j}`, value: sampleInvoiceEvent({ eventId: `e${i + j}`, invoiceId: `stripe:in_${i + j}` }),
      })));
    }
    const groupId = uniqueName('group');
    const first: string[] = [];
    const slow = onBatch(topics.invoiceEvents, async (records, { afterCommit }) => {
      await sleep(100);
      afterCommit(() => first.push(...records.map((r) => r.value!.eventId)));
    });
    // Small fetches make many batches, so the stop falls between two of them.
    const consumer1 = await startConsumer(bus, { groupId, subscriptions: [slow], fetchMaxBytesPerPartition: 4096 });
    await eventually('the first instance to handle some records', () => first.length >= 10);
    await consumer1.stop();
    const handledByFirst = [...first];

    const second: string[] = [];
    const consumer2 = await startConsumer(bus, {
      groupId, subscriptions: [onBatch(topics.invoiceEvents, async (records, { afterCommit }) => afterCommit(() => second.push(...records.map((r) => r.value!.eventId))))],
    });
    try {
      await eventually('the second instance to finish the topic', () => handledByFirst.length + second.length >= total && second.includes(`e${total - 1}`));
      expect(handledByFirst.length).toBeLessThan(total);
      expect(second[0]).toBe(`e${handledByFirst.length}`);
      expect([...handledByFirst, ...second]).toEqual(Array.from({ length: total }, (_, i) => `e${i}`));
    } finally {
      await consumer2.stop();
    }
  });
});
