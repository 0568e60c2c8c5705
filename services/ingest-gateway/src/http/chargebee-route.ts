import { decideChargebeeEvent } from '../domain/chargebee-mapping.ts';
import { invalid } from '../errors.ts';
import { requireBasic } from './auth.ts';
import { rawBody, rawPayload, type IngestHandler, type RouteDeps } from './deps.ts';
import { setSource } from './request-source.ts';

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalid('body', `malformed JSON: ${(error as Error).message}`);
  }
}

/** Chargebee authenticates with HTTP basic auth and treats any answer but exactly 200 as a failure. */
export function chargebeeRoute(deps: RouteDeps): IngestHandler {
  return async (request, reply) => {
    setSource(request, 'chargebee');
    requireBasic(request, deps.config.CHARGEBEE_WEBHOOK_USERNAME, deps.config.CHARGEBEE_WEBHOOK_PASSWORD);
    deps.limit('chargebee');
    const body = rawBody(request);
    const delivery = decideChargebeeEvent(parseJson(body), deps.now());
    const outcome = await deps.ingestor.acceptOne(delivery, rawPayload(request, body));
    return reply.code(200).send({ received: true, outcome });
  };
}
