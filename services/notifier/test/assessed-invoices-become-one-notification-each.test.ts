import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { eventually, samplePaymentStatus, TopicReader } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, startNotifier, Upstream } from './support/harness.ts';

describe('assessed invoices and payment statuses become InvoiceNotifications', () => {
  let n: Notifier;
  let up: Upstream;
  let published: TopicReader<import('@invoice-signal/events').CsmNotification>;

  beforeAll(async () => {
    n = await startNotifier();
    up = await new Upstream(n.namespace).open();
    published = await TopicReader.open(topics.notifications, up.serde);
  });
  afterAll(async () => {
    await published?.close();
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
  });

  const pending = async (csmId: string, query = '') => (await api(n, `/api/invoices/csm/${csmId}/pending?limit=200${query}`, { as: csmId })).body;

  it('stores one invoice_issued notification with every PRD field, publishes it, and ignores a replay', async () => {
    const a = assessment({ invoiceId: 'stripe:in_core1', csmId: 'csm_core' });
    await up.assessed(a);
    await up.assessed(a);
    const page = await eventually('the notification in the pending list', async () => {
      const p = await pending('csm_core');
      return p.total === 1 ? p : undefined;
    });
    const item = page.items[0];
    expect(item).toMatchObject({
      kind: 'invoice_issued', invoiceId: 'stripe:in_core1', customerId: 'acc_acme', customerName: 'Acme Corp', csmId: 'csm_core',
      amount: 1_250_000, currency: 'EUR', dueDate: '2026-12-01T00:00:00.000Z', status: 'pending', riskLevel: 'high', riskFlags: ['HEALTH_DECLINING'],
      customerContext: { healthScore: 62, paymentHistory: 'fair', renewalDate: expect.any(String), recentIssues: true },
      acknowledgedAt: null, actionTaken: null,
    });
    expect(item.id).toMatch(/^ntf_/);
    // One amount: integer minor units with its currency, and as the CSM reads it (the topic keeps amountMinor).
    expect(item).not.toHaveProperty('amountMinor');
    expect(item.amountDisplay).toBe('€12,500.00');
    expect(item.recommendedActions).toContain('Call Acme Corp before the due date.');
    expect(Date.parse(item.notifiedAt)).toBeGreaterThan(0);
    const [event] = await published.waitFor(1, (r) => r.value?.invoiceId === 'stripe:in_core1');
    expect(event.key).toBe('csm_core');
    expect(event.value).toMatchObject({ id: item.id, kind: 'invoice_issued', csmId: 'csm_core', amountMinor: 1_250_000, channels: ['in_app'] });
    const rows = await n.db('notifications').where({ invoice_id: 'stripe:in_core1' });
    expect(rows).toHaveLength(1);
  });

  it('keeps a status that arrives before the assessment and applies it, alerting once for the failure', async () => {
    await up.status(samplePaymentStatus({ invoiceId: 'stripe:in_early', status: 'failed', version: 2 }));
    await eventually('the status to be kept', async () => (await n.db('invoice_status').where({ invoice_id: 'stripe:in_early' }).first()) ?? undefined);
    await up.assessed(assessment({ invoiceId: 'stripe:in_early', csmId: 'csm_early' }));
    const page = await eventually('two notifications', async () => {
      const p = await pending('csm_early');
      return p.total === 2 ? p : undefined;
    });
    expect(page.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['invoice_issued', 'payment_failed']);
    expect(page.items.every((i: { status: string }) => i.status === 'failed')).toBe(true);
  });

  it('follows status transitions: overdue alerts once, paid updates status, stale versions are ignored', async () => {
    await up.assessed(assessment({ invoiceId: 'stripe:in_flow', csmId: 'csm_flow' }));
    await eventually('issued', async () => (await pending('csm_flow')).total === 1);
    await up.status(samplePaymentStatus({ invoiceId: 'stripe:in_flow', status: 'overdue', version: 5 }));
    await up.status(samplePaymentStatus({ invoiceId: 'stripe:in_flow', status: 'overdue', version: 5 }));
    await up.status(samplePaymentStatus({ invoiceId: 'stripe:in_flow', status: 'pending', version: 4 }));
    await up.status(samplePaymentStatus({ invoiceId: 'stripe:in_flow', status: 'paid', version: 6 }));
    // Paid is settled: listed only on request.
    const page = await eventually('overdue alert and paid status', async () => {
      const p = await pending('csm_flow', '&settled=include');
      return p.total === 2 && p.items.every((i: { status: string }) => i.status === 'paid') ? p : undefined;
    });
    expect((await pending('csm_flow')).total).toBe(0);
    expect(page.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['invoice_issued', 'overdue']);
    const customer = await api(n, '/api/invoices/customer/acc_acme', { as: 'csm_flow' });
    expect(customer.status).toBe(200);
    const invoice = customer.body.invoices.find((i: { invoiceId: string }) => i.invoiceId === 'stripe:in_flow');
    expect(invoice).toMatchObject({ status: 'paid', csmId: 'csm_flow', amount: 1_250_000, currency: 'EUR', amountDisplay: '€12,500.00' });
  });

  it('reassigns on a re-assessment with a new owner instead of notifying twice', async () => {
    await up.assessed(assessment({ invoiceId: 'stripe:in_late', accountId: 'unmatched:stripe:cus_x', csmId: 'csm_fallback' }));
    await eventually('fallback owner has it', async () => (await pending('csm_fallback')).total === 1);
    await up.assessed(assessment({ invoiceId: 'stripe:in_late', accountId: 'acc_late', csmId: 'csm_real', revision: 2 }));
    await up.assessed(assessment({ invoiceId: 'stripe:in_late', accountId: 'unmatched:stripe:cus_x', csmId: 'csm_fallback', revision: 1 }));
    await eventually('the real owner has it', async () => (await pending('csm_real')).total === 1);
    expect((await pending('csm_fallback')).total).toBe(0);
    const rows = await n.db('notifications').where({ invoice_id: 'stripe:in_late' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ csm_id: 'csm_real', customer_id: 'acc_late', revision: 2, previous_csm_id: 'csm_fallback' });
    expect(rows[0].timeline).toEqual([expect.objectContaining({ event: 'reassigned', note: 'from csm_fallback to csm_real' })]);
    const [moved] = await published.waitFor(1, (r) => r.value?.invoiceId === 'stripe:in_late' && r.value.csmId === 'csm_real');
    expect(moved.value).toMatchObject({ previousCsmId: 'csm_fallback' });
  });

  it('dead-letters an assessment it cannot use, naming the field, and carries on', async () => {
    const dlq = await TopicReader.openRaw(`${n.namespace}.${topics.assessed.name}.dlq`);
    try {
      const bad = assessment({ invoiceId: 'stripe:in_bad', csmId: 'csm_bad', currency: 'euro' });
      await up.assessed(bad, assessment({ invoiceId: 'stripe:in_after_bad', csmId: 'csm_bad' }));
      const [dead] = await dlq.waitFor(1);
      expect(dead.headers['dlq.error.code']).toBe('NTF_INVALID_ASSESSMENT');
      expect(dead.headers['dlq.error.message']).toContain('enriched.invoice.currency "euro"');
      await eventually('the next record handled', async () => (await pending('csm_bad')).total === 1);
    } finally {
      await dlq.close();
    }
  });
});
