import { describe, expect, it } from 'vitest';
import { defaultPreferences } from './preferences.ts';
import type { BatchInput, RoutingEnv } from './batch.ts';
import type { InvoiceFacts, InvoiceNotification } from './notification.ts';
import { sampleNotification } from '../../test/support/notification.ts';
import { newestPerAccount, noteText, planOwnership, strays, withCurrentOwners, type AccountOwner } from './ownership.ts';

const owner = (accountId: string, csmId: string, snapshotAt: number): AccountOwner => ({
  accountId, accountName: 'Acme Corp', csm: { id: csmId, email: null, slackUserId: `U_${csmId}`, timeZone: null }, team: 'emea', snapshotAt,
});

const notification = (id: string, over: Partial<InvoiceNotification> = {}): InvoiceNotification => sampleNotification({
  id, invoiceId: `in_${id}`, customerId: 'acc_a', customerName: 'Acme Corp', csmId: 'alice', amountMinor: 2_000_000, currency: 'EUR',
  riskLevel: 'high', riskFlags: [], channels: ['in_app', 'slack'], notifiedAt: 1, updatedAt: 1, ...over,
});

const env: RoutingEnv = {
  now: Date.UTC(2026, 10, 30, 12), defaultZone: 'UTC', slackAvailable: true, emailAvailable: false,
  defaults: defaultPreferences({ slackMinRisk: 'high', digestMinAmountMinor: 0, slackMaxPerHour: 10, digestFrequency: 'daily', digestHour: 8, quietHours: undefined, batchWindowSeconds: 0 }),
};

describe('ownership', () => {
  it('keeps the newest snapshot per account; of equal ones the first', () => {
    const kept = newestPerAccount([owner('a', 'x', 5), owner('b', 'y', 1), owner('a', 'z', 9), owner('a', 'w', 9), owner('a', 'v', 2)]);
    expect(kept.map((o) => [o.accountId, o.csm.id])).toEqual([['a', 'z'], ['b', 'y']]);
  });

  it('gives an assessment the current owner only when the held snapshot is newer than the one it was made with', () => {
    const facts = { customerId: 'acc_a', csm: { id: 'alice', email: null, slackUserId: null, timeZone: null } } as InvoiceFacts;
    const input = (ownerSince: number | null): BatchInput => ({ type: 'assessment', facts, receivedAt: 0, ownerSince });
    const owners = new Map([['acc_a', owner('acc_a', 'bob', 100)]]);
    const csmOf = (i: BatchInput) => (i.type === 'assessment' ? i.facts.csm.id : null);
    expect(withCurrentOwners([input(50), input(null), input(100), input(150)], owners).map(csmOf)).toEqual(['bob', 'bob', 'alice', 'alice']);
    expect(withCurrentOwners([input(50)], new Map()).map(csmOf)).toEqual(['alice']);
  });

  it('moves open notifications (acknowledged too), leaves settled ones and those already with the owner', () => {
    const list = [
      notification('open'), notification('acked', { acknowledgedAt: 5 }), notification('failed', { status: 'failed', kind: 'payment_failed' }),
      notification('paid', { status: 'paid' }), notification('voided', { status: 'voided' }), notification('bobs', { csmId: 'bob' }),
      notification('elsewhere', { customerId: 'acc_b' }),
    ];
    expect(strays([owner('acc_a', 'bob', 1)], list).map((s) => s.n.id)).toEqual(['open', 'acked', 'failed']);
  });

  it('routes only the unacknowledged ones to the new owner, withdraws the old owner’s, and writes one note each way', () => {
    const moved = strays([owner('acc_a', 'bob', 1)], [notification('open'), notification('acked', { acknowledgedAt: 5, channels: ['in_app'] })]);
    const plan = planOwnership(moved, { prefs: new Map(), slackInLastHour: new Map() }, env, true);
    // Oldest first (then by id): acked, open.
    expect(plan.moves).toEqual([
      { notificationId: 'acked', csmId: 'bob', previousCsmId: 'alice', channels: ['in_app'], note: 'from alice to bob' },
      { notificationId: 'open', csmId: 'bob', previousCsmId: 'alice', channels: ['in_app', 'slack'], note: 'from alice to bob' },
    ]);
    expect(plan.deliveries.map((d) => [d.notificationId, d.csmId, d.channel])).toEqual([['open', 'bob', 'slack']]);
    expect(plan.cancellations.map((c) => [c.notificationId, c.csmId])).toEqual([['acked', 'alice'], ['open', 'alice']]);
    expect(plan.notes.map((n) => [n.kind, n.csmId, n.otherCsmId, n.invoiceIds])).toEqual([['moved_away', 'alice', 'bob', ['in_acked', 'in_open']], ['inherited', 'bob', 'alice', ['in_acked', 'in_open']]]);
    expect(plan.notes.map(noteText)).toEqual(['Acme Corp moved to bob: your 2 open invoices went with it.', 'Acme Corp is now your account: 2 open invoices moved to you from alice.']);
    expect(plan.events.filter((e) => e.type !== 'note')).toEqual([
      { type: 'removed', csmId: 'alice', notificationId: 'acked' }, { type: 'created', csmId: 'bob', notificationId: 'acked' },
      { type: 'removed', csmId: 'alice', notificationId: 'open' }, { type: 'created', csmId: 'bob', notificationId: 'open' },
    ]);
    // The same move planned again (a replay) has the same note ids.
    expect(planOwnership(moved, { prefs: new Map(), slackInLastHour: new Map() }, env, true).notes.map((n) => n.id)).toEqual(plan.notes.map((n) => n.id));
    // Without routing (a reopened invoice: its alert is what is pushed), nothing is delivered.
    expect(planOwnership(moved, { prefs: new Map(), slackInLastHour: new Map() }, env, false).deliveries).toEqual([]);
  });
});
