import { AvroSerde, topics, type EnrichedInvoice, type InvoiceEvent, type PaymentStatus } from '@invoice-signal/events';
import { createDb, createKafka, createLogger, createPublisher, parseEnv, startService, type EventPublisher, type Knex, type RunningService } from '@invoice-signal/runtime';
import { sampleInvoiceEvent, stackEndpoints, testServiceConfig, TopicReader, uniqueName, type Received } from '@invoice-signal/testkit';
import { paymentTrackerEnv, type Config } from '../../src/config.ts';
import { paymentTracker } from '../../src/service.ts';

/** A tracker configuration on the real stack: fresh database, the given namespace, fast timers. */
export function trackerConfig(namespace: string, env: Record<string, string> = {}): Config {
  const all = { OVERDUE_SCAN_INTERVAL_MS: '200', OUTBOX_POLL_MS: '100', ...env };
  const own = parseEnv(paymentTrackerEnv, { ...stackEndpoints(), TOPIC_NAMESPACE: namespace, ...all });
  return { ...own, ...testServiceConfig('payment-tracker', namespace, all) } as Config;
}

/** Starts the tracker in-process (the runtime retries topic creation on a busy broker). */
export function startTracker(config: Config): Promise<RunningService<Config>> {
  return startService(paymentTracker, config, createLogger('payment-tracker', config.LOG_LEVEL, process.env.TEST_LOG_FILE));
}

/** A running tracker with an event source, a reader of its status topic and its database, torn down together. */
export interface TrackerFixture {
  config: Config;
  tracker: RunningService<Config>;
  source: EventSource;
  statuses: TopicReader<PaymentStatus>;
  db: Knex;
  close(): Promise<void>;
}

export async function openTracker(namespace: string, env: Record<string, string> = {}): Promise<TrackerFixture> {
  const config = trackerConfig(namespace, env);
  const tracker = await startTracker(config);
  const source = new EventSource(namespace);
  const statuses = await source.statusReader();
  const db = openDb(config);
  return {
    config, tracker, source, statuses, db,
    async close() {
      await statuses.close();
      await source.close();
      await tracker.stop();
      await db.destroy();
      await cleanUp(namespace, [config]);
    },
  };
}

/** What the ingest gateway would do: publish invoice events, keyed by invoiceId. */
export class EventSource {
  readonly serde: AvroSerde;
  private publisher?: EventPublisher;
  private readonly namespace: string;
  constructor(namespace: string) {
    this.namespace = namespace;
    this.serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace });
  }
  private async open(): Promise<EventPublisher> {
    if (!this.publisher) {
      const config = parseEnv(paymentTrackerEnv, { ...stackEndpoints(), TOPIC_NAMESPACE: this.namespace });
      this.publisher = await createPublisher(createKafka('test-source', config, createLogger('test', 'silent')), this.serde);
    }
    return this.publisher;
  }
  async send(...events: InvoiceEvent[]) {
    await (await this.open()).publish(topics.invoiceEvents, events.map((value) => ({ key: value.invoiceId, value })));
  }
  /** What the enricher would publish (the tracker reads only the billing zone of date-only due dates from it). */
  async sendEnriched(...records: EnrichedInvoice[]) {
    await (await this.open()).publish(topics.enriched, records.map((value) => ({ key: value.accountId, value })));
  }
  statusReader(): Promise<TopicReader<PaymentStatus>> {
    return TopicReader.open(topics.paymentStatus, this.serde);
  }
  async close() {
    await this.publisher?.close();
  }
}

let seq = 0;
/** An invoice event with a unique id; amounts default to an unpaid EUR 12,500.00 invoice. */
export function invoiceEvent(invoiceId: string, type: InvoiceEvent['type'], occurredAt: number, extra: Partial<InvoiceEvent> = {}): InvoiceEvent {
  seq += 1;
  return sampleInvoiceEvent({
    eventId: `${invoiceId}:${type}:${occurredAt}:${seq}`, invoiceId, type, vendorEventId: `evt_${seq}`, vendorInvoiceId: invoiceId.split(':')[1] ?? invoiceId,
    occurredAt, receivedAt: occurredAt + 100, amountPaidMinor: 0, attemptCount: 0, failureReason: null, ...extra,
  });
}

export const newInvoiceId = (label: string) => `stripe:${uniqueName(label)}`;

/** The latest record per key as a fresh reader of the compacted topic would conclude (log order). */
export function latestByKey(records: Received<PaymentStatus>[]): Map<string, PaymentStatus | null> {
  const latest = new Map<string, PaymentStatus | null>();
  for (const r of records) latest.set(r.key!, r.value);
  return latest;
}

export function openDb(config: Config): Knex {
  return createDb(config.databaseUrl, 2);
}

/**
 * Deletes the test's topics (every test namespace provisions the whole catalogue plus dead-letter
 * topics, and a shared single broker runs out of heap when they pile up) and its databases.
 */
export async function cleanUp(namespace: string, configs: Config[]): Promise<void> {
  const admin = createKafka('test-cleanup', configs[0], createLogger('test', 'silent')).admin();
  try {
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
  } catch {
    // best effort: a leftover namespace is harmless to other tests
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const server = createDb(stackEndpoints().DATABASE_URL, 1);
  try {
    for (const c of configs) {
      const name = decodeURIComponent(new URL(c.databaseUrl).pathname.slice(1));
      await server.raw('drop database if exists ?? with (force)', [name]).catch(() => undefined);
    }
  } finally {
    await server.destroy();
  }
}
