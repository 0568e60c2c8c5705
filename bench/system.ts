/**
 * The system under load: the five services as separate processes on the real stack (testkit's
 * SystemUnderTest) in a throw-away topic namespace, with the Slack and SMTP stand-ins, accounts
 * seeded through the enricher's import API; and its removal afterwards.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { serviceNames, type ServiceName } from '@invoice-signal/local-stack';
import { eventually, SlackStandIn, SmtpSink, SystemUnderTest } from '@invoice-signal/testkit';
import { scrape, sum } from './metrics.ts';

export interface Bench {
  system: SystemUnderTest;
  slack: SlackStandIn;
  smtp: SmtpSink;
  namespace: string;
  accounts: number;
}

export async function startSystem(namespace: string, accounts: number, partitions: number, extraEnv: Record<string, string>, onStarted: (b: Bench) => void): Promise<Bench> {
  const slack = await new SlackStandIn().start();
  const smtp = await new SmtpSink().start();
  const system = new SystemUnderTest({
    namespace,
    env: {
      LOG_LEVEL: 'warn', KAFKA_TOPIC_PARTITIONS: String(partitions), KAFKAJS_NO_PARTITIONER_WARNING: '1',
      SLACK_BOT_TOKEN: 'xoxb-bench-token', SLACK_API_URL: slack.url, SMTP_URL: smtp.url, DIGEST_FROM: 'digest@invoice-signal.dev',
      // The gateway's rate limits stay at their defaults: they must not refuse verified deliveries
      // below what the system sustains (issue 12), and the bench is where that shows.
      ...extraEnv,
    },
  });
  const bench = { system, slack, smtp, namespace, accounts };
  // One after the other: the first creates the namespace's topics, the others find them. On a
  // failure the caller still holds the half-started system (onStarted) and cleans it up.
  onStarted(bench);
  for (const name of serviceNames) await system.startService(name);
  await seedAccounts(bench);
  return bench;
}

/** Account i: Stripe customer cus_bench_i, one of 20 CSMs, a spread of health, tiers and disputes. */
export function benchAccount(i: number): Record<string, unknown> {
  const csm = i % 20;
  return {
    accountId: `acc_bench_${i}`, name: `Bench Account ${i}`,
    csm: { id: `csm_bench_${csm}`, email: `csm${csm}@bench.invoice-signal.dev`, slackUserId: `UBENCH${csm}`, timeZone: 'UTC' },
    health: { score: 35 + ((i * 7) % 60), asOf: '2026-11-20', history: [{ score: 70, asOf: '2026-09-20' }] },
    contract: { arrMinor: 1_200_000 + i * 10_000, currency: 'EUR', startDate: '2026-01-01', endDate: '2027-12-31', renewalDate: i % 4 === 0 ? '2026-12-20' : '2027-12-31', plan: 'Business', tier: i % 5 === 0 ? 'strategic' : 'standard' },
    supportIssues: { open: i % 4, last30d: i % 6, recent: [] },
    disputes: { count: i % 9 === 0 ? 1 : 0, lastAt: i % 9 === 0 ? '2026-10-01' : null },
    valueDelivered: [{ metric: 'invoices automated', value: 1000 + i, unit: 'invoices', period: '2026-Q3' }],
    vendorRefs: { stripeCustomerId: `cus_bench_${i}`, chargebeeCustomerId: null, salesforceAccountId: null },
  };
}

async function seedAccounts(b: Bench) {
  const res = await fetch(`${b.system.url('enricher')}/api/context/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${b.system.secrets.CONTEXT_ADMIN_TOKEN}` },
    body: JSON.stringify(Array.from({ length: b.accounts }, (_, i) => benchAccount(i))),
  });
  if (res.status !== 202) throw new Error(`seeding accounts failed: ${res.status} ${await res.text()}`);
  // The enricher's view changes when it reads the snapshots back from the topic.
  await eventually(`${b.accounts} context snapshots applied`, async () => sum(await scrape(b.system.managementUrl('enricher')), 'enricher_context_snapshots_total') >= b.accounts, { timeoutMs: 60000, intervalMs: 250 });
}

/** Each running service's management URL (its /metrics). */
export function serviceUrls(b: Bench): Array<[ServiceName, string]> {
  return serviceNames.filter((n) => b.system.urls.has(n)).map((n) => [n, b.system.managementUrl(n)]);
}

export function servicePids(b: Bench): Map<ServiceName, number> {
  return new Map(serviceNames.flatMap((n) => {
    const pid = b.system.processes.get(n)?.child.pid;
    return pid === undefined ? [] : [[n, pid] as [ServiceName, number]];
  }));
}

/** Stops the services' processes (their databases stay, for the Postgres floor). */
export async function stopServices(b: Bench): Promise<void> {
  await b.system.stop();
  await Promise.all([b.slack.stop(), b.smtp.stop()]);
}

/** Removes what a run created: topics, groups and schema subjects under `prefix`, and the databases named. */
export async function cleanup(prefix: string, databases: string[]): Promise<void> {
  const endpoints = { brokers: process.env.KAFKA_BROKERS!.split(','), registry: process.env.SCHEMA_REGISTRY_URL!, database: process.env.DATABASE_URL! };
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers: endpoints.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 60000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  const subjects = ((await (await fetch(`${endpoints.registry}/subjects`)).json()) as string[]).filter((s) => s.startsWith(prefix));
  for (const subject of subjects) {
    await fetch(`${endpoints.registry}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' });
    await fetch(`${endpoints.registry}/subjects/${encodeURIComponent(subject)}?permanent=true`, { method: 'DELETE' });
  }
  const client = new pg.Client({ connectionString: endpoints.database });
  await client.connect();
  try {
    for (const name of databases) await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
    const { rows } = await client.query<{ n: string }>('select count(*) as n from pg_database where datname = any($1)', [databases]);
    if (Number(rows[0]!.n) > 0) throw new Error(`${rows[0]!.n} of the run's databases are still there`);
  } finally {
    await client.end();
  }
}
