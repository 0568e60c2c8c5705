import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable, startService, type RunningService } from '@invoice-signal/runtime';
import { AvroSerde, topics, type InvoiceEvent } from '@invoice-signal/events';
import { stackEndpoints, testKafka, testServiceConfig, TopicReader } from '@invoice-signal/testkit';
import { loadConfig, type Config } from '../../src/config.ts';
import { ingestGateway } from '../../src/service.ts';

/** Test-only secrets (the service has no defaults; tests pass their own). */
export const secrets = {
  STRIPE_WEBHOOK_SECRET: 'whsec_test_current_0123456789,whsec_test_previous_0123456789',
  CHARGEBEE_WEBHOOK_USERNAME: 'cb-hooks',
  CHARGEBEE_WEBHOOK_PASSWORD: 'cb-password-0123',
  SALESFORCE_ORG_ID: '00D5g000004ExAmEAK',
  SALESFORCE_ENDPOINT_TOKEN: 'sf-endpoint-token-0123456789',
  INGEST_API_TOKEN: 'ingest-token-0123456789',
};
export const stripeSecret = 'whsec_test_current_0123456789';
export const previousStripeSecret = 'whsec_test_previous_0123456789';

/** The gateway's configuration for a test: the real stack, a fresh database, the given namespace. */
export function gatewayConfig(namespace: string, extraEnv: Record<string, string> = {}, databaseUrl?: string): Config {
  const base = testServiceConfig('ingest-gateway', namespace, extraEnv);
  const parsed = loadConfig({ ...stackEndpoints(), ...secrets, TOPIC_NAMESPACE: namespace, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', LOG_FILE: process.env.TEST_LOG_FILE, ...extraEnv });
  return { ...parsed, PORT: 0, HOST: '127.0.0.1', databaseUrl: databaseUrl ?? base.databaseUrl };
}

/**
 * Starts the gateway in-process. Topic provisioning right after several parallel test files
 * created their topics sometimes meets a transient metadata error from the broker
 * ("does not host this topic-partition", retriable): start-up is retried for that only.
 */
export async function startGateway(namespace: string, extraEnv: Record<string, string> = {}, databaseUrl?: string): Promise<RunningService<Config>> {
  const config = gatewayConfig(namespace, extraEnv, databaseUrl);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startService(ingestGateway, config);
    } catch (error) {
      if (attempt >= 5 || !isRetriable(error)) throw error;
      await sleep(500 * attempt);
    }
  }
}

export const bearer = { authorization: `Bearer ${secrets.INGEST_API_TOKEN}` };
export const chargebeeAuth = { authorization: `Basic ${Buffer.from(`${secrets.CHARGEBEE_WEBHOOK_USERNAME}:${secrets.CHARGEBEE_WEBHOOK_PASSWORD}`).toString('base64')}` };

/** Reads a Prometheus counter value from /metrics (give the management URL). */
export async function counterValue(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Reads the namespace's invoice topic; retried like start-up when the new topic's metadata is not everywhere yet. */
export async function openInvoiceReader(namespace: string): Promise<TopicReader<InvoiceEvent>> {
  const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace });
  for (let attempt = 1; ; attempt++) {
    try {
      return await TopicReader.open(topics.invoiceEvents, serde);
    } catch (error) {
      if (attempt >= 5 || !isRetriable(error)) throw error;
      await sleep(500 * attempt);
    }
  }
}

/**
 * Deletes the topics a test namespace created (the catalogue and its dead-letter topics): every
 * namespace adds a dozen topics of six partitions to the shared single broker, whose heap is small.
 */
export async function deleteNamespaceTopics(namespace: string): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}
