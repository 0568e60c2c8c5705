import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Everything the local stack can be told through the environment, read once. */
export interface StackSettings {
  /** Where data, logs and pid files live. Default: <repo>/.stack */
  stackDir: string;
  /** Where downloaded jars and the registry app are cached. Default: ~/.cache/invoice-signal */
  cacheDir: string;
  /** Maven's local repository (what it downloads into first). Default: Maven's own (~/.m2/repository) */
  mavenRepo?: string;
  kafkaVersion: string;
  registryVersion: string;
  kafkaPort: number;
  controllerPort: number;
  registryPort: number;
  registryManagementPort: number;
  postgresPort: number;
  /** Seconds `up` waits for the components to answer before giving up (downloads not counted). */
  readyDeadlineSeconds: number;
  /** Java 17+ for Kafka; Java 21+ for the registry. Found when not given. */
  javaHome?: string;
  registryJavaHome?: string;
  /** Heap of the broker (test runs create thousands of partitions) and of the registry. */
  kafkaHeap: string;
  registryHeap: string;
}

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    throw new Error(`${name} must be a port or positive integer, got "${raw}"`);
  }
  return value;
}

export function readSettings(env = process.env): StackSettings {
  return {
    stackDir: resolve(env.STACK_DIR ?? join(repoRoot, '.stack')),
    cacheDir: resolve(env.STACK_CACHE_DIR ?? join(homedir() || tmpdir(), '.cache', 'invoice-signal')),
    mavenRepo: env.STACK_MAVEN_REPO ? resolve(env.STACK_MAVEN_REPO) : undefined,
    kafkaVersion: env.STACK_KAFKA_VERSION ?? '4.3.1',
    registryVersion: env.STACK_REGISTRY_VERSION ?? '3.3.3',
    kafkaPort: intFrom(env, 'STACK_KAFKA_PORT', 9092),
    controllerPort: intFrom(env, 'STACK_KAFKA_CONTROLLER_PORT', 9093),
    registryPort: intFrom(env, 'STACK_REGISTRY_PORT', 8081),
    registryManagementPort: intFrom(env, 'STACK_REGISTRY_MANAGEMENT_PORT', 9011),
    postgresPort: intFrom(env, 'STACK_POSTGRES_PORT', 5433),
    readyDeadlineSeconds: intFrom(env, 'STACK_READY_DEADLINE_SECONDS', 240),
    javaHome: env.STACK_JAVA_HOME || undefined,
    registryJavaHome: env.STACK_REGISTRY_JAVA_HOME || undefined,
    kafkaHeap: env.STACK_KAFKA_HEAP ?? '1g',
    registryHeap: env.STACK_REGISTRY_HEAP ?? '512m',
  };
}

/** The endpoints services and tests use to reach this stack. */
export function endpointsOf(s: StackSettings) {
  return {
    KAFKA_BROKERS: `127.0.0.1:${s.kafkaPort}`,
    SCHEMA_REGISTRY_URL: `http://127.0.0.1:${s.registryPort}/apis/ccompat/v7`,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${s.postgresPort}/postgres`,
  };
}
