import type { KafkaMessage } from 'kafkajs';
import type { AvroSerde, TopicSpec } from '@invoice-signal/events';

export interface IncomingRecord<V> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** null for a tombstone. */
  value: V | null;
  headers: Record<string, string>;
  /** Broker timestamp, epoch ms. */
  timestamp: number;
}

export const headerText = (headers: KafkaMessage['headers']): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? String(v[0]) : String(v)]])));

export type Decoded = { message: KafkaMessage; record: IncomingRecord<unknown> } | { message: KafkaMessage; error: unknown };

/** Decodes every message of a fetched batch; a message that fails carries its error instead of a record. */
export async function decodeAll(serde: AvroSerde, spec: TopicSpec, topic: string, partition: number, messages: KafkaMessage[]): Promise<Decoded[]> {
  return Promise.all(messages.map(async (message): Promise<Decoded> => {
    try {
      const value = message.value === null ? null : await serde.decode(spec, message.value);
      return { message, record: { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers: headerText(message.headers), timestamp: Number(message.timestamp) } };
    } catch (error) {
      return { message, error };
    }
  }));
}
