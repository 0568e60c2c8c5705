import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { type AvroSerde, type TopicSpec, type ValueOf, topicName } from '@invoice-signal/events';
import { retry } from '@invoice-signal/runtime';
import { eventually } from './wait.ts';
import { stackEndpoints, uniqueName } from './endpoints.ts';

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'tests', brokers: stackEndpoints().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
}

export interface Received<V> {
  key: string | null;
  value: V | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning into memory with its own group, so a test can wait for what
 * a service produced. Values are decoded through the registry unless `raw` is set.
 */
export class TopicReader<V> {
  readonly records: Received<V>[] = [];
  private consumer?: Consumer;
  private readonly topic: string;
  private readonly decode: (m: KafkaMessage) => Promise<V | null>;
  private constructor(topic: string, decode: (m: KafkaMessage) => Promise<V | null>) {
    this.topic = topic;
    this.decode = decode;
  }

  static async open<T extends TopicSpec>(spec: T, serde: AvroSerde): Promise<TopicReader<ValueOf<T>>> {
    const reader = new TopicReader<ValueOf<T>>(topicName(spec, serde.namespace), async (m) => (m.value ? await serde.decode(spec, m.value) : null));
    await reader.start();
    return reader;
  }

  static async openRaw(topic: string): Promise<TopicReader<Buffer>> {
    const reader = new TopicReader<Buffer>(topic, async (m) => m.value);
    await reader.start();
    return reader;
  }

  /** A topic created a moment ago can answer "does not host this topic-partition" briefly. */
  private start(): Promise<void> {
    return retry(() => this.startOnce(), {
      attempts: 5, baseMs: 300, retryIf: () => true,
      onRetry: () => this.consumer?.disconnect().catch(() => undefined),
    });
  }

  private async startOnce() {
    this.consumer = testKafka().consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 250 });
    const joined = new Promise<void>((resolve) => this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        this.records.push({ key: message.key?.toString() ?? null, value: await this.decode(message), headers, partition, offset: message.offset });
      },
    });
    await joined;
  }

  /** Waits until at least `count` records matching `filter` arrived and returns them. */
  async waitFor(count: number, filter: (r: Received<V>) => boolean = () => true, timeoutMs = 20000): Promise<Received<V>[]> {
    return eventually(`${count} record(s) on ${this.topic}`, () => {
      const found = this.records.filter(filter);
      return found.length >= count ? found : undefined;
    }, { timeoutMs });
  }

  async close() {
    await this.consumer?.disconnect();
  }
}
