/**
 * The load generator, a process of its own (its CPU is reported apart): open-loop HTTP steps
 * against the gateway or the bare Fastify reference, closed loops for a maximum, and open-loop
 * produce straight to the invoice-events topic for the null pipeline.
 */
import { Kafka, logLevel } from 'kafkajs';
import { AvroSerde, topics } from '@invoice-signal/events';
import { createPublisher, type EventPublisher } from '@invoice-signal/runtime';
import { sampleInvoiceEvent } from '@invoice-signal/testkit';
import { undiciPool } from './deps.ts';
import { closedLoop, openLoop } from './load.ts';
import { deliveries, invoiceIdOf, type DeliverySpec } from './webhooks.ts';
import { emit, serve } from './worker.ts';

interface Step {
  rate: number;
  warmupSeconds: number;
  seconds: number;
  maxInFlight: number;
}

const outcomeOf = (status: number) => (status < 300 ? '2xx' : String(status));

async function httpOpen(p: Step & { origin: string; delivery: DeliverySpec }) {
  // One connection per request in flight: the client never queues a request behind another.
  const pool = undiciPool(p.origin, p.maxInFlight);
  const request = deliveries(p.delivery);
  try {
    return await openLoop({
      ...p,
      send: (i) => pool.request({ method: 'POST', ...request(i) }).then(async (res) => {
        await res.body.dump();
        return outcomeOf(res.statusCode);
      }, (error: Error) => error.name),
      onSteady: (at) => emit('steady', at),
      onSent: (at) => emit('sent', at),
    });
  } finally {
    await pool.close();
  }
}

async function httpClosed(p: { origin: string; concurrency: number; seconds: number; delivery: DeliverySpec }) {
  const pool = undiciPool(p.origin, p.concurrency);
  try {
    return await closedLoop(pool, p.concurrency, p.seconds, deliveries(p.delivery));
  } finally {
    await pool.close();
  }
}

let publisher: { namespace: string; kafka: Kafka; serde: AvroSerde; publisher: EventPublisher } | undefined;

/** Invoice events produced straight to the first topic, as the gateway would (one coalesced produce per tick). */
async function kafkaOpen(p: Step & { brokers: string[]; registryUrl: string; namespace: string; label: string; accounts: number }) {
  if (publisher?.namespace !== p.namespace) {
    await publisher?.publisher.close();
    const kafka = new Kafka({ clientId: 'bench-null-driver', brokers: p.brokers, logLevel: logLevel.NOTHING });
    const serde = new AvroSerde({ url: p.registryUrl, namespace: p.namespace });
    await serde.register(topics.invoiceEvents);
    publisher = { namespace: p.namespace, kafka, serde, publisher: await createPublisher(kafka, serde) };
  }
  const pub = publisher.publisher;
  const now = Date.now();
  return openLoop({
    ...p,
    send: (i) => {
      const invoiceId = invoiceIdOf(p.label, i);
      const vendor = `in_${p.label}_${i}`;
      const value = sampleInvoiceEvent({
        eventId: `stripe:evt_${p.label}_${i}`, invoiceId, vendorEventId: `evt_${p.label}_${i}`, vendorInvoiceId: vendor,
        vendorCustomerId: `cus_bench_${i % p.accounts}`, invoiceNumber: `NULL-${p.label}-${i}`, issuedAt: now, occurredAt: now, receivedAt: Date.now(),
      });
      return pub.publish(topics.invoiceEvents, [{ key: invoiceId, value }]).then(() => '2xx', (error: Error) => error.name);
    },
    onSteady: (at) => emit('steady', at),
    onSent: (at) => emit('sent', at),
  });
}

serve({ 'http-open': httpOpen, 'http-closed': httpClosed, 'kafka-open': kafkaOpen }, async () => {
  await publisher?.publisher.close().catch(() => undefined);
});
