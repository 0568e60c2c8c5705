import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { signSlack } from '../src/domain/slack-signature.ts';
import { api, assessment, dropNamespace, type Notifier, slackSigningSecret, startNotifier, Upstream } from './support/harness.ts';
import { SlackStandIn, SmtpSink } from '@invoice-signal/testkit';

describe('the Slack channel', () => {
  let n: Notifier;
  let up: Upstream;
  const slack = new SlackStandIn();
  const smtp = new SmtpSink();

  beforeAll(async () => {
    await slack.start();
    await smtp.start();
    n = await startNotifier({
      env: {
        SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: slackSigningSecret, SLACK_API_URL: slack.url,
        SLACK_MIN_RISK: 'high', DELIVERY_MAX_ATTEMPTS: '4', SMTP_URL: smtp.url, DIGEST_FROM: 'invoice-signal@example.com',
      },
    });
    up = await new Upstream(n.namespace).open();
  });
  afterAll(async () => {
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    await slack.stop();
    await smtp.stop();
  });

  const log = (csmId: string) => n.db('delivery_log').where({ csm_id: csmId, channel: 'slack' }).orderBy('id');

  it('sends a high-risk invoice to the CSM as a Block Kit message with one button per acknowledgment action, and Open', async () => {
    await up.assessed(assessment({ invoiceId: 'stripe:in_s1', csmId: 'csm_s1', riskLevel: 'high', amountMinor: 50_000 }));
    const [post] = await eventually('a Slack message', () => { const p = slack.posts((c) => c.params.channel === 'U_csm_s1'); return p.length ? p : undefined; });
    expect(post.authorization).toBe('Bearer xoxb-test-token');
    expect(post.params.text).toBe('Invoice issued: Acme Corp, €500.00');
    const blocks = post.params.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value?: string; url?: string }>; text?: { text: string } }>;
    // People read labels, not codes (the codes stay in the API).
    expect(blocks.find((b) => b.type === 'section')!.text!.text).toContain('*Customer health declining*:');
    expect(blocks.find((b) => b.type === 'section')!.text!.text).not.toContain('HEALTH_DECLINING');
    const actions = blocks.find((b) => b.type === 'actions')!.elements!;
    expect(actions.map((a) => a.action_id)).toEqual(['ack:contacted_customer', 'ack:scheduled_call', 'ack:sent_value_summary', 'ack:confirmed_payment_date', 'ack:no_action_needed', 'open']);
    expect(actions[5].url).toBe('http://inbox.test/inbox#invoice=stripe%3Ain_s1');
    const row = await n.db('notifications').where({ invoice_id: 'stripe:in_s1' }).first();
    expect(actions.slice(0, 5).map((a) => a.value)).toEqual(Array(5).fill(row.id));
    expect(row.channels).toEqual(['in_app', 'slack']);
    await eventually('sent logged', async () => (await log('csm_s1')).some((l) => l.outcome === 'sent'));
  });

  it('escapes customer-supplied text, so a name cannot mention @channel or plant a link', async () => {
    const name = '<!channel> <https://evil.example|Update card> & Co';
    await up.assessed(assessment({ invoiceId: 'stripe:in_inject', csmId: 'csm_inject', accountName: name, riskLevel: 'high', amountMinor: 50_000 }));
    const [post] = await eventually('a Slack message', () => { const p = slack.posts((c) => c.params.channel === 'U_csm_inject'); return p.length ? p : undefined; });
    const section = (post.params.blocks as Array<{ type: string; text?: { text: string } }>).find((b) => b.type === 'section')!.text!.text;
    for (const text of [post.params.text as string, section]) {
      expect(text).toContain('&lt;!channel&gt; &lt;https://evil.example|Update card&gt; &amp; Co');
      expect(text).not.toMatch(/<!channel>|<https:/);
    }
  });

  it('sends a high-value invoice of low risk, and keeps a small low-risk one out of Slack', async () => {
    await up.assessed(
      assessment({ invoiceId: 'stripe:in_big', csmId: 'csm_s2', riskLevel: 'low', amountMinor: 2_000_000, flags: ['HIGH_VALUE'] }),
      assessment({ invoiceId: 'stripe:in_small', csmId: 'csm_s2', riskLevel: 'low', amountMinor: 20_000 }),
    );
    await eventually('the big one in Slack', () => slack.posts((c) => c.params.channel === 'U_csm_s2').length === 1);
    const small = await eventually('the small one stored', async () => (await n.db('notifications').where({ invoice_id: 'stripe:in_small' }).first()) ?? undefined);
    expect(small.channels).toEqual(['in_app', 'email_digest']);
    await n.deliver();
    expect(slack.posts((c) => c.params.channel === 'U_csm_s2')).toHaveLength(1);
    expect(String(slack.posts((c) => c.params.channel === 'U_csm_s2')[0].params.text)).toContain('€20,000.00');
  });

  it('looks the CSM up by e-mail when the owner record has no Slack id, and remembers the answer', async () => {
    slack.users.set('dana@example.com', 'U_DANA');
    await up.assessed(assessment({ invoiceId: 'stripe:in_s3', csmId: 'csm_dana', slackUserId: null, email: 'dana@example.com' }));
    await eventually('a message to the looked-up user', () => slack.posts((c) => c.params.channel === 'U_DANA').length === 1);
    expect(slack.calls.some((c) => c.method === 'users.lookupByEmail' && c.params.email === 'dana@example.com')).toBe(true);
    expect((await n.db('csm_directory').where({ csm_id: 'csm_dana' }).first()).slack_user_id).toBe('U_DANA');
  });

  it('retries 429 and 5xx answers, honouring Retry-After, and sends exactly once', async () => {
    slack.script('chat.postMessage', { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }, { status: 503, body: {} });
    await up.assessed(assessment({ invoiceId: 'stripe:in_s4', csmId: 'csm_s4' }));
    await eventually('delivered after retries', async () => (await log('csm_s4')).some((l) => l.outcome === 'sent'), { timeoutMs: 15000 });
    const entries = await log('csm_s4');
    expect(entries.map((l) => l.outcome)).toEqual(['retry', 'retry', 'sent']);
    expect(entries[0].detail).toMatch(/next attempt in 1000 ms/);
    expect(entries[1].detail).toContain('HTTP 503');
    const attempts = slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === 'U_csm_s4');
    expect(attempts).toHaveLength(3);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1000);
    expect(attempts.map((c) => c.params.channel)).toEqual(['U_csm_s4', 'U_csm_s4', 'U_csm_s4']);
    await n.deliver();
    expect(slack.posts((c) => c.params.channel === 'U_csm_s4')).toHaveLength(3);
  });

  it('gives up on a Slack that stays down after the attempt limit and moves the notification to the digest', async () => {
    slack.script('chat.postMessage', ...Array.from({ length: 4 }, () => ({ status: 500, body: {} })));
    await up.assessed(assessment({ invoiceId: 'stripe:in_s5', csmId: 'csm_s5' }));
    await eventually('given up', async () => (await log('csm_s5')).some((l) => l.outcome === 'failed'), { timeoutMs: 15000 });
    expect((await log('csm_s5')).map((l) => l.outcome)).toEqual(['retry', 'retry', 'retry', 'failed']);
    const deliveries = await n.db('deliveries').join('notifications', 'notifications.id', 'deliveries.notification_id').where('notifications.invoice_id', 'stripe:in_s5').select('deliveries.channel', 'deliveries.state');
    expect(deliveries).toEqual(expect.arrayContaining([{ channel: 'slack', state: 'failed' }, { channel: 'email_digest', state: 'pending' }]));
  });

  describe('interactivity', () => {
    const send = (body: string, headers: Record<string, string>) =>
      fetch(`${n.url}/api/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const form = (id: string, user: string, actionId = 'acknowledge') => `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: user }, actions: [{ action_id: actionId, value: id }] }))}`;
    const signed = (body: string, ts = Math.floor(Date.now() / 1000)) => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${signSlack(slackSigningSecret, String(ts), body)}` });
    const notification = async (invoiceId: string) => n.db('notifications').where({ invoice_id: invoiceId }).first();

    it('records the acknowledgement of a correctly signed click by the owner', async () => {
      const row = await notification('stripe:in_s1');
      const body = form(row.id, 'U_csm_s1');
      const res = await send(body, signed(body));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { text: string }).text).toBe('Acknowledged 1 notification(s).');
      const after = await notification('stripe:in_s1');
      expect(after.acknowledged_at).not.toBeNull();
      // The plain Acknowledge of messages sent before the action buttons says nothing about what was done.
      expect(after.action_taken).toBeNull();
      expect((await api(n, '/api/invoices/csm/csm_s1/pending', { as: 'csm_s1' })).body.total).toBe(0);
    });

    it('records the action of an ack:<action> button, replacing the earlier one and keeping both in the history', async () => {
      const row = await notification('stripe:in_s1');
      const body = form(row.id, 'U_csm_s1', 'ack:scheduled_call');
      const res = await send(body, signed(body));
      expect(((await res.json()) as { text: string }).text).toBe('Acknowledged 1 notification(s) as "Scheduled a call".');
      const detail = (await api(n, '/api/invoices/stripe:in_s1', { as: 'csm_s1' })).body.notifications[0];
      expect(detail.acknowledgment).toMatchObject({ actionTaken: 'scheduled_call', note: null, by: 'csm_s1' });
      expect(detail.actionTaken).toBe('scheduled_call');
      expect(detail.acknowledgmentHistory.map((h: { actionTaken: string | null }) => h.actionTaken)).toEqual([null, 'scheduled_call']);
      // An unknown action id, or other (which needs a note), records nothing.
      const other = form(row.id, 'U_csm_s1', 'ack:other');
      expect(await (await send(other, signed(other))).json()).toEqual({ ok: true, ignored: true });
      const again = (await api(n, '/api/invoices/stripe:in_s1', { as: 'csm_s1' })).body.notifications[0];
      expect(again.acknowledgmentHistory).toHaveLength(2);
    });

    it('rejects a forged signature and a stale timestamp with 401, recording nothing', async () => {
      const row = await notification('stripe:in_s3');
      const body = form(row.id, 'U_DANA');
      const forged = await send(body, { ...signed(body), 'x-slack-signature': `v0=${'0'.repeat(64)}` });
      expect(forged.status).toBe(401);
      expect(forged.headers.get('content-type')).toContain('application/problem+json');
      expect(((await forged.json()) as { detail: string }).detail).toBe('X-Slack-Signature does not match the request body');
      const tampered = await send(form(row.id, 'U_csm_s1'), signed(body));
      expect(tampered.status).toBe(401);
      const staleTs = Math.floor(Date.now() / 1000) - 6 * 60;
      const stale = await send(body, signed(body, staleTs));
      expect(stale.status).toBe(401);
      expect(((await stale.json()) as { detail: string }).detail).toMatch(/request timestamp is 3\d\d s away from now \(limit 300 s\)/);
      const unsigned = await send(body, {});
      expect(unsigned.status).toBe(401);
      expect((await notification('stripe:in_s3')).acknowledged_at).toBeNull();
    });

    it('does not let another Slack user acknowledge someone else’s notification', async () => {
      const row = await notification('stripe:in_s3');
      const body = form(row.id, 'U_csm_s1');
      const res = await send(body, signed(body));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { text: string }).text).toBe('These notifications are not yours to acknowledge.');
      expect((await notification('stripe:in_s3')).acknowledged_at).toBeNull();
    });
  });
});
