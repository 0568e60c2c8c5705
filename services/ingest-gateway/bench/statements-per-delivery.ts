/**
 * Postgres statements and commits per delivery on the gateway's durable path, counted on the
 * gateway's own pool (every statement knex sends, BEGIN and COMMIT included; a commit is a
 * COMMIT or a statement outside a transaction). Sends `--deliveries` signed Stripe deliveries,
 * `--concurrency` at a time on warm keep-alive connections, then the same number of copies
 * (vendor retries: the duplicate path).
 *   export $(npm run -s stack -- env | sed 's/export //'); node services/ingest-gateway/bench/statements-per-delivery.ts [--deliveries 500] [--concurrency 50]
 * `--service <path>` measures another build of the service module (e.g. an older checkout's src/service.ts).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import Stripe from 'stripe';
import { Pool } from 'undici';
import { startService, type ServiceDefinition } from '@invoice-signal/runtime';
import { stackEndpoints, testKafka, testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { loadConfig, type Config } from '../src/config.ts';

const { values } = parseArgs({ options: { deliveries: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '50' }, service: { type: 'string' } } });
const total = Number(values.deliveries);
const concurrency = Number(values.concurrency);
const servicePath = values.service ? pathToFileURL(resolve(values.service)).href : new URL('../src/service.ts', import.meta.url).href;
const { ingestGateway } = (await import(servicePath)) as { ingestGateway: ServiceDefinition<Config> };

const secret = 'whsec_bench_0123456789abcdef';
const namespace = uniqueName('stmts');
const secrets = { STRIPE_WEBHOOK_SECRET: secret, CHARGEBEE_WEBHOOK_USERNAME: 'bench', CHARGEBEE_WEBHOOK_PASSWORD: 'bench-password', SALESFORCE_ORG_ID: '00D000000000DEVAAA', SALESFORCE_ENDPOINT_TOKEN: 'bench-sf-endpoint-token-0123', INGEST_API_TOKEN: 'bench-token-0123456789' };
// Old builds had per-source limits on by default; they are lifted here so only the durable path is measured.
const config = {
  ...loadConfig({ ...stackEndpoints(), ...secrets, TOPIC_NAMESPACE: namespace, LOG_LEVEL: 'error', RATE_LIMIT_STRIPE: '1000000' }),
  PORT: 0, HOST: '127.0.0.1', databaseUrl: testServiceConfig('ingest-gateway', namespace).databaseUrl,
};
const gateway = await startService(ingestGateway, config);

let statements = 0;
let commits = 0;
const kinds = new Map<string, number>();
gateway.ctx.db.on('query', (q: { sql: string; __knexTxId?: string }) => {
  statements += 1;
  const kind = q.sql.trim().split(/\s+/)[0].replace(/;$/, '').toLowerCase();
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  if (kind === 'commit' || !q.__knexTxId) commits += 1;
});

function delivery(n: number): { body: string; headers: Record<string, string> } {
  const t = 1_762_000_000;
  const invoice = { id: `in_stmts${n}`, object: 'invoice', amount_due: 125000, amount_paid: 0, amount_remaining: 125000, created: t, currency: 'eur', customer: 'cus_1', status: 'open', total: 125000, status_transitions: { finalized_at: t + 100 } };
  const body = JSON.stringify({ id: `evt_${namespace}_${n}`, object: 'event', created: t + 200, data: { object: invoice }, type: 'invoice.finalized' });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret }) } };
}

const pool = new Pool(gateway.url, { connections: concurrency, pipelining: 1 });
async function send(from: number): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  let next = from;
  const worker = async () => {
    while (next < from + total) {
      const d = delivery(next++ % total);
      const res = await pool.request({ method: 'POST', path: '/api/webhooks/billing/stripe', headers: d.headers, body: d.body });
      const outcome = res.statusCode === 200 ? ((await res.body.json()) as { outcome: string }).outcome : String(res.statusCode);
      if (res.statusCode !== 200) await res.body.text().catch(() => undefined);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

async function measure(label: string, from: number) {
  [statements, commits] = [0, 0];
  kinds.clear();
  const outcomes = await send(from);
  await new Promise((r) => setTimeout(r, 200)); // late marks
  console.log(`${label}: ${total} deliveries ${JSON.stringify(outcomes)} → ${(statements / total).toFixed(2)} statements and ${(commits / total).toFixed(2)} commits per delivery ${JSON.stringify(Object.fromEntries(kinds))}`);
}

await Promise.all(Array.from({ length: concurrency }, () => pool.request({ method: 'GET', path: '/health/live' }).then((r) => r.body.text())));
console.log(`ingest-gateway statements per delivery (${servicePath.split('/').slice(-3).join('/')}), concurrency ${concurrency}`);
await measure('new deliveries', 0);
await measure('redelivered copies', total);

await pool.close();
await gateway.stop();
const maintenance = new pg.Client({ connectionString: stackEndpoints().DATABASE_URL });
await maintenance.connect();
await maintenance.query(`drop database if exists "${new URL(config.databaseUrl).pathname.slice(1)}"`);
await maintenance.end();
const admin = testKafka().admin();
await admin.connect();
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`)), timeout: 30_000 });
await admin.disconnect();
process.exit(0);
