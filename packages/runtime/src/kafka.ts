import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type ITopicConfig, type SASLOptions } from 'kafkajs';
import { deadLetterName, topicName, type TopicSpec } from '@invoice-signal/events';
import type { CommonConfig } from './config.ts';
import type { Logger } from './logger.ts';

/** A KafkaJS client whose internal logs go through our logger. */
export function createKafka(clientId: string, config: CommonConfig, logger: Logger): Kafka {
  const sasl: SASLOptions | undefined =
    config.KAFKA_SASL_MECHANISM && config.KAFKA_SASL_USERNAME
      ? ({ mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD ?? '' } as SASLOptions)
      : undefined;
  const kafkaLog = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: config.KAFKA_BROKERS,
    ssl: config.KAFKA_SSL,
    sasl,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 300, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log }) => {
      const { message, ...extra } = log;
      if (level <= logLevel.ERROR) kafkaLog.error(extra, message);
      else kafkaLog.warn(extra, message);
    },
  });
}

/** Topic-level settings from the catalogue. Single-node clusters get replication factor 1. */
function topicConfig(spec: TopicSpec, name: string, replicationFactor: number): ITopicConfig {
  const configEntries: Array<{ name: string; value: string }> = [{ name: 'cleanup.policy', value: spec.cleanup }];
  if (spec.retentionMs) configEntries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  if (spec.cleanup === 'compact') {
    // Compact promptly so a new reader of the status topic replays little beyond the latest values.
    configEntries.push({ name: 'min.cleanable.dirty.ratio', value: '0.1' }, { name: 'segment.ms', value: String(3600_000) });
  }
  return { topic: name, numPartitions: spec.partitions, replicationFactor, configEntries };
}

export interface ProvisionOptions {
  namespace?: string;
  /** Also create `<topic>.dlq` for each topic (consumers need them). Default true. */
  deadLetters?: boolean;
  /** Override partitions (tests use fewer). */
  partitions?: number;
}

/**
 * Creates the catalogue's topics that do not exist yet, with their cleanup policy, and their
 * dead-letter topics. Safe to run from every service at start-up.
 */
export async function provisionTopics(admin: Admin, specs: TopicSpec[], opts: ProvisionOptions = {}): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const brokers = (await admin.describeCluster()).brokers.length;
  const replicationFactor = Math.min(3, brokers);
  const wanted: ITopicConfig[] = [];
  for (const spec of specs) {
    const sized = opts.partitions ? { ...spec, partitions: opts.partitions } : spec;
    const name = topicName(spec, opts.namespace);
    wanted.push(topicConfig(sized, name, replicationFactor));
    if (opts.deadLetters ?? true) {
      wanted.push(topicConfig({ ...sized, cleanup: 'delete', retentionMs: 30 * 24 * 3600 * 1000 }, deadLetterName(name), replicationFactor));
    }
  }
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) await createWithRetry(admin, missing);
  return missing.map((t) => t.topic);
}

/**
 * Several instances (or test files) may create the same topics at once; leader election of a new
 * topic can also answer "does not host this topic-partition" for a moment. Both pass on retry.
 */
async function createWithRetry(admin: Admin, topics: ITopicConfig[], attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set(await admin.listTopics());
      const still = topics.filter((t) => !existing.has(t.topic));
      if (still.length > 0) await admin.createTopics({ topics: still, waitForLeaders: true });
      return;
    } catch (error) {
      // TOPIC_ALREADY_EXISTS included: the next listing shows what is still missing, if anything.
      if (attempt >= attempts) throw error;
      await sleep(200 * attempt);
    }
  }
}
