import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import type { Config } from '../config.ts';
import { createRateLimiter } from '../domain/rate-limiter.ts';
import type { Ingestor, RawPayload } from '../handlers/accept-deliveries.ts';
import { RateLimited } from './errors.ts';

export type IngestSource = 'stripe' | 'chargebee' | 'salesforce' | 'internal' | 'upload';

export interface RouteDeps {
  config: Config;
  ingestor: Ingestor;
  receipts: ReceiptLog;
  logger: Logger;
  /** Throws RateLimited when the source is over its budget. */
  limit(source: IngestSource): void;
  now(): number;
}

export type IngestHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function createLimits(config: Config, now: () => number) {
  const limiters: Record<IngestSource, ReturnType<typeof createRateLimiter>> = {
    stripe: createRateLimiter({ perSecond: config.RATE_LIMIT_STRIPE }),
    chargebee: createRateLimiter({ perSecond: config.RATE_LIMIT_CHARGEBEE }),
    salesforce: createRateLimiter({ perSecond: config.RATE_LIMIT_SALESFORCE }),
    internal: createRateLimiter({ perSecond: config.RATE_LIMIT_INTERNAL }),
    upload: createRateLimiter({ perSecond: config.RATE_LIMIT_UPLOAD }),
  };
  return (source: IngestSource) => {
    const wait = limiters[source].take(now());
    if (wait > 0) throw new RateLimited(source, wait);
  };
}

/** The request body exactly as received (the routes' content-type parser keeps the Buffer). */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export const rawPayload = (request: FastifyRequest, body: Buffer): RawPayload => ({ text: body.toString('utf8'), contentType: request.headers['content-type'] ?? null });
