import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, startNotifier, token, Upstream } from './support/harness.ts';
import { openStream } from './support/sse.ts';

describe('the in-app live stream', () => {
  let n: Notifier;
  let other: Notifier;
  let up: Upstream;

  beforeAll(async () => {
    n = await startNotifier({ env: { STREAM_MAX_PER_USER: '2' } });
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
      expect(created.data).toMatchObject({ invoiceId: 'stripe:in_live', csmId: 'csm_live', amount: 1_250_000, riskLevel: 'high', status: 'pending' });
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

  it('caps open streams per principal on the instance (STREAM_MAX_PER_USER): 429 problem+json with Retry-After, and a closed stream frees its slot', async () => {
    const streamsOpen = async () => {
      const text = await (await fetch(`${n.running.managementUrl}/metrics`)).text();
      return Number(/^notifier_streams_open (\d+)/m.exec(text)?.[1]);
    };
    // The other tests' streams are closed (the gauge counts both instances of this process).
    await eventually('no stream open', async () => (await streamsOpen()) === 0);
    const third = async (csmId: string, bearer: string) => fetch(`${n.url}/api/csm/${csmId}/stream`, { headers: { authorization: `Bearer ${bearer}` } });
    // A manager following two CSMs holds two slots: the cap counts the token's subject, not the stream followed.
    const first = await openStream(n.url, 'csm_one', 'boss_streams', {});
    const second = await openStream(n.url, 'csm_two', 'boss_streams', {});
    expect([first.status, second.status]).toEqual([200, 200]);
    await eventually('both ready', () => first.events.some((e) => e.event === 'ready') && second.events.some((e) => e.event === 'ready'));
    expect(await streamsOpen()).toBe(2);
    const refused = await third('csm_three', await token('boss_streams', 'manager'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await refused.json()).toMatchObject({ status: 429, code: 'NTF_TOO_MANY_STREAMS', detail: 'boss_streams already has 2 open streams (STREAM_MAX_PER_USER); close one or retry later' });
    // Another principal on the same instance, and the same principal on another instance, have their own slots.
    const someoneElse = await openStream(n.url, 'csm_one');
    const elsewhere = await openStream(other.url, 'csm_three', 'boss_streams', {});
    expect([someoneElse.status, elsewhere.status]).toEqual([200, 200]);
    someoneElse.close();
    elsewhere.close();
    // Closing a stream frees its slot once the server sees the connection go.
    first.close();
    const again = await eventually('a slot freed by the closed stream', async () => {
      const s = await openStream(n.url, 'csm_three', 'boss_streams', {});
      if (s.status === 200) return s;
      s.close();
      return undefined;
    });
    await eventually('the new stream ready', () => again.events.some((e) => e.event === 'ready'));
    const full = await third('csm_one', await token('boss_streams', 'manager'));
    expect(full.status).toBe(429);
    await full.body?.cancel();
    second.close();
    again.close();
    await eventually('every slot given back', async () => (await streamsOpen()) === 0);
  });
});
