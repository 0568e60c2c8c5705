import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { api, dropNamespace, type Notifier, startNotifier, Upstream } from './support/harness.ts';
import { assessed, day, northwindOverdue, paymentStatus } from './support/inbox-history.ts';

/**
 * What the inbox reads from the CSM API beyond the PRD's notification: the risk-scorer's actions
 * and value prompts kept structured, flag labels beside the codes, and the settled invoices apart.
 */
describe('the CSM API serves what the inbox shows', () => {
  let n: Notifier;
  let up: Upstream;
  const csm = 'csm_inbox_api';
  const now = Date.now();
  const dueAt = Date.UTC(2026, 11, 1, 23, 59, 59, 999);
  const pending = async (query: string) => (await api(n, `/api/invoices/csm/${csm}/pending?limit=200${query}`, { as: csm })).body;

  beforeAll(async () => {
    n = await startNotifier();
    up = await new Upstream(n.namespace).open();
    await up.assessed(
      northwindOverdue(csm, now, dueAt),
      assessed({ invoiceId: 'stripe:in_paid_1', accountId: 'acc_p', accountName: 'Paid Early', csmId: csm, amountMinor: 10_000, number: 'P-1', issuedAt: now - 9 * day, dueAt }),
      assessed({ invoiceId: 'stripe:in_paid_2', accountId: 'acc_p', accountName: 'Paid Early', csmId: csm, amountMinor: 20_000, number: 'P-2', issuedAt: now - 9 * day, dueAt }),
    );
    await eventually('three notified', async () => (await n.db('notifications').where({ csm_id: csm })).length === 3);
    // Paid one after the other: P-2 is the latest change.
    await up.status(paymentStatus('stripe:in_paid_1', 'acc_p', 1, 10_000, dueAt, { status: 'paid', amountRemainingMinor: 0, amountPaidMinor: 10_000 }));
    await eventually('P-1 paid', async () => (await n.db('notifications').where({ invoice_id: 'stripe:in_paid_1' }).first())?.status === 'paid');
    await up.status(paymentStatus('stripe:in_paid_2', 'acc_p', 1, 20_000, dueAt, { status: 'paid', amountRemainingMinor: 0, amountPaidMinor: 20_000 }));
    await eventually('P-2 paid', async () => (await n.db('notifications').where({ invoice_id: 'stripe:in_paid_2' }).first())?.status === 'paid');
  });
  afterAll(async () => {
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
  });

  it('keeps the actions and value prompts structured, with the flattened sentences still there', async () => {
    const [item] = (await pending('')).items;
    expect(item.invoiceId).toBe('stripe:in_nw_42');
    expect(item.actions).toHaveLength(5);
    expect(item.actions[0]).toEqual({
      code: 'PROACTIVE_OUTREACH', text: expect.stringMatching(/^Reach out to Northwind Traders before 2026-11-24/),
      dueBy: new Date(dueAt - 7 * day).toISOString(), dueDay: '2026-11-24', forFlags: ['CONTRACT_DISPUTE', 'LATE_PAYMENT_HISTORY', 'HEALTH_DECLINING'],
    });
    expect(item.actions[4]).toMatchObject({ code: 'WATCH_HIGH_VALUE_PAYMENT', dueBy: new Date(dueAt).toISOString(), dueDay: '2026-12-01' });
    expect(item.valuePrompts.map((p: { kind: string }) => p.kind)).toEqual(['send_value_summary', 'schedule_check_in', 'share_success_metrics', 'address_concerns']);
    expect(item.valuePrompts[1].data).toEqual({ checkInBy: '2026-11-26' });
    expect(item.recommendedActions).toEqual([...item.actions.map((a: { text: string }) => a.text), ...item.valuePrompts.map((p: { text: string }) => p.text)]);
    expect(item.issuedAt).toBe(new Date(now - 40 * day).toISOString());
    expect(item.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('labels each flag for people and keeps the codes', async () => {
    const [item] = (await pending('')).items;
    expect(item.riskFlags).toEqual(['CONTRACT_DISPUTE', 'LATE_PAYMENT_HISTORY', 'HEALTH_DECLINING', 'HIGH_VALUE']);
    expect(item.flags.map((f: { code: string; label: string }) => [f.code, f.label])).toEqual([
      ['CONTRACT_DISPUTE', 'Open contract dispute'], ['LATE_PAYMENT_HISTORY', 'History of late payments'],
      ['HEALTH_DECLINING', 'Customer health declining'], ['HIGH_VALUE', 'High-value invoice'],
    ]);
    expect(item.flags[0].message).toMatch(/^Northwind Traders has 1 dispute on record/);
  });

  it('reads a notification stored before actions were kept structured from its sentences', async () => {
    const row = await n.db('notifications').where({ invoice_id: 'stripe:in_nw_42' }).first();
    const { actions: _a, prompts: _p, ...older } = row.details;
    await n.db('notifications').where({ id: row.id }).update({ details: older });
    const item = (await api(n, '/api/invoices/stripe:in_nw_42', { as: csm })).body.notifications[0];
    expect(item.actions).toHaveLength(5);
    expect(item.actions[0]).toEqual({ code: null, text: row.recommended_actions[0], dueBy: null, dueDay: null, forFlags: [] });
    expect(item.valuePrompts.map((p: { kind: string }) => p.kind)).toEqual(['other', 'other', 'other', 'other']);
    await n.db('notifications').where({ id: row.id }).update({ details: row.details });
  });

  it('lists the settled invoices apart (settled=only), the latest change first (sort=recent), with what is still owed as text', async () => {
    expect((await pending('')).items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual(['stripe:in_nw_42']);
    const settled = await pending('&settled=only&sort=recent');
    expect(settled).toMatchObject({ total: 2, settled: 'only', sort: 'recent' });
    expect(settled.items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual(['stripe:in_paid_2', 'stripe:in_paid_1']);
    expect(settled.items[0]).toMatchObject({ status: 'paid', amountRemaining: 0, amountRemainingDisplay: '€0.00' });
    expect((await pending('&settled=include')).total).toBe(3);
    const bad = await api(n, `/api/invoices/csm/${csm}/pending?settled=some`, { as: csm });
    expect(bad.status).toBe(400);
  });
});
