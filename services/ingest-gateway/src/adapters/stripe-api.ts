import Stripe from 'stripe';

const seconds = (ms: number) => Math.floor(ms / 1000);
/** Stripe's largest page. */
const PAGE = 100;

/**
 * Stripe's list APIs through the real Stripe client (or a stand-in at STRIPE_API_BASE_URL):
 * events, to read back deliveries that never arrived, and invoices, for the first connection's
 * backfill. Both are newest first and paged with `starting_after`.
 */
export function createStripeApi(apiKey: string, baseUrl?: string) {
  const u = baseUrl ? new URL(baseUrl) : undefined;
  const client = new Stripe(apiKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(u ? { host: u.hostname, port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)), protocol: u.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
  return {
    /** Events of these types (at most 20) created within [fromMs, untilMs] (whole seconds, both ends included), oldest first. */
    async events(fromMs: number, untilMs: number, types: string[]): Promise<Stripe.Event[]> {
      const found: Stripe.Event[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await client.events.list({ created: { gte: seconds(fromMs), lte: seconds(untilMs) }, types, limit: PAGE, ...(after ? { starting_after: after } : {}) });
        found.push(...page.data);
        if (!page.has_more || !page.data.length) return found.reverse();
        after = page.data[page.data.length - 1].id;
      }
    },

    /** Invoices created within [fromMs, untilMs], a page at a time (newest first, as Stripe lists them). */
    async *invoices(fromMs: number, untilMs: number): AsyncGenerator<Stripe.Invoice[]> {
      let after: string | undefined;
      for (;;) {
        // Payments are only listed when expanded: their references let a later dispute find a backfilled invoice.
        const page = await client.invoices.list({ created: { gte: seconds(fromMs), lte: seconds(untilMs) }, limit: PAGE, expand: ['data.payments'], ...(after ? { starting_after: after } : {}) });
        if (page.data.length) yield page.data;
        if (!page.has_more || !page.data.length) return;
        after = page.data[page.data.length - 1].id;
      }
    },
  };
}

export type StripeApi = ReturnType<typeof createStripeApi>;
