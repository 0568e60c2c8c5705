import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, SlackStandIn } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type InvoiceSpec, type Notifier, startNotifier, TestClock, Upstream } from './support/harness.ts';

/**
 * Quiet hours are the CSM's local night, checked when a message is routed AND again just before
 * the Slack worker sends it; the end is 07:00 on the CSM's wall clock, also on the nights the
 * clocks change. Due dates in the message are the dates on the CSM's calendar.
 */
describe('Slack waits for quiet hours to end, in the CSM’s zone, at send time', () => {
  const slack = new SlackStandIn();
  const clock = new TestClock();
  let n: Notifier;
  let up: Upstream;

  beforeAll(async () => {
    await slack.start();
    clock.set(Date.parse('2026-11-24T12:00:00Z'));
    n = await startNotifier({ clock, env: { SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 'signing-secret', SLACK_API_URL: slack.url } });
    up = await new Upstream(n.namespace).open();
  });
  afterAll(async () => {
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    await slack.stop();
  });

  const prefs = async (csmId: string, body: object) => {
    const res = await api(n, `/api/csm/${csmId}/preferences`, { as: csmId, method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  };
  const posts = (user: string) => slack.posts((c) => c.params.channel === user);
  const publish = async (spec: InvoiceSpec) => {
    await up.assessed(assessment(spec));
    await eventually(`${spec.invoiceId} stored`, async () => (await n.db('notifications').where({ invoice_id: spec.invoiceId }).first()) ?? undefined);
  };
  const deliverAt = async (iso: string) => {
    clock.set(Date.parse(iso));
    await n.deliver();
  };

  it('a message queued before quiet hours began is held at 23:00 and sent at 07:00', async () => {
    // Routed at 21:55 in Paris, outside quiet hours; the 10-minute batching window makes it due at 22:05.
    await prefs('csm_evening', { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Paris', batchWindowSeconds: 600 });
    clock.set(Date.parse('2026-11-24T20:55:00Z'));
    await publish({ invoiceId: 'stripe:in_evening', csmId: 'csm_evening', timeZone: 'Europe/Paris' });
    const [delivery] = await n.db('deliveries').where({ csm_id: 'csm_evening', channel: 'slack' });
    expect(Number(delivery.not_before)).toBe(Date.parse('2026-11-24T21:05:00Z'));

    await deliverAt('2026-11-24T22:00:00Z'); // 23:00 in Paris
    expect(posts('U_csm_evening')).toHaveLength(0);
    const held = await n.db('deliveries').where({ id: delivery.id }).first();
    expect([held.state, Number(held.not_before), held.attempts]).toEqual(['pending', Date.parse('2026-11-25T06:00:00Z'), 0]);
    const [{ c }] = await n.db('delivery_log').where({ delivery_id: delivery.id, outcome: 'held' }).count({ c: '*' });
    expect(Number(c)).toBe(1);

    await deliverAt('2026-11-25T05:59:00Z'); // 06:59
    expect(posts('U_csm_evening')).toHaveLength(0);
    await deliverAt('2026-11-25T06:00:00Z'); // 07:00
    await eventually('the held message', () => posts('U_csm_evening').length === 1);
  });

  it.each([
    { night: 'Paris, the night summer time ends', zone: 'Europe/Paris', at: '2026-10-24T20:30:00Z', early: '2026-10-25T05:30:00Z', end: '2026-10-25T06:00:00Z' },
    { night: 'Paris, the night summer time starts', zone: 'Europe/Paris', at: '2026-03-28T21:30:00Z', early: '2026-03-29T04:30:00Z', end: '2026-03-29T05:00:00Z' },
    { night: 'New York, the night DST ends', zone: 'America/New_York', at: '2026-11-01T02:30:00Z', early: '2026-11-01T11:30:00Z', end: '2026-11-01T12:00:00Z' },
  ])('$night: held from 22:30 until 07:00 local ($end)', async ({ zone, at, early, end }) => {
    const csmId = `csm_dst_${Date.parse(at)}`;
    await prefs(csmId, { quietHours: { start: '22:00', end: '07:00' }, timeZone: zone });
    clock.set(Date.parse(at));
    await publish({ invoiceId: `stripe:in_${csmId}`, csmId, timeZone: zone });
    await n.deliver();
    const [delivery] = await n.db('deliveries').where({ csm_id: csmId, channel: 'slack' });
    expect(new Date(Number(delivery.not_before)).toISOString()).toBe(new Date(end).toISOString());
    await deliverAt(early); // 06:30 local on the wall clock (the old hand arithmetic ended here, or an hour later)
    expect(posts(`U_${csmId}`)).toHaveLength(0);
    await deliverAt(end);
    await eventually(`${csmId}'s message`, () => posts(`U_${csmId}`).length === 1);
  });

  it('shows the due date on the CSM’s calendar', async () => {
    clock.set(Date.parse('2026-11-24T15:00:00Z'));
    const dueAt = Date.parse('2026-12-02T07:59:59.999Z'); // due 2026-12-01 in Los Angeles
    await publish({ invoiceId: 'stripe:in_la', csmId: 'csm_la', timeZone: 'America/Los_Angeles', dueAt, accountId: 'acc_la' });
    await publish({ invoiceId: 'stripe:in_paris', csmId: 'csm_paris', timeZone: 'Europe/Paris', dueAt, accountId: 'acc_paris' });
    await n.deliver();
    await eventually('both messages', () => posts('U_csm_la').length === 1 && posts('U_csm_paris').length === 1);
    expect(JSON.stringify(posts('U_csm_la')[0].params)).toContain('due 2026-12-01');
    expect(JSON.stringify(posts('U_csm_paris')[0].params)).toContain('due 2026-12-02');
    const inbox = await api(n, '/api/invoices/csm/csm_la/pending', { as: 'csm_la' });
    expect((inbox.body as { items: Array<{ dueDay: string; dueDate: string }> }).items[0]).toMatchObject({ dueDay: '2026-12-01', dueDate: '2026-12-02T07:59:59.999Z' });
  });
});
