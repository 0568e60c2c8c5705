import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { onBatch, provisionTopics, startConsumer, startTelemetry, stopTelemetry } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, uniqueName, type TestBus } from '@invoice-signal/testkit';
import { echoTopic } from './fixtures/ledger-consumer.ts';

const topic = topics.invoiceEvents.name;

const httpGet = (url: string) => new Promise<number>((resolve, reject) => {
  get(url, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode ?? 0));
  }).on('error', reject);
});

/** The chain of parents of a span, nearest first, among the exported spans. */
function ancestors(span: ReadableSpan, all: ReadableSpan[]): ReadableSpan[] {
  const chain: ReadableSpan[] = [];
  for (let id = span.parentSpanContext?.spanId; id; ) {
    const parent = all.find((s) => s.spanContext().spanId === id);
    if (!parent) break;
    chain.push(parent);
    id = parent.parentSpanContext?.spanId;
  }
  return chain;
}

describe('tracing a consumer batch with an exporter', () => {
  const exporter = new InMemorySpanExporter();
  let bus: TestBus;
  let server: Server;
  let base = '';

  beforeAll(async () => {
    // Before the bus opens its database: as in a service, telemetry starts before any client.
    startTelemetry('span-test', { spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    bus = await openTestBus('spans', [topics.invoiceEvents]);
    const admin = bus.kafka.admin();
    await admin.connect();
    await provisionTopics(admin, [echoTopic], { namespace: bus.namespace, partitions: 1 });
    await admin.disconnect();
  });
  afterAll(async () => {
    await bus?.close();
    server?.close();
    await stopTelemetry();
  });

  it('puts the handler, its Postgres queries and HTTP calls, the send and the commit under the batch span', async () => {
    const statuses: number[] = [];
    const consumer = await startConsumer(bus, {
      groupId: uniqueName('group'),
      subscriptions: [onBatch(topics.invoiceEvents, async (records, { trx, emit }) => {
        await trx.raw('select count(*) from unnest(?::text[])', [records.map((r) => r.value!.eventId)]);
        statuses.push((await fetch(`${base}/by-fetch`)).status, await httpGet(`${base}/by-node-http`));
        emit(echoTopic, records.map((r) => ({ key: r.key!, value: r.value!, cause: r })));
      })],
    });
    try {
      await bus.publisher.publish(topics.invoiceEvents, [{ key: 'k1', value: sampleInvoiceEvent({ eventId: uniqueName('e') }) }]);
      const batch = await eventually('a batch span', () => exporter.getFinishedSpans().find((s) => s.name === `batch ${topic}`), { timeoutMs: 30000 });
      expect(statuses).toEqual([200, 200]);
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === batch.spanContext().traceId);
      const under = (s: ReadableSpan) => ancestors(s, spans).map((a) => a.name);
      const byName = (test: (s: ReadableSpan) => boolean, what: string) => {
        const found = spans.find(test);
        expect(found, `${what} in ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
        return found!;
      };

      for (const step of [`handle ${topic}`, 'emit', 'commit']) expect(under(byName((s) => s.name === step, step))).toEqual([batch.name]);
      /** A span of one instrumentation whose attribute passes `test`. */
      const client = (scope: string, attribute: string, test: (value: string) => boolean, what: string) =>
        byName((s) => s.instrumentationScope.name === `@opentelemetry/instrumentation-${scope}` && test(String(s.attributes[attribute])), what);
      const handled = [`handle ${topic}`, batch.name];
      expect(under(client('pg', 'db.query.text', (q) => q.includes('unnest'), 'the pg query'))).toEqual(handled);
      expect(under(client('pg', 'db.query.text', (q) => q.startsWith('COMMIT'), 'the COMMIT'))).toEqual(['commit', batch.name]);
      expect(under(client('undici', 'url.full', (u) => u.endsWith('/by-fetch'), 'the fetch'))).toEqual(handled);
      expect(under(client('http', 'url.full', (u) => u.endsWith('/by-node-http'), 'the node:http call'))).toEqual(handled);

      // The patches that made those spans (absent without an exporter: see tracing-without-an-exporter-patches-no-client).
      expect((pg.Client.prototype.query as { __wrapped?: boolean }).__wrapped).toBe(true);
      // The record's own span stays in its producer's trace and links to the batch.
      const record = exporter.getFinishedSpans().find((s) => s.name === `process ${topic}`)!;
      expect(record.links.map((l) => l.context.spanId)).toEqual([batch.spanContext().spanId]);
    } finally {
      await consumer.stop();
    }
  });
});
