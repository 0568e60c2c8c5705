import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { AvroSerde } from '@invoice-signal/events';
import { createDb, createHttpApp, createLogger, createPublisher, migrate, type ServiceContext } from '@invoice-signal/runtime';
import type { Config } from '../../src/config.ts';
import { migrations } from '../../src/migrations/index.ts';
import { ingestGateway } from '../../src/service.ts';

/**
 * A second gateway instance whose every broker connection passes a gate. Closing the gate
 * resets its open broker sockets and points new ones at 127.0.0.1:1 (a dead port): for this
 * instance the broker is down, while the shared broker keeps serving everyone else. It runs the
 * service's own setup (same routes, receipt log, publisher code) on the given database.
 * `silenceBroker` instead points new connections at a port that accepts and never answers (a
 * broker that hangs): requests then wait for `requestTimeoutMs` before the client retries.
 */
export async function startGatedGateway(config: Config, opts: { requestTimeoutMs?: number } = {}) {
  let mode: 'open' | 'refused' | 'silent' = 'open';
  const sockets = new Set<net.Socket>();
  const held = new Set<net.Socket>();
  const silent = net.createServer((s) => {
    held.add(s);
    s.on('close', () => held.delete(s));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const target = (host: string, port: number) =>
    mode === 'open' ? { host, port } : { host: '127.0.0.1', port: mode === 'refused' ? 1 : (silent.address() as net.AddressInfo).port };
  const kafka = new Kafka({
    clientId: 'gated-gateway', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING, connectionTimeout: 1000,
    retry: { initialRetryTime: 100, retries: 2 }, ...(opts.requestTimeoutMs ? { requestTimeout: opts.requestTimeoutMs } : {}),
    socketFactory: ({ host, port, onConnect }) => {
      const socket = net.connect(target(host, port), onConnect);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      return socket;
    },
  });
  const logger = createLogger('ingest-gateway-gated', process.env.TEST_LOG_LEVEL ?? 'silent');
  const db = createDb(config.databaseUrl);
  await migrate(db, migrations);
  const serde = new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace: config.TOPIC_NAMESPACE });
  const publisher = await createPublisher(kafka, serde);
  const app = createHttpApp({ logger, checks: {} });
  const stoppers: Array<() => unknown> = [];
  const ctx: ServiceContext<Config> = {
    name: 'ingest-gateway', config, logger, db, kafka, serde, publisher, app,
    groupId: (p) => `${config.TOPIC_NAMESPACE}.gated.${p}`,
    consume: () => Promise.reject(new Error('the gateway consumes nothing')),
    // Background jobs (receipt retention, vendor sync) do not run in this instance: its tests are about the request path.
    job: (opts) => ({ name: opts.name, wake: () => undefined, runNow: async () => 'stopped' as const, stop: async () => undefined }),
    onStop: (fn) => void stoppers.push(fn),
    addCheck: () => undefined,
  };
  await ingestGateway.setup(ctx);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  // As when the broker process dies: the peer resets the connection (a silent local destroy
  // would leave KafkaJS waiting on a socket it still believes open).
  const resetConnections = () => {
    for (const s of sockets) s.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  };
  return {
    url,
    stopBroker() {
      mode = 'refused';
      resetConnections();
    },
    /** The broker hangs: connections are accepted and never answered. */
    silenceBroker() {
      mode = 'silent';
      resetConnections();
    },
    startBroker() {
      mode = 'open';
      for (const s of held) s.destroy();
    },
    async stop() {
      await app.close();
      for (const fn of stoppers) await fn();
      await publisher.close().catch(() => undefined);
      await db.destroy();
      for (const s of held) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    },
  };
}
