import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { uniqueName, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { gatewayConfig, startGateway, openInvoiceReader, deleteNamespaceTopics } from './support/gateway.ts';
import { startGatedGateway } from './support/gated-gateway.ts';
import { postStripe, stripeEvent, stripeInvoice } from './support/stripe-payloads.ts';

describe('broker outage', () => {
  const namespace = uniqueName('outage');
  let good: RunningService<Config>;
  let gated: Awaited<ReturnType<typeof startGatedGateway>>;
  let reader: TopicReader<InvoiceEvent>;

  beforeAll(async () => {
    good = await startGateway(namespace);
    // Same receipt database and topics as the good instance, like two replicas behind a load balancer.
    gated = await startGatedGateway(gatewayConfig(namespace, { PUBLISH_TIMEOUT_MS: '10000' }, good.ctx.config.databaseUrl));
    reader = await openInvoiceReader(namespace);
  });
  afterAll(async () => {
    await reader?.close();
    await gated?.stop();
    await good?.stop();
    await deleteNamespaceTopics(namespace);
  });

  async function unpublishedReceipts(vendorEventIds: string[]): Promise<string[]> {
    const client = new pg.Client({ connectionString: good.ctx.config.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('select vendor_event_id from receipts where vendor_event_id = any($1) and published_at is null', [vendorEventIds]);
      return rows.map((r) => r.vendor_event_id as string);
    } finally {
      await client.end();
    }
  }

  it('answers 503 while its broker is down, keeps the receipt, and publishes each delivery exactly once after the vendor retries', async () => {
    // A stream of 10 deliveries to the gated instance; its broker goes down after the 4th and comes back after the 7th.
    const events = Array.from({ length: 10 }, () => stripeEvent('invoice.finalized', stripeInvoice()));
    const statuses: number[] = [];
    for (const [i, event] of events.entries()) {
      if (i === 4) gated.stopBroker();
      if (i === 7) gated.startBroker();
      const res = await postStripe(gated.url, event);
      statuses.push(res.status);
      if (res.status === 503) {
        expect(await res.json()).toMatchObject({ status: 503, code: 'KAFKA_PRODUCE' });
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 503, 503, 503, 200, 200, 200]);
    const refused = events.slice(4, 7);
    // Nothing was answered 2xx without being stored: the refused ones are kept, not yet published.
    expect((await unpublishedReceipts(refused.map((e) => String(e.id)))).sort()).toEqual(refused.map((e) => String(e.id)).sort());

    // Stripe retries: the first refused delivery lands on the good instance, the others on the recovered one.
    const retries = [await postStripe(good.url, refused[0]), await postStripe(gated.url, refused[1]), await postStripe(gated.url, refused[2])];
    expect(await Promise.all(retries.map(async (r) => [r.status, ((await r.json()) as { outcome: string }).outcome]))).toEqual([[200, 'accepted'], [200, 'accepted'], [200, 'accepted']]);
    // A later duplicate retry, on either instance, publishes nothing more.
    expect(await (await postStripe(gated.url, refused[0])).json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await (await postStripe(good.url, events[0])).json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await unpublishedReceipts(events.map((e) => String(e.id)))).toEqual([]);

    const ids = new Set(events.map((e) => `stripe:${e.id}`));
    await reader.waitFor(10, (r) => ids.has(r.value!.eventId));
    const marker = stripeInvoice();
    await postStripe(good.url, stripeEvent('invoice.finalized', marker));
    await reader.waitFor(1, (r) => r.value?.vendorInvoiceId === marker.id);
    const published = reader.records.filter((r) => ids.has(r.value!.eventId)).map((r) => r.value!.eventId);
    expect(published.sort()).toEqual([...ids].sort()); // every delivery once, none twice
  });
});
