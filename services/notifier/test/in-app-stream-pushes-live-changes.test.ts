import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, startNotifier, Upstream } from './support/harness.ts';
import { openStream } from './support/sse.ts';

describe('the in-app live stream', () => {
  let n: Notifier;
  let other: Notifier;
  let up: Upstream;

  beforeAll(async () => {
    n = await startNotifier();
    // A second instance on the same database: a client connected to it must hear changes made by the first.
    other = await startNotifier({ namespace: n.namespace, databaseUrl: n.running.ctx.config.databaseUrl });
    up = await new Upstream(n.namespace).open();
  });
  afterAll(async () => {
    await up?.close();
    await other?.stop();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
  });

  it('pushes new notifications, status changes and acknowledgements to the CSM, on any instance', async () => {
    const stream = await openStream(other.url, 'csm_live');
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toContain('text/event-stream');
      await eventually('the ready event', () => stream.events.find((e) => e.event === 'ready'));
      await up.assessed(assessment({ invoiceId: 'stripe:in_live', csmId: 'csm_live' }));
      const created = await eventually('created event', () => stream.events.find((e) => e.event === 'created'));
      expect(created.data).toMatchObject({ invoiceId: 'stripe:in_live', csmId: 'csm_live', amountMinor: 1_250_000, riskLevel: 'high', status: 'pending' });
      const ack = await api(n, '/api/invoices/stripe:in_live/acknowledge', { as: 'csm_live', method: 'PUT' });
      expect(ack.status).toBe(200);
      const acknowledged = await eventually('acknowledged event', () => stream.events.find((e) => e.event === 'acknowledged'));
      expect(acknowledged.data).toMatchObject({ invoiceId: 'stripe:in_live', acknowledgedAt: expect.any(String), acknowledgment: { actionTaken: null, by: 'csm_live' } });
      // A later action is pushed as an update carrying the current acknowledgment and its history.
      const put = await api(n, '/api/invoices/stripe:in_live/acknowledge', { as: 'csm_live', method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actionTaken: 'scheduled_call' }) });
      expect(put.status).toBe(200);
      const updated = await eventually('updated event', () => stream.events.find((e) => e.event === 'updated' && (e.data as { acknowledgment?: { actionTaken?: string } }).acknowledgment?.actionTaken === 'scheduled_call'));
      expect((updated.data as { acknowledgmentHistory: unknown[] }).acknowledgmentHistory).toHaveLength(2);
    } finally {
      stream.close();
    }
  });

  it('does not let a CSM follow another CSM’s stream', async () => {
    const stream = await openStream(n.url, 'csm_live', 'csm_intruder');
    expect(stream.status).toBe(403);
    stream.close();
  });
});
