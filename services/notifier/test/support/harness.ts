import { SignJWT } from 'jose';
import { AvroSerde, topics, type AssessedInvoice, type CustomerContext, type PaymentStatus } from '@invoice-signal/events';
import { createKafka, createLogger, createPublisher, provisionTopics, startService, type EventPublisher, type Knex, type RunningService } from '@invoice-signal/runtime';
import { eventually, sampleAssessedInvoice, sampleEnrichedInvoice, sampleInvoiceEvent, stackEndpoints, testKafka, testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { loadConfig, type Config } from '../../src/config.ts';
import { createNotifier } from '../../src/service.ts';

export const jwtSecret = 'test-secret-for-the-notifier-at-least-32-chars';
export const slackSigningSecret = 'slack-signing-secret-for-tests';

/** A controllable clock: real time unless a test pins it. */
export class TestClock {
  pinned: number | null = null;
  now = () => this.pinned ?? Date.now();
  set(at: number) {
    this.pinned = at;
  }
}

export async function token(csmId: string, role: 'csm' | 'manager' | 'admin' = 'csm', secret = jwtSecret, team?: string): Promise<string> {
  return new SignJWT(team ? { role, team } : { role }).setProtectedHeader({ alg: 'HS256' }).setSubject(csmId).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));
}

export interface Notifier {
  running: RunningService<Config>;
  url: string;
  /** The service's own database (its pool). */
  db: Knex;
  clock: TestClock;
  namespace: string;
  /** Runs each of the service's jobs once (publish, Slack, digest, weekly outcomes) through the runtime, in start order, and waits for them. */
  deliver(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the notifier in-process on the real stack with its own database and topic namespace. */
export async function startNotifier(opts: { namespace?: string; env?: Record<string, string>; clock?: TestClock; databaseUrl?: string } = {}): Promise<Notifier> {
  const namespace = opts.namespace ?? uniqueName('notifier');
  const base = testServiceConfig('notifier', namespace);
  const env = {
    ...stackEndpoints(), TOPIC_NAMESPACE: namespace, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', LOG_FILE: process.env.TEST_LOG_FILE, AUTH_JWT_SECRET: jwtSecret,
    DELIVERY_TICK_MS: '200', DELIVERY_BACKOFF_MS: '50', BATCH_WINDOW_SECONDS: '0', PUBLIC_URL: 'http://inbox.test', ...opts.env,
  };
  const config = { ...loadConfig(env), PORT: 0, HOST: '127.0.0.1', databaseUrl: opts.databaseUrl ?? base.databaseUrl };
  const clock = opts.clock ?? new TestClock();
  if (!opts.namespace) await prepareNamespace(namespace);
  const running = await startService(createNotifier({ now: clock.now }), config);
  return {
    running, url: running.url, db: running.ctx.db, clock, namespace,
    deliver: async () => {
      for (const name of running.jobNames()) await running.runJob(name);
    },
    stop: () => running.stop(),
  };
}

/** Produces the notifier's inputs the way the risk-scorer and payment-tracker do. */
export class Upstream {
  readonly serde: AvroSerde;
  private publisher?: EventPublisher;
  constructor(namespace: string) {
    this.serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace });
  }
  async open(): Promise<this> {
    await this.serde.register(topics.assessed);
    await this.serde.register(topics.paymentStatus);
    await this.serde.register(topics.customerContext);
    const config = { ...testServiceConfig('upstream', this.serde.namespace) };
    this.publisher = await createPublisher(createKafka('notifier-tests', config, createLogger('upstream', 'silent')), this.serde);
    return this;
  }
  async assessed(...values: AssessedInvoice[]) {
    await this.publisher!.publish(topics.assessed, values.map((value) => ({ key: value.accountId, value })));
  }
  /** Assessed records as given, tombstones included, in one send (one partition when the keys match). */
  async assessedRecords(records: Array<{ key: string; value: AssessedInvoice | null }>) {
    await this.publisher!.publish(topics.assessed, records);
  }
  async status(...values: PaymentStatus[]) {
    await this.publisher!.publish(topics.paymentStatus, values.map((value) => ({ key: value.invoiceId, value })));
  }
  /** Customer-context snapshots, as the enricher's import API or a CRM feed publishes them. */
  async context(...values: CustomerContext[]) {
    await this.publisher!.publish(topics.customerContext, values.map((value) => ({ key: value.accountId, value })));
  }
  async close() {
    await this.publisher?.close();
  }
}

export interface InvoiceSpec {
  invoiceId: string;
  accountId?: string;
  accountName?: string;
  csmId?: string;
  email?: string | null;
  slackUserId?: string | null;
  timeZone?: string | null;
  amountMinor?: number;
  currency?: string;
  riskLevel?: AssessedInvoice['riskLevel'];
  /** Flags raised besides the sample's (HIGH_VALUE makes the invoice high value for routing). */
  flags?: string[];
  dueAt?: number;
  revision?: number;
}

/** An assessment built from the testkit samples with the fields a test cares about. */
export function assessment(s: InvoiceSpec): AssessedInvoice {
  const base = sampleEnrichedInvoice();
  const accountId = s.accountId ?? 'acc_acme';
  const csmId = s.csmId ?? 'csm_alice';
  const amount = s.amountMinor ?? 1_250_000;
  return sampleAssessedInvoice({
    assessmentId: `asm_${s.invoiceId}_${s.revision ?? 1}`,
    accountId,
    riskLevel: s.riskLevel ?? 'high',
    ...(s.flags ? { flags: [...sampleAssessedInvoice().flags, ...s.flags.map((code) => ({ code, severity: 'info' as const, message: code, facts: {} }))] } : {}),
    enriched: {
      ...base,
      enrichmentId: `enr_${s.invoiceId}_${s.revision ?? 1}`,
      accountId,
      revision: s.revision ?? 1,
      owner: { id: csmId, email: s.email === undefined ? `${csmId}@example.com` : s.email, slackUserId: s.slackUserId === undefined ? `U_${csmId}` : s.slackUserId, timeZone: s.timeZone === undefined ? 'UTC' : s.timeZone, team: null },
      context: { ...base.context!, accountId, name: s.accountName ?? 'Acme Corp' },
      invoice: sampleInvoiceEvent({ invoiceId: s.invoiceId, accountId, amountDueMinor: amount, totalMinor: amount, amountRemainingMinor: amount, currency: s.currency ?? 'EUR', dueAt: s.dueAt ?? Date.UTC(2026, 11, 1) }),
    },
  });
}

export async function api(n: Notifier, path: string, init: RequestInit & { as?: string; role?: 'csm' | 'manager' | 'admin'; team?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.as) headers.set('authorization', `Bearer ${await token(init.as, init.role, jwtSecret, init.team)}`);
  const res = await fetch(`${n.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : null };
}

/**
 * Creates the namespace's topics and waits until the broker serves metadata for every partition:
 * a busy single-node broker can answer "does not host this topic-partition" to a consumer that
 * subscribes right after creation.
 */
export async function prepareNamespace(namespace: string): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await provisionTopics(admin, Object.values(topics), { namespace });
    const names = Object.values(topics).map((t) => `${namespace}.${t.name}`);
    await eventually('topic metadata with leaders', async () => {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
      return meta.length === names.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
    }, { timeoutMs: 60000, intervalMs: 250 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes the topics of a test namespace once the file is done: the shared single-node broker
 * slows down badly with thousands of partitions left behind by earlier runs.
 */
export async function dropNamespace(namespace: string): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 30000 });
  } catch {
    // Best effort: a leftover namespace costs disk, not correctness.
  } finally {
    await admin.disconnect();
  }
}
