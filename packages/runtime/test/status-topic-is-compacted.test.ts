import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde, topicName, topics, type PaymentStatus } from '@invoice-signal/events';
import { commonEnv, createKafka, createLogger, createPublisher, parseEnv, provisionTopics, type EventPublisher } from '@invoice-signal/runtime';
import { eventually, samplePaymentStatus, stackEndpoints, TopicReader, uniqueName } from '@invoice-signal/testkit';
import kafkajs from 'kafkajs';

const { ConfigResourceTypes } = kafkajs; // CommonJS: not every export is a named ESM export

describe('billing.invoice.payment-status.v1', () => {
  const namespace = uniqueName('compact');
  const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace });
  const config = parseEnv(commonEnv, { ...stackEndpoints(), TOPIC_NAMESPACE: namespace });
  const kafka = createKafka('compaction-test', config, createLogger('test', 'silent'));
  const topic = topicName(topics.paymentStatus, namespace);
  const admin = kafka.admin();
  let publisher: EventPublisher;

  beforeAll(async () => {
    await admin.connect();
    await provisionTopics(admin, [topics.paymentStatus], { namespace, partitions: 1, deadLetters: false });
    publisher = await createPublisher(kafka, serde);
  });
  afterAll(async () => {
    await publisher?.close();
    await admin.disconnect();
  });

  it('is provisioned with cleanup.policy=compact', async () => {
    // Right after its creation the broker may not host the topic yet ("does not host this topic-partition"): wait, don't sample.
    const describe = () => admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
    const { resources } = await eventually('the new topic described', () => describe().catch(() => undefined));
    expect(resources[0].configEntries[0].configValue).toBe('compact');
  });

  it('compacts older statuses away, and a fresh reader gets the latest status of every invoice', async () => {
    // Roll segments fast so the cleaner gets to work within the test. (AlterConfigs replaces the
    // whole topic config, so the cleanup policy is restated.)
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'segment.ms', value: '100' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }, { name: 'delete.retention.ms', value: '100' },
    ] }] });
    const statuses: PaymentStatus['status'][] = ['pending', 'failed', 'pending', 'paid'];
    const invoices = ['stripe:in_a', 'stripe:in_b', 'stripe:in_c'];
    for (const [version, status] of statuses.entries()) {
      await publisher.publish(topics.paymentStatus, invoices.map((invoiceId) => ({ key: invoiceId, value: samplePaymentStatus({ invoiceId, status, version: version + 1 }) })));
      await sleep(150);
    }
    await publisher.publish(topics.paymentStatus, [{ key: 'stripe:in_c', value: null }]); // deleted invoice: tombstone
    const written = statuses.length * invoices.length + 1;
    // Compaction happened when the start of the log has moved past rewritten keys.
    await eventually('the log cleaner to compact the topic', async () => {
      await publisher.publish(topics.paymentStatus, [{ key: 'probe', value: samplePaymentStatus({ invoiceId: 'probe' }) }]);
      const reader = await TopicReader.open(topics.paymentStatus, serde);
      try {
        const all = await reader.waitFor(1, (r) => r.key === 'probe');
        const seen = reader.records.filter((r) => r.key !== 'probe');
        return seen.length < written && all.length > 0 ? true : undefined;
      } finally {
        await reader.close();
      }
    }, { timeoutMs: 60000, intervalMs: 1500 });

    const fresh = await TopicReader.open(topics.paymentStatus, serde);
    try {
      await fresh.waitFor(1, (r) => r.key === 'stripe:in_b' && r.value?.status === 'paid');
      const latest = new Map<string, PaymentStatus | null>();
      for (const r of fresh.records) latest.set(r.key!, r.value);
      expect(latest.get('stripe:in_a')).toMatchObject({ status: 'paid', version: 4 });
      expect(latest.get('stripe:in_b')).toMatchObject({ status: 'paid', version: 4 });
      expect(latest.get('stripe:in_c') ?? null).toBeNull();
    } finally {
      await fresh.close();
    }
  });
});
