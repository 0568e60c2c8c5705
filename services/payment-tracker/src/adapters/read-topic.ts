import type { Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads a topic from the beginning up to the end offsets it had when called, with the given
 * consumer group (whose offsets are committed as it goes), handing over one batch at a time.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, groupId: string, onBatch: (messages: KafkaMessage[]) => Promise<void>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const pending = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
  if (pending.size === 0) return;

  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  let finish!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve())));
  consumer.on(consumer.events.CRASH, (e) => finish(e.payload.error));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch, heartbeat }) => {
        if (batch.messages.length) await onBatch(batch.messages);
        await heartbeat();
        const end = pending.get(batch.partition);
        if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) pending.delete(batch.partition);
        if (pending.size === 0) finish();
      },
    });
    await done;
  } finally {
    await consumer.disconnect(); // commits what was resolved
  }
}
