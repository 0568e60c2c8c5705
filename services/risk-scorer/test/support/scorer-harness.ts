import { AvroSerde, deadLetterName, topicName, topics, type EnrichedInvoice } from '@invoice-signal/events';
import { createKafka, createLogger, createPublisher, startService, type EventPublisher, type RunningService } from '@invoice-signal/runtime';
import { stackEndpoints, testServiceConfig, TopicReader, uniqueName } from '@invoice-signal/testkit';
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

/** The scorer in-process on the real stack, in its own topic namespace and database. */
export async function startScorer(label: string, env: Record<string, string> = {}): Promise<ScorerHarness> {
  const namespace = uniqueName(label);
  const config: Config = { ...loadConfig({ ...stackEndpoints(), TOPIC_NAMESPACE: namespace, ...env }), ...testServiceConfig('risk-scorer', namespace) };
  const running = await startService(riskScorer, config);
  const serde = new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace });
  const publisher: EventPublisher = await createPublisher(createKafka('risk-scorer-tests', config, createLogger('tests', 'silent')), serde);
  const assessed = await TopicReader.open(topics.assessed, serde);
  const deadLetters = await TopicReader.openRaw(deadLetterName(topicName(topics.enriched, namespace)));
  return {
    namespace, running, serde, assessed, deadLetters,
    publishEnriched: (...values) => publisher.publish(topics.enriched, values.map((value) => ({ key: value.accountId, value }))),
    async close() {
      await Promise.allSettled([assessed.close(), deadLetters.close(), publisher.close()]);
      await running.stop();
    },
  };
}
