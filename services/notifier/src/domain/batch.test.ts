import { describe, expect, it } from 'vitest';
import { csmChanges, csmsToRoute, planBatch, type BatchInput, type BatchState, type StatusFact } from './batch.ts';
import type { CsmRef, InvoiceFacts, InvoiceNotification } from './notification.ts';
import type { AccountOwner } from './ownership.ts';
import { defaultPreferences } from './preferences.ts';

const now = Date.parse('2026-11-24T12:00:00Z');
const defaults = defaultPreferences({
  slackMinRisk: 'high', digestMinAmountMinor: 0, slackMaxPerHour: 2,
  digestFrequency: 'daily', digestHour: 8, quietHours: undefined, batchWindowSeconds: 0,
});
const env = { now, defaults, defaultZone: 'UTC', slackAvailable: true, emailAvailable: true };
const csm = (id: string): CsmRef => ({ id, email: `${id}@example.com`, slackUserId: `U_${id}`, timeZone: 'UTC' });

const facts = (invoiceId: string, owner: string, revision = 1): InvoiceFacts => ({
  invoiceId, customerId: 'acc_1', customerName: 'Acme', csm: csm(owner), amountMinor: 50_000, currency: 'EUR', dueAt: null, riskLevel: 'high',
  riskFlags: [], recommendedActions: [], customerContext: { healthScore: null, paymentHistory: 'good', renewalDate: null, recentIssues: false },
  details: { invoiceNumber: null, hostedInvoiceUrl: null, flags: [], healthTrend: null, paymentHistory: { invoices: 0, paidOnTime: 0, paidLate: 0, averageDaysLate: 0, failed: 0, overdue: 0, windowMonths: 12 }, valuePrompts: [], tier: null },
  revision, assessmentId: `asm_${invoiceId}_${revision}`, issuedAt: null, receivedAt: null, source: null,
});
const assessed = (invoiceId: string, owner: string, revision = 1): BatchInput => ({ type: 'assessment', facts: facts(invoiceId, owner, revision), receivedAt: now - 100 });
const fact = (invoiceId: string, s: StatusFact['status'], version: number, extra: Partial<StatusFact> = {}): StatusFact => ({
  invoiceId, status: s, version, accountId: null, dueAt: null, changedAt: now, currency: 'EUR', amountDueMinor: 50_000, amountRemainingMinor: 50_000,
  amountCreditedMinor: 0, amountRefundedMinor: 0, failureReason: null, disputeStatus: null, ...extra,
});
const status = (invoiceId: string, s: StatusFact['status'], version: number, extra: Partial<StatusFact> = {}): BatchInput => ({ type: 'status', status: fact(invoiceId, s, version, extra) });
const owner = (csmId: string): AccountOwner => ({ accountId: 'acc_1', accountName: 'Acme', csm: csm(csmId), team: null, snapshotAt: now - 500 });
const empty = (over: Partial<BatchState> = {}): BatchState => ({
  notifications: [], statuses: new Map(), csms: new Map(), prefs: new Map(), slackInLastHour: new Map(), owners: new Map(), ...over,
});

/** A stored invoice_issued notification of an earlier batch. */
function stored(invoiceId: string, owner: string): InvoiceNotification {
  const plan = planBatch([assessed(invoiceId, owner)], empty(), { ...env, now: now - 1000 });
  return plan.inserts[0];
}

describe('planning a batch in memory', () => {
  it('creates once per invoice, counting the Slack cap across the batch', () => {
    const plan = planBatch([assessed('i1', 'a'), assessed('i2', 'a'), assessed('i1', 'a'), assessed('i3', 'a')], empty({ slackInLastHour: new Map([['a', 1]]) }), env);
    expect(plan.inserts.map((n) => [n.invoiceId, n.channels])).toEqual([['i1', ['in_app', 'slack']], ['i2', ['in_app', 'email_digest']], ['i3', ['in_app', 'email_digest']]]);
    expect(plan.deliveries.map((d) => d.channel)).toEqual(['slack', 'email_digest', 'email_digest']);
    expect(plan.createdFrom).toHaveLength(3);
  });

  it('follows the newest status of a stored invoice, bumping the version once per change', () => {
    const n = stored('i1', 'a');
    const plan = planBatch([status('i1', 'failed', 2), status('i1', 'paid', 3), status('i1', 'overdue', 1)], empty({ notifications: [n] }), env);
    expect(plan.factUpdates.map((u) => [u.notification.id, u.notification.status, u.bump])).toEqual([[n.id, 'paid', 2]]);
    expect(plan.inserts.map((x) => [x.kind, x.status])).toEqual([['payment_failed', 'paid']]);
    // Paid before the failure alert went out: it is not pushed.
    expect(plan.deliveries).toEqual([]);
    expect(plan.inserts[0].channels).toEqual(['in_app']);
    expect(plan.statuses.map((s) => [s.status, s.version])).toEqual([['paid', 3]]);
    // paid reaches the alert created by failed too (inserted with its final status, version 1).
    expect(plan.events.map((e) => e.type)).toEqual(['updated', 'created', 'updated', 'updated']);
  });

  it('moves a stored notification to a new owner and back: the first owner keeps only what it is routed again', () => {
    const n = stored('i1', 'a');
    const plan = planBatch([assessed('i1', 'b', 2), assessed('i1', 'a', 3)], empty({ notifications: [n] }), env);
    expect(plan.factUpdates.map((u) => [u.notification.csmId, u.notification.revision, u.bump])).toEqual([['a', 3, 2]]);
    // b's Slack delivery was never written; a's stored one is cancelled except the channel it is routed to again.
    expect(plan.deliveries.map((d) => [d.csmId, d.channel])).toEqual([['a', 'slack']]);
    expect(plan.cancellations).toEqual([
      { notificationId: n.id, csmId: 'a', reason: 'reassigned to b', keep: ['slack'] },
      { notificationId: n.id, csmId: 'b', reason: 'reassigned to a', keep: [] },
    ]);
  });

  it('routes only to CSMs that may hear something, and rewrites only changed directory rows', () => {
    const n = stored('i1', 'a');
    expect(csmsToRoute([status('i1', 'paid', 2)], [n], new Map())).toEqual([]);
    expect(csmsToRoute([status('i1', 'failed', 2), assessed('i2', 'c')], [n], new Map())).toEqual(['a', 'c']);
    // The invoice goes back to its account's owner: the alert is theirs.
    expect(csmsToRoute([status('i1', 'failed', 2)], [n], new Map([['acc_1', owner('d')]]))).toEqual(['d']);
    const moved = { ...csm('a'), timeZone: 'Europe/Paris' };
    expect(csmChanges([csm('c'), csm('a'), moved, csm('b')], new Map([['a', csm('a')], ['b', csm('b')]]))).toEqual([moved, csm('c')]);
  });

  it('stores an invoice paid before it was notified without announcing it, and routes the alerts a stored status calls for', () => {
    const paid = planBatch([assessed('i1', 'a')], empty({ statuses: new Map([['i1', fact('i1', 'paid', 3, { amountRemainingMinor: 0 })]]) }), env);
    expect(paid.inserts.map((n) => [n.kind, n.status, n.channels, n.amountRemainingMinor])).toEqual([['invoice_issued', 'paid', [], 0]]);
    expect(paid.deliveries).toEqual([]);
    expect(paid.events).toEqual([]);
    expect(paid.routingLog[0].detail).toContain('already paid before it was notified');
    const writtenOff = planBatch([assessed('i2', 'a')], empty({ statuses: new Map([['i2', fact('i2', 'uncollectible', 4)]]) }), env);
    expect(writtenOff.inserts.map((n) => [n.kind, n.channels.length > 0])).toEqual([['invoice_issued', false], ['written_off', true]]);
  });

  it('follows a moved due date, a credit note and a payment failure with timeline entries on every notification', () => {
    const n = stored('i1', 'a');
    const due1 = Date.UTC(2026, 11, 1);
    const due2 = Date.UTC(2026, 11, 15);
    const plan = planBatch([
      status('i1', 'pending', 1, { dueAt: due1 }),
      status('i1', 'pending', 2, { dueAt: due2, amountDueMinor: 40_000, amountRemainingMinor: 40_000, amountCreditedMinor: 10_000 }),
      status('i1', 'failed', 3, { dueAt: due2, amountDueMinor: 40_000, amountRemainingMinor: 40_000, amountCreditedMinor: 10_000, failureReason: 'Your card was declined.' }),
    ], empty({ notifications: [n] }), env);
    const issued = plan.factUpdates[0].notification;
    expect(issued).toMatchObject({ status: 'failed', dueAt: due2, amountMinor: 40_000, amountRemainingMinor: 40_000, failureReason: 'Your card was declined.' });
    expect(issued.timeline.map((e) => [e.event, e.note])).toEqual([
      ['updated', 'due date moved from 2026-12-01 to 2026-12-15'],
      ['updated', 'credit note of €100.00 applied: €400.00 due instead of €500.00'],
      ['payment_failed', 'Your card was declined.'],
    ]);
    const alert = plan.inserts.find((x) => x.kind === 'payment_failed')!;
    expect(alert.timeline).toHaveLength(3);
    // A later revision (the account matched late) re-enriches the invoice as issued: the status's facts stay.
    const revised = planBatch([assessed('i1', 'a', 2)], empty({ notifications: [issued], statuses: new Map([['i1', fact('i1', 'failed', 3, { dueAt: due2, amountDueMinor: 40_000, amountRemainingMinor: 40_000 })]]) }), env);
    expect(revised.factUpdates[0].notification).toMatchObject({ revision: 2, dueAt: due2, amountMinor: 40_000, status: 'failed' });
  });

  it('raises a dispute alert once, and puts it back in front of the CSM when the dispute is lost', () => {
    const n = stored('i1', 'a');
    const opened = planBatch([status('i1', 'paid', 2, { disputeStatus: 'open' })], empty({ notifications: [n] }), env);
    const alert = opened.inserts.find((x) => x.kind === 'disputed')!;
    expect(alert.channels).toContain('slack');
    const acknowledged = { ...alert, acknowledgedAt: now - 10 };
    const lost = planBatch([status('i1', 'paid', 3, { disputeStatus: 'lost' })], empty({
      notifications: [opened.factUpdates[0]?.notification ?? n, acknowledged], statuses: new Map([['i1', fact('i1', 'paid', 2, { disputeStatus: 'open' })]]),
    }), env);
    expect(lost.inserts).toEqual([]);
    expect(lost.factUpdates.filter((u) => u.reopen).map((u) => u.notification.id)).toEqual([alert.id]);
    expect(lost.deliveries).toEqual([expect.objectContaining({ notificationId: alert.id, channel: 'slack', again: true })]);
    const updated = lost.factUpdates.find((u) => u.notification.id === alert.id)!.notification;
    expect(updated.acknowledgedAt).toBeNull();
    expect(updated.timeline.at(-1)).toMatchObject({ event: 'dispute_lost' });
    expect(csmsToRoute([status('i1', 'paid', 4, { disputeStatus: 'lost' })], [n], new Map())).toEqual(['a']);
  });

  it('hands a settled invoice that a status reopens to the account’s owner first, in the same row write, and alerts the owner', () => {
    const paid = { ...stored('i1', 'a'), status: 'paid' as const };
    const plan = planBatch([status('i1', 'failed', 3)], empty({
      notifications: [paid], statuses: new Map([['i1', fact('i1', 'paid', 2)]]), owners: new Map([['acc_1', owner('b')]]),
    }), env);
    expect(plan.factUpdates.map((u) => [u.notification.csmId, u.notification.previousCsmId, u.bump, u.notification.timeline.map((e) => e.event)]))
      .toEqual([['b', 'a', 2, ['payment_failed', 'reassigned']]]);
    // Nothing is pushed for the old notification, the alert is (to the owner).
    expect(plan.inserts.map((x) => [x.kind, x.csmId])).toEqual([['payment_failed', 'b']]);
    expect(plan.deliveries.map((d) => [d.notificationId, d.csmId])).toEqual([[plan.inserts[0].id, 'b']]);
    expect(plan.cancellations).toEqual([{ notificationId: paid.id, csmId: 'a', reason: 'reassigned to b', keep: [] }]);
    expect(plan.notes.map((x) => [x.kind, x.csmId, x.invoiceIds])).toEqual([['moved_away', 'a', ['i1']], ['inherited', 'b', ['i1']]]);
    // Already the owner's, or a stale status: no hand-over.
    expect(planBatch([status('i1', 'failed', 3)], empty({ notifications: [paid], owners: new Map([['acc_1', owner('a')]]) }), env).notes).toEqual([]);
    const stale = empty({ notifications: [paid], statuses: new Map([['i1', fact('i1', 'paid', 2)]]), owners: new Map([['acc_1', owner('b')]]) });
    expect(planBatch([status('i1', 'failed', 1)], stale, env).factUpdates).toEqual([]);
  });
});
