import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName, topics } from '@invoice-signal/events';
import { createKafka, createLogger, provisionTopics, type Knex, type RunningService } from '@invoice-signal/runtime';
import { eventually, uniqueName } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { cleanUp, EventSource, invoiceEvent, newInvoiceId, openDb, startTracker, trackerConfig } from './support/harness.ts';

describe('publishing through the outbox', () => {
  const namespace = uniqueName('pt_outbox');
  let config: Config;
  let tracker: RunningService<Config>;
  let source: EventSource;
  let db: Knex;

  beforeAll(async () => {
    config = trackerConfig(namespace);
    tracker = await startTracker(config);
    source = new EventSource(namespace);
    db = openDb(config);
  });
  afterAll(async () => {
    await source?.close();
    await tracker?.stop();
    await db?.destroy();
    if (config) await cleanUp(namespace, [config]);
  });

  it('keeps a committed change whose publish fails, and publishes it once the topic is back', async () => {
    const admin = createKafka('outbox-test', config, createLogger('test', 'silent')).admin();
    await admin.connect();
    const statusTopic = topicName(topics.paymentStatus, namespace);
    try {
      // Given the status topic is gone (the producer cannot publish; topics are never auto-created)
      await admin.deleteTopics({ topics: [statusTopic] });
      await eventually('the topic to be gone', async () => !(await admin.listTopics()).includes(statusTopic));
      const id = newInvoiceId('outage');
      // When an invoice event is consumed
      await source.send(invoiceEvent(id, 'issued', Date.UTC(2026, 10, 1), { dueAt: Date.now() + 86_400_000 }));
      // Then the state is committed with its change waiting in the outbox
      await eventually('the state to be committed', async () => (await db('invoice_state').where({ invoice_id: id }).first())?.status === 'pending');
      expect(await db('status_outbox').where({ key: id }).select('version')).toEqual([{ version: 1 }]);
      // And once the topic is back, the change is published and leaves the outbox
      await provisionTopics(admin, [topics.paymentStatus], { namespace, deadLetters: false });
      const statuses = await source.statusReader();
      try {
        const [record] = await statuses.waitFor(1, (r) => r.key === id, 60_000);
        expect(record.value).toMatchObject({ status: 'pending', version: 1 });
        await eventually('the outbox to drain', async () => (await db('status_outbox').where({ key: id })).length === 0);
      } finally {
        await statuses.close();
      }
    } finally {
      await admin.disconnect();
    }
  });
});
