/**
 * Republishes receipts from the gateway's receipt log to billing.invoice.events.v1, from their
 * stored canonical events (receipts whose raw payload was pruned republish the same).
 *   node services/ingest-gateway/src/cli/replay.ts --since 2026-11-24T00:00:00Z
 * Reads KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL (or INGEST_GATEWAY_DATABASE_URL), TOPIC_NAMESPACE.
 */
import { parseArgs } from 'node:util';
import { AvroSerde } from '@invoice-signal/events';
import { commonEnv, createDb, type CommonConfig, createKafka, createLogger, createPublisher, parseEnv, serviceDatabaseUrl } from '@invoice-signal/runtime';
import { createReceiptLog } from '../adapters/receipt-log.ts';
import { replaySince } from '../ingest/replay.ts';

const { values } = parseArgs({ options: { since: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
const since = values.since ? new Date(values.since) : undefined;
if (values.help || !since || Number.isNaN(since.getTime())) {
  console.error('usage: replay --since <ISO-8601 instant>   (republishes every receipt received since then)');
  process.exit(values.help ? 0 : 64);
}
let config: CommonConfig;
try {
  config = parseEnv(commonEnv);
} catch (error) {
  console.error((error as Error).message);
  process.exit(78);
}
// KafkaJS start-up warnings would mix with the report on stdout: errors only unless LOG_LEVEL says otherwise.
const logger = createLogger('ingest-gateway-replay', process.env.LOG_LEVEL ?? 'error');
const db = createDb(serviceDatabaseUrl('ingest-gateway', process.env, config.DATABASE_URL));
const kafka = createKafka('invoice-signal.ingest-gateway.replay', config, logger);
const publisher = await createPublisher(kafka, new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace: config.TOPIC_NAMESPACE }));
try {
  const result = await replaySince(createReceiptLog(db), publisher, since);
  console.log(JSON.stringify({ since: since.toISOString(), republished: result.receipts, previouslyUnpublished: result.wasUnpublished, payloadPruned: result.payloadPruned }));
  if (result.payloadPruned) {
    console.error(`note: ${result.payloadPruned} of these receipts are past RECEIPT_PAYLOAD_RETENTION_DAYS: their raw vendor payloads were pruned, `
      + 'their canonical events were kept and have been republished unchanged (same eventIds). The vendors\' original bodies are gone: '
      + 'to re-read one, ask the vendor to resend it (Stripe keeps events 30 days) or let recovery read it from the vendor\'s events API.');
  }
} finally {
  await publisher.close();
  await db.destroy();
}
