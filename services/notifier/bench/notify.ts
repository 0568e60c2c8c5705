/**
 * Notifier benchmark on the real stack (Kafka, registry, Postgres), the service in-process:
 *  1. latency from publishing an assessed record to its stored InvoiceNotification (p50/p99);
 *  2. p50/p99 of GET /api/invoices/csm/:csmId/pending under concurrent load.
 * Run: export the stack env (npm run -s stack -- env), then node services/notifier/bench/notify.ts
 * Options (env): BENCH_RECORDS (default 1000), BENCH_PACED (300) at BENCH_RATE (50/s), BENCH_CSMS (20),
 * BENCH_REQUESTS (3000), BENCH_CONCURRENCY (32).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { AvroSerde, topics, type AssessedInvoice } from '@invoice-signal/events';
import { createKafka, createLogger, createPublisher, startService } from '@invoice-signal/runtime';
import { sampleAssessedInvoice, sampleEnrichedInvoice, sampleInvoiceEvent, stackEndpoints, testKafka, testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { loadConfig } from '../src/config.ts';
import { createNotifier } from '../src/service.ts';
import { createLiveHub } from '../src/adapters/live-hub.ts';
import { notificationId } from '../src/domain/notification.ts';

const records = Number(process.env.BENCH_RECORDS ?? 1000);
const csms = Number(process.env.BENCH_CSMS ?? 20);
const requests = Number(process.env.BENCH_REQUESTS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function assessed(i: number): AssessedInvoice {
  const base = sampleEnrichedInvoice();
  const csmId = `csm_bench_${i % csms}`;
  const accountId = `acc_bench_${i % (csms * 5)}`;
  const invoiceId = `stripe:in_bench_${i}`;
  return sampleAssessedInvoice({
    assessmentId: `asm_${invoiceId}`, accountId, riskLevel: (['none', 'low', 'medium', 'high'] as const)[((i % 4) + 4) % 4],
    enriched: { ...base, enrichmentId: `enr_${invoiceId}`, accountId, owner: { id: csmId, email: `${csmId}@example.com`, slackUserId: null, timeZone: 'UTC', team: null },
      invoice: sampleInvoiceEvent({ invoiceId, accountId, amountDueMinor: 10_000 + i, dueAt: Date.UTC(2026, 11, 1 + (i % 28)) }) },
  });
}

async function main() {
  const namespace = uniqueName('bench_notifier');
  const secret = randomBytes(32).toString('hex');
  const config = { ...loadConfig({ ...stackEndpoints(), TOPIC_NAMESPACE: namespace, AUTH_JWT_SECRET: secret, LOG_LEVEL: 'error', DELIVERY_TICK_MS: '1000' }), PORT: 0, HOST: '127.0.0.1', databaseUrl: testServiceConfig('notifier', namespace).databaseUrl };
  const running = await startService(createNotifier(), config, createLogger('notifier', 'error'));
  // The service's own announcements (Postgres NOTIFY, sent when a batch commits), heard as another instance would.
  const live = createLiveHub(config.databaseUrl, createLogger('bench', 'error'));
  await live.start();
  const serde = new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace });
  await serde.register(topics.assessed);
  const publisher = await createPublisher(createKafka('bench', config, createLogger('bench', 'error')), serde);
  const db = running.ctx.db;
  try {
    // Warm-up: the group must own its partitions before latency means anything.
    await publisher.publish(topics.assessed, [{ key: 'warm', value: { ...assessed(-1), accountId: 'warm' } }]);
    while (!(await db('notifications').where({ invoice_id: 'stripe:in_bench_-1' }).first())) await sleep(50);

    const sentAt = new Map<string, number>();
    // Stored = committed: the service announces a new notification only after its transaction commits.
    const committedAt = new Map<string, number>();
    live.subscribe('*', (e) => {
      if (e.type === 'created' && !committedAt.has(e.notificationId)) committedAt.set(e.notificationId, Date.now());
    });
    const stored = async (from: number, to: number) => {
      const ids = Array.from({ length: to - from }, (_, k) => `stripe:in_bench_${from + k}`);
      for (;;) {
        const [{ c }] = await db('notifications').whereIn('invoice_id', ids).count({ c: '*' });
        if (Number(c) >= ids.length) break;
        await sleep(50);
      }
      while (ids.some((id) => !committedAt.has(notificationId(id, 'invoice_issued')))) await sleep(20);
      return ids.map((id) => committedAt.get(notificationId(id, 'invoice_issued'))! - sentAt.get(id)!).sort((a, b) => a - b);
    };
    const report = (label: string, latencies: number[]) =>
      console.log(`  ${label}: p50 ${fmt(pct(latencies, 50))}, p90 ${fmt(pct(latencies, 90))}, p99 ${fmt(pct(latencies, 99))}, max ${fmt(latencies.at(-1)!)}`);
    const send = async (i: number) => {
      const value = assessed(i);
      sentAt.set(value.enriched.invoice.invoiceId, Date.now());
      await publisher.publish(topics.assessed, [{ key: value.accountId, value }]);
    };

    // Paced: records arrive at a steady rate, as invoices do; this is the latency a CSM sees.
    const paced = Math.min(records, Number(process.env.BENCH_PACED ?? 300));
    const rate = Number(process.env.BENCH_RATE ?? 50);
    const pacedStart = Date.now();
    for (let i = 0; i < paced; i++) {
      await send(i);
      const due = pacedStart + ((i + 1) * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    console.log(`assessed → stored notification (${paced} records paced at ${rate}/s):`);
    report('latency', await stored(0, paced));

    // Burst: everything at once; latency then includes queueing, and the drain time gives throughput.
    const burstStart = Date.now();
    for (let i = paced; i < records; i++) await send(i);
    const produced = (Date.now() - burstStart) / 1000;
    const burst = await stored(paced, records);
    const drained = (Date.now() - burstStart) / 1000;
    console.log(`assessed → stored notification (burst of ${records - paced} published in ${produced.toFixed(1)} s, all stored after ${drained.toFixed(1)} s = ${((records - paced) / drained).toFixed(0)} records/s):`);
    report('latency', burst);

    const tokens = await Promise.all(Array.from({ length: csms }, (_, i) => new SignJWT({ role: 'csm' }).setProtectedHeader({ alg: 'HS256' }).setSubject(`csm_bench_${i}`).setExpirationTime('1h').sign(new TextEncoder().encode(secret))));
    const times: number[] = [];
    let next = 0;
    let failures = 0;
    const apiStart = Date.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const k = next++;
        const csm = k % csms;
        const t = performance.now();
        const res = await fetch(`${running.url}/api/invoices/csm/csm_bench_${csm}/pending?sort=${k % 2 ? 'risk' : 'dueDate'}&limit=50`, { headers: { authorization: `Bearer ${tokens[csm]}` } });
        await res.arrayBuffer();
        times.push(performance.now() - t);
        if (res.status !== 200) failures++;
      }
    }));
    const apiSeconds = (Date.now() - apiStart) / 1000;
    times.sort((a, b) => a - b);
    console.log(`GET /api/invoices/csm/:csmId/pending: ${requests} requests, ${concurrency} concurrent, ${records / csms} pending per CSM, page of 50, ${failures} non-200`);
    console.log(`  ${(requests / apiSeconds).toFixed(0)} req/s, p50 ${fmt(pct(times, 50))}, p99 ${fmt(pct(times, 99))}, max ${fmt(times.at(-1)!)}`);
  } finally {
    await publisher.close();
    await live.stop();
    await running.stop();
    // Leave no partitions behind on the shared broker.
    const admin = testKafka().admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  }
}

await main();
