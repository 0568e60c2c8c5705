import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isRetriable, refusalOf, sendProblem, statusProblem, type HttpProblem } from '@invoice-signal/runtime';
import { deliveries } from '../metrics.ts';
import { sourceOf } from './request-source.ts';

const outcomeByStatus: Record<number, string> = {
  400: 'invalid', 401: 'unauthorized', 413: 'too_large', 415: 'invalid', 429: 'rate_limited', 503: 'unavailable',
};

/**
 * Every refusal of the ingest routes as problem+json, counted by source and outcome. Broker or
 * database trouble is 503 with Retry-After, so vendors retry instead of losing the delivery.
 */
export function ingestErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const problem = refusalOf(error) ?? faultProblem(error, request);
  deliveries.inc({ source: sourceOf(request), type: '-', outcome: outcomeByStatus[problem.status] ?? 'error' });
  return sendProblem(reply, problem);
}

function faultProblem(error: Error, request: FastifyRequest): HttpProblem {
  const source = sourceOf(request);
  if (!isRetriable(error)) {
    request.log.error({ err: error, source }, 'ingest failed');
    return statusProblem(500, 'internal error; see the service log');
  }
  request.log.warn({ err: error, source }, 'delivery refused: dependency unavailable');
  const code = (error as { code?: string }).code ?? 'UNAVAILABLE';
  return statusProblem(503, 'the delivery could not be stored durably right now; retry later', code, { retryAfterSeconds: 5 });
}
