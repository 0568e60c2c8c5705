import type { Kafka } from 'kafkajs';
import { AvroSerde, type TopicSpec } from '@invoice-signal/events';
import {
  commonEnv, createDb, createKafka, createLogger, createPublisher, ensureDatabase, migrate, parseEnv, provisionTopics,
  type EventPublisher, type Knex, type Logger, type Migration,
} from '@invoice-signal/runtime';
import { stackEndpoints, uniqueName } from './endpoints.ts';

/** The runtime's Kafka pieces on the real stack, in a namespace of their own, for tests of the backbone. */
export interface TestBus {
  namespace: string;
  serde: AvroSerde;
  kafka: Kafka;
  logger: Logger;
  publisher: EventPublisher;
  /** A database of its own (named like the namespace), for consumers' batch transactions. */
  db: Knex;
  databaseUrl: string;
  close(): Promise<void>;
}

export async function openTestBus(label: string, specs: TopicSpec[], opts: { partitions?: number; deadLetters?: boolean } = {}): Promise<TestBus> {
  const namespace = uniqueName(label);
  const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace });
  const logger = createLogger('test', 'silent');
  const kafka = createKafka(`${label}-test`, parseEnv(commonEnv, { ...stackEndpoints(), TOPIC_NAMESPACE: namespace }), logger);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, specs, { namespace, partitions: opts.partitions ?? 1, deadLetters: opts.deadLetters ?? true });
  } finally {
    await admin.disconnect();
  }
  const publisher = await createPublisher(kafka, serde);
  const url = new URL(stackEndpoints().DATABASE_URL);
  url.pathname = `/${namespace}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, 12);
  return {
    namespace, serde, kafka, logger, publisher, db, databaseUrl,
    close: async () => {
      await publisher.close();
      await db.destroy();
    },
  };
}

/** A database of the test's own with a service's schema, for handler- and SQL-level tests; `drop` removes it. */
export async function openScratchDb(label: string, migrations: Migration[], poolSize = 4): Promise<{ db: Knex; drop(): Promise<void> }> {
  const url = new URL(stackEndpoints().DATABASE_URL);
  url.pathname = `/${uniqueName(label)}`;
  await ensureDatabase(url.toString());
  const db = createDb(url.toString(), poolSize);
  await migrate(db, migrations);
  return {
    db,
    async drop() {
      await db.destroy();
      const admin = createDb(stackEndpoints().DATABASE_URL, 1);
      try {
        await admin.raw('drop database if exists ?? with (force)', [url.pathname.slice(1)]);
      } finally {
        await admin.destroy();
      }
    },
  };
}
