import { AvroSerde, deadLetterName, topicName, topics, type EnrichedInvoice } from '@invoice-signal/events';
import { createDb, createKafka, createLogger, createPublisher, provisionTopics, startService, type EventPublisher, type RunningService } from '@invoice-signal/runtime';
import { eventually, stackEndpoints, testKafka, testServiceConfig, TopicReader, uniqueName } from '@invoice-signal/testkit';
import { loadConfig, type Config } from '../../src/config.ts';
import { riskScorer } from '../../src/service.ts';

export interface ScorerHarness {
  namespace: string;
  running: RunningService<Config>;
  serde: AvroSerde;
  /** Publishes enriched invoices the way the enricher does: key accountId. */
  publishEnriched(...values: EnrichedInvoice[]): Promise<void>;
  assessed: Awaited<ReturnType<typeof TopicReader.open<typeof topics.assessed>>>;
  deadLetters: TopicReader<Buffer>;
  close(): Promise<void>;
}

/**
 * Partitions per test topic: enough for accounts to spread over several partitions processed in
 * parallel, few enough not to load the shared broker (every test namespace adds its own topics).
 */
export const TEST_PARTITIONS = 3;

/** Deletes what a test namespace created on the shared stack: its topics and its database. */
async function cleanUp(namespace: string, databaseUrl: string): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const db = createDb(url.toString(), 1);
  try {
    await db.raw('drop database if exists ?? with (force)', [name]);
  } finally {
    await db.destroy();
  }
}

/**
 * Creates the namespace's topics before the service does, retrying: on a busy shared broker
 * createTopics(waitForLeaders) can fail with "does not host this topic-partition" right after
 * creating them (the runtime's provisionTopics does not retry that; reported to the lead). A retry
 * finds them created; then we wait until every partition answers.
 */
async function provisionAll(namespace: string, partitions: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await eventually('topics to be provisioned', async () => {
      await provisionTopics(admin, Object.values(topics), { namespace, partitions });
      return true;
    }, { timeoutMs: 30000, intervalMs: 250 });
    for (const spec of [topics.enriched, topics.assessed]) {
      const name = topicName(spec, namespace);
      await eventually(`partitions of ${name} to be served`, async () => (await admin.fetchTopicOffsets(name)).length === partitions);
    }
  } finally {
    await admin.disconnect();
  }
}

/** The scorer in-process on the real stack, in its own topic namespace and database. */
export async function startScorer(label: string, { env = {}, partitions = TEST_PARTITIONS }: { env?: Record<string, string>; partitions?: number } = {}): Promise<ScorerHarness> {
  const namespace = uniqueName(label);
  const config: Config = { ...loadConfig({ ...stackEndpoints(), TOPIC_NAMESPACE: namespace, ...env }), ...testServiceConfig('risk-scorer', namespace) };
  await provisionAll(namespace, partitions);
  const running = await startService(riskScorer, config);
  const serde = new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace });
  const publisher: EventPublisher = await createPublisher(createKafka('risk-scorer-tests', config, createLogger('tests', 'silent')), serde);
  const assessed = await TopicReader.open(topics.assessed, serde);
  const deadLetters = await TopicReader.openRaw(deadLetterName(topicName(topics.enriched, namespace)));
  const harness: ScorerHarness = {
    namespace, running, serde, assessed, deadLetters,
    publishEnriched: (...values) => publisher.publish(topics.enriched, values.map((value) => ({ key: value.accountId, value }))),
    async close() {
      await Promise.allSettled([assessed.close(), deadLetters.close(), publisher.close()]);
      await harness.running.stop();
      // Housekeeping for the shared stack, not behaviour under test: a failure is reported, not thrown.
      await cleanUp(namespace, config.databaseUrl).catch((error) => console.warn(`cleaning up ${namespace} failed: ${(error as Error).message}`));
    },
  };
  return harness;
}
