/**
 * The null pipeline, one stage per process like the services: the same runtime (startConsumer,
 * onBatch, one transaction per batch, one send per batch, offsets after the commit, telemetry) on
 * the same topics and schemas, with handlers that only pass each record on to the next topic of
 * the chain: no SQL beyond the runtime's own BEGIN/COMMIT. What the pipeline costs before any
 * business logic.
 *   node bench/null-pipeline.ts <enricher|risk-scorer|notifier|payment-tracker>
 * Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL (its own database), TOPIC_NAMESPACE.
 */
import { AvroSerde, topics, type AssessedInvoice, type EnrichedInvoice, type InvoiceEvent } from '@invoice-signal/events';
import { commonEnv, createDb, createKafka, createLogger, createPublisher, ensureDatabase, onBatch, parseEnv, startConsumer, startTelemetry, stopTelemetry, type IncomingRecord, type Subscription } from '@invoice-signal/runtime';
import { sampleAssessedInvoice, sampleEnrichedInvoice, sampleNotification, samplePaymentStatus } from '@invoice-signal/testkit';

const stage = process.argv[2] as 'enricher' | 'risk-scorer' | 'notifier' | 'payment-tracker';
const config = parseEnv(commonEnv);
/** Records with a value (a tombstone has nothing to pass on). */
const present = <V>(records: IncomingRecord<V>[]) => records.filter((r): r is IncomingRecord<V> & { value: V } => r.value !== null);
const accountOf = (e: InvoiceEvent) => `acc_${e.vendorCustomerId ?? 'unknown'}`;

const enrichedTemplate = sampleEnrichedInvoice();
const assessedTemplate = sampleAssessedInvoice();
const notificationTemplate = sampleNotification();
const paymentTemplate = samplePaymentStatus();

/** Each stage: its input topic and a handler that re-emits every input record as the next topic's value. */
const subscriptions: Record<typeof stage, Subscription> = {
  enricher: onBatch(topics.invoiceEvents, async (records, ctx) => {
    ctx.emit(topics.enriched, present(records).map((r) => {
      const value: EnrichedInvoice = { ...enrichedTemplate, enrichmentId: `enr_${r.value.invoiceId}_1`, accountId: accountOf(r.value), invoice: r.value, enrichedAt: Date.now() };
      return { key: value.accountId, value, cause: r };
    }));
  }),
  'risk-scorer': onBatch(topics.enriched, async (records, ctx) => {
    ctx.emit(topics.assessed, present(records).map((r) => {
      const value: AssessedInvoice = { ...assessedTemplate, assessmentId: `asm_${r.value.enrichmentId}`, accountId: r.value.accountId, enriched: r.value, assessedAt: Date.now() };
      return { key: value.accountId, value, cause: r };
    }));
  }),
  notifier: onBatch(topics.assessed, async (records, ctx) => {
    ctx.emit(topics.notifications, present(records).map((r) => {
      const invoice = r.value.enriched.invoice;
      const value = { ...notificationTemplate, id: `ntf_${invoice.invoiceId}`, kind: 'invoice_issued' as const, invoiceId: invoice.invoiceId, customerId: r.value.accountId, notifiedAt: Date.now(), updatedAt: Date.now() };
      return { key: value.csmId, value, cause: r };
    }));
  }),
  'payment-tracker': onBatch(topics.invoiceEvents, async (records, ctx) => {
    ctx.emit(topics.paymentStatus, present(records).map((r) => ({ key: r.value.invoiceId, value: { ...paymentTemplate, invoiceId: r.value.invoiceId, changedAt: Date.now() }, cause: r })));
  }),
};
const produces = { enricher: topics.enriched, 'risk-scorer': topics.assessed, notifier: topics.notifications, 'payment-tracker': topics.paymentStatus };

startTelemetry(`null-${stage}`);
const logger = createLogger(`null-${stage}`, 'warn');
await ensureDatabase(config.DATABASE_URL);
const db = createDb(config.DATABASE_URL, config.DB_POOL_MAX);
const kafka = createKafka(`bench-null.${stage}`, config, logger);
const serde = new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace: config.TOPIC_NAMESPACE });
await serde.register(produces[stage]);
const publisher = await createPublisher(kafka, serde);
const consumer = await startConsumer({ kafka, serde, publisher, logger, db }, {
  groupId: `${config.TOPIC_NAMESPACE}.null.${stage}`, subscriptions: [subscriptions[stage]], partitionsConsumedConcurrently: topics.invoiceEvents.partitions,
  sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS, fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS,
});
const ready = setInterval(() => {
  if (!consumer.isReady()) return;
  clearInterval(ready);
  console.log(JSON.stringify({ ready: stage }));
}, 100);

process.once('SIGTERM', () => {
  void (async () => {
    await consumer.stop();
    await publisher.close();
    await db.destroy();
    await stopTelemetry();
    process.exit(0);
  })();
});
