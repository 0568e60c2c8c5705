import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Agent, fetch as fetchVia } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { chargebeeEvent, chargebeeInvoice, uniqueName, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { chargebeeAuth, counterValue, deleteNamespaceTopics, openInvoiceReader, startGateway } from './support/gateway.ts';
import { postStripe, signed, stripeEvent, stripeInvoice } from './support/stripe-payloads.ts';

describe('rate limits: failing clients are refused, verified deliveries are not', () => {
  const namespace = uniqueName('limits');
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  // A second client address: the whole of 127.0.0.0/8 is loopback, so this socket really comes from 127.0.0.2.
  const otherAddress = new Agent({ localAddress: '127.0.0.2' });

  beforeAll(async () => {
    gateway = await startGateway(namespace);
    reader = await openInvoiceReader(namespace);
  });
  afterAll(async () => {
    await otherAddress.close();
    await reader?.close();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  const postChargebee = (event: Record<string, unknown>) =>
    fetch(`${gateway.url}/api/webhooks/billing/chargebee`, { method: 'POST', headers: { 'content-type': 'application/json', ...chargebeeAuth }, body: JSON.stringify(event) });
  /** A Stripe delivery sent from 127.0.0.2, signed with `secret` (the gateway's own, or a guess). */
  const stripeFromOtherAddress = (event: Record<string, unknown>, secret?: string) => {
    const payload = JSON.stringify(event, null, 2);
    return fetchVia(`${gateway.url}/api/webhooks/billing/stripe`, { method: 'POST', headers: signed(payload, secret ? { secret } : {}), body: payload, dispatcher: otherAddress });
  };

  async function receiptExists(vendorEventId: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: gateway.ctx.config.databaseUrl });
    await client.connect();
    try {
      return (await client.query('select 1 from receipts where vendor_event_id = $1', [vendorEventId])).rowCount === 1;
    } finally {
      await client.end();
    }
  }

  it('with the default limits, never answers 429 to a burst of 300 verified Stripe and 300 verified Chargebee deliveries', async () => {
    const stripe = Array.from({ length: 300 }, () => stripeEvent('invoice.finalized', stripeInvoice()));
    const chargebee = Array.from({ length: 300 }, () => chargebeeEvent('invoice_generated', { invoice: chargebeeInvoice() }));
    const statuses = await Promise.all([
      ...stripe.map((e) => postStripe(gateway.url, e).then((r) => r.status)),
      ...chargebee.map((e) => postChargebee(e).then((r) => r.status)),
    ]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const ids = new Set([...stripe.map((e) => `stripe:${e.id}`), ...chargebee.map((e) => `chargebee:${e.id}`)]);
    await reader.waitFor(600, (r) => ids.has(r.value!.eventId), 30_000);
    expect(await counterValue(gateway.managementUrl, 'ingest_deliveries_total', { outcome: 'rate_limited' })).toBe(0);
  });

  it('with the default budget, answers 429 to an address that keeps failing verification, while another address is served', async () => {
    const forged = stripeEvent('invoice.finalized', stripeInvoice());
    const started = Date.now();
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 100; i++) {
      const res = await stripeFromOtherAddress(forged, 'whsec_attacker_guess_0000');
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = Number(res.headers.get('retry-after'));
        expect(await res.json()).toMatchObject({ status: 429, code: 'HTTP_TOO_MANY_FAILURES', detail: expect.stringContaining('too many failed authentications from 127.0.0.2') });
      } else await res.arrayBuffer();
    }
    const seconds = (Date.now() - started) / 1000;
    // The default budget: 20 failures per second with a burst of 40, then 429 (a few more get through as it refills).
    expect(statuses.slice(0, 40)).toEqual(Array(40).fill(401));
    const unauthorized = statuses.filter((s) => s === 401).length;
    expect(unauthorized).toBeLessThanOrEqual(40 + Math.ceil(20 * seconds) + 1);
    expect(statuses.filter((s) => s === 429).length).toBe(100 - unauthorized);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Another client is served as usual.
    const elsewhere = await postStripe(gateway.url, stripeEvent('invoice.finalized', stripeInvoice()));
    expect(await elsewhere.json()).toEqual({ received: true, outcome: 'accepted' });
  });

  it('checks the budget before verification: a correctly signed delivery from a refused address is not verified or stored, and is heard after Retry-After', async () => {
    // One failure per second (burst 2), so the refusal lasts long enough to look at.
    const strict = await startGateway(namespace, { RATE_LIMIT_FAILED_AUTH_PER_IP: '1' }, gateway.ctx.config.databaseUrl);
    const post = (event: Record<string, unknown>, secret?: string, dispatcher = otherAddress) => {
      const payload = JSON.stringify(event, null, 2);
      return fetchVia(`${strict.url}/api/webhooks/billing/stripe`, { method: 'POST', headers: signed(payload, secret ? { secret } : {}), body: payload, dispatcher });
    };
    try {
      const forged = stripeEvent('invoice.finalized', stripeInvoice());
      expect([(await post(forged, 'whsec_attacker_guess_0000')).status, (await post(forged, 'whsec_attacker_guess_0000')).status]).toEqual([401, 401]);
      const valid = stripeEvent('invoice.finalized', stripeInvoice());
      const refused = await post(valid);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await receiptExists(String(valid.id))).toBe(false);
      const thirdAddress = new Agent({ localAddress: '127.0.0.3' });
      const fromElsewhere = await post(stripeEvent('invoice.finalized', stripeInvoice()), undefined, thirdAddress);
      expect(await fromElsewhere.json()).toEqual({ received: true, outcome: 'accepted' });
      await thirdAddress.close();
      await sleep(1000);
      const heard = await post(valid);
      expect(await heard.json()).toEqual({ received: true, outcome: 'accepted' });
      expect(await receiptExists(String(valid.id))).toBe(true);
    } finally {
      await strict.stop();
    }
  });
});
