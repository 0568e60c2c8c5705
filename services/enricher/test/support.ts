import { randomBytes } from 'node:crypto';
import { AvroSerde, topicName, topics, type TopicSpec } from '@invoice-signal/events';
import {
  commonEnv, createKafka, createLogger, createPublisher, parseEnv, provisionTopics, startService,
  type BatchContext, type BatchHandler, type EmittedRecord, type EventPublisher, type IncomingRecord, type Knex, type RunningService,
} from '@invoice-signal/runtime';
import { eventually, openScratchDb, stackEndpoints, testServiceConfig, TopicReader, uniqueName } from '@invoice-signal/testkit';
import { enricherSettings, type Config } from '../src/config.ts';
import { migrations } from '../src/migrations/index.ts';
import { enricher } from '../src/service.ts';

export const FALLBACK = { id: 'csm_triage', email: 'triage@example.com', slackUserId: 'UTRIAGE' };

export interface Harness {
  namespace: string;
  token: string;
  service: RunningService<Config>;
  serde: AvroSerde;
  /** Publishes as the other writers would (gateway, tracker, CRM feed). */
  publisher: EventPublisher;
  enriched: TopicReader<import('@invoice-signal/events').EnrichedInvoice>;
  /** Records the service's consumers have finished with, per topic (from its /metrics). */
  consumed(spec: TopicSpec): Promise<number>;
  waitConsumed(spec: TopicSpec, count: number): Promise<void>;
  stop(): Promise<void>;
}

/** The enricher, started in-process against the real stack, in a namespace of its own. */
export async function startEnricher(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const namespace = uniqueName(label);
  const token = randomBytes(20).toString('hex');
  const config: Config = {
    ...testServiceConfig('enricher', namespace, env),
    ...enricherSettings({ CONTEXT_ADMIN_TOKEN: token, FALLBACK_CSM_ID: FALLBACK.id, FALLBACK_CSM_EMAIL: FALLBACK.email, FALLBACK_CSM_SLACK_USER_ID: FALLBACK.slackUserId }),
  } as Config;
  const kafka = createKafka('enricher-test', parseEnv(commonEnv, { ...stackEndpoints(), TOPIC_NAMESPACE: namespace }), createLogger('test', 'silent'));
  await provisionWithRetry(kafka, namespace);
  const service = await startService(enricher, config);
  const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace });
  const publisher = await createPublisher(kafka, serde);
  const enriched = await TopicReader.open(topics.enriched, serde);
  const consumed = async (spec: TopicSpec) => {
    const text = await (await fetch(`${service.managementUrl}/metrics`)).text();
    const topic = topicName(spec, namespace);
    return text.split('\n')
      .filter((l) => l.startsWith('consumer_records_total{') && l.includes(`topic="${topic}"`) && l.includes('outcome="ok"'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };
  return {
    namespace, token, service, serde, publisher, enriched, consumed,
    async waitConsumed(spec, count) {
      await eventually(`${count} record(s) of ${spec.name} consumed`, async () => (await consumed(spec)) >= count);
    },
    async stop() {
      await enriched.close();
      await publisher.close();
      await service.stop();
    },
  };
}

/**
 * Creates the namespace's topics before the service starts. With several test files creating
 * topics at once the broker sometimes answers "does not host this topic-partition" while leaders
 * are elected; creation is idempotent, so trying again (with a deadline) is safe.
 */
async function provisionWithRetry(kafka: ReturnType<typeof createKafka>, namespace: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await eventually('topics provisioned', async () => {
      await provisionTopics(admin, Object.values(topics), { namespace });
      return true;
    }, { timeoutMs: 30000, intervalMs: 500 });
  } finally {
    await admin.disconnect();
  }
}

/** A database of the test's own with the enricher's schema, for handler- and SQL-level tests. */
export const openEnricherDb = (label: string) => openScratchDb(label, migrations);

/** A record as the runtime hands it to a batch handler (one partition, offsets in order). */
export function incoming<V>(values: Array<{ key: string | null; value: V | null }>, topic = 'test'): IncomingRecord<V>[] {
  return values.map(({ key, value }, i) => ({ topic, partition: 0, offset: String(i), key, value, headers: {}, timestamp: Date.now() }));
}

export interface BatchRun {
  emitted: Array<EmittedRecord<unknown> & { spec: string }>;
  /** Statements the handler sent, BEGIN and COMMIT included. */
  statements: string[];
}

/**
 * Runs a batch handler the way the runtime does, minus Kafka: one transaction around it, the
 * after-commit work once it committed. What it emitted is returned instead of sent.
 */
export async function runBatch<V>(db: Knex, handle: BatchHandler<V>, records: IncomingRecord<V>[]): Promise<BatchRun> {
  const run: BatchRun = { emitted: [], statements: [] };
  const after: Array<() => unknown> = [];
  const count = (q: { sql: string }) => void run.statements.push(q.sql);
  db.on('query', count);
  try {
    await db.transaction(async (trx) => {
      const ctx: BatchContext = {
        trx,
        emit: (spec, list) => void run.emitted.push(...list.map((r) => ({ ...r, spec: spec.name }))),
        afterCommit: (fn) => void after.push(fn),
      };
      await handle(records, ctx);
    });
  } finally {
    db.off('query', count);
  }
  for (const fn of after) await fn();
  return run;
}
