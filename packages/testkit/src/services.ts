import { commonEnv, parseEnv, type ServiceConfig } from '@invoice-signal/runtime';
import { stackEndpoints, uniqueName } from './endpoints.ts';

/** Test namespaces create the whole catalogue; few partitions keep the shared broker small. */
export const testPartitions = '2';

/**
 * A service configuration for a test: the real stack's endpoints, a fresh database, port 0 and
 * the given topic namespace (shared by the services a test wires together).
 */
export function testServiceConfig(service: string, namespace: string, extraEnv: Record<string, string> = {}): ServiceConfig & Record<string, unknown> {
  const endpoints = stackEndpoints();
  const common = parseEnv(commonEnv, { ...endpoints, TOPIC_NAMESPACE: namespace, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', LOG_FILE: process.env.TEST_LOG_FILE, KAFKA_TOPIC_PARTITIONS: testPartitions, ...extraEnv });
  const db = new URL(endpoints.DATABASE_URL);
  db.pathname = `/${uniqueName(service)}`;
  return { ...common, PORT: 0, HOST: '127.0.0.1', databaseUrl: db.toString() };
}
