import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clients } from './client-address.ts';
import { runtimeProblem } from './problems.ts';
import { createKeyedRateLimiter } from './rate-limit.ts';

/** Requests whose sender proved who it is (token, signature, credentials): their refusals are not failed authentications. */
const authenticated = new WeakSet<FastifyRequest>();
export const markAuthenticated = (request: FastifyRequest) => void authenticated.add(request);
export const isAuthenticated = (request: FastifyRequest) => authenticated.has(request);

export interface FailedAuthOptions {
  /** Refusals per second per client address (burst 2 s worth); 0 turns the guard off. */
  perSecond: number;
  /** Client addresses remembered at most (least recently failed forgotten first). */
  maxKeys: number;
  /** Load balancers whose X-Forwarded-For names the client. */
  trustedProxies: string[];
  /** Answers that count against an unauthenticated client. Default 401 and 403. */
  refusals?: readonly number[];
  now?: () => number;
}

/**
 * Failed authentication per client address, on every route of the app: a client whose requests
 * keep being refused before it authenticated gets 429 before its request is read or verified.
 * Authenticated and succeeding traffic is never limited here.
 */
export function guardFailedAuthentication(app: FastifyInstance, opts: FailedAuthOptions): void {
  if (!opts.perSecond) return;
  const limiter = createKeyedRateLimiter({ perSecond: opts.perSecond, maxKeys: opts.maxKeys });
  const { clientOf } = clients(opts.trustedProxies);
  const refusals = new Set(opts.refusals ?? [401, 403]);
  const now = opts.now ?? Date.now;
  app.addHook('onRequest', async (request) => {
    // No address has failed lately (the usual case): nothing to look up.
    if (limiter.size === 0) return;
    const client = clientOf(request);
    const wait = limiter.wait(client, now());
    if (wait <= 0) return;
    // Before any verification work: a client that failed too often lately is told when to come back.
    throw runtimeProblem('HTTP_TOO_MANY_FAILURES', `too many failed authentications from ${client}; retry in ${wait} s`, { retryAfterSeconds: wait });
  });
  app.addHook('onResponse', async (request, reply) => {
    if (refusals.has(reply.statusCode) && !isAuthenticated(request)) limiter.charge(clientOf(request), now());
  });
}
