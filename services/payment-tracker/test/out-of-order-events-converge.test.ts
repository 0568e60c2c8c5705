import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent, PaymentStatus } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import { eventually, type TopicReader, uniqueName } from '@invoice-signal/testkit';
import { type EventSource, invoiceEvent, latestByKey, newInvoiceId, openTracker, type TrackerFixture } from './support/harness.ts';

const day = 86_400_000;
const t0 = Date.UTC(2026, 10, 1);
const dueAt = Date.now() + 30 * day;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** The same three vendor events (issued, a failed attempt, the payment) for a given invoice. */
const lifecycle = (invoiceId: string): InvoiceEvent[] => [
  invoiceEvent(invoiceId, 'issued', t0, { dueAt }),
  invoiceEvent(invoiceId, 'payment_failed', t0 + day, { dueAt, attemptCount: 1, failureReason: 'insufficient_funds' }),
  invoiceEvent(invoiceId, 'paid', t0 + 2 * day, { dueAt, attemptCount: 2, amountPaidMinor: 1_250_000, amountRemainingMinor: 0 }),
];

/** What must not depend on arrival order (version and previousStatus count the changes seen, so they may). */
const orderFree = ({ invoiceId: _id, version: _v, previousStatus: _p, changedAt: _c, ...rest }: PaymentStatus) => rest;

describe('out-of-order invoice events', () => {
  const namespace = uniqueName('pt_order');
  let fixture: TrackerFixture;
  let source: EventSource;
  let statuses: TopicReader<PaymentStatus>;
  let db: Knex;

  beforeAll(async () => {
    fixture = await openTracker(namespace);
    ({ source, statuses, db } = fixture);
  });
  afterAll(async () => fixture?.close());

  it('ends in the same state for every permutation of issued / payment_failed / paid, and replays change nothing', async () => {
    const orders = permutations([0, 1, 2]);
    const runs = orders.map((order) => {
      const invoiceId = newInvoiceId(`perm_${order.join('')}`);
      const events = lifecycle(invoiceId);
      return { invoiceId, order, events: order.map((i) => events[i]) };
    });
    // One invoice per permutation; same key = same partition, so each arrives in its permutation's order.
    for (const run of runs) await source.send(...run.events);
    await eventually('every invoice to be paid on the compacted topic', () => runs.every((r) => latestByKey(statuses.records).get(r.invoiceId)?.status === 'paid'));
    await eventually('the outbox to drain', async () => Number((await db('status_outbox').count({ n: '*' }))[0].n) === 0);

    const finals = runs.map((r) => latestByKey(statuses.records).get(r.invoiceId)!);
    for (const f of finals) expect(orderFree(f)).toEqual(orderFree(finals[0]));
    expect(finals[0]).toMatchObject({ status: 'paid', attemptCount: 2, paidAt: t0 + 2 * day, amountPaidMinor: 1_250_000, amountRemainingMinor: 0, failureReason: 'insufficient_funds', lastEventAt: t0 + 2 * day });

    const histories = await Promise.all(runs.map((r) => db('status_transitions').where({ invoice_id: r.invoiceId }).orderBy('occurred_at').select('from_status', 'to_status', 'occurred_at')));
    for (const h of histories) expect(h).toEqual([
      { from_status: null, to_status: 'pending', occurred_at: t0 },
      { from_status: 'pending', to_status: 'failed', occurred_at: t0 + day },
      { from_status: 'failed', to_status: 'paid', occurred_at: t0 + 2 * day },
    ]);

    // Paid arriving first is never walked back: late events only add detail (the failure reason).
    for (const run of runs.filter((r) => r.order[0] === 2)) {
      const seen = statuses.records.filter((r) => r.key === run.invoiceId).map((r) => r.value!);
      expect(seen.map((s) => s.status)).toEqual(seen.map(() => 'paid'));
      expect(seen.map((s) => s.version)).toEqual(seen.map((_, i) => i + 1));
    }

    const published = statuses.records.length;
    const versionsBefore = await db('invoice_state').select('invoice_id', 'version').orderBy('invoice_id');
    // Replay everything, then a sentinel per invoice on the same partition: an `unknown` event stamped
    // at issue time, which by the transition table changes nothing. Once every sentinel is in the
    // ledger, every replayed event before it has been consumed.
    const sentinels = runs.map((r) => invoiceEvent(r.invoiceId, 'unknown', t0, { dueAt }));
    for (const [i, run] of runs.entries()) await source.send(...run.events, sentinels[i]);
    await eventually('the replay to be consumed', async () =>
      Number((await db('invoice_events').whereIn('event_id', sentinels.map((e) => e.eventId)).count({ n: '*' }))[0].n) === runs.length);
    expect(Number((await db('invoice_events').count({ n: '*' }))[0].n)).toBe(runs.length * 4);
    expect(Number((await db('status_outbox').count({ n: '*' }))[0].n)).toBe(0);
    expect(await db('invoice_state').select('invoice_id', 'version').orderBy('invoice_id')).toEqual(versionsBefore);
    expect(statuses.records.length).toBe(published);
  });
});
