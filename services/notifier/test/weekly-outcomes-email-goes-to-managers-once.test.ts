import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, samplePaymentStatus, SmtpSink, type ReceivedMail } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, startNotifier, TestClock, Upstream } from './support/harness.ts';

/** Quoted-printable soft breaks and escapes undone, so assertions read the text. */
const decoded = (m: ReceivedMail) => {
  const unfolded = m.raw.replace(/\r?\n[ \t]+/g, ' ').replace(/=\r?\n/g, '');
  return Buffer.from(unfolded.replace(/=([0-9A-F]{2})/g, (_s, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
};
const at = (day: number, hour = 12) => Date.UTC(2026, 10, day, hour);

/**
 * OUTCOMES_WEEKLY_TO: every Monday at 08:00 (UTC here) the managers get the last seven days'
 * numbers, once per week whatever the ticks, through the digest's claim and the real SMTP client.
 */
describe('the weekly outcomes e-mail', () => {
  const smtp = new SmtpSink();
  const clock = new TestClock();
  let n: Notifier;
  let up: Upstream;
  const weekOf = (from: string) => smtp.mails.filter((m) => decoded(m).includes(`invoice-signal outcomes, ${from} to`));

  beforeAll(async () => {
    await smtp.start();
    clock.set(at(16));
    n = await startNotifier({
      clock,
      env: { SMTP_URL: smtp.url, DIGEST_FROM: 'invoice-signal <digest@example.com>', OUTCOMES_WEEKLY_TO: 'vp@example.com, lead@example.com', OUTCOMES_WEEKLY_DAY: 'mon', OUTCOMES_WEEKLY_HOUR: '8' },
    });
    up = await new Upstream(n.namespace).open();
  });
  afterAll(async () => {
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    await smtp.stop();
  });

  it('sends the week once to every manager, with the numbers the API gives, retrying a refused send', async () => {
    for (const [id, day, due] of [['stripe:w1', 16, 18], ['stripe:w2', 17, 19]] as const) {
      clock.set(at(day));
      await up.assessed(assessment({ invoiceId: id, accountId: 'acc_w', csmId: 'csm_w', riskLevel: 'low', dueAt: at(due, 23) }));
      await eventually(`${id} notified`, async () => (await n.db('notifications').where({ invoice_id: id }).first()) ?? undefined);
    }
    clock.set(at(17, 14));
    expect((await api(n, '/api/invoices/stripe:w1/acknowledge', { as: 'csm_w', method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actionTaken: 'contacted_customer' }) })).status).toBe(200);
    await up.status(
      samplePaymentStatus({ invoiceId: 'stripe:w1', accountId: 'acc_w', status: 'paid', paidAt: at(18), lastEventAt: at(18), dueAt: at(18, 23), version: 4 }),
      samplePaymentStatus({ invoiceId: 'stripe:w2', accountId: 'acc_w', status: 'paid', paidAt: at(21), lastEventAt: at(21), dueAt: at(19, 23), version: 4 }),
    );
    await eventually('both paid', async () => (await n.db('invoice_status').whereIn('invoice_id', ['stripe:w1', 'stripe:w2']).where({ status: 'paid' })).length === 2 || undefined);

    // Monday 07:59: the week of the 16th is not due yet; 08:00 it is, and the first attempt is refused.
    clock.set(at(23, 7) + 59 * 60_000);
    await n.deliver();
    expect(weekOf('2026-11-16')).toEqual([]);
    smtp.failNext = 1;
    clock.set(at(23, 8));
    await n.deliver();
    expect(weekOf('2026-11-16')).toEqual([]);
    const claim = await n.db('digests').where({ csm_id: 'outcomes-weekly', period_key: 'outcomes-weekly:2026-11-16' }).first();
    expect([claim.state, claim.attempts, claim.last_error]).toEqual(['outcomes_pending', 1, expect.stringContaining('mailbox temporarily unavailable')]);
    clock.set(at(23, 8) + 60_000);
    for (let i = 0; i < 3; i++) await n.deliver();
    await eventually('the week sent', () => weekOf('2026-11-16').length === 1 || undefined);
    clock.set(at(23, 9));
    await n.deliver();
    expect(weekOf('2026-11-16')).toHaveLength(1);

    const [mail] = weekOf('2026-11-16');
    expect(mail.to.sort()).toEqual(['lead@example.com', 'vp@example.com']);
    const text = decoded(mail);
    const r = (await api(n, '/api/outcomes?from=2026-11-16&to=2026-11-23', { as: 'vp', role: 'manager' })).body;
    expect([r.outreach.overall.rate, r.outreach.overall.eligible, r.onTime.withOutreach.rate, r.onTime.withoutOutreach.rate]).toEqual([0.5, 2, 1, 0]);
    expect(text).toContain('Proactive outreach: 50.0% (1 of 2; 0 still open) · target 30.0%');
    expect(text).toContain('On-time payment: with outreach 100.0% (n=1), without 0.0% (n=1), all notified 50.0% (n=2)');
    expect(text).toContain('csm_w: 2 notified, outreach 50.0% (n=2)');
    expect(text).toContain('http://inbox.test/outcomes');
    const log = await n.db('delivery_log').where({ channel: 'outcomes_email' }).orderBy('id').pluck('outcome');
    expect(log.filter((o) => o === 'retry')).toHaveLength(1);
  });
});
