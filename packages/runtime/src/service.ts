import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { AvroSerde, topics as catalogue, type ServiceName, type TopicSpec } from '@invoice-signal/events';
import type { CommonConfig } from './config.ts';
import { startConsumer, type ConsumerOptions, type RunningConsumer } from './consumer.ts';
import { createDb, ensureDatabase, migrate, type Knex, type Migration } from './db.ts';
import { readFileSync } from 'node:fs';
import { createHttpApp, createManagementApp, defaultServerLimits, type ReadinessCheck, type ServerLimits } from './http.ts';
import { guardFailedAuthentication } from './failed-auth.ts';
import type { OpenApiInfo } from './openapi.ts';
import { startJob, type JobOptions, type JobOutcome, type RunningJob } from './jobs.ts';
import { authEnv, createTokenVerifier } from './auth.ts';
import { z } from 'zod';
import { createKafka, provisionTopics } from './kafka.ts';
import { createLogger, type Logger } from './logger.ts';
import { createPublisher, type EventPublisher } from './producer.ts';
import { startTelemetry, stopTelemetry } from './telemetry.ts';

export interface ServiceConfig extends CommonConfig {
  PORT: number;
  /** This service's own database. */
  databaseUrl: string;
}

export interface ServiceContext<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  config: C;
  logger: Logger;
  db: Knex;
  kafka: Kafka;
  serde: AvroSerde;
  publisher: EventPublisher;
  app: FastifyInstance;
  /** A consumer group name unique to this service (and namespace): `<ns>.<service>.<purpose>`. */
  groupId(purpose: string): string;
  /** Starts a consumer loop that shutdown stops and readiness watches. */
  consume(opts: ConsumerOptions): Promise<RunningConsumer>;
  /** Starts a background job (interval, wake-up, optional single-instance lock); shutdown stops it. */
  job(opts: JobOptions): RunningJob;
  /** Work to finish on shutdown (timers, schedulers), run before consumers and connections close. */
  onStop(fn: () => Promise<void> | void): void;
  addCheck(name: string, check: ReadinessCheck): void;
}

export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  migrations: Migration[];
  /** Topics whose schemas this service writes; registered before it starts. */
  produces: TopicSpec[];
  /** Largest HTTP request body. Default 1 MiB. */
  bodyLimit?: number;
  /** Answers that count against an unauthenticated client's failure budget (default 401, 403). */
  failedAuthRefusals?: readonly number[];
  /** What its OpenAPI document (GET /api/openapi.json) says besides the routes; the title defaults to the service's name. */
  openapi?: Partial<OpenApiInfo>;
  /** Wires routes, consumers and timers. Runs after the database, topics and schemas are ready. */
  setup(ctx: ServiceContext<C>): Promise<void>;
}

export interface RunningService<C extends ServiceConfig = ServiceConfig> {
  url: string;
  /** The management port: /metrics and the detailed /health/ready. */
  managementUrl: string;
  ctx: ServiceContext<C>;
  /** The names of the service's background jobs, in the order it started them. */
  jobNames(): string[];
  /** Runs one job now (see RunningJob.runNow); rejects for a name the service has no job of. */
  runJob(name: string): Promise<JobOutcome>;
  stop(): Promise<void>;
}

/**
 * Starts one service: database (created and migrated), topics (provisioned from the catalogue),
 * schemas, producer, HTTP with health and metrics, then the service's own wiring.
 */
export async function startService<C extends ServiceConfig>(def: ServiceDefinition<C>, config: C, logger = createLogger(def.name, config.LOG_LEVEL, config.LOG_FILE)): Promise<RunningService<C>> {
  // One writer per topic: a service publishes only the topics the catalogue says it owns.
  const foreign = def.produces.filter((spec) => spec.owner !== def.name);
  if (foreign.length) throw new Error(`${def.name} may not produce ${foreign.map((s) => `${s.name} (written by ${s.owner})`).join(', ')}`);
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl, config.DB_POOL_MAX);
  const applied = await migrate(db, def.migrations);
  if (applied.length) logger.info({ applied }, 'database migrated');

  const kafka = createKafka(`invoice-signal.${def.name}`, config, logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, Object.values(catalogue), { namespace: config.TOPIC_NAMESPACE, partitions: config.KAFKA_TOPIC_PARTITIONS });
  const serde = new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace: config.TOPIC_NAMESPACE });
  for (const spec of def.produces) await serde.register(spec);
  const publisher = await createPublisher(kafka, serde);

  const consumers: RunningConsumer[] = [];
  const stoppers: Array<() => Promise<void> | void> = [];
  const jobs = new Map<string, RunningJob>();
  const checks: Record<string, ReadinessCheck> = {
    database: async () => void (await db.raw('select 1')),
    kafka: async () => void (await admin.describeCluster()),
    registry: async () => {
      const res = await fetch(`${config.SCHEMA_REGISTRY_URL}/subjects`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`registry answered ${res.status}`);
    },
    consumers: () => {
      const down = consumers.filter((c) => !c.isReady()).map((c) => c.groupId);
      if (down.length) throw new Error(`not joined: ${down.join(', ')}`);
    },
  };
  const app = createHttpApp({ logger, checks, bodyLimit: def.bodyLimit, server: serverLimits(config), openapi: { title: `invoice-signal ${def.name}`, ...def.openapi } });
  guardFailedAuthentication(app, {
    perSecond: config.RATE_LIMIT_FAILED_AUTH_PER_IP ?? 20, maxKeys: config.RATE_LIMIT_TRACKED_IPS ?? 10_000,
    trustedProxies: config.TRUSTED_PROXIES ?? [], refusals: def.failedAuthRefusals,
  });
  // The OpenAPI generator is loaded before setup adds routes, so even a route added outside a plugin is documented.
  await app.after();

  const ctx: ServiceContext<C> = {
    name: def.name, config, logger, db, kafka, serde, publisher, app,
    groupId: (purpose) => [config.TOPIC_NAMESPACE, def.name, purpose].filter(Boolean).join('.'),
    async consume(opts) {
      const running = await startConsumer({ kafka, serde, publisher, logger, db }, { sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS, fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS, fetchMinBytes: config.KAFKA_FETCH_MIN_BYTES, ...opts });
      consumers.push(running);
      return running;
    },
    job(opts) {
      if (jobs.has(opts.name)) throw new Error(`${def.name}: a job named ${opts.name} is already running`);
      const job = startJob(db, logger, opts);
      jobs.set(opts.name, job);
      stoppers.push(() => job.stop());
      return job;
    },
    onStop: (fn) => void stoppers.push(fn),
    addCheck: (name, check) => {
      checks[name] = check;
    },
  };
  await def.setup(ctx);
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  const runNow = (name: string) => jobs.get(name)?.runNow();
  const management = createManagementApp({ logger, checks, jobs: jobControl(config, runNow) });
  const managementUrl = await management.listen({ port: config.MANAGEMENT_PORT ?? (config.PORT ? config.PORT + 6000 : 0), host: config.MANAGEMENT_HOST ?? config.HOST });
  logger.info({ url, managementUrl }, `${def.name} listening`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all([app.close(), management.close()]);
      for (const fn of stoppers.reverse()) await fn();
      await Promise.all(consumers.map((c) => c.stop()));
      await publisher.close();
      await admin.disconnect();
      await db.destroy();
      logger.info(`${def.name} stopped`);
    })());
  const runJob = (name: string) => runNow(name) ?? Promise.reject(new Error(`${def.name} has no job named ${name}`));
  return { url, managementUrl, ctx, jobNames: () => [...jobs.keys()], runJob, stop };
}

/**
 * The management port's job runs, for an admin token under the service's JWT policy; a service
 * that verifies no tokens (no AUTH_JWT_SECRET nor AUTH_JWKS_URL) does not offer them.
 */
function jobControl(config: ServiceConfig, runNow: (name: string) => ReturnType<RunningJob['runNow']> | undefined) {
  const auth = z.object(authEnv).parse(config);
  if (!auth.AUTH_JWT_SECRET && !auth.AUTH_JWKS_URL) return undefined;
  return { verifier: createTokenVerifier(auth, ['admin']), run: runNow };
}

/**
 * Process entry for a service: telemetry, start, and a clean stop on SIGTERM/SIGINT within
 * SHUTDOWN_TIMEOUT_MS. A configuration error exits 78 (EX_CONFIG) with the message only.
 */
export async function runMain<C extends ServiceConfig>(def: ServiceDefinition<C>, loadConfig: () => C): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(`${def.name}: ${(error as Error).message}`);
    process.exit(78);
  }
  startTelemetry(def.name);
  const logger = createLogger(def.name, config.LOG_LEVEL, config.LOG_FILE);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  let running: RunningService<C>;
  try {
    running = await startService(def, config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    await running.stop();
    await stopTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** The HTTP server's limits and optional TLS from the configuration (defaults where a hand-built config leaves them out). */
function serverLimits(config: Partial<CommonConfig>): ServerLimits {
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE: set both to serve HTTPS, or neither');
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS ?? defaultServerLimits.headersTimeoutMs,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS ?? defaultServerLimits.requestTimeoutMs,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS ?? defaultServerLimits.keepAliveTimeoutMs,
    idleTimeoutMs: config.HTTP_IDLE_TIMEOUT_MS ?? defaultServerLimits.idleTimeoutMs,
    tls: config.TLS_CERT_FILE && config.TLS_KEY_FILE ? { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) } : undefined,
  };
}
