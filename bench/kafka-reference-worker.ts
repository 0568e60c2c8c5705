/**
 * Kafka references, in a process of their own so the client's CPU is measured apart:
 * - `roundtrip`: raw kafkajs produce → consume through the bench broker at the pipeline's record
 *   size: one record per send at a rate (latency), then batched sends (records/s end to end);
 * - `produce`: produce throughput of one client (kafkajs 2.2.4, what the runtime uses, or
 *   @platformatic/kafka) with the runtime's producer settings: idempotent, acks=all, one request
 *   in flight, sends of `batch` records awaited one after the other.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer as PlatformaticProducer } from '@platformatic/kafka';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { eventually } from '@invoice-signal/testkit';
import { summarize, type Summary } from './stats.ts';
import { serve } from './worker.ts';

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

export interface ProduceResult {
  client: string;
  records: number;
  batch: number;
  bytes: number;
  seconds: number;
  perSecond: number;
  /** CPU of this client process per 1,000 records, ms. */
  cpuMsPerThousand: number;
}

async function produceWith(client: string, send: (messages: Array<{ key: string; value: Buffer }>) => Promise<unknown>, p: { records: number; batch: number; payload: Buffer }): Promise<ProduceResult> {
  // A first batch outside the clock: connections, metadata and the producer id.
  await send(Array.from({ length: p.batch }, (_, j) => ({ key: `warm${j}`, value: p.payload })));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < p.records; i += p.batch) {
    await send(Array.from({ length: Math.min(p.batch, p.records - i) }, (_, j) => ({ key: `k${i + j}`, value: p.payload })));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  return { client, records: p.records, batch: p.batch, bytes: p.payload.length, seconds, perSecond: p.records / seconds, cpuMsPerThousand: (cpu * 1000 * 1000) / p.records };
}

async function produce(p: { client: 'kafkajs' | '@platformatic/kafka'; brokers: string[]; topic: string; records: number; batch: number; bytes: number }): Promise<ProduceResult> {
  const payload = Buffer.alloc(p.bytes, 'x');
  if (p.client === 'kafkajs') {
    const producer = new Kafka({ clientId: 'bench-kafkajs', brokers: p.brokers, logLevel: logLevel.NOTHING }).producer({
      idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5000 },
    });
    await producer.connect();
    try {
      return await produceWith(p.client, (messages) => producer.send({ topic: p.topic, acks: -1, messages }), { ...p, payload });
    } finally {
      await producer.disconnect();
    }
  }
  const producer = new PlatformaticProducer({ clientId: 'bench-platformatic', bootstrapBrokers: p.brokers, idempotent: true, acks: -1, autocreateTopics: false });
  try {
    return await produceWith(p.client, (messages) => producer.send({ messages: messages.map((m) => ({ topic: p.topic, key: Buffer.from(m.key), value: m.value })) }), { ...p, payload });
  } finally {
    await producer.close();
  }
}

export interface RoundTrip {
  /** Batched produce (500 per send) of `records` records, consumed by one consumer group. */
  throughput: { records: number; perSecond: number; bytes: number };
  /** One record per send at the given rate: produce call → delivered to the consumer, ms. */
  latency: { rate: number; summary: Summary; received: number; sent: number };
}

async function roundtrip(p: { brokers: string[]; topic: string; rate: number; seconds: number; records: number; bytes: number }): Promise<RoundTrip> {
  const payload = Buffer.alloc(p.bytes, 'x');
  const kafka = new Kafka({ clientId: 'bench-reference', brokers: p.brokers, logLevel: logLevel.NOTHING });
  // Plain kafkajs defaults (acks=all on each send): the least one hop of the pipeline can cost.
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${p.topic}.reader`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let lastReceivedAt = 0;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: p.topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ message }) => {
        received += 1;
        lastReceivedAt = Date.now();
        const t = sentAt.get(message.key!.toString());
        if (t !== undefined) latencies.push(lastReceivedAt - t);
      },
    });
    await joined;
    const total = Math.round(p.rate * p.seconds);
    const began = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - began) / 1000) * p.rate) + 1);
      for (; i < due; i++) {
        const key = `lat${i}`;
        sentAt.set(key, Date.now());
        sends.push(producer.send({ topic: p.topic, acks: -1, messages: [{ key, value: payload }] }));
      }
      await sleep(2);
    }
    await Promise.all(sends);
    await eventually('reference latency records', () => received >= total, { timeoutMs: 60000, intervalMs: 50 });
    const latency = { rate: p.rate, summary: summarize(latencies), received: latencies.length, sent: total };
    const before = received;
    const t0 = Date.now();
    for (let i = 0; i < p.records; i += 500) {
      await producer.send({ topic: p.topic, acks: -1, messages: Array.from({ length: Math.min(500, p.records - i) }, (_, j) => ({ key: `tp${i + j}`, value: payload })) });
    }
    await eventually('reference throughput records', () => received - before >= p.records, { timeoutMs: 120000, intervalMs: 20 });
    return { throughput: { records: p.records, perSecond: p.records / ((lastReceivedAt - t0) / 1000), bytes: p.bytes }, latency };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

serve({ produce, roundtrip });
