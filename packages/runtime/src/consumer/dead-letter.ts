import type { KafkaMessage } from 'kafkajs';
import { deadLetterName } from '@invoice-signal/events';
import { errorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import type { EventPublisher } from '../producer.ts';

/**
 * Sends one record, bytes unchanged, to `<topic>.dlq` with the reason in headers. The caller
 * decided it can never succeed: it failed alone while every dependency answered.
 */
export async function deadLetter(deps: { publisher: EventPublisher; logger: Logger; groupId: string }, topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> {
  const reason = reasonOf(error);
  await deps.publisher.publishRaw(deadLetterName(topic), [{
    key: message.key,
    value: message.value,
    headers: {
      ...(message.headers as Record<string, Buffer>),
      ...deadLetterHeaders(topic, error, {
        'dlq.original.partition': String(partition), 'dlq.original.offset': message.offset, 'dlq.consumer.group': deps.groupId,
      }),
    },
  }]);
  metrics.consumed.inc({ topic, group: deps.groupId, outcome: 'dead_lettered' });
  deps.logger.warn({ topic, partition, offset: message.offset, code: errorCode(error), reason }, 'record dead-lettered');
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The headers every dead-lettered record carries (why, from where, when), plus where it came from in particular. */
export const deadLetterHeaders = (topic: string, error: unknown, origin: Record<string, string>): Record<string, string> => ({
  'dlq.error.code': errorCode(error),
  'dlq.error.message': reasonOf(error).slice(0, 2000),
  'dlq.original.topic': topic,
  ...origin,
  'dlq.failed.at': new Date().toISOString(),
});
