import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isRetriable, sendProblem } from '@invoice-signal/runtime';
import { DeliveryRejected } from '../domain/errors.ts';
import { UploadRejected } from '../domain/upload-rows.ts';
import { deliveries } from '../metrics.ts';
import { sourceOf } from './request-source.ts';

export class RateLimited extends DeliveryRejected {
  readonly retryAfterSeconds: number;
  constructor(source: string, retryAfterSeconds: number, detail = `too many requests from ${source}`) {
    super('INGEST_RATE_LIMITED', 429, `${detail}; retry in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const outcomeByStatus: Record<number, string> = { 400: 'invalid', 401: 'unauthorized', 413: 'too_large', 415: 'invalid', 429: 'rate_limited', 503: 'unavailable' };

/**
 * Every refusal of the ingest routes as problem+json, counted by source and outcome. Broker or
 * database trouble is 503 with Retry-After, so vendors retry instead of losing the delivery.
 */
export function ingestErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const source = sourceOf(request);
  const fastifyStatus = (error as FastifyError).statusCode;
  let status = 500;
  let body: Record<string, unknown> = {};
  if (error instanceof DeliveryRejected) {
    status = error.status;
    body = { detail: error.message, code: error.code, ...(error.field ? { field: error.field } : {}) };
    if (error instanceof UploadRejected) body.errors = error.problems;
  } else if (fastifyStatus && fastifyStatus >= 400 && fastifyStatus < 500) {
    status = fastifyStatus;
    body = { detail: error.message, code: (error as FastifyError).code };
  } else if (isRetriable(error)) {
    status = 503;
    body = { detail: 'the delivery could not be stored durably right now; retry later', code: (error as { code?: string }).code ?? 'UNAVAILABLE' };
    reply.header('retry-after', '5');
    request.log.warn({ err: error, source }, 'delivery refused: dependency unavailable');
  } else {
    request.log.error({ err: error, source }, 'ingest failed');
    body = { detail: 'internal error; see the service log' };
  }
  // Per-source limits (RateLimited) and the runtime's failed-authentication budget both say when to come back.
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  deliveries.inc({ source, type: '-', outcome: outcomeByStatus[status] ?? 'error' });
  return sendProblem(reply, { status, ...body });
}
