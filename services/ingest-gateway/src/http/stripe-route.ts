import Stripe from 'stripe';
import { decideStripeEvent } from '../domain/stripe-mapping.ts';
import { isEpochSeconds } from '../domain/delivery.ts';
import { HttpProblem } from '@invoice-signal/runtime';
import { invalid, unauthorized } from '../errors.ts';
import { rawBody, rawPayload, type IngestHandler, type RouteDeps } from './deps.ts';
import { markAuthenticated, setSource } from './request-source.ts';

type StripeEvent = ReturnType<typeof Stripe.webhooks.constructEvent>;

/**
 * Verifies Stripe-Signature over the raw bytes against each configured secret (rotation), with
 * the timestamp tolerance, so a forged or replayed old delivery is a 401 and produces nothing.
 */
export function verifyStripe(body: Buffer, header: string | string[] | undefined, secrets: string[], toleranceSeconds: number, now: number): StripeEvent {
  if (!header) throw unauthorized('missing Stripe-Signature header');
  let reason = '';
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(body, header, secret, toleranceSeconds, undefined, now);
    } catch (error) {
      if (error instanceof SyntaxError) throw invalid('body', `malformed JSON: ${error.message}`);
      if ((error as { type?: string }).type !== 'StripeSignatureVerificationError') throw error;
      const message = (error as Error).message.split('\n')[0];
      // A right signature with an old timestamp is the more telling reason than another secret's mismatch.
      if (!reason.startsWith('Timestamp')) reason = message;
    }
  }
  throw unauthorized(`Stripe signature verification failed: ${reason}`);
}

export function stripeRoute(deps: RouteDeps): IngestHandler {
  return async (request, reply) => {
    setSource(request, 'stripe');
    const body = rawBody(request);
    const receivedAt = deps.now();
    let event: StripeEvent;
    try {
      event = verifyStripe(body, request.headers['stripe-signature'], deps.config.STRIPE_WEBHOOK_SECRET, deps.config.STRIPE_TOLERANCE_SECONDS, receivedAt);
    } catch (error) {
      // Malformed JSON is only found once the signature held: the sender is Stripe, not a failing client.
      if (error instanceof HttpProblem && error.status === 400) markAuthenticated(request);
      throw error;
    }
    markAuthenticated(request);
    deps.limit('stripe');
    // An empty id would make every such event the same dedupe key ("stripe:"), dropping all but the first.
    if (typeof event?.id !== 'string' || !event.id || typeof event.type !== 'string') throw invalid('id', 'a Stripe event needs a non-empty id and a type');
    if (!isEpochSeconds(event.created)) throw invalid('created', `expected epoch seconds, got ${JSON.stringify(event.created)}`);
    const decision = decideStripeEvent(event, receivedAt);
    const raw = rawPayload(request, body);
    if (decision.kind === 'invoice') {
      const outcome = await deps.ingestor.acceptOne(decision.delivery, raw);
      return reply.code(200).send({ received: true, outcome });
    }
    if (decision.kind === 'payment') {
      const invoiceId = await deps.receipts.invoiceForPaymentRef(decision.refs);
      const last = invoiceId ? (await deps.receipts.history(invoiceId)).last : null;
      if (!last) request.log.warn({ eventId: event.id, refs: decision.refs }, `${event.type} for an invoice we have not seen; kept in the receipt log only`);
      const delivery = { source: 'stripe' as const, vendorEventId: event.id, vendorType: event.type, event: last ? decision.toEvent(last, receivedAt) : null };
      const outcome = await deps.ingestor.acceptOne(delivery, raw);
      return reply.code(200).send({ received: true, outcome: last ? outcome : 'unmatched' });
    }
    const outcome = await deps.ingestor.acceptOne({ source: 'stripe', vendorEventId: event.id, vendorType: event.type, event: null }, raw);
    return reply.code(200).send({ received: true, outcome });
  };
}
