import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, startNotifier, TestClock, Upstream } from './support/harness.ts';
import { SmtpSink, type ReceivedMail } from '@invoice-signal/testkit';

/** Quoted-printable soft breaks and escapes undone, so assertions read the text. */
const decoded = (m: ReceivedMail) => {
  const unfolded = m.raw.replace(/\r?\n[ \t]+/g, ' ').replace(/=\r?\n/g, '');
  return Buffer.from(unfolded.replace(/=([0-9A-F]{2})/g, (_s, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
};
const paris = (iso: string) => Date.parse(`${iso}+01:00`);

describe('the e-mail digest', () => {
  const smtp = new SmtpSink();
  const clock = new TestClock();
  let a: Notifier;
  let b: Notifier | undefined;
  let up: Upstream;
  const env = () => ({ SMTP_URL: smtp.url, DIGEST_FROM: 'invoice-signal <digest@example.com>', DIGEST_FREQUENCY: 'daily', DIGEST_HOUR: '8' });
  const mailsTo = (to: string) => smtp.mails.filter((m) => m.to.includes(to));

  beforeAll(async () => {
    await smtp.start();
    clock.set(paris('2026-11-24T10:30:00'));
    a = await startNotifier({ env: env(), clock });
    up = await new Upstream(a.namespace).open();
  });
  afterAll(async () => {
    await up?.close();
    await a?.stop();
    await b?.stop();
    if (a) await dropNamespace(a.namespace);
    await smtp.stop();
  });

  it('waits for the CSM’s period to close, then sends one digest grouped by risk in HTML and text', async () => {
    const csm = { csmId: 'csm_paris', email: 'paris@example.com', timeZone: 'Europe/Paris' };
    await up.assessed(
      assessment({ invoiceId: 'stripe:in_d1', riskLevel: 'low', amountMinor: 10_000, ...csm }),
      assessment({ invoiceId: 'stripe:in_d2', riskLevel: 'high', amountMinor: 20_000, ...csm }),
      assessment({ invoiceId: 'stripe:in_d3', riskLevel: 'medium', amountMinor: 30_000, ...csm }),
    );
    await eventually('three queued for the digest', async () => Number((await a.db('deliveries').where({ csm_id: 'csm_paris', channel: 'email_digest' }).count({ c: '*' }))[0].c) === 3);
    await a.deliver();
    expect(mailsTo('paris@example.com')).toHaveLength(0); // today's 08:00 period closed before these arrived
    clock.set(paris('2026-11-25T07:59:00'));
    await a.deliver();
    expect(mailsTo('paris@example.com')).toHaveLength(0);
    clock.set(paris('2026-11-25T08:00:30'));
    const [mail] = await eventually('the digest', () => { const m = mailsTo('paris@example.com'); return m.length ? m : undefined; });
    const text = decoded(mail);
    expect(text).toContain('Subject: invoice-signal digest (daily:2026-11-25): 3 notifications, 1 high risk');
    expect(text).toMatch(/Content-Type: text\/plain/);
    expect(text).toMatch(/Content-Type: text\/html/);
    expect(text.indexOf('HIGH RISK (1)')).toBeLessThan(text.indexOf('MEDIUM RISK (1)'));
    expect(text.indexOf('MEDIUM RISK (1)')).toBeLessThan(text.indexOf('LOW RISK (1)'));
    expect(text).toContain('Invoice issued: Acme Corp, €200.00 — due 2026-12-01, health 62, payment history fair, flags: Customer health declining');
    expect(text).toContain('<h2 style="font-size:15px">high risk (1)</h2>');
    expect(mail.from).toBe('digest@example.com');
    expect(text).toContain('Date: Wed, 25 Nov 2026 07:00:30 +0000');
    await a.deliver();
    expect(mailsTo('paris@example.com')).toHaveLength(1);
    await eventually('deliveries marked sent', async () => (await a.db('deliveries').where({ csm_id: 'csm_paris', channel: 'email_digest' }).pluck('state')).join() === 'sent,sent,sent');
  });

  it('sends nothing when nothing is queued (a digest is never empty)', async () => {
    clock.set(paris('2026-11-26T08:10:00'));
    await a.deliver();
    expect(mailsTo('paris@example.com')).toHaveLength(1);
    expect(await a.db('digests').where({ csm_id: 'csm_paris' }).pluck('period_key')).toEqual(['daily:2026-11-25']);
  });

  it('sends a period’s digest once with two instances running and across a restart', async () => {
    clock.set(paris('2026-11-26T09:00:00'));
    b = await startNotifier({ namespace: a.namespace, env: env(), clock, databaseUrl: a.running.ctx.config.databaseUrl });
    await up.assessed(assessment({ invoiceId: 'stripe:in_d4', csmId: 'csm_paris', email: 'paris@example.com', timeZone: 'Europe/Paris' }));
    await eventually('queued', async () => (await a.db('deliveries').join('notifications', 'notifications.id', 'deliveries.notification_id').where('notifications.invoice_id', 'stripe:in_d4').first()) ?? undefined);
    clock.set(paris('2026-11-27T08:00:05'));
    await Promise.all([a.deliver(), b.deliver(), a.deliver(), b.deliver()]);
    await eventually('the second digest', () => mailsTo('paris@example.com').length === 2);
    await a.stop();
    a = await startNotifier({ namespace: a.namespace, env: env(), clock, databaseUrl: b.running.ctx.config.databaseUrl });
    await Promise.all([a.deliver(), b.deliver()]);
    expect(mailsTo('paris@example.com')).toHaveLength(2);
    expect(await a.db('digests').where({ csm_id: 'csm_paris' }).orderBy('id').pluck('period_key')).toEqual(['daily:2026-11-25', 'daily:2026-11-27']);
  });

  it('retries when the SMTP server refuses, then delivers once, logging each attempt', async () => {
    await api(a, '/api/csm/csm_hourly/preferences', { as: 'csm_hourly', method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ digest: { frequency: 'hourly' } }) });
    clock.set(Date.parse('2026-11-27T10:20:00Z'));
    await up.assessed(assessment({ invoiceId: 'stripe:in_d5', csmId: 'csm_hourly', email: 'hourly@example.com', timeZone: 'UTC' }));
    await eventually('queued', async () => (await a.db('deliveries').where({ csm_id: 'csm_hourly' }).first()) ?? undefined);
    smtp.failNext = 1;
    clock.set(Date.parse('2026-11-27T11:00:01Z'));
    await eventually('the refusal logged', async () => (await a.db('delivery_log').where({ csm_id: 'csm_hourly', outcome: 'retry' }).first()) ?? undefined);
    expect(mailsTo('hourly@example.com')).toHaveLength(0);
    clock.set(Date.parse('2026-11-27T11:01:00Z')); // past the backoff
    const [mail] = await eventually('the hourly digest', () => { const m = mailsTo('hourly@example.com'); return m.length ? m : undefined; });
    expect(decoded(mail)).toContain('invoice-signal digest (hourly:2026-11-27T11): 1 notification');
    const outcomes = () => a.db('delivery_log').where({ csm_id: 'csm_hourly', channel: 'email_digest' }).orderBy('id').pluck('outcome');
    await eventually('the send logged', async () => (await outcomes()).includes('sent'));
    expect(await outcomes()).toEqual(['claimed', 'retry', 'sent']);
    await Promise.all([a.deliver(), b!.deliver()]);
    expect(mailsTo('hourly@example.com')).toHaveLength(1);
  });
});
