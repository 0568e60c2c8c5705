/**
 * Enricher benchmark: enrichments per second, and the latency the enricher adds from an issued
 * invoice on billing.invoice.events.v1 to its record on billing.invoice.enriched.v1 (p50/p99).
 *
 *   export $(npm run -s stack -- env | sed 's/export //')
 *   node_modules/.bin/node services/enricher/bench/enrich.ts [--accounts 200] [--burst 5000] [--paced 1000] [--rate 100]
 *
 * The enricher runs as its own process (src/main.ts) against the real stack, in a throw-away topic
 * namespace and database. Latency = broker timestamp of the enriched record (set when the enricher
 * produced it) − broker timestamp of the invoice event (set by this script when it produced it);
 * one machine, one clock. Burst: all invoices at once (throughput, with queueing). Paced: a steady
 * rate well below capacity (the latency one invoice sees).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { AvroSerde, topicName, topics, type EnrichedInvoice } from '@invoice-signal/events';
import { commonEnv, createKafka, createLogger, parseEnv, provisionTopics } from '@invoice-signal/runtime';
import { eventually, sampleCustomerContext, sampleInvoiceEvent, samplePaymentStatus, stackEndpoints } from '@invoice-signal/testkit';

const { values: args } = parseArgs({ options: { accounts: { type: 'string', default: '200' }, burst: { type: 'string', default: '5000' }, paced: { type: 'string', default: '1000' }, rate: { type: 'string', default: '100' } } });
const ACCOUNTS = Number(args.accounts);
const BURST = Number(args.burst);
const PACED = Number(args.paced);
const RATE = Number(args.rate);
const DAY = 24 * 3600 * 1000;

const endpoints = stackEndpoints();
const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const namespace = `bench_${stamp}`;
const dbName = `bench_enricher_${stamp}`;
const dbUrl = new URL(endpoints.DATABASE_URL);
dbUrl.pathname = `/${dbName}`;
const serde = new AvroSerde({ url: endpoints.SCHEMA_REGISTRY_URL, namespace });
const kafka = new Kafka({ clientId: 'bench', brokers: endpoints.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });

const freePort = () => new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});

async function consumedOk(url: string, spec: typeof topics[keyof typeof topics]): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const topic = topicName(spec, namespace);
  return text.split('\n').filter((l) => l.startsWith('consumer_records_total{') && l.includes(`topic="${topic}"`) && l.includes('outcome="ok"'))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  // Topics first (idempotent), so the service and this script agree on them.
  const admin = createKafka('bench-admin', parseEnv(commonEnv, { ...endpoints, TOPIC_NAMESPACE: namespace }), createLogger('bench', 'silent')).admin();
  await admin.connect();
  await provisionTopics(admin, Object.values(topics), { namespace });

  const port = await freePort();
  const managementPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const management = `http://127.0.0.1:${managementPort}`;
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'src', 'main.ts')], {
    env: { ...process.env, ...endpoints, PORT: String(port), MANAGEMENT_PORT: String(managementPort), HOST: '127.0.0.1', TOPIC_NAMESPACE: namespace, ENRICHER_DATABASE_URL: dbUrl.toString(), CONTEXT_ADMIN_TOKEN: randomBytes(20).toString('hex'), LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await eventually('the enricher to be ready', async () => (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200, { timeoutMs: 60000, intervalMs: 250 });

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = async <T extends typeof topics[keyof typeof topics]>(spec: T, records: Array<{ key: string; value: unknown }>) => {
      for (let i = 0; i < records.length; i += 500) {
        const chunk = records.slice(i, i + 500);
        const messages = await Promise.all(chunk.map(async (r) => ({ key: r.key, value: await serde.encode(spec, r.value as never), timestamp: String(Date.now()) })));
        await producer.send({ topic: topicName(spec, namespace), acks: -1, messages });
      }
    };

    // Seed: accounts with vendor references, ten past invoices each in the payment history.
    const now = Date.now();
    await send(topics.customerContext, Array.from({ length: ACCOUNTS }, (_, i) => ({ key: `acc_b${i}`, value: sampleCustomerContext({
      accountId: `acc_b${i}`, name: `Bench ${i}`, snapshotAt: now,
      vendorRefs: { stripeCustomerId: `cus_b${i}`, chargebeeCustomerId: null, salesforceAccountId: null },
    }) })));
    await send(topics.paymentStatus, Array.from({ length: ACCOUNTS * 10 }, (_, i) => {
      const issuedAt = now - (i % 10 + 1) * 30 * DAY;
      return { key: `stripe:in_hist${i}`, value: samplePaymentStatus({ invoiceId: `stripe:in_hist${i}`, accountId: `acc_b${i % ACCOUNTS}`, status: i % 7 === 0 ? 'failed' : 'paid', issuedAt, dueAt: issuedAt + 30 * DAY, paidAt: issuedAt + (i % 5 === 0 ? 40 : 20) * DAY, version: 2 }) };
    }));
    await eventually('seed consumed', async () => (await consumedOk(management, topics.customerContext)) >= ACCOUNTS && (await consumedOk(management, topics.paymentStatus)) >= ACCOUNTS * 10, { timeoutMs: 120000, intervalMs: 250 });

    // Reader of the enriched topic: invoiceId → broker timestamp of the enriched record.
    const out = new Map<string, number>();
    const consumer = kafka.consumer({ groupId: `bench_reader_${stamp}`, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(topics.enriched, namespace), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => {
      const e = (await serde.decode(topics.enriched, message.value!)) as EnrichedInvoice;
      out.set(e.invoice.invoiceId, Number(message.timestamp));
    } });

    const invoice = (phase: string, i: number) => {
      const matched = i % 10 !== 9; // one in ten from a customer nobody mapped yet
      const id = `stripe:in_${phase}${i}`;
      return { key: id, value: sampleInvoiceEvent({ eventId: `evt_${phase}${i}`, invoiceId: id, vendorCustomerId: matched ? `cus_b${i % ACCOUNTS}` : `cus_unknown${i}`, issuedAt: Date.now(), occurredAt: Date.now() }) };
    };
    const sentAt = new Map<string, number>();
    const sendTimed = async (records: Array<{ key: string; value: ReturnType<typeof sampleInvoiceEvent> }>) => {
      const messages = await Promise.all(records.map(async (r) => ({ key: r.key, value: await serde.encode(topics.invoiceEvents, r.value) })));
      const ts = Date.now();
      await producer.send({ topic: topicName(topics.invoiceEvents, namespace), acks: -1, messages: messages.map((m) => ({ ...m, timestamp: String(ts) })) });
      for (const r of records) sentAt.set(r.key, ts);
    };
    const latencies = (phase: string, n: number) => Array.from({ length: n }, (_, i) => `stripe:in_${phase}${i}`).map((id) => out.get(id)! - sentAt.get(id)!).sort((a, b) => a - b);
    const waitAll = (phase: string, n: number) => eventually(`${n} ${phase} enrichments`, () => Array.from({ length: n }, (_, i) => `stripe:in_${phase}${i}`).every((id) => out.has(id)), { timeoutMs: 300000, intervalMs: 100 });

    // Burst: everything at once.
    const burst = Array.from({ length: BURST }, (_, i) => invoice('burst', i));
    for (let i = 0; i < burst.length; i += 500) await sendTimed(burst.slice(i, i + 500));
    await waitAll('burst', BURST);
    const firstSent = Math.min(...burst.map((r) => sentAt.get(r.key)!));
    const lastOut = Math.max(...burst.map((r) => out.get(r.key)!));
    const burstLat = latencies('burst', BURST);
    const rate = BURST / ((lastOut - firstSent) / 1000);

    // Paced: a steady RATE per second, one invoice per send.
    for (let i = 0; i < PACED; i++) {
      const started = Date.now();
      await sendTimed([invoice('paced', i)]);
      const wait = 1000 / RATE - (Date.now() - started);
      if (wait > 0) await sleep(wait);
    }
    await waitAll('paced', PACED);
    const pacedLat = latencies('paced', PACED);

    console.log(`enricher benchmark (${ACCOUNTS} accounts, ${ACCOUNTS * 10} payment records, 10% unmatched invoices; service in its own process, 6 partitions)`);
    console.log(`  burst  ${BURST} issued invoices: ${rate.toFixed(0)} enrichments/s; latency p50 ${pct(burstLat, 50)} ms, p99 ${pct(burstLat, 99)} ms (includes queueing behind the burst)`);
    console.log(`  paced  ${PACED} invoices at ${RATE}/s: latency added p50 ${pct(pacedLat, 50)} ms, p99 ${pct(pacedLat, 99)} ms, max ${pacedLat[pacedLat.length - 1]} ms`);
    await consumer.disconnect();
    await producer.disconnect();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    // Leave nothing behind: the namespace's topics and the database.
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    const client = new pg.Client({ connectionString: Object.assign(new URL(endpoints.DATABASE_URL), { pathname: '/postgres' }).toString() });
    await client.connect();
    await client.query(`drop database if exists ${client.escapeIdentifier(dbName)}`);
    await client.end();
  }
}

await main();
