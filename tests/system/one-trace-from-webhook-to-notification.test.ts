import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName, topics } from '@invoice-signal/events';
import { eventually, signed, testKafka, stripeEvent, stripeInvoice, SystemUnderTest, uniqueName } from '@invoice-signal/testkit';

interface ReceivedSpan { service: string; traceId: string; spanId: string; parentSpanId?: string; name: string; links?: Array<{ traceId: string; spanId: string }> }

/** An OTLP/HTTP (JSON) trace receiver: what a collector would get from the services. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server?: Server;
  url = '';
  async start() {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { resourceSpans?: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: ReceivedSpan[] }> }> };
      for (const rs of body.resourceSpans ?? []) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, name: s.name, links: s.links });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  async stop() {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('observability across the services', () => {
  const receiver = new OtlpReceiver();
  let system: SystemUnderTest;
  const run = uniqueName('trace');

  beforeAll(async () => {
    await receiver.start();
    system = await SystemUnderTest.start({
      namespace: run,
      services: ['ingest-gateway', 'enricher', 'risk-scorer', 'notifier'],
      env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200', FALLBACK_CSM_ID: `csm_${run}` },
    });
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await receiver.stop();
  });

  it('one trace runs from the webhook through every service to the notification, carried in Kafka headers', async () => {
    const invoice = stripeInvoice({ customer: `cus_${run}` });
    const payload = JSON.stringify(stripeEvent('invoice.finalized', invoice));
    // A traceparent from the internet: the vendor route links to it and starts its own trace.
    const outsider = { traceId: 'aaaabbbbccccddddeeeeffff00001111', spanId: '1234567890abcdef' };
    const headers = { ...signed(payload, { secret: system.secrets.STRIPE_WEBHOOK_SECRET }), traceparent: `00-${outsider.traceId}-${outsider.spanId}-01` };
    const res = await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/stripe`, { method: 'POST', headers, body: payload });
    expect(res.status).toBe(200);

    const root = await eventually('the webhook span', () => receiver.spans.find((s) => s.service === 'ingest-gateway' && s.name.startsWith('POST')), { timeoutMs: 30000 });
    expect(root.traceId).not.toBe(outsider.traceId);
    expect(root.parentSpanId || undefined).toBeUndefined();
    expect(root.links).toEqual([expect.objectContaining(outsider)]);
    expect(receiver.spans.some((s) => s.traceId === outsider.traceId)).toBe(false);
    const trace = await eventually('spans of every service in that trace', () => {
      const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
      const services = new Set(spans.map((s) => s.service));
      return ['ingest-gateway', 'enricher', 'risk-scorer', 'notifier'].every((name) => services.has(name)) ? spans : undefined;
    }, { timeoutMs: 30000 });
    const consumerSpans = trace.filter((s) => s.name.startsWith('process '));
    expect(consumerSpans.map((s) => `${s.service}: ${s.name}`)).toEqual(expect.arrayContaining([
      'enricher: process billing.invoice.events.v1',
      'risk-scorer: process billing.invoice.enriched.v1',
      'notifier: process billing.invoice.assessed.v1',
    ]));
    // Every consumer span has a parent in the same trace: the context crossed Kafka, not a new root.
    for (const span of consumerSpans) expect(span.parentSpanId).toBeTruthy();
  });

  it('each consumer batch is a trace of its own holding its Postgres queries, linked from the records it processed', async () => {
    // The invoice of the test above went through the enricher: its batch, and that batch's queries, were exported too.
    const found = await eventually('an enricher batch with its queries', () => {
      const batches = receiver.spans.filter((s) => s.service === 'enricher' && s.name === 'batch billing.invoice.events.v1');
      const byId = new Map(receiver.spans.map((s) => [s.spanId, s]));
      const rootOf = (s: ReceivedSpan) => {
        let at: ReceivedSpan | undefined = s;
        while (at?.parentSpanId && byId.has(at.parentSpanId)) at = byId.get(at.parentSpanId);
        return at;
      };
      const queries = receiver.spans.filter((s) => s.service === 'enricher' && s.name.startsWith('pg.query:'));
      const batch = batches.find((b) => queries.some((q) => rootOf(q) === b));
      return batch && { batch, queries: queries.filter((q) => rootOf(q) === batch) };
    }, { timeoutMs: 30000 });
    const statements = found.queries.map((q) => q.name);
    expect(statements).toEqual(expect.arrayContaining([expect.stringMatching(/^pg\.query:BEGIN/), expect.stringMatching(/^pg\.query:COMMIT/)]));
    const linksToBatch = (s: ReceivedSpan) => s.links?.some((l) => l.spanId === found.batch.spanId);
    const process = receiver.spans.find((s) => s.service === 'enricher' && s.name === 'process billing.invoice.events.v1' && linksToBatch(s));
    expect(process, 'a record span linking to the batch').toBeDefined();
    expect(process!.traceId).not.toBe(found.batch.traceId); // the record stays in its invoice's trace
  });

  it('logs carry the trace id of the record they describe', async () => {
    // A record the enricher must dead-letter, sent under a trace of our own: its warning names that trace.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic: topicName(topics.invoiceEvents, run), messages: [{ key: 'stripe:in_poison', value: Buffer.from('not avro'), headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } }] });
    await producer.disconnect();
    const line = await eventually('the dead-letter warning in the enricher log', () =>
      system.output('enricher').split('\n').find((l) => l.includes('record dead-lettered') && l.includes(traceId)), { timeoutMs: 20000 });
    expect(JSON.parse(line)).toMatchObject({ service: 'enricher', trace_id: traceId, code: 'EVT_DECODE' });
  });
});
