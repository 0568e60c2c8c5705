import type { Delivery } from './delivery.ts';
import { chargebeeTypes } from './chargebee-mapping.ts';
import { stripeDisputeTypes, stripeInvoiceTypes, stripePaymentFailureTypes } from './stripe-mapping.ts';

/** The vendor event types worth reading back: exactly those a webhook of ours maps (Stripe takes at most 20). */
export const recoveryTypes = {
  stripe: [...Object.keys(stripeInvoiceTypes), ...stripePaymentFailureTypes, ...stripeDisputeTypes],
  chargebee: Object.keys(chargebeeTypes),
};

export interface RecoveryWindow {
  from: number;
  until: number;
  /** More settled time is left after `until`: run again at once. */
  more: boolean;
}

/**
 * The vendor time to read events for next: from the cursor up to `settleMs` ago (a younger
 * event may still be on its way as a webhook), at most `maxWindowMs` at once. Null when nothing
 * has settled since the cursor.
 */
export function recoveryWindow(cursor: number, now: number, settleMs: number, maxWindowMs: number): RecoveryWindow | null {
  const settled = now - settleMs;
  if (settled <= cursor) return null;
  const until = Math.min(settled, cursor + maxWindowMs);
  return { from: cursor, until, more: until < settled };
}

/** A vendor event read back from its API: mapped exactly as its webhook, marked as recovered. */
export const asRecovered = (d: Delivery): Delivery => (d.event ? { ...d, event: { ...d.event, origin: 'recovered' } } : d);

