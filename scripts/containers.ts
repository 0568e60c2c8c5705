import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devSecrets } from '@invoice-signal/local-stack';

/** True when a Docker engine answers (the client alone is not enough). */
export function dockerEngineAnswers(): boolean {
  if (process.env.INVOICE_SIGNAL_NO_DOCKER === '1') return false;
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10000 });
  return result.status === 0 && result.stdout.trim().length > 0;
}

export interface ContainerStack {
  endpoints: { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string; DATABASE_URL: string };
  stop(): Promise<void>;
}

/**
 * Where Docker exists, testcontainers brings up the infrastructure part of docker-compose.yml
 * (kafka, registry, postgres): the same definitions users run, on their published ports.
 */
export async function startContainers(): Promise<ContainerStack> {
  const { DockerComposeEnvironment, Wait } = await import('testcontainers');
  // The file requires every service secret (no fallbacks); only infrastructure starts here, but
  // compose checks the whole file, so it gets throwaway values.
  const secrets = devSecrets(join(mkdtempSync(join(tmpdir(), 'compose-')), 'dev-secrets.env'));
  const environment = await new DockerComposeEnvironment(join(import.meta.dirname, '..'), 'docker-compose.yml')
    .withEnvironment(secrets)
    .withWaitStrategy('registry-1', Wait.forHealthCheck())
    .withWaitStrategy('kafka-1', Wait.forHealthCheck())
    .withWaitStrategy('postgres-1', Wait.forHealthCheck())
    .up(['kafka', 'registry', 'postgres']);
  return {
    endpoints: {
      KAFKA_BROKERS: '127.0.0.1:29092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5433/postgres',
    },
    stop: async () => void (await environment.down()),
  };
}
