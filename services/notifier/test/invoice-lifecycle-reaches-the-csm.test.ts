import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type CsmNotification, type PaymentStatus } from '@invoice-signal/events';
import { eventually, samplePaymentStatus, SlackStandIn, SmtpSink, TopicReader } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, slackSigningSecret, startNotifier, Upstream } from './support/harness.ts';

/**
 * The invoice's life after it was notified, through the real Kafka, registry and Postgres, Slack
 * and SMTP stand-ins: statuses from the tracker update the same notification (version + 1, a
 * timeline entry), alerts where the CSM must act, nothing announced for an invoice settled
 * before it went out, and a pending list without settled invoices unless asked.
 */
describe('the invoice lifecycle reaches the CSM', () => {
  let n: Notifier;
  let up: Upstream;
  let published: TopicReader<CsmNotification>;
  const slack = new SlackStandIn();
  const smtp = new SmtpSink();
  const due = Date.UTC(2026, 11, 1);

  beforeAll(async () => {
    await slack.start();
    await smtp.start();
    n = await startNotifier({
      env: {
        SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: slackSigningSecret, SLACK_API_URL: slack.url,
        SLACK_MIN_RISK: 'high', SMTP_URL: smtp.url, DIGEST_FROM: 'invoice-signal@example.com',
      },
    });
    up = await new Upstream(n.namespace).open();
    published = await TopicReader.open(topics.notifications, up.serde);
  });
  afterAll(async () => {
    await published?.close();
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    await slack.stop();
    await smtp.stop();
  });

  /** A status as the tracker publishes it for an invoice of 12,500.00 EUR due on `due`. */
  const status = (invoiceId: string, version: number, over: Partial<PaymentStatus> = {}): PaymentStatus => samplePaymentStatus({
    invoiceId, version, status: 'pending', previousStatus: null, amountDueMinor: 1_250_000, totalMinor: 1_250_000, amountCreditedMinor: 0,
    amountRemainingMinor: 1_250_000, amountPaidMinor: 0, failureReason: null, attemptCount: 0, dueAt: due, changedAt: Date.now(), ...over,
  });
  const pending = async (csmId: string, query = '') => (await api(n, `/api/invoices/csm/${csmId}/pending?limit=200${query}`, { as: csmId })).body;
  const rows = (invoiceId: string) => n.db('notifications').where({ invoice_id: invoiceId }).orderBy('kind');
  const issuedRow = async (invoiceId: string) => (await rows(invoiceId)).find((r) => r.kind === 'invoice_issued');
  const slackFor = (csmId: string) => slack.posts((c) => c.params.channel === `U_${csmId}`);

  async function notified(invoiceId: string, csmId: string, over: Parameters<typeof assessment>[0] = { invoiceId }) {
    await up.assessed(assessment({ csmId, ...over, invoiceId }));
    return eventually(`${invoiceId} notified`, async () => (await issuedRow(invoiceId)) ?? undefined);
  }

  it('follows a moved due date and a credit note as updates of the same notification, republished with version + 1', async () => {
    const id = 'stripe:in_lc_due';
    const first = await notified(id, 'csm_lc_due');
    await up.status(status(id, 1));
    await up.status(status(id, 2, { dueAt: Date.UTC(2026, 11, 15) }));
    await up.status(status(id, 3, { dueAt: Date.UTC(2026, 11, 15), amountDueMinor: 1_000_000, amountRemainingMinor: 1_000_000, amountCreditedMinor: 250_000 }));
    const row = await eventually('the credit note applied', async () => { const r = await issuedRow(id); return r.timeline.length === 2 ? r : undefined; });
    // Three statuses, three versions (the first brought the remaining balance).
    expect(row).toMatchObject({ amount_minor: 1_000_000, amount_remaining_minor: 1_000_000, due_at: Date.UTC(2026, 11, 15), version: first.version + 3 });
    expect(row.timeline.map((e: { event: string; note: string }) => e.note)).toEqual([
      'due date moved from 2026-12-01 to 2026-12-15',
      'credit note of €2,500.00 applied: €10,000.00 due instead of €12,500.00',
    ]);
    expect(await rows(id)).toHaveLength(1);
    const [event] = await published.waitFor(1, (r) => r.value?.invoiceId === id && r.value.version === first.version + 3);
    expect(event.value).toMatchObject({ amountMinor: 1_000_000, amountRemainingMinor: 1_000_000, dueAt: Date.UTC(2026, 11, 15) });
    expect(event.value!.timeline.map((e) => e.event)).toEqual(['updated', 'updated']);
    const item = (await pending('csm_lc_due')).items[0];
    expect(item).toMatchObject({ dueDate: '2026-12-15T00:00:00.000Z', amount: 1_000_000, amountRemaining: 1_000_000 });
    expect(item.timeline[1]).toMatchObject({ event: 'updated', at: expect.stringMatching(/^\d{4}-/) });
  });

  it('an amount raised after issue is shown as changed; a voided invoice leaves the pending list unless settled=include', async () => {
    const id = 'stripe:in_lc_void';
    await notified(id, 'csm_lc_void');
    await up.status(status(id, 1), status(id, 2, { amountDueMinor: 1_400_000, totalMinor: 1_400_000, amountRemainingMinor: 1_400_000 }));
    await eventually('the amount change', async () => (await issuedRow(id)).timeline.length === 1);
    expect((await issuedRow(id)).timeline[0].note).toBe('amount changed from €12,500.00 to €14,000.00');
    await up.status(status(id, 3, { status: 'voided', amountRemainingMinor: 0 }));
    await eventually('voided', async () => (await issuedRow(id)).status === 'voided');
    expect((await issuedRow(id)).timeline.at(-1)).toMatchObject({ event: 'voided' });
    expect((await pending('csm_lc_void')).total).toBe(0);
    const all = await pending('csm_lc_void', '&settled=include');
    expect(all.items.map((i: { invoiceId: string; status: string }) => [i.invoiceId, i.status])).toEqual([[id, 'voided']]);
    expect((await api(n, '/api/invoices/csm/csm_lc_void/pending?settled=maybe', { as: 'csm_lc_void' })).status).toBe(400);
  });

  it('an invoice paid before its assessment arrives is stored as paid, never announced on Slack or in the digest', async () => {
    const id = 'stripe:in_lc_prepaid';
    await up.status(status(id, 2, { status: 'paid', amountPaidMinor: 1_250_000, amountRemainingMinor: 0 }));
    await eventually('the status kept', async () => (await n.db('invoice_status').where({ invoice_id: id }).first()) ?? undefined);
    // High risk and high value: announced on Slack had it still been open.
    const row = await notified(id, 'csm_lc_prepaid', { invoiceId: id, amountMinor: 1_250_000, riskLevel: 'high' });
    expect(row).toMatchObject({ status: 'paid', amount_remaining_minor: 0 });
    expect(row.channels).toEqual([]);
    expect(await n.db('deliveries').where({ notification_id: row.id })).toEqual([]);
    await n.deliver();
    expect(slackFor('csm_lc_prepaid')).toEqual([]);
    expect((await pending('csm_lc_prepaid')).total).toBe(0);
    expect((await pending('csm_lc_prepaid', '&settled=include')).items[0]).toMatchObject({ invoiceId: id, status: 'paid' });
  });

  it('an invoice paid while its Slack message and digest line wait is withdrawn from both', async () => {
    n.clock.set(Date.UTC(2026, 10, 24, 10));
    try {
      // 30 s batching window for the Slack one; the small one goes to the digest.
      await api(n, '/api/csm/csm_lc_wait/preferences', { as: 'csm_lc_wait', method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batchWindowSeconds: 30 }) });
      const big = await notified('stripe:in_lc_wait_big', 'csm_lc_wait', { invoiceId: 'stripe:in_lc_wait_big', riskLevel: 'high' });
      const small = await notified('stripe:in_lc_wait_small', 'csm_lc_wait', { invoiceId: 'stripe:in_lc_wait_small', riskLevel: 'low', amountMinor: 20_000 });
      expect([big.channels, small.channels]).toEqual([['in_app', 'slack'], ['in_app', 'email_digest']]);
      await up.status(
        status('stripe:in_lc_wait_big', 1, { status: 'paid', amountPaidMinor: 1_250_000, amountRemainingMinor: 0 }),
        status('stripe:in_lc_wait_small', 1, { status: 'paid', amountDueMinor: 20_000, totalMinor: 20_000, amountPaidMinor: 20_000, amountRemainingMinor: 0 }),
      );
      const deliveries = await eventually('both withdrawn', async () => {
        const d = await n.db('deliveries').whereIn('notification_id', [big.id, small.id]).orderBy('channel');
        return d.every((x) => x.state === 'cancelled') ? d : undefined;
      });
      expect(deliveries.map((d) => [d.channel, d.reason])).toEqual([['email_digest', 'paid before it went out'], ['slack', 'paid before it went out']]);
      n.clock.set(Date.UTC(2026, 10, 25, 9)); // past the window and the next 08:00 digest
      await n.deliver();
      await n.deliver();
      expect(slackFor('csm_lc_wait')).toEqual([]);
      expect(smtp.mails.filter((m) => m.to.includes('csm_lc_wait@example.com'))).toEqual([]);
    } finally {
      n.clock.pinned = null;
    }
  });

  it('an overdue alert shows the remaining balance and the last payment failure, in the API and on Slack', async () => {
    const id = 'stripe:in_lc_overdue';
    await notified(id, 'csm_lc_overdue', { invoiceId: id, riskLevel: 'low', amountMinor: 20_000 });
    const base = { amountDueMinor: 20_000, totalMinor: 20_000, amountPaidMinor: 5_000, amountRemainingMinor: 15_000 };
    await up.status(status(id, 1, base));
    await up.status(status(id, 2, { ...base, status: 'failed', attemptCount: 1, failureReason: 'Your card has insufficient funds.' }));
    await up.status(status(id, 3, { ...base, status: 'overdue', attemptCount: 1, failureReason: 'Your card has insufficient funds.', overdueSince: Date.now() }));
    const alert = await eventually('the overdue alert', async () => (await pending('csm_lc_overdue')).items.find((i: { kind: string }) => i.kind === 'overdue'));
    expect(alert).toMatchObject({ status: 'overdue', amount: 20_000, amountRemaining: 15_000, failureReason: 'Your card has insufficient funds.' });
    // Alone or batched with the failure alert, its section carries the balance and the reason.
    const sections = () => slackFor('csm_lc_overdue').flatMap((p) => (p.params.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section').map((b) => b.text!.text));
    const section = await eventually('the overdue alert on Slack', () => sections().find((t) => t.startsWith('*Overdue: Acme Corp')));
    expect(section.split('\n')[1]).toBe('€150.00 still owed of €200.00 · last failure: Your card has insufficient funds.');
    const issued = await issuedRow(id);
    expect(issued.timeline.map((e: { event: string; note: string }) => [e.event, e.note])).toEqual([
      ['updated', '€50.00 paid; €150.00 still owed'], ['payment_failed', 'Your card has insufficient funds.'], ['overdue', '€150.00 unpaid'],
    ]);
  });

  it('a dispute raises an alert; lost, it is announced again and comes back to the CSM who acknowledged it, listed although the invoice is paid', async () => {
    const id = 'stripe:in_lc_dispute';
    await notified(id, 'csm_lc_dispute', { invoiceId: id, riskLevel: 'low', amountMinor: 20_000 });
    const paid = { status: 'paid' as const, amountDueMinor: 20_000, totalMinor: 20_000, amountPaidMinor: 20_000, amountRemainingMinor: 0 };
    await up.status(status(id, 1, paid), status(id, 2, { ...paid, disputed: true, disputeStatus: 'open' }));
    const alert = await eventually('the dispute alert', async () => (await pending('csm_lc_dispute')).items.find((i: { kind: string }) => i.kind === 'disputed'));
    expect(alert).toMatchObject({ status: 'paid', channels: ['in_app', 'slack'] });
    await eventually('the dispute on Slack', () => slackFor('csm_lc_dispute').some((p) => p.params.text === 'Chargeback: Acme Corp disputed €200.00'));
    // The paid invoice_issued is settled: only the dispute alert is pending.
    expect((await pending('csm_lc_dispute')).items.map((i: { kind: string }) => i.kind)).toEqual(['disputed']);
    expect((await api(n, `/api/invoices/${id}/acknowledge`, { as: 'csm_lc_dispute', method: 'PUT' })).status).toBe(200);
    expect((await pending('csm_lc_dispute')).total).toBe(0);

    await up.status(status(id, 3, { ...paid, disputed: true, disputeStatus: 'lost' }));
    const back = await eventually('the lost dispute back in the list', async () => (await pending('csm_lc_dispute')).items.find((i: { kind: string }) => i.kind === 'disputed'));
    expect(back.acknowledgedAt).toBeNull();
    expect(back.timeline.map((e: { event: string }) => e.event)).toEqual(['paid', 'disputed', 'dispute_lost']);
    const [event] = await published.waitFor(1, (r) => r.value?.id === alert.id && r.value!.timeline.some((e) => e.event === 'dispute_lost'));
    expect(event.value).toMatchObject({ kind: 'disputed', acknowledgedAt: null, version: alert.version + 2 });
    expect(await rows(id)).toHaveLength(2);
    // Announced once more: the chargeback stands.
    await eventually('the lost dispute on Slack', () => slackFor('csm_lc_dispute').some((p) => p.params.text === 'Chargeback lost: Acme Corp, €200.00 back to the customer'));
    expect(slackFor('csm_lc_dispute').filter((p) => String(p.params.text).startsWith('Chargeback'))).toHaveLength(2);
  });

  it('an invoice written off raises a write-off alert on Slack; the same status again changes nothing', async () => {
    const id = 'stripe:in_lc_writeoff';
    await notified(id, 'csm_lc_writeoff', { invoiceId: id, riskLevel: 'low', amountMinor: 20_000 });
    const writtenOff = status(id, 4, { status: 'uncollectible', amountDueMinor: 20_000, totalMinor: 20_000, amountRemainingMinor: 20_000 });
    await up.status(writtenOff);
    const alert = await eventually('the write-off alert', async () => (await pending('csm_lc_writeoff')).items.find((i: { kind: string }) => i.kind === 'written_off'));
    expect(alert).toMatchObject({ status: 'uncollectible', amountRemaining: 20_000 });
    await eventually('the write-off on Slack', () => slackFor('csm_lc_writeoff').some((p) => p.params.text === 'Written off: Acme Corp, €200.00'));
    const before = await rows(id);
    await up.status(writtenOff);
    await up.assessed(assessment({ invoiceId: 'stripe:in_lc_marker', csmId: 'csm_lc_writeoff' }));
    await eventually('a later record handled', async () => (await issuedRow('stripe:in_lc_marker')) ?? undefined);
    expect((await rows(id)).map((r) => [r.kind, r.version])).toEqual(before.map((r) => [r.kind, r.version]));
    expect(slackFor('csm_lc_writeoff').filter((p) => String(p.params.text).startsWith('Written off'))).toHaveLength(1);
  });
});
