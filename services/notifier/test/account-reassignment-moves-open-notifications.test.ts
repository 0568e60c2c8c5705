import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type CsmNotification, type CustomerContext } from '@invoice-signal/events';
import { eventually, sampleCustomerContext, samplePaymentStatus, SlackStandIn, TopicReader } from '@invoice-signal/testkit';
import { signSlack } from '../src/domain/slack-signature.ts';
import { api, assessment, dropNamespace, type Notifier, slackSigningSecret, startNotifier, Upstream } from './support/harness.ts';
import { openStream } from './support/sse.ts';

const t0 = sampleCustomerContext().snapshotAt; // the snapshot every harness assessment carries
const day = 24 * 3600 * 1000;

/** A CRM snapshot naming the account's owner (and the owner's team). */
const snapshot = (accountId: string, csmId: string, snapshotAt: number, team: string | null = 'emea', name = 'Acme Corp'): CustomerContext =>
  sampleCustomerContext({ accountId, name, snapshotAt, csm: { id: csmId, email: `${csmId}@example.com`, slackUserId: `U_${csmId}`, timeZone: 'UTC', team } });

/**
 * The journey of issue 13 "Owners": account A (acc_own) belongs to alice, its CSM changes to bob
 * in the CRM, and everything a CSM sees follows: the open notifications, the notes, the payment
 * alerts, who may acknowledge and who sees what.
 */
describe('an account changing CSM', () => {
  let n: Notifier;
  let up: Upstream;
  let published: TopicReader<CsmNotification>;
  const slack = new SlackStandIn();
  const row = (invoiceId: string, kind = 'invoice_issued') => n.db('notifications').where({ invoice_id: invoiceId, kind }).first();
  const slackTo = (user: string) => slack.posts((c) => c.params.channel === user);

  beforeAll(async () => {
    await slack.start();
    n = await startNotifier({ env: { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: slackSigningSecret, SLACK_API_URL: slack.url } });
    up = await new Upstream(n.namespace).open();
    published = await TopicReader.open(topics.notifications, up.serde);
    await up.context(snapshot('acc_own', 'csm_alice', t0 + day), snapshot('acc_other', 'csm_carol', t0 + day, 'amer', 'Other Ltd'));
    await eventually('both owners known', async () => Number((await n.db('account_owners').count({ c: '*' }))[0].c) === 2);
    await up.assessed(
      assessment({ invoiceId: 'stripe:in_open', accountId: 'acc_own', csmId: 'csm_alice', amountMinor: 2_000_000 }),
      assessment({ invoiceId: 'stripe:in_acked', accountId: 'acc_own', csmId: 'csm_alice', riskLevel: 'low', amountMinor: 5_000 }),
      assessment({ invoiceId: 'stripe:in_paid', accountId: 'acc_own', csmId: 'csm_alice', riskLevel: 'low', amountMinor: 7_000 }),
      assessment({ invoiceId: 'stripe:in_carol', accountId: 'acc_other', csmId: 'csm_carol', riskLevel: 'low', amountMinor: 3_000 }),
    );
    await up.status(samplePaymentStatus({ invoiceId: 'stripe:in_paid', accountId: 'acc_own', status: 'paid', version: 2 }));
    await eventually('alice notified, one invoice paid', async () => (await row('stripe:in_paid'))?.status === 'paid' && !!(await row('stripe:in_carol')));
    await eventually('alice’s Slack message sent', () => slackTo('U_csm_alice').length === 1);
    expect((await api(n, '/api/invoices/stripe:in_acked/acknowledge', { as: 'csm_alice', method: 'PUT' })).status).toBe(200);
  });
  afterAll(async () => {
    await published?.close();
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    await slack.stop();
  });

  it('moves the open notifications to bob, tells both, and keeps the settled one as history', async () => {
    const alice = await openStream(n.url, 'csm_alice');
    const bob = await openStream(n.url, 'csm_bob');
    try {
      await eventually('both streams ready', () => alice.events.some((e) => e.event === 'ready') && bob.events.some((e) => e.event === 'ready'));
      await up.context(snapshot('acc_own', 'csm_bob', t0 + 2 * day));
      await eventually('the open invoice moved', async () => (await row('stripe:in_open')).csm_id === 'csm_bob');

      const open = await row('stripe:in_open');
      expect([open.previous_csm_id, open.version, open.acknowledged_at]).toEqual(['csm_alice', 2, null]);
      expect(open.timeline).toEqual([{ at: expect.any(Number), event: 'reassigned', note: 'from csm_alice to csm_bob' }]);
      // Acknowledged but not settled: it moves too (bob owns the follow-up), and stays acknowledged.
      const acked = await row('stripe:in_acked');
      expect([acked.csm_id, acked.previous_csm_id, acked.acknowledged_at === null]).toEqual(['csm_bob', 'csm_alice', false]);
      // Settled: stays with alice, untouched.
      const paid = await row('stripe:in_paid');
      expect([paid.csm_id, paid.previous_csm_id, paid.version]).toEqual(['csm_alice', null, 2]);
      expect((paid.timeline as Array<{ event: string }>).map((e) => e.event)).not.toContain('reassigned');

      // Both get a note, in the API and live.
      const aliceNotes = await api(n, '/api/csm/csm_alice/notes', { as: 'csm_alice' });
      expect(aliceNotes.body.items).toEqual([expect.objectContaining({ kind: 'moved_away', accountId: 'acc_own', otherCsmId: 'csm_bob', invoiceIds: ['stripe:in_acked', 'stripe:in_open'], text: 'Acme Corp moved to csm_bob: your 2 open invoices went with it.' })]);
      const bobNotes = await api(n, '/api/csm/csm_bob/notes', { as: 'csm_bob' });
      expect(bobNotes.body.items).toEqual([expect.objectContaining({ kind: 'inherited', otherCsmId: 'csm_alice', text: 'Acme Corp is now your account: 2 open invoices moved to you from csm_alice.' })]);
      expect((await api(n, '/api/csm/csm_bob/notes', { as: 'csm_alice' })).status).toBe(403);
      await eventually('alice hears the move', () => alice.events.some((e) => e.event === 'note') && alice.events.filter((e) => e.event === 'removed').length === 2);
      await eventually('bob hears what he inherited', () => bob.events.some((e) => e.event === 'note' && e.data.kind === 'inherited') && bob.events.filter((e) => e.event === 'created').length === 2);
      expect(bob.events.find((e) => e.event === 'created' && e.data.invoiceId === 'stripe:in_open')!.data).toMatchObject({ csmId: 'csm_bob', previousCsmId: 'csm_alice' });

      // Bob's own channels: the unacknowledged one reaches his Slack; the acknowledged one does not.
      await eventually('bob’s Slack message', () => slackTo('U_csm_bob').length === 1);
      expect(String(slackTo('U_csm_bob')[0].params.text)).toContain('Acme Corp');
      expect(JSON.stringify(slackTo('U_csm_bob')[0].params.blocks)).toContain('Moved to you from csm_alice');
      // Republished: version 2 on the notifications topic, keyed by the new owner.
      const [event] = await published.waitFor(1, (r) => r.value?.invoiceId === 'stripe:in_open' && r.value.version === 2);
      expect([event.key, event.value!.csmId, event.value!.previousCsmId, event.value!.timeline.map((t) => t.event)]).toEqual(['csm_bob', 'csm_bob', 'csm_alice', ['reassigned']]);
    } finally {
      alice.close();
      bob.close();
    }
  });

  it('lets bob acknowledge and shows alice nothing of the account any more', async () => {
    expect((await api(n, '/api/invoices/stripe:in_open/acknowledge', { as: 'csm_alice', method: 'PUT' })).status).toBe(403);
    expect((await api(n, '/api/invoices/stripe:in_open', { as: 'csm_alice' })).status).toBe(403);
    expect((await api(n, '/api/invoices/customer/acc_own', { as: 'csm_alice' })).status).toBe(403);
    // Not even the settled invoice she still holds: the account is bob's now.
    expect((await api(n, '/api/invoices/stripe:in_paid/acknowledge', { as: 'csm_alice', method: 'PUT' })).status).toBe(403);
    expect((await api(n, '/api/invoices/csm/csm_alice/pending', { as: 'csm_alice' })).body).toMatchObject({ total: 0, items: [] });

    // Alice's old Slack button no longer acknowledges anything.
    const [post] = slackTo('U_csm_alice');
    const ids = String((post.params.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>).find((b) => b.type === 'actions')!.elements![0].value);
    const body = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U_csm_alice' }, actions: [{ action_id: 'acknowledge', value: ids }] }))}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const click = await fetch(`${n.url}/api/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${signSlack(slackSigningSecret, ts, body)}` }, body });
    expect(((await click.json()) as { text: string }).text).toBe('These notifications are not yours to acknowledge.');
    expect((await row('stripe:in_open')).acknowledged_at).toBeNull();

    const customer = await api(n, '/api/invoices/customer/acc_own', { as: 'csm_bob' });
    expect(customer.status).toBe(200);
    expect(customer.body.invoices.map((i: { invoiceId: string }) => i.invoiceId).sort()).toEqual(['stripe:in_acked', 'stripe:in_open', 'stripe:in_paid']);
    expect((await api(n, '/api/invoices/csm/csm_bob/pending', { as: 'csm_bob' })).body.items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual(['stripe:in_open']);
    const ack = await api(n, '/api/invoices/stripe:in_open/acknowledge', { as: 'csm_bob', method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actionTaken: 'called the new contact' }) });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledged[0]).toMatchObject({ csmId: 'csm_bob', actionTaken: 'other', acknowledgment: { note: 'called the new contact', by: 'csm_bob' }, acknowledgedAt: expect.any(String) });
    // The acknowledgement goes out through the outbox as the next version, keyed by its holder.
    const [acked] = await published.waitFor(1, (r) => r.value?.invoiceId === 'stripe:in_open' && r.value.version === 3);
    expect([acked.key, acked.headers['notification-version'], acked.value!.acknowledgedBy, acked.value!.actionNote])
      .toEqual(['csm_bob', '3', 'csm_bob', 'called the new contact']);
  });

  it('sends later payment alerts to bob, reopened settled invoices included, and new assessments too', async () => {
    const alice = await openStream(n.url, 'csm_alice');
    try {
      await eventually('alice’s stream ready', () => alice.events.some((e) => e.event === 'ready'));
      await up.status(
        samplePaymentStatus({ invoiceId: 'stripe:in_open', accountId: 'acc_own', status: 'failed', version: 5 }),
        // Paid while alice held it, then the payment failed after the move: it is bob's problem now.
        samplePaymentStatus({ invoiceId: 'stripe:in_paid', accountId: 'acc_own', status: 'failed', version: 6 }),
      );
      // Assessed with the snapshot alice was named in (older than the one naming bob).
      await up.assessed(assessment({ invoiceId: 'stripe:in_later', accountId: 'acc_own', csmId: 'csm_alice' }));
      await eventually('two failure alerts', async () => !!(await row('stripe:in_open', 'payment_failed')) && !!(await row('stripe:in_paid', 'payment_failed')));
      expect((await row('stripe:in_open', 'payment_failed')).csm_id).toBe('csm_bob');
      const reopened = await row('stripe:in_paid');
      expect([reopened.csm_id, reopened.previous_csm_id, reopened.timeline.map((t: { event: string }) => t.event).slice(-2)]).toEqual(['csm_bob', 'csm_alice', ['payment_failed', 'reassigned']]);
      expect((await row('stripe:in_paid', 'payment_failed')).csm_id).toBe('csm_bob');
      const later = await eventually('the new invoice', () => row('stripe:in_later'));
      expect(later.csm_id).toBe('csm_bob');
      const alert = (await row('stripe:in_open', 'payment_failed')).id;
      await eventually('bob alerted in Slack', async () => (await n.db('deliveries').where({ notification_id: alert, channel: 'slack', csm_id: 'csm_bob' }).first())?.state === 'sent');
      expect(slackTo('U_csm_alice')).toHaveLength(1); // only the message from before the move
      expect(alice.events.filter((e) => e.event === 'created' || e.event === 'updated')).toEqual([]);
    } finally {
      alice.close();
    }
  });

  it('ignores a stale snapshot naming alice and a replayed one', async () => {
    // What a CSM sees of them (the outbox may still be marking versions published meanwhile).
    const seen = () => n.db('notifications').where({ customer_id: 'acc_own' }).orderBy('id').select('id', 'csm_id', 'previous_csm_id', 'timeline', 'version', 'status', 'acknowledged_at');
    const before = await seen();
    const notes = await n.db('ownership_notes').count({ c: '*' });
    await up.context(snapshot('acc_own', 'csm_alice', t0 + day + 3600_000)); // older than bob's
    await up.context(snapshot('acc_own', 'csm_bob', t0 + 2 * day)); // the same snapshot again
    await up.context(snapshot('acc_own', 'csm_bob', t0 + 3 * day, 'emea', 'Acme Renamed')); // newer, same owner, same partition: the others were read before it
    await eventually('the newer snapshot read', async () => (await n.db('account_owners').where({ account_id: 'acc_own' }).first()).account_name === 'Acme Renamed');
    expect((await n.db('account_owners').where({ account_id: 'acc_own' }).first()).csm_id).toBe('csm_bob');
    expect(await seen()).toEqual(before);
    expect(await n.db('ownership_notes').count({ c: '*' })).toEqual(notes);
  });

  it('scopes managers by the team in their token', async () => {
    const emea = { as: 'boss_emea', role: 'manager' as const, team: 'emea' };
    const amer = { as: 'boss_amer', role: 'manager' as const, team: 'amer' };
    expect((await api(n, '/api/invoices/customer/acc_own', emea)).status).toBe(200);
    expect((await api(n, '/api/invoices/csm/csm_bob/pending', emea)).status).toBe(200);
    expect((await api(n, '/api/invoices/customer/acc_other', emea)).status).toBe(403);
    expect((await api(n, '/api/invoices/csm/csm_carol/pending', emea)).status).toBe(403);
    expect((await api(n, '/api/invoices/stripe:in_carol/acknowledge', { ...emea, method: 'PUT' })).status).toBe(403);
    expect((await api(n, '/api/invoices/customer/acc_other', amer)).status).toBe(200);
    expect((await api(n, '/api/invoices/customer/acc_own', amer)).status).toBe(403);
    expect((await api(n, '/api/invoices/stripe:in_later', amer)).status).toBe(403);
    expect((await api(n, '/api/me', amer)).body).toEqual({ csmId: 'boss_amer', role: 'manager', team: 'amer' });
    // A manager without a team sees every team's.
    for (const path of ['/api/invoices/customer/acc_own', '/api/invoices/customer/acc_other', '/api/invoices/csm/csm_carol/pending']) {
      expect((await api(n, path, { as: 'boss', role: 'manager' })).status).toBe(200);
    }
    const refused = await openStream(n.url, 'csm_carol', 'boss_emea', { team: 'emea' });
    expect(refused.status).toBe(403);
    refused.close();
    const allowed = await openStream(n.url, 'csm_bob', 'boss_emea', { team: 'emea' });
    expect(allowed.status).toBe(200);
    allowed.close();
  });
});
