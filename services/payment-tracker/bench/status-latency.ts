/**
 * Benchmark: latency from a payment event on billing.invoice.events.v1 to the new status on the
 * compacted billing.invoice.payment-status.v1 (p50, p99), and statuses per second sustained.
 * Runs the tracker in-process against the real stack, in its own topic namespace and database.
 *   export $(npm run -s stack -- env | grep ^export | sed 's/export //') && node services/payment-tracker/bench/status-latency.ts
 * Options (env): BENCH_LATENCY_N (default 500), BENCH_RATE_PER_S (default 50), BENCH_THROUGHPUT_N (default 10000).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { topicName, topics, type InvoiceEvent } from '@invoice-signal/events';
import { eventually, sampleInvoiceEvent, stackEndpoints, uniqueName } from '@invoice-signal/testkit';
import { cleanUp, EventSource, startTracker, trackerConfig } from '../test/support/harness.ts';

const latencyN = Number(process.env.BENCH_LATENCY_N ?? 500);
const ratePerS = Number(process.env.BENCH_RATE_PER_S ?? 50);
const throughputN = Number(process.env.BENCH_THROUGHPUT_N ?? 10_000);

const namespace = uniqueName('bench_pt');
const config = trackerConfig(namespace, { LOG_LEVEL: 'warn', OUTBOX_POLL_MS: '250' });
const tracker = await startTracker(config);
const source = new EventSource(namespace);

// Arrival time of each (invoiceId, status) on the status topic.
const arrived = new Map<string, number>();
const kafka = new Kafka({ clientId: 'bench', brokers: stackEndpoints().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
const reader = kafka.consumer({ groupId: uniqueName('bench_reader'), maxWaitTimeInMs: 20 });
await reader.connect();
await reader.subscribe({ topic: topicName(topics.paymentStatus, namespace), fromBeginning: true });
await reader.run({
  eachBatch: async ({ batch }) => {
    const now = Date.now();
    for (const m of batch.messages) {
      if (!m.value) continue;
      const status = await source.serde.decode(topics.paymentStatus, m.value);
      arrived.set(`${status.invoiceId}|${status.status}`, now);
    }
  },
});

const t0 = Date.now();
const event = (invoiceId: string, type: InvoiceEvent['type'], at: number, extra: Partial<InvoiceEvent> = {}) =>
  sampleInvoiceEvent({ eventId: `${invoiceId}:${type}`, invoiceId, type, occurredAt: at, receivedAt: at, dueAt: t0 + 30 * 86_400_000, amountPaidMinor: 0, ...extra });
const waitAll = (ids: string[], status: string, timeoutMs: number) =>
  eventually(`${ids.length} statuses "${status}"`, () => ids.every((id) => arrived.has(`${id}|${status}`)), { timeoutMs, intervalMs: 50 });
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

// Warm-up: registry ids, producer, consumer group, database pool.
const warm = Array.from({ length: 50 }, (_, i) => `bench:warm_${i}`);
await source.send(...warm.map((id) => event(id, 'issued', t0)));
await waitAll(warm, 'pending', 60_000);

// 1. Latency: invoices already pending; paid events sent one at a time at a steady rate.
const ids = Array.from({ length: latencyN }, (_, i) => `bench:lat_${i}`);
await source.send(...ids.map((id) => event(id, 'issued', t0)));
await waitAll(ids, 'pending', 120_000);
const sentAt = new Map<string, number>();
for (const id of ids) {
  sentAt.set(id, Date.now());
  await source.send(event(id, 'paid', t0 + 1000, { amountPaidMinor: 1_250_000, amountRemainingMinor: 0 }));
  await sleep(1000 / ratePerS);
}
await waitAll(ids, 'paid', 120_000);
const latencies = ids.map((id) => arrived.get(`${id}|paid`)! - sentAt.get(id)!).sort((a, b) => a - b);

// 2. Throughput: a burst of new invoices, each producing one status; time until the last one is on the topic.
const burst = Array.from({ length: throughputN }, (_, i) => `bench:tp_${i}`);
const started = Date.now();
for (let i = 0; i < burst.length; i += 1000) await source.send(...burst.slice(i, i + 1000).map((id) => event(id, 'issued', t0)));
const produced = Date.now();
await waitAll(burst, 'pending', 600_000);
const elapsed = (Date.now() - started) / 1000;

console.log(`payment-tracker status latency (payment event produced → status on the compacted topic), ${latencyN} paid events at ${ratePerS}/s:`);
console.log(`  p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms, max ${latencies.at(-1)} ms`);
console.log(`throughput: ${throughputN} new invoices produced in ${((produced - started) / 1000).toFixed(2)} s, all ${throughputN} statuses on the topic after ${elapsed.toFixed(2)} s`);
console.log(`  ${(throughputN / elapsed).toFixed(0)} statuses/s sustained`);

await reader.disconnect();
await source.close();
await tracker.stop();
await cleanUp(namespace, [config]);
process.exit(0);
