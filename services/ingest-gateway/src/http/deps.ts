import { BlockList, isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import type { Config } from '../config.ts';
import { clientAddress, normaliseAddress } from '../domain/client-address.ts';
import { createKeyedRateLimiter, createRateLimiter } from '../domain/rate-limiter.ts';
import type { Ingestor, RawPayload } from '../ingest/accept-deliveries.ts';
import { RateLimited } from './errors.ts';

export type IngestSource = 'stripe' | 'chargebee' | 'salesforce' | 'internal' | 'upload';

export interface RouteDeps {
  config: Config;
  ingestor: Ingestor;
  receipts: ReceiptLog;
  logger: Logger;
  /** Throws RateLimited when the source is over its budget. */
  limit(source: IngestSource): void;
  /** The per-client budget of failed authentications. */
  failures: FailureBudget;
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
    if (wait > 0) throw new RateLimited(source, wait);
  };
}

export interface FailureBudget {
  /** Throws RateLimited when the request's client has failed too often lately; runs before any verification work. */
  check(request: FastifyRequest): void;
  /** Counts a refusal of a request whose sender never authenticated. */
  charge(request: FastifyRequest): void;
}

/** A list of addresses and networks (trusted proxies, an allowlist) as a predicate over normalised addresses. */
export function addressList(entries: string[]): (address: string) => boolean {
  if (!entries.length) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits), type);
  }
  return (address) => isIP(address) !== 0 && list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Who is calling (see clientAddress), and whether the socket's peer is one of TRUSTED_PROXIES. */
export function clients(config: Config) {
  const isTrusted = addressList(config.TRUSTED_PROXIES.map(normaliseAddress));
  return {
    clientOf(request: FastifyRequest): string {
      const forwarded = request.headers['x-forwarded-for'];
      return clientAddress(request.socket.remoteAddress ?? 'unknown', Array.isArray(forwarded) ? forwarded.join(',') : forwarded, isTrusted);
    },
    isTrustedPeer: (request: FastifyRequest) => isTrusted(normaliseAddress(request.socket.remoteAddress ?? '')),
  };
}

/**
 * Failed authentication per client address: unauthenticated and failing traffic is what gets
 * limited, not verified deliveries. Only addresses that failed are remembered (a bounded map).
 */
export function createFailureBudget(config: Config, now: () => number): FailureBudget {
  if (!config.RATE_LIMIT_FAILED_AUTH_PER_IP) return { check: () => undefined, charge: () => undefined };
  const limiter = createKeyedRateLimiter({ perSecond: config.RATE_LIMIT_FAILED_AUTH_PER_IP, maxKeys: config.RATE_LIMIT_TRACKED_IPS });
  const { clientOf } = clients(config);
  return {
    check(request) {
      const client = clientOf(request);
      const wait = limiter.wait(client, now());
      if (wait > 0) throw new RateLimited(client, wait, `too many failed authentications from ${client}`);
    },
    charge(request) {
      limiter.charge(clientOf(request), now());
    },
  };
}

/** The request body exactly as received (the routes' content-type parser keeps the Buffer). */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export const rawPayload = (request: FastifyRequest, body: Buffer): RawPayload => ({ text: body.toString('utf8'), contentType: request.headers['content-type'] ?? null });
