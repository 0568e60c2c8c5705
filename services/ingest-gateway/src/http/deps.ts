import type { FastifyReply, FastifyRequest } from 'fastify';
import { createRateLimiter, type Logger } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import type { Config } from '../config.ts';
import type { Ingestor, RawPayload } from '../ingest/accept-deliveries.ts';
import { ingestProblem } from '../errors.ts';

export type IngestSource = 'stripe' | 'chargebee' | 'salesforce' | 'internal' | 'upload';

export interface RouteDeps {
  config: Config;
  ingestor: Ingestor;
  receipts: ReceiptLog;
  logger: Logger;
  /** Throws INGEST_RATE_LIMITED (429, Retry-After) when the source is over its budget. */
  limit(source: IngestSource): void;
  now(): number;
}

export type IngestHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Per-source limits of authenticated requests; a source whose limit is 0 is not limited. */
export function createLimits(config: Config, now: () => number) {
  const perSecond: Record<IngestSource, number> = {
    stripe: config.RATE_LIMIT_STRIPE, chargebee: config.RATE_LIMIT_CHARGEBEE, salesforce: config.RATE_LIMIT_SALESFORCE,
    internal: config.RATE_LIMIT_INTERNAL, upload: config.RATE_LIMIT_UPLOAD,
  };
  const limiters = new Map(Object.entries(perSecond).filter(([, rate]) => rate > 0).map(([source, rate]) => [source, createRateLimiter({ perSecond: rate })]));
  return (source: IngestSource) => {
    const wait = limiters.get(source)?.take(now()) ?? 0;
    if (wait > 0) throw ingestProblem('INGEST_RATE_LIMITED', `too many requests from ${source}; retry in ${wait} s`, { retryAfterSeconds: wait });
  };
}

/** The request body exactly as received (the routes' content-type parser keeps the Buffer). */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export const rawPayload = (request: FastifyRequest, body: Buffer): RawPayload => ({ text: body.toString('utf8'), contentType: request.headers['content-type'] ?? null });
