import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { uniqueName, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { createIngestor } from '../src/ingest/accept-deliveries.ts';
import { reconcileOnce } from '../src/jobs/reconcile.ts';
import { createReceiptLog } from '../src/adapters/receipt-log.ts';
import { chargebeeAuth, startGateway, openInvoiceReader, deleteNamespaceTopics } from './support/gateway.ts';
import { startChargebeeStandIn } from './support/chargebee-stand-in.ts';
import { startStripeMock } from './support/stripe-mock.ts';
import { chargebeeEvent, chargebeeInvoice } from '@invoice-signal/testkit';

describe('reconciliation', () => {
  const namespace = uniqueName('reconcile');
  const cbKey = 'test_cb_api_key_123';
  const now = Date.UTC(2026, 10, 24, 12);
  const recent = Math.floor(now / 1000) - 3600;
  const cbInvoices = [
    chargebeeInvoice({ id: 'cb-rec-1', status: 'payment_due', updated_at: recent }),
    chargebeeInvoice({ id: 'cb-rec-2', status: 'paid', amount_paid: 99900, amount_due: 0, updated_at: recent }),
    chargebeeInvoice({ id: 'cb-rec-3', status: 'pending', updated_at: recent }), // not final yet: nothing to say
    chargebeeInvoice({ id: 'cb-rec-4', status: 'posted', updated_at: recent }), // arrives by webhook below
  ];
  let stripeMock: Awaited<ReturnType<typeof startStripeMock>>;
  let chargebee: Awaited<ReturnType<typeof startChargebeeStandIn>>;
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;

  beforeAll(async () => {
    [stripeMock, chargebee] = await Promise.all([startStripeMock(), startChargebeeStandIn(cbKey, cbInvoices)]);
    gateway = await startGateway(namespace, {
      STRIPE_API_KEY: 'sk_test_123', STRIPE_API_BASE_URL: stripeMock.url,
      CHARGEBEE_SITE: 'acme-test', CHARGEBEE_API_KEY: cbKey, CHARGEBEE_API_BASE_URL: chargebee.url,
    });
    reader = await openInvoiceReader(namespace);
  }, 360_000);
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await stripeMock?.stop();
    await chargebee?.stop();
    await deleteNamespaceTopics(namespace);
  });

  it('emits the invoices listed by Stripe (stripe-mock) and Chargebee that have no receipt, once', async () => {
    const webhook = await fetch(`${gateway.url}/api/webhooks/billing/chargebee`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...chargebeeAuth }, body: JSON.stringify(chargebeeEvent('invoice_generated', { invoice: cbInvoices[3] })),
    });
    expect(webhook.status).toBe(200);

    const { ctx } = gateway;
    const deps = { receipts: createReceiptLog(ctx.db), ingestor: createIngestor({ receipts: createReceiptLog(ctx.db), publisher: ctx.publisher, publishTimeoutMs: 5000 }), logger: ctx.logger };
    const counts = await reconcileOnce(ctx.config, deps, now);
    expect(counts).toEqual({ stripe: 1, chargebee: 2 });

    // The stripe-mock fixture invoice, through the real Stripe client: a draft, so 'updated'.
    const [stripeRecord] = await reader.waitFor(1, (r) => r.value?.source === 'stripe');
    expect(stripeRecord.value).toMatchObject({ invoiceId: 'stripe:in_1Pgc6tB7WZ01zgkWu9fdqL6I', type: 'updated', currency: 'USD', totalMinor: 1000, vendorEventId: 'reconcile:in_1Pgc6tB7WZ01zgkWu9fdqL6I:draft' });
    const cb = await reader.waitFor(3, (r) => r.value?.source === 'chargebee');
    const byInvoice = Object.fromEntries(cb.map((r) => [r.value!.invoiceId, r.value!]));
    expect(byInvoice['chargebee:cb-rec-1']).toMatchObject({ type: 'issued', totalMinor: 99900, currency: 'USD', vendorEventId: 'reconcile:cb-rec-1:payment_due' });
    expect(byInvoice['chargebee:cb-rec-2']).toMatchObject({ type: 'paid', amountPaidMinor: 99900, amountRemainingMinor: 0 });
    expect(byInvoice['chargebee:cb-rec-4'].vendorEventId).not.toMatch(/^reconcile:/); // the webhook's, not reconciliation's
    expect(byInvoice['chargebee:cb-rec-3']).toBeUndefined();
    // It asked Chargebee's list API for invoices updated within the lookback window.
    expect(chargebee.queries[0].get('updated_at[after]')).toBe(String(Math.floor((now - ctx.config.RECONCILE_LOOKBACK_MS) / 1000)));

    expect(await reconcileOnce(ctx.config, deps, now)).toEqual({});
    const total = reader.records.length;
    const webhookAgain = await fetch(`${gateway.url}/api/webhooks/billing/chargebee`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...chargebeeAuth }, body: JSON.stringify(chargebeeEvent('invoice_generated', { invoice: chargebeeInvoice() })),
    });
    expect(webhookAgain.status).toBe(200);
    await reader.waitFor(total + 1);
    expect(reader.records.filter((r) => r.value?.vendorEventId.startsWith('reconcile:'))).toHaveLength(3);
  });
});
