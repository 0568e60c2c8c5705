import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type InvoiceSpec, type Notifier, startNotifier, TestClock, Upstream } from './support/harness.ts';
import { sampleCustomerContext, SlackStandIn, SmtpSink } from '@invoice-signal/testkit';

describe('per-CSM preferences filter notifications (NFR-2)', () => {
  const slack = new SlackStandIn();
  const smtp = new SmtpSink();
  const clock = new TestClock();
  let n: Notifier;
  let up: Upstream;

  beforeAll(async () => {
    await slack.start();
    await smtp.start();
    clock.set(Date.parse('2026-11-24T12:00:00Z'));
    n = await startNotifier({ clock, env: { SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 'signing-secret', SLACK_API_URL: slack.url, SMTP_URL: smtp.url, DIGEST_FROM: 'd@example.com' } });
    up = await new Upstream(n.namespace).open();
  });
  afterAll(async () => {
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    await slack.stop();
    await smtp.stop();
  });

  const prefs = async (csmId: string, body: object) => {
    const res = await api(n, `/api/csm/${csmId}/preferences`, { as: csmId, method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return res.body;
  };
  const stored = (invoiceId: string) => eventually(`${invoiceId} stored`, async () => (await n.db('notifications').where({ invoice_id: invoiceId }).first()) ?? undefined);
  const posts = (user: string) => slack.posts((c) => c.params.channel === user);
  const publish = async (...specs: InvoiceSpec[]) => {
    await up.assessed(...specs.map(assessment));
    for (const s of specs) await stored(s.invoiceId);
    await n.deliver();
  };

  it('reads back defaults merged with what the CSM changed', async () => {
    const body = await prefs('csm_p', { slackMaxPerHour: 4, quietHours: { start: '21:00', end: '06:30' } });
    expect(body.overrides).toEqual({ slackMaxPerHour: 4, quietHours: { start: '21:00', end: '06:30' } });
    expect(body.effective).toMatchObject({ slackMaxPerHour: 4, riskOnly: false, channels: { in_app: true, slack: true, email_digest: true }, minAmountMinor: { slack: { default: 0 } } });
    const cleared = await prefs('csm_p', { quietHours: null });
    expect(cleared.effective.quietHours).toBeNull();
    expect((await api(n, '/api/csm/csm_p/preferences', { as: 'csm_p' })).body.effective.slackMaxPerHour).toBe(4);
  });

  it('scopes reading and changing preferences like the CSM’s list: the CSM, a manager of their team, an unscoped manager, an admin', async () => {
    // csm_pemea owns an account in team emea, csm_pamer one in team amer (the CRM's snapshots).
    const owner = (accountId: string, csmId: string, team: string) => sampleCustomerContext({ accountId, snapshotAt: Date.parse('2026-11-20T00:00:00Z'), csm: { id: csmId, email: `${csmId}@example.com`, slackUserId: `U_${csmId}`, timeZone: 'UTC', team } });
    await up.context(owner('acc_pemea', 'csm_pemea', 'emea'), owner('acc_pamer', 'csm_pamer', 'amer'));
    await eventually('both owners stored', async () => (await n.db('account_owners').whereIn('account_id', ['acc_pemea', 'acc_pamer'])).length === 2);
    const put = (csmId: string, who: { as: string; role?: 'csm' | 'manager' | 'admin'; team?: string }) =>
      api(n, `/api/csm/${csmId}/preferences`, { ...who, method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slackMaxPerHour: 1 }) });
    const emea = { as: 'boss_pemea', role: 'manager' as const, team: 'emea' };

    // A manager scoped to emea: the emea CSM's preferences, not the amer CSM's (read or change).
    expect((await api(n, '/api/csm/csm_pemea/preferences', emea)).status).toBe(200);
    expect((await put('csm_pemea', emea)).status).toBe(200);
    const refused = await api(n, '/api/csm/csm_pamer/preferences', emea);
    expect(refused.status).toBe(403);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.detail).toBe('boss_pemea may not read the preferences of csm_pamer');
    expect((await put('csm_pamer', emea)).status).toBe(403);
    expect(await n.db('preferences').where({ csm_id: 'csm_pamer' }).first()).toBeUndefined();
    // Another CSM never; an unscoped manager and an admin always.
    expect((await api(n, '/api/csm/csm_pamer/preferences', { as: 'csm_pemea' })).status).toBe(403);
    expect((await put('csm_pamer', { as: 'csm_pemea' })).status).toBe(403);
    expect((await api(n, '/api/csm/csm_pamer/preferences', { as: 'boss_all', role: 'manager' })).status).toBe(200);
    expect((await put('csm_pamer', { as: 'root', role: 'admin' })).status).toBe(200);
    expect((await api(n, '/api/csm/csm_pamer/preferences', { as: 'csm_pamer' })).body.overrides).toEqual({ slackMaxPerHour: 1 });
  });

  it('turns a channel off', async () => {
    await prefs('csm_off', { channels: { slack: false } });
    await publish({ invoiceId: 'stripe:in_off', csmId: 'csm_off' });
    expect(posts('U_csm_off')).toHaveLength(0);
    expect((await stored('stripe:in_off')).channels).toEqual(['in_app', 'email_digest']);
  });

  it('applies a minimum amount per channel and currency', async () => {
    await prefs('csm_min', { minAmountMinor: { email_digest: { USD: 500_000 } } });
    await publish({ invoiceId: 'stripe:in_usd', csmId: 'csm_min', currency: 'USD', amountMinor: 100_000, riskLevel: 'low' }, { invoiceId: 'stripe:in_eur', csmId: 'csm_min', currency: 'EUR', amountMinor: 100_000, riskLevel: 'low' });
    expect((await stored('stripe:in_usd')).channels).toEqual(['in_app']);
    expect((await stored('stripe:in_eur')).channels).toEqual(['in_app', 'email_digest']);
  });

  it('pushes only risky invoices in risk-only mode, still listing the rest in the API', async () => {
    await prefs('csm_risk', { riskOnly: true });
    await publish({ invoiceId: 'stripe:in_calm', csmId: 'csm_risk', riskLevel: 'none' }, { invoiceId: 'stripe:in_risky', csmId: 'csm_risk', riskLevel: 'high' });
    expect((await stored('stripe:in_calm')).channels).toEqual([]);
    expect(posts('U_csm_risk')).toHaveLength(1);
    expect((await api(n, '/api/invoices/csm/csm_risk/pending', { as: 'csm_risk' })).body.total).toBe(2);
  });

  it('holds Slack during quiet hours in the CSM’s zone and sends when they end', async () => {
    await prefs('csm_quiet', { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Asia/Tokyo' });
    clock.set(Date.parse('2026-11-24T14:30:00Z')); // 23:30 in Tokyo
    await publish({ invoiceId: 'stripe:in_night', csmId: 'csm_quiet' });
    expect(posts('U_csm_quiet')).toHaveLength(0);
    clock.set(Date.parse('2026-11-24T21:59:00Z')); // 06:59 in Tokyo
    await n.deliver();
    expect(posts('U_csm_quiet')).toHaveLength(0);
    clock.set(Date.parse('2026-11-24T22:00:00Z')); // 07:00 in Tokyo
    await eventually('the held message', () => posts('U_csm_quiet').length === 1);
  });

  it('caps Slack per hour and overflows the rest into the digest', async () => {
    await prefs('csm_cap', { slackMaxPerHour: 2 });
    await publish(...[1, 2, 3].map((i) => ({ invoiceId: `stripe:in_cap${i}`, csmId: 'csm_cap', accountId: `acc_cap${i}` })));
    expect(posts('U_csm_cap')).toHaveLength(2);
    // The three arrive on different partitions, so any one of them may be the overflow.
    const channels = await Promise.all([1, 2, 3].map(async (i) => (await stored(`stripe:in_cap${i}`)).channels.join('+')));
    expect(channels.sort()).toEqual(['in_app+email_digest', 'in_app+slack', 'in_app+slack']);
    const reason = await n.db('delivery_log').where({ csm_id: 'csm_cap', outcome: 'filtered' }).first();
    expect(reason.detail).toContain('slack: cap of 2 per hour reached; overflow into the digest');
    clock.set(clock.now() + 3600_001);
    await publish({ invoiceId: 'stripe:in_cap4', csmId: 'csm_cap' });
    expect(posts('U_csm_cap')).toHaveLength(3);
  });

  it('batches several invoices of one account into one Slack message', async () => {
    await prefs('csm_batch', { batchWindowSeconds: 60 });
    await publish(...[1, 2, 3].map((i) => ({ invoiceId: `stripe:in_batch${i}`, csmId: 'csm_batch', accountId: 'acc_many', accountName: 'Many Invoices Ltd' })));
    expect(posts('U_csm_batch')).toHaveLength(0);
    clock.set(clock.now() + 61_000);
    const [post] = await eventually('one batched message', () => { const p = posts('U_csm_batch'); return p.length ? p : undefined; });
    await n.deliver();
    expect(posts('U_csm_batch')).toHaveLength(1);
    expect(post.params.text).toBe('3 invoice notifications for Many Invoices Ltd');
    const ack = (post.params.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!.elements![0];
    expect(ack.value.split(',')).toHaveLength(3);
  });
});
