import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics, type PaymentStatus } from '@invoice-signal/events';
import type { Knex, RunningService } from '@invoice-signal/runtime';
import { eventually, TopicReader, uniqueName } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { type EventSource, invoiceEvent, latestByKey, newInvoiceId, openTracker, type TrackerFixture } from './support/harness.ts';

const day = 86_400_000;
const t0 = Date.UTC(2026, 10, 1);
const future = Date.now() + 30 * day; // far enough that no invoice here turns overdue
const secret = 'test-secret-for-status-api-0123456789';

function token(role: string, exp: number | null = Math.floor(Date.now() / 1000) + 600) {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: 'u1', role, ...(exp === null ? {} : { exp }) })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

describe('payment status follows invoice events', () => {
  const namespace = uniqueName('pt_status');
  let fixture: TrackerFixture;
  let tracker: RunningService<Config>;
  let source: EventSource;
  let statuses: TopicReader<PaymentStatus>;
  let db: Knex;

  beforeAll(async () => {
    fixture = await openTracker(namespace, { AUTH_JWT_SECRET: secret });
    ({ tracker, source, statuses, db } = fixture);
  });
  afterAll(async () => fixture?.close());

  const lastStatus = async (invoiceId: string, status: string) =>
    (await statuses.waitFor(1, (r) => r.key === invoiceId && r.value?.status === status)).at(-1)!.value!;

  it.each([
    ['payment_failed', 'failed'], ['paid', 'paid'], ['voided', 'voided'], ['uncollectible', 'uncollectible'], ['overdue_reported', 'overdue'],
  ] as const)('Given a pending invoice, when %s arrives, then the compacted topic says %s', async (type, expected) => {
    const id = newInvoiceId(type);
    await source.send(invoiceEvent(id, 'issued', t0, { dueAt: future }));
    expect(await lastStatus(id, 'pending')).toMatchObject({ version: 1, previousStatus: null, currency: 'EUR', amountDueMinor: 1_250_000 });
    await source.send(invoiceEvent(id, type, t0 + day, { dueAt: future, attemptCount: type === 'payment_failed' ? 1 : 0 }));
    expect(await lastStatus(id, expected)).toMatchObject({ version: 2, previousStatus: 'pending' });
    const history = await db('status_transitions').where({ invoice_id: id }).orderBy('occurred_at');
    expect(history.map((h) => [h.from_status, h.to_status, h.occurred_at])).toEqual([[null, 'pending', t0], ['pending', expected, t0 + day]]);
  });

  it('records partial payments, credit notes and refunds in the invoice currency, and flags disputes', async () => {
    const id = newInvoiceId('partial');
    const amounts = { currency: 'JPY', totalMinor: 500_000, amountDueMinor: 500_000, amountRemainingMinor: 500_000, dueAt: future };
    await source.send(invoiceEvent(id, 'issued', t0, amounts));
    await source.send(invoiceEvent(id, 'updated', t0 + day, { ...amounts, amountDueMinor: 450_000, amountPaidMinor: 200_000, amountRemainingMinor: 250_000 }));
    await eventually('the partial payment', async () => (await db('invoice_state').where({ invoice_id: id }).first())?.amount_paid_minor === 200_000);
    const partial = (await statuses.waitFor(1, (r) => r.key === id && r.value?.amountPaidMinor === 200_000))[0].value!;
    expect(partial).toMatchObject({ status: 'pending', currency: 'JPY', amountDueMinor: 450_000, amountRemainingMinor: 250_000, amountCreditedMinor: 50_000, totalMinor: 500_000 });
    await source.send(invoiceEvent(id, 'paid', t0 + 2 * day, { ...amounts, amountDueMinor: 450_000, amountPaidMinor: 450_000, amountRemainingMinor: 0 }));
    await source.send(invoiceEvent(id, 'refunded', t0 + 3 * day, { ...amounts, amountDueMinor: 450_000, amountPaidMinor: 450_000, amountRemainingMinor: 0, amountRefundedMinor: 100_000 }));
    await source.send(invoiceEvent(id, 'disputed', t0 + 4 * day, { ...amounts, amountDueMinor: 450_000, amountPaidMinor: 450_000, amountRemainingMinor: 0, amountRefundedMinor: 100_000 }));
    const last = (await statuses.waitFor(1, (r) => r.key === id && r.value?.disputed === true))[0].value!;
    expect(last).toMatchObject({ status: 'paid', paidAt: t0 + 2 * day, amountPaidMinor: 450_000, amountRemainingMinor: 0, amountRefundedMinor: 100_000 });
    // Events consumed in one batch publish one change (the latest state); versions never skip.
    const versions = statuses.records.filter((r) => r.key === id).map((r) => r.value!.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });

  it('ignores duplicates and replays: the same events again publish nothing', async () => {
    const id = newInvoiceId('dupe');
    const issued = invoiceEvent(id, 'issued', t0, { dueAt: future });
    const failed = invoiceEvent(id, 'payment_failed', t0 + day, { dueAt: future, attemptCount: 1 });
    await source.send(issued, failed, issued, failed);
    await lastStatus(id, 'failed');
    await eventually('the outbox to drain', async () => Number((await db('status_outbox').count({ n: '*' }))[0].n) === 0);
    const published = statuses.records.filter((r) => r.key === id).length;
    const { version } = await db('invoice_state').where({ invoice_id: id }).first();
    // Replay, then a sentinel on the same key (same partition, behind the replay) that changes nothing.
    const sentinel = invoiceEvent(id, 'unknown', t0, { dueAt: future });
    await source.send(issued, failed, sentinel);
    await eventually('the replay to be consumed', async () => await db('invoice_events').where({ event_id: sentinel.eventId }).first());
    expect(Number((await db('invoice_events').where({ invoice_id: id }).count({ n: '*' }))[0].n)).toBe(3);
    expect((await db('invoice_state').where({ invoice_id: id }).first()).version).toBe(version);
    expect(Number((await db('status_outbox').count({ n: '*' }))[0].n)).toBe(0);
    expect(statuses.records.filter((r) => r.key === id)).toHaveLength(published);
  });

  it('publishes a tombstone when an invoice is deleted, and later events do not resurrect it', async () => {
    const id = newInvoiceId('deleted');
    await source.send(invoiceEvent(id, 'issued', t0, { dueAt: future }), invoiceEvent(id, 'deleted', t0 + day, { dueAt: future }));
    await statuses.waitFor(1, (r) => r.key === id && r.value === null);
    await source.send(invoiceEvent(id, 'paid', t0 + 2 * day, { dueAt: future }));
    await eventually('the late payment to be recorded', async () => Number((await db('invoice_events').where({ invoice_id: id }).count({ n: '*' }))[0].n) === 3);
    expect(latestByKey(statuses.records).get(id)).toBeNull();
    expect((await db('invoice_state').where({ invoice_id: id }).first()).status).toBe('deleted');
  });

  it('dead-letters an invalid event with the reason, and keeps consuming', async () => {
    const dlq = await TopicReader.openRaw(deadLetterName(topicName(topics.invoiceEvents, namespace)));
    try {
      const bad = newInvoiceId('bad');
      const good = newInvoiceId('good');
      await source.send(invoiceEvent(bad, 'issued', t0, { currency: 'euro' }), invoiceEvent(good, 'issued', t0, { dueAt: future }));
      const [dead] = await dlq.waitFor(1, (r) => r.key === bad);
      expect(dead.headers['dlq.error.code']).toBe('PT_CURRENCY');
      expect(dead.headers['dlq.error.message']).toContain('currency "euro"');
      await lastStatus(good, 'pending');
    } finally {
      await dlq.close();
    }
  });

  it('serves the current status and history to an authorised reader, as problem+json otherwise', async () => {
    const id = newInvoiceId('api');
    await source.send(invoiceEvent(id, 'issued', t0, { dueAt: future }), invoiceEvent(id, 'payment_failed', t0 + day, { dueAt: future, attemptCount: 1, failureReason: 'card_declined' }));
    await lastStatus(id, 'failed');
    const url = `${tracker.url}/api/payment-status/${encodeURIComponent(id)}`;
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token('admin')}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ invoiceId: id, status: 'failed', attemptCount: 1, failureReason: 'card_declined', history: [{ to: 'pending' }, { from: 'pending', to: 'failed', occurredAt: t0 + day }] });
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(url, { headers: { authorization: `Bearer ${token('csm')}` } })).status).toBe(403);
    // The one JWT policy: a token without exp, or living longer than AUTH_MAX_TOKEN_LIFETIME_S, is refused here too.
    for (const exp of [null, Math.floor(Date.now() / 1000) + 30 * 86_400]) {
      const refused = await fetch(url, { headers: { authorization: `Bearer ${token('admin', exp)}` } });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(exp ? /lives longer than 86400 s/ : /claim exp is missing/);
    }
    const missing = await fetch(`${tracker.url}/api/payment-status/stripe%3Ain_nope`, { headers: { authorization: `Bearer ${token('admin')}` } });
    expect(missing.status).toBe(404);
  });

  it('gives a fresh reader of the compacted topic the latest status of every invoice', async () => {
    await eventually('the outbox to drain', async () => Number((await db('status_outbox').count({ n: '*' }))[0].n) === 0);
    const fresh = await source.statusReader();
    try {
      const states = await db('invoice_state').select('invoice_id', 'status', 'version');
      await fresh.waitFor(states.length, () => true);
      await eventually('the fresh reader to catch up', () => fresh.records.length >= statuses.records.length);
      const latest = latestByKey(fresh.records);
      for (const s of states) {
        if (s.status === 'deleted') expect(latest.get(s.invoice_id)).toBeNull();
        else expect(latest.get(s.invoice_id)).toMatchObject({ status: s.status, version: s.version });
      }
    } finally {
      await fresh.close();
    }
  });
});
