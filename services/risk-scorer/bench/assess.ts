/**
 * Assessments per second: the pure rules alone, then end to end through Kafka, the registry and
 * Postgres (enriched record published → assessment on billing.invoice.assessed.v1).
 *
 *   cd /work/main && export $(npm run -s stack -- env | sed 's/export //') && \
 *     node_modules/.bin/node services/risk-scorer/bench/assess.ts
 *
 * BENCH_RULES_MS (default 3000) bounds the pure run; BENCH_E2E_COUNT (default 3000) records and
 * BENCH_ACCOUNTS (default 300) accounts shape the end-to-end run.
 */
import { performance } from 'node:perf_hooks';
import { topics, type EnrichedInvoice } from '@invoice-signal/events';
import { createKafka, createLogger, createPublisher } from '@invoice-signal/runtime';
import { loadConfig } from '../src/config.ts';
import { assess } from '../src/domain/assess.ts';
import { emptyHistory, type InvoiceHistory } from '../src/domain/history.ts';
import { monthlyInvoice } from '../test/support/enriched-factory.ts';
import { startScorer } from '../test/support/scorer-harness.ts';

const rulesMs = Number(process.env.BENCH_RULES_MS ?? 3000);
const e2eCount = Number(process.env.BENCH_E2E_COUNT ?? 3000);
const accounts = Number(process.env.BENCH_ACCOUNTS ?? 300);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Half the accounts are quiet (good health, clean payments, standard tier), half look like the testkit sample. */
function variant(e: EnrichedInvoice, k: number): EnrichedInvoice {
  if (k % 2 === 1) return e;
  return {
    ...e,
    context: e.context && { ...e.context, disputes: { count: 0, lastAt: null }, contract: e.context.contract && { ...e.context.contract, tier: 'standard', renewalDate: e.invoice.issuedAt! + 300 * 86_400_000 } },
    healthTrend: { direction: 'stable', fromScore: 80, toScore: 80, deltaPoints: 0, windowDays: 60 },
    paymentHistory: { ...e.paymentHistory, paidLate: 0, overdue: 0, failed: 0, lastFailedAt: null, classification: 'excellent' },
  };
}

function workload(count: number): EnrichedInvoice[] {
  const perAccount = Math.ceil(count / accounts);
  const run = Date.now().toString(36);
  return Array.from({ length: count }, (_, i) => variant(monthlyInvoice(`bench_${run}_${i % accounts}`, Math.floor(i / accounts), 100_000 + ((i * 7919) % 5) * 40_000), i % accounts))
    .slice(0, perAccount * accounts);
}

function benchRules() {
  const rules = loadConfig({}).rules;
  const inputs = workload(2000);
  const histories: InvoiceHistory[] = inputs.map((e, i) => (i % 3 === 0 ? emptyHistory : {
    previousForAccount: { invoiceId: 'stripe:in_prev', subscriptionId: e.invoice.subscriptionId, currency: 'EUR', totalMinor: 90_000, issuedAt: e.invoice.issuedAt! - 30 * 86_400_000 },
    previousForSubscription: null,
  }));
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < rulesMs) {
    for (let i = 0; i < inputs.length; i++, n++) assess(inputs[i], histories[i], rules, 0);
  }
  const secs = (performance.now() - start) / 1000;
  console.log(`pure rules (assess(), no I/O): ${fmt(n / secs)} assessments/s  (${fmt(n)} in ${secs.toFixed(2)} s, one core)`);
}

async function benchEndToEnd() {
  process.env.TEST_LOG_LEVEL ??= 'error';
  // The catalogue's partition count, as in production.
  const scorer = await startScorer('bench_risk', { partitions: topics.enriched.partitions });
  const { serde, assessed: reader } = scorer;
  const config = scorer.running.ctx.config;
  const publisher = await createPublisher(createKafka('risk-bench', config, createLogger('bench', 'silent')), serde);
  try {
    const inputs = workload(e2eCount);
    const sentAt = new Map<string, number>();
    const start = performance.now();
    for (let i = 0; i < inputs.length; i += 500) {
      const batch = inputs.slice(i, i + 500);
      const now = Date.now();
      for (const e of batch) sentAt.set(e.enrichmentId, now);
      await publisher.publish(topics.enriched, batch.map((value) => ({ key: value.accountId, value })));
    }
    const published = performance.now();
    await reader.waitFor(inputs.length, () => true, 600_000);
    const secs = (performance.now() - start) / 1000;
    const latencies = reader.records.map((r) => r.value!.assessedAt - sentAt.get(r.value!.enriched.enrichmentId)!).sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    console.log(`end to end (Kafka → scorer → Postgres → Kafka): ${fmt(inputs.length / secs)} assessments/s  (${fmt(inputs.length)} records, ${accounts} accounts, ${secs.toFixed(2)} s; input published in ${((published - start) / 1000).toFixed(2)} s; ${topics.enriched.partitions} partitions, ${config.RISK_CONSUMER_CONCURRENCY} in parallel)`);
    console.log(`  publish → assessed latency: p50 ${fmt(pct(50))} ms, p95 ${fmt(pct(95))} ms, max ${fmt(latencies.at(-1)!)} ms (includes the backlog)`);
    // One record at a time, each waited for: latency without a backlog.
    const singles: number[] = [];
    for (const [i, e] of workload(accounts).slice(0, 50).entries()) {
      const one = { ...e, enrichmentId: `${e.enrichmentId}_single_${i}` };
      const t = performance.now();
      await publisher.publish(topics.enriched, [{ key: one.accountId, value: one }]);
      await reader.waitFor(1, (r) => r.value?.enriched.enrichmentId === one.enrichmentId, 30_000);
      singles.push(performance.now() - t);
    }
    singles.sort((x, y) => x - y);
    console.log(`  one at a time (no backlog, 50 records): p50 ${fmt(singles[25])} ms, p95 ${fmt(singles[47])} ms from publish to the assessment read back`);
    const levels = Object.entries(Object.groupBy(reader.records, (r) => r.value!.riskLevel)).map(([k, v]) => `${k} ${v!.length}`).join(', ');
    console.log(`  risk levels: ${levels}`);
  } finally {
    await publisher.close();
    await scorer.close();
  }
}

benchRules();
await benchEndToEnd();
process.exit(0);
