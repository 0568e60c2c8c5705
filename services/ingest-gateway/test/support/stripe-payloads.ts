import { postStripe as post, signed as sign } from '@invoice-signal/testkit';
import { stripeSecret } from './gateway.ts';

export { stripeEvent, stripeInvoice, uid } from '@invoice-signal/testkit';

/** The gateway tests sign with the gateway's current secret unless they say otherwise. */
export const signed = (payload: string, opts: { secret?: string; timestamp?: number } = {}) => sign(payload, { secret: stripeSecret, ...opts });
export const postStripe = (url: string, event: Record<string, unknown>, opts: { secret?: string; timestamp?: number; path?: string } = {}) =>
  post(url, event, { secret: stripeSecret, ...opts });
