import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { eventually, uniqueName, type TopicReader } from '@invoice-signal/testkit';
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

  async function stillClaimed(vendorEventIds: string[]): Promise<number> {
    const client = new pg.Client({ connectionString: good.ctx.config.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('select count(*) as n from receipts where vendor_event_id = any($1) and claimed_until > now()', [vendorEventIds]);
      return Number(rows[0].n);
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

  it('answers 503 to every delivery of a group whose publish failed, releases their claims, and a concurrent retry publishes each once', async () => {
    const events = Array.from({ length: 8 }, () => stripeEvent('invoice.finalized', stripeInvoice()));
    const vendorIds = events.map((e) => String(e.id));
    gated.stopBroker();
    const refused = await Promise.all(events.map((e) => postStripe(gated.url, e)));
    gated.startBroker();
    expect(refused.map((r) => r.status)).toEqual(Array(8).fill(503));
    expect((await unpublishedReceipts(vendorIds)).sort()).toEqual([...vendorIds].sort());
    // Released, not left to expire: the retry below is not made to wait for a dead claim.
    expect(await stillClaimed(vendorIds)).toBe(0);

    const retried = await Promise.all(events.map((e, i) => postStripe((i % 2 ? gated : good).url, e)));
    expect(await Promise.all(retried.map(async (r) => [r.status, ((await r.json()) as { outcome: string }).outcome]))).toEqual(Array(8).fill([200, 'accepted']));
    expect(await unpublishedReceipts(vendorIds)).toEqual([]);
    const ids = new Set(events.map((e) => `stripe:${e.id}`));
    await reader.waitFor(8, (r) => ids.has(r.value!.eventId));
    const marker = stripeInvoice();
    await postStripe(good.url, stripeEvent('invoice.finalized', marker));
    await reader.waitFor(1, (r) => r.value?.vendorInvoiceId === marker.id);
    expect(reader.records.filter((r) => ids.has(r.value!.eventId))).toHaveLength(8);
  });

  it('answers 503 when the broker hangs past PUBLISH_TIMEOUT_MS; records it takes late are then marked published, so a retry publishes nothing more', async () => {
    const hanging = await startGatedGateway(gatewayConfig(namespace, { PUBLISH_TIMEOUT_MS: '1000' }, good.ctx.config.databaseUrl), { requestTimeoutMs: 2000 });
    try {
      const events = Array.from({ length: 4 }, () => stripeEvent('invoice.finalized', stripeInvoice()));
      const vendorIds = events.map((e) => String(e.id));
      hanging.silenceBroker();
      const started = Date.now();
      const refused = await Promise.all(events.map((e) => postStripe(hanging.url, e)));
      expect(Date.now() - started).toBeLessThan(4000); // the vendor hears 503 after PUBLISH_TIMEOUT_MS, not the client's own retries
      for (const r of refused) expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([503, 'KAFKA_PUBLISH_TIMEOUT']);
      expect((await unpublishedReceipts(vendorIds)).sort()).toEqual([...vendorIds].sort());

      hanging.startBroker();
      // The producer kept the abandoned send and delivers it: the gateway marks those receipts itself.
      await eventually('the late records marked published', async () => ((await unpublishedReceipts(vendorIds)).length === 0 ? true : undefined), { timeoutMs: 20_000 });
      const retried = await Promise.all(events.map((e) => postStripe(good.url, e)));
      expect(await Promise.all(retried.map(async (r) => ((await r.json()) as { outcome: string }).outcome))).toEqual(Array(4).fill('duplicate'));
      const ids = new Set(events.map((e) => `stripe:${e.id}`));
      await reader.waitFor(4, (r) => ids.has(r.value!.eventId));
      const marker = stripeInvoice();
      await postStripe(good.url, stripeEvent('invoice.finalized', marker));
      await reader.waitFor(1, (r) => r.value?.vendorInvoiceId === marker.id);
      expect(reader.records.filter((r) => ids.has(r.value!.eventId))).toHaveLength(4);
    } finally {
      await hanging.stop();
    }
  });
});
