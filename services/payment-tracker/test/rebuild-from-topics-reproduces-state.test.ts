import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentStatus } from '@invoice-signal/events';
import { createLogger, type Knex, type RunningService } from '@invoice-signal/runtime';
import { eventually, sampleEnrichedInvoice, type TopicReader, uniqueName } from '@invoice-signal/testkit';
import { rebuildFromTopics } from '../src/adapters/rebuild-from-topics.ts';
import type { Config } from '../src/config.ts';
import { cleanUp, EventSource, invoiceEvent, newInvoiceId, openDb, startTracker, trackerConfig } from './support/harness.ts';

const day = 86_400_000;
const t0 = Date.UTC(2026, 10, 1);
const count = async (db: Knex, table: string) => Number((await db(table).count({ n: '*' }))[0].n);
const snapshot = async (db: Knex) => ({
  states: await db('invoice_state').select('invoice_id', 'status', 'version', 'view').orderBy('invoice_id'),
  history: await db('status_transitions').select('invoice_id', 'event_id', 'from_status', 'to_status', 'occurred_at').orderBy(['invoice_id', 'event_id']),
});

describe('rebuilding the tracker from the topics', () => {
  const namespace = uniqueName('pt_rebuild');
  const env = { OVERDUE_GRACE_MS: '0' };
  let original: Config;
  let rebuilt: Config | undefined;
  let tracker: RunningService<Config> | undefined;
  let source: EventSource;
  let statuses: TopicReader<PaymentStatus>;
  let oldDb: Knex;
  let newDb: Knex | undefined;

  beforeAll(async () => {
    original = trackerConfig(namespace, env);
    tracker = await startTracker(original);
    source = new EventSource(namespace);
    statuses = await source.statusReader();
    oldDb = openDb(original);
  });
  afterAll(async () => {
    await tracker?.stop();
    await statuses?.close();
    await source?.close();
    await oldDb?.destroy();
    await newDb?.destroy();
    if (original) await cleanUp(namespace, [original, rebuilt].filter((c): c is Config => c !== undefined));
  });

  it('reproduces every status, version and history in a fresh database under a new consumer group, which then carries on', async () => {
    const future = Date.now() + 30 * day;
    const [pending, failed, paid, overdue, deleted, partial, zoned] = ['pending', 'failed', 'paid', 'overdue', 'deleted', 'partial', 'zoned'].map(newInvoiceId);
    // A date-only due date read in UTC by the gateway; the enricher placed the account in Los Angeles.
    const zonedIssue = invoiceEvent(zoned, 'issued', t0, { dueDate: '2027-12-01', dueTimeZone: 'UTC', dueAt: Date.parse('2027-12-01T23:59:59.999Z') });
    const laEnd = Date.parse('2027-12-02T07:59:59.999Z');
    await source.send(
      invoiceEvent(pending, 'issued', t0, { dueAt: future }),
      invoiceEvent(failed, 'issued', t0, { dueAt: future }), invoiceEvent(failed, 'payment_failed', t0 + day, { dueAt: future, attemptCount: 1 }),
      invoiceEvent(paid, 'paid', t0 + 2 * day, { dueAt: future, amountPaidMinor: 1_250_000 }), invoiceEvent(paid, 'issued', t0, { dueAt: future }),
      invoiceEvent(overdue, 'issued', t0, { dueAt: t0 + day }),
      invoiceEvent(deleted, 'issued', t0, { dueAt: future }), invoiceEvent(deleted, 'deleted', t0 + day, { dueAt: future }),
      invoiceEvent(partial, 'issued', t0, { dueAt: future, currency: 'GBP' }), invoiceEvent(partial, 'updated', t0 + day, { dueAt: future, currency: 'GBP', amountPaidMinor: 1_000 }),
      zonedIssue,
    );
    await source.sendEnriched(sampleEnrichedInvoice({ enrichmentId: `enr_${zoned}`, revision: 2, invoice: { ...zonedIssue, dueTimeZone: 'America/Los_Angeles', dueAt: laEnd } }));
    await eventually('the tracker to settle', async () =>
      (await oldDb('invoice_state').where({ invoice_id: overdue, status: 'overdue' }).first()) && (await count(oldDb, 'invoice_state')) === 7 && (await count(oldDb, 'status_outbox')) === 0
      && Number((await oldDb('invoice_state').where({ invoice_id: zoned }).first())?.due_at) === laEnd);
    const before = await snapshot(oldDb);
    await tracker!.stop();
    tracker = undefined;

    rebuilt = trackerConfig(namespace, env); // same topics, a new empty database
    const report = await rebuildFromTopics(rebuilt, createLogger('rebuild', 'warn', process.env.TEST_LOG_FILE));
    expect(report).toMatchObject({ statusesRead: 7, eventsRead: 11, eventsSkipped: 0, invoices: 7, differing: 0 });
    newDb = openDb(rebuilt);
    expect(await snapshot(newDb)).toEqual(before);
    expect(Number((await newDb('invoice_state').where({ invoice_id: zoned }).first()).due_at)).toBe(laEnd); // the zone came back from the enriched topic
    expect(await count(newDb, 'status_outbox')).toBe(0);

    // The service resumes on the rebuilt database with the group the rebuild committed.
    tracker = await startTracker({ ...rebuilt, EVENTS_CONSUMER_GROUP: report.groupId });
    await source.send(invoiceEvent(pending, 'paid', t0 + 3 * day, { dueAt: future, amountPaidMinor: 1_250_000 }));
    const [latest] = await statuses.waitFor(1, (r) => r.key === pending && r.value?.status === 'paid');
    expect(latest.value).toMatchObject({ version: 2, previousStatus: 'pending' });
    expect(statuses.records.filter((r) => r.key === pending).map((r) => r.value?.version)).toEqual([1, 2]);
  });
});
