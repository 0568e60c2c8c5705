/**
 * The bench lives at the repository root, whose package.json lists no HTTP client or server.
 * Rather than add dependencies, it borrows the exact versions the workspace already pins:
 * fastify from packages/runtime (what every service runs on) and undici from the gateway.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');

export interface ResponseData {
  statusCode: number;
  body: { text(): Promise<string>; dump(): Promise<void> };
}

/** The part of undici's Pool the load generator uses. */
export interface HttpPool {
  request(opts: { method: string; path: string; headers: Record<string, string>; body: string }): Promise<ResponseData>;
  close(): Promise<void>;
}

export function undiciPool(origin: string, connections: number): HttpPool {
  const { Pool } = createRequire(join(root, 'services', 'ingest-gateway', 'package.json'))('undici') as { Pool: new (origin: string, opts: object) => HttpPool };
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

export interface BareServer {
  post(path: string, handler: (request: { body: unknown }) => Promise<unknown>): void;
  get(path: string, handler: () => Promise<unknown>): void;
  listen(opts: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

export function fastify(opts: object): BareServer {
  const factory = createRequire(join(root, 'packages', 'runtime', 'package.json'))('fastify') as (opts: object) => BareServer;
  return factory(opts);
}
