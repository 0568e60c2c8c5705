import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde, topics, topicName, type TopicSpec } from '@invoice-signal/events';
import { createKafka, createLogger, createPublisher, commonEnv, parseEnv, provisionTopics, type EventPublisher } from '@invoice-signal/runtime';
import * as samples from '@invoice-signal/testkit';
import { stackEndpoints, TopicReader, uniqueName } from '@invoice-signal/testkit';

const cases: Array<[keyof typeof topics, unknown]> = [
  ['invoiceEvents', samples.sampleInvoiceEvent()],
  ['paymentStatus', samples.samplePaymentStatus()],
  ['customerContext', samples.sampleCustomerContext()],
  ['enriched', samples.sampleEnrichedInvoice()],
  ['assessed', samples.sampleAssessedInvoice()],
  ['notifications', samples.sampleNotification()],
];

describe('every event type through the real broker and registry', () => {
  const namespace = uniqueName('roundtrip');
  const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace });
  const config = parseEnv(commonEnv, { ...stackEndpoints(), TOPIC_NAMESPACE: namespace });
  const kafka = createKafka('round-trip-test', config, createLogger('test', 'silent'));
  let publisher: EventPublisher;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, Object.values(topics), { namespace, deadLetters: false, partitions: 1 });
    await admin.disconnect();
    publisher = await createPublisher(kafka, serde);
  });
  afterAll(async () => publisher?.close());

  it.each(cases)('%s comes back field by field as it was sent', async (key, value) => {
    const spec = topics[key] as TopicSpec;
    const reader = await TopicReader.open(spec, serde);
    try {
      const recordKey = String((value as Record<string, unknown>)[spec.keyField]);
      await publisher.publish(spec, [{ key: recordKey, value, headers: { 'x-test': key } }]);
      const [received] = await reader.waitFor(1);
      expect(received.key).toBe(recordKey);
      expect(received.headers['x-test']).toBe(key);
      expect(received.value).toEqual(value);
      // And the subject in the registry is the topic's, under BACKWARD compatibility.
      const res = await fetch(`${stackEndpoints().SCHEMA_REGISTRY_URL}/config/${topicName(spec, namespace)}-value`);
      expect(await res.json()).toEqual({ compatibilityLevel: 'BACKWARD' });
    } finally {
      await reader.close();
    }
  });
});
