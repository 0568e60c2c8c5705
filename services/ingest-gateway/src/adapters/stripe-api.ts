import Stripe from 'stripe';

/** Lists recent invoices through the real Stripe client (or stripe-mock at STRIPE_API_BASE_URL). */
export function createStripeInvoices(apiKey: string, baseUrl?: string) {
  const u = baseUrl ? new URL(baseUrl) : undefined;
  const client = new Stripe(apiKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(u ? { host: u.hostname, port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)), protocol: u.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
  return {
    async listSince(sinceMs: number, max = 1000): Promise<Stripe.Invoice[]> {
      return client.invoices.list({ created: { gte: Math.floor(sinceMs / 1000) }, limit: 100 }).autoPagingToArray({ limit: max });
    },
  };
}
