/**
 * References measured in the same run as the system: a bare Fastify route (HTTP + JSON parsing,
 * nothing else) under the same load generator, and raw kafkajs produce → consume through the
 * same broker (what one hop of the pipeline costs at least).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { eventually } from '@invoice-signal/testkit';
import { undiciPool } from './deps.ts';
import { closedLoop, openLoop, type LoadResult } from './load.ts';
import { rssBytes } from './metrics.ts';
import { summarize, type Summary } from './stats.ts';
import { stripeDelivery } from './webhooks.ts';

export interface HttpReference {
  /** Open loop at each rate the system was offered. */
  atRate: LoadResult[];
  /** Closed loop: the most the bare route answers per second. */
  max: { perSecond: number; latency: Summary; concurrency: number };
  rssBytes: number;
}

export async function bareFastify(rates: number[], seconds: number, secret: string, concurrency: number): Promise<HttpReference> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bare-fastify.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const { url } = JSON.parse(line.toString()) as { url: string };
    const pool = undiciPool(url, concurrency);
    const atRate: LoadResult[] = [];
    for (const rate of rates) {
      const bodies = Array.from({ length: Math.round(rate * seconds) }, (_, i) => stripeDelivery(`ref${rate}`, i, 100, secret));
      atRate.push(await openLoop({ pool, rate, seconds, maxInFlight: 2000, request: (i) => bodies[i]! }));
    }
    const body = stripeDelivery('refmax', 0, 100, secret);
    const max = await closedLoop(pool, concurrency, Math.min(seconds, 8), () => body);
    const rss = rssBytes(child.pid!);
    await pool.close();
    return { atRate, max: { ...max, concurrency }, rssBytes: rss };
  } finally {
    child.kill('SIGTERM');
  }
}

export interface KafkaReference {
  /** Batched produce (500 per send) of `records` records, consumed by one consumer group. */
  throughput: { records: number; perSecond: number; bytes: number };
  /** One record per send at the given rate: produce call → delivered to the consumer, ms. */
  latency: { rate: number; summary: Summary; received: number; sent: number };
}

export async function rawKafka(brokers: string[], topic: string, rate: number, seconds: number, records: number, payload: Buffer): Promise<KafkaReference> {
  const kafka = new Kafka({ clientId: 'bench-reference', brokers, logLevel: logLevel.NOTHING });
  const admin: Admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  // Plain kafkajs defaults (acks=all on each send): the least one hop of the pipeline can cost.
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, allowAutoTopicCreation: false });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let lastReceivedAt = 0;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ message }) => {
        received += 1;
        lastReceivedAt = Date.now();
        const key = message.key!.toString();
        const t = sentAt.get(key);
        if (t !== undefined) latencies.push(lastReceivedAt - t);
      },
    });
    await joined;

    // Latency: one record per send at `rate`, open loop (sends are not awaited before the next).
    const total = Math.round(rate * seconds);
    const began = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - began) / 1000) * rate) + 1);
      for (; i < due; i++) {
        const key = `lat${i}`;
        sentAt.set(key, Date.now());
        sends.push(producer.send({ topic, acks: -1, messages: [{ key, value: payload }] }));
      }
      await sleep(2);
    }
    await Promise.all(sends);
    await eventually('reference latency records', () => received >= total, { timeoutMs: 60000, intervalMs: 50 });
    const latency = { rate, summary: summarize(latencies), received: latencies.length, sent: total };

    // Throughput: batched produce, then wait until the consumer saw everything.
    const before = received;
    const t0 = Date.now();
    for (let i = 0; i < records; i += 500) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: Math.min(500, records - i) }, (_, j) => ({ key: `tp${i + j}`, value: payload })) });
    }
    await eventually('reference throughput records', () => received - before >= records, { timeoutMs: 120000, intervalMs: 20 });
    const perSecond = records / ((lastReceivedAt - t0) / 1000);
    return { throughput: { records, perSecond, bytes: payload.length }, latency };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
