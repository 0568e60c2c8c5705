/**
 * Benchmark: signed Stripe deliveries accepted per second and their p50/p99 latency through the
 * whole durable path (verify → receipt in Postgres → Kafka ack → receipt marked → 200), beside a
 * bare Fastify route that only parses the same JSON, in the same run, with the ratio.
 *   export $(npm run -s stack -- env | sed 's/export //'); node services/ingest-gateway/bench/webhooks.ts [--seconds 10] [--concurrency 32]
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import Stripe from 'stripe';
import { Pool } from 'undici';
import { startService } from '@invoice-signal/runtime';
import { stackEndpoints, testKafka, testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { loadConfig } from '../src/config.ts';
import { ingestGateway } from '../src/service.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '32' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const secret = 'whsec_bench_0123456789abcdef';

const namespace = uniqueName('bench');
const secrets = { STRIPE_WEBHOOK_SECRET: secret, CHARGEBEE_WEBHOOK_USERNAME: 'bench', CHARGEBEE_WEBHOOK_PASSWORD: 'bench-password', SALESFORCE_ORG_ID: '00D000000000DEVAAA', SALESFORCE_ENDPOINT_TOKEN: 'bench-sf-endpoint-token-0123', INGEST_API_TOKEN: 'bench-token-0123456789' };
const config = {
  ...loadConfig({ ...stackEndpoints(), ...secrets, TOPIC_NAMESPACE: namespace, LOG_LEVEL: 'error', DB_POOL_MAX: '20' }),
  PORT: 0, HOST: '127.0.0.1', databaseUrl: testServiceConfig('ingest-gateway', namespace).databaseUrl,
};
const gateway = await startService(ingestGateway, config);

const bare = Fastify({ logger: false });
bare.post('/bare', async (request) => ({ received: true, id: (request.body as { id: string }).id }));
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

let seq = 0;
/** A fresh, realistically sized invoice.finalized delivery, signed the way Stripe signs. */
function delivery(): { body: string; headers: Record<string, string> } {
  seq += 1;
  const t = 1_762_000_000;
  const invoice = {
    id: `in_bench${seq}`, object: 'invoice', amount_due: 125000, amount_paid: 0, amount_remaining: 125000, attempt_count: 0, created: t, currency: 'eur',
    customer: `cus_bench${seq % 500}`, due_date: t + 2_592_000, hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test', number: `BENCH-${seq}`,
    parent: { subscription_details: { subscription: 'sub_bench' }, type: 'subscription_details' }, period_end: t, period_start: t - 2_592_000, status: 'open',
    status_transitions: { finalized_at: t + 100, paid_at: null, voided_at: null, marked_uncollectible_at: null }, subtotal: 125000, total: 125000,
    lines: { object: 'list', data: [{ id: `il_${seq}`, object: 'line_item', amount: 125000, currency: 'eur', description: 'Enterprise plan', quantity: 1 }], has_more: false },
  };
  const body = JSON.stringify({ id: `evt_bench_${namespace}_${seq}`, object: 'event', api_version: '2025-10-29.clover', created: t + 200, data: { object: invoice }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'invoice.finalized' }, null, 2);
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret }) } };
}

async function load(base: string, path: string, durationMs: number) {
  const pool = new Pool(base, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const failures = new Map<string, number>();
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const d = delivery();
      const t0 = performance.now();
      const res = await pool.request({ method: 'POST', path, headers: d.headers, body: d.body });
      const text = await res.body.text();
      latencies.push(performance.now() - t0);
      if (res.statusCode === 200) ok++;
      else {
        failed++;
        const why = `${res.statusCode} ${text.slice(0, 160)}`;
        failures.set(why, (failures.get(why) ?? 0) + 1);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  for (const [why, n] of failures) console.log(`  ${n} x ${why}`);
  return { perSecond: ok / elapsed, p50: pct(50), p99: pct(99), ok, failed };
}

await load(gateway.url, '/api/webhooks/billing/stripe', 1500); // warm-up: JIT, pools, producer metadata
await load(bareUrl, '/bare', 1000);
const gw = await load(gateway.url, '/api/webhooks/billing/stripe', seconds * 1000);
const plain = await load(bareUrl, '/bare', seconds * 1000);

const row = (name: string, r: typeof gw) => `${name.padEnd(44)} ${r.perSecond.toFixed(0).padStart(8)} /s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   (${r.ok} ok, ${r.failed} failed)`;
console.log(`\ningest-gateway webhook benchmark: ${seconds} s per route, ${concurrency} concurrent connections, node ${process.version}`);
console.log(row('signed Stripe deliveries (verify+PG+Kafka ack)', gw));
console.log(row('bare Fastify route parsing the same JSON', plain));
console.log(`ratio: gateway throughput is ${(gw.perSecond / plain.perSecond * 100).toFixed(1)}% of the bare route (1 : ${(plain.perSecond / gw.perSecond).toFixed(1)}); p50 latency ${(gw.p50 / plain.p50).toFixed(1)}x`);

await bare.close();
await gateway.stop();
// The namespace's topics would otherwise stay on the shared broker.
const admin = testKafka().admin();
await admin.connect();
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`)), timeout: 30_000 });
await admin.disconnect();
process.exit(gw.failed > 0 ? 1 : 0);
