import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, samplePaymentStatus, SlackStandIn, SmtpSink } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, slackSigningSecret, startNotifier, Upstream } from './support/harness.ts';

/**
 * History imported on a vendor's first connection (invoice origin `backfill`) is for payment
 * history and flags only: no notification, no alert for its later statuses, nothing on Slack or
 * in the digest. The same invoice, had it come live, would go to Slack (high value and risk).
 */
describe('backfilled invoices', () => {
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
        SMTP_URL: smtp.url, DIGEST_FROM: 'invoice-signal@example.com', DIGEST_FREQUENCY: 'hourly',
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

  const backfilled = (invoiceId: string) => {
    const a = assessment({ invoiceId, csmId: 'csm_bf', accountId: 'acc_bf', riskLevel: 'high', amountMinor: 5_000_000 });
    return { ...a, enriched: { ...a.enriched, invoice: { ...a.enriched.invoice, origin: 'backfill' as const } } };
  };

  it('creates no notification for a backfilled assessment, nor an alert for its overdue or failed status', async () => {
    const old = 'stripe:in_bf_overdue';
    // Statuses first and after: the notifier keeps a status until the assessment arrives, then alerts on it.
    await up.status(samplePaymentStatus({ invoiceId: old, accountId: 'acc_bf', status: 'overdue', version: 2 }));
    await up.assessed(backfilled(old), backfilled('stripe:in_bf_paid'));
    await up.status(samplePaymentStatus({ invoiceId: 'stripe:in_bf_paid', accountId: 'acc_bf', status: 'failed', version: 3 }));
    // A live invoice of the same account (same key, same partition) after them: once it is notified, they were handled.
    await up.assessed(assessment({ invoiceId: 'stripe:in_live', csmId: 'csm_bf', accountId: 'acc_bf', riskLevel: 'high', amountMinor: 5_000_000 }));
    await eventually('the live invoice notified', async () => (await n.db('notifications').where({ invoice_id: 'stripe:in_live' }).first()) ?? undefined);
    await eventually('the failed status kept', async () => (await n.db('invoice_status').where({ invoice_id: 'stripe:in_bf_paid' }).first()) ?? undefined);

    expect(await n.db('notifications').whereIn('invoice_id', [old, 'stripe:in_bf_paid'])).toEqual([]);
    const pending = (await api(n, '/api/invoices/csm/csm_bf/pending?limit=200', { as: 'csm_bf' })).body;
    expect(pending.items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual(['stripe:in_live']);

    await n.deliver();
    await eventually('the live invoice on Slack', () => slack.posts().length > 0 || undefined);
    const deliveries = await n.db('deliveries').select('notification_id');
    const liveIds = (await n.db('notifications').where({ invoice_id: 'stripe:in_live' })).map((r) => r.id);
    expect(deliveries.every((d) => liveIds.includes(d.notification_id))).toBe(true);
    expect(slack.posts().every((p) => !JSON.stringify(p.params).includes('in_bf_'))).toBe(true);
  });
});
