import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import { startTelemetry, stopTelemetry, type RunningService } from '@invoice-signal/runtime';
import { uniqueName, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { countReceiptStatements } from './support/database-counters.ts';
import { deleteNamespaceTopics, openInvoiceReader, startGateway } from './support/gateway.ts';
import { signed, stripeEvent, stripeInvoice } from './support/stripe-payloads.ts';

describe('tracing through group commit', () => {
  const namespace = uniqueName('grouptrace');
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;

  beforeAll(async () => {
    startTelemetry('ingest-gateway'); // as runMain does: spans are created (none exported) and travel in Kafka headers
    gateway = await startGateway(namespace);
    reader = await openInvoiceReader(namespace);
  });
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await stopTelemetry();
    await deleteNamespaceTopics(namespace);
  });

  it('publishes each delivery of a shared group under the trace of the request that brought it, never the caller\'s', async () => {
    const statements = await countReceiptStatements(gateway.ctx.config.databaseUrl);
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${gateway.url}/health/live`).then((r) => r.text())));
    const deliveries = Array.from({ length: 20 }, () => ({ event: stripeEvent('invoice.finalized', stripeInvoice()), traceId: randomBytes(16).toString('hex') }));
    const answers = await Promise.all(deliveries.map(({ event, traceId }) => {
      const payload = JSON.stringify(event);
      const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
      return fetch(`${gateway.url}/api/webhooks/billing/stripe`, { method: 'POST', headers: { ...signed(payload), traceparent }, body: payload });
    }));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    // They did share groups: fewer inserts than deliveries.
    expect((await statements.counts()).inserts).toBeLessThan(20);

    const sent = new Map(deliveries.map((d) => [`stripe:${d.event.id}`, d.traceId]));
    const records = await reader.waitFor(20, (r) => sent.has(r.value!.eventId));
    const traces = records.map((r) => r.headers.traceparent?.split('-')[1]);
    // One trace per request even inside a shared group (not the group's), and each one our own:
    // a vendor route links the caller's traceparent instead of joining it.
    expect(traces.every((t) => t && /^[0-9a-f]{32}$/.test(t))).toBe(true);
    expect(new Set(traces).size).toBe(20);
    for (const r of records) expect(r.headers.traceparent?.split('-')[1]).not.toBe(sent.get(r.value!.eventId));
  });
});
