import type Stripe from 'stripe';
import type { Logger } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import type { StripeApi } from '../adapters/stripe-api.ts';
import { stripeBackfill } from '../domain/backfill.ts';
import { asRecovered, recoveryTypes } from '../domain/recovery.ts';
import { decideStripeEvent, type PaymentDecision } from '../domain/stripe-mapping.ts';
import { mapOrSkip, type Pulled, type VendorSource } from './vendor-sync.ts';

type PaymentEvent = { event: Stripe.Event; decision: PaymentDecision };

/** Stripe through its events and invoices lists, each object mapped exactly as its webhook is. */
export function stripeSource(api: StripeApi, receipts: ReceiptLog, logger: Logger): VendorSource {
  /** A dispute or a failed charge names the payment: its invoice's last known event carries the amounts (as on the webhook route). */
  async function paymentDelivery({ event, decision }: PaymentEvent, receivedAt: number): Promise<Pulled> {
    const invoiceId = await receipts.invoiceForPaymentRef(decision.refs);
    const last = invoiceId ? (await receipts.history(invoiceId)).last : null;
    return { delivery: asRecovered({ source: 'stripe', vendorEventId: event.id, vendorType: event.type, event: last ? decision.toEvent(last, receivedAt) : null }), raw: event };
  }

  return {
    source: 'stripe',
    async recover({ from, until }, receivedAt, emit) {
      const invoices: Pulled[] = [];
      const payments: PaymentEvent[] = [];
      for (const event of await api.events(from, until, recoveryTypes.stripe)) {
        const decision = mapOrSkip('stripe', event.id, logger, () => decideStripeEvent(event, receivedAt));
        if (decision?.kind === 'invoice') invoices.push({ delivery: asRecovered(decision.delivery), raw: event });
        if (decision?.kind === 'payment') payments.push({ event, decision });
      }
      await emit(invoices);
      // After the window's invoice events, whose payment references a dispute of the same window may need.
      const resolved: Pulled[] = [];
      for (const p of payments) resolved.push(await paymentDelivery(p, receivedAt));
      await emit(resolved);
    },
    async *backfill(from, until, receivedAt) {
      for await (const page of api.invoices(from, until)) {
        yield page.flatMap((invoice) => (mapOrSkip('stripe', invoice.id, logger, () => stripeBackfill(invoice, receivedAt)) ?? []).map((delivery) => ({ delivery, raw: invoice })));
      }
    },
  };
}
