import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentStatus } from '@invoice-signal/events';
import type { Knex, RunningService } from '@invoice-signal/runtime';
import { eventually, stackEndpoints, type TopicReader, uniqueName } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { cleanUp, EventSource, invoiceEvent, newInvoiceId, openDb, startTracker, trackerConfig } from './support/harness.ts';

const mainScript = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const count = async (db: Knex, table: string, where: Record<string, unknown> = {}) => Number((await db(table).where(where).count({ n: '*' }))[0].n);

/** Per invoice: how many distinct versions of the status said "overdue" (duplicates of one version are one transition). */
function overdueVersions(records: { key: string | null; value: PaymentStatus | null }[], ids: string[]) {
  const versions = new Map(ids.map((id) => [id, new Set<number>()]));
  for (const r of records) if (r.value?.status === 'overdue') versions.get(r.key!)?.add(r.value.version);
  return ids.map((id) => versions.get(id)!.size);
}

async function expectExactlyOnceOverdue(db: Knex, statuses: TopicReader<PaymentStatus>, ids: string[]) {
  await eventually(`${ids.length} invoices overdue`, async () => Number((await db('invoice_state').whereIn('invoice_id', ids).where({ status: 'overdue' }).count({ n: '*' }))[0].n) === ids.length, { timeoutMs: 60_000 });
  const perInvoice = await db('status_transitions').whereIn('invoice_id', ids).where({ to_status: 'overdue' }).groupBy('invoice_id').select('invoice_id').count({ n: '*' });
  expect(perInvoice).toHaveLength(ids.length);
  expect(perInvoice.every((row) => Number(row.n) === 1)).toBe(true);
  expect(await db('invoice_events').whereIn('invoice_id', ids).where({ kind: 'overdue' }).count({ n: '*' })).toEqual([{ n: ids.length }]);
  await eventually('an overdue status on the topic for every invoice', () => overdueVersions(statuses.records, ids).every((n) => n >= 1), { timeoutMs: 30_000 });
  expect(overdueVersions(statuses.records, ids)).toEqual(ids.map(() => 1));
}

describe('the overdue schedule', () => {
  const namespace = uniqueName('pt_overdue');
  let config: Config;
  let source: EventSource;
  let statuses: TopicReader<PaymentStatus>;
  let db: Knex;
  const running: RunningService<Config>[] = [];
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    config = trackerConfig(namespace, { OVERDUE_GRACE_MS: '1000', OVERDUE_SCAN_INTERVAL_MS: '200', OVERDUE_SCAN_BATCH: '5' });
    running.push(await startTracker(config), await startTracker(config));
    db = openDb(config);
    source = new EventSource(namespace);
    statuses = await source.statusReader();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    for (const r of running) await r.stop();
    await statuses?.close();
    await source?.close();
    await db?.destroy();
    if (config) await cleanUp(namespace, [config]);
  });

  it('turns unpaid invoices overdue after due date + grace exactly once with two instances scanning, and leaves paid ones alone', async () => {
    const dueAt = Date.now() + 2000;
    const unpaid = Array.from({ length: 40 }, (_, i) => newInvoiceId(`due${i}`));
    const paid = newInvoiceId('paid_in_time');
    await source.send(...unpaid.map((id) => invoiceEvent(id, 'issued', Date.now(), { dueAt })));
    await source.send(invoiceEvent(paid, 'issued', Date.now(), { dueAt }), invoiceEvent(paid, 'paid', Date.now() + 1, { dueAt, amountPaidMinor: 1_250_000 }));
    await eventually('the schedule to hold every unpaid invoice', async () => (await count(db, 'overdue_schedule')) + (await count(db, 'invoice_events', { kind: 'overdue' })) >= unpaid.length);
    expect(await count(db, 'invoice_events', { kind: 'overdue' })).toBe(0); // not before due date + grace

    await expectExactlyOnceOverdue(db, statuses, unpaid);
    const first = (await db('invoice_state').where({ invoice_id: unpaid[0] }).first()).view;
    expect(first.overdueSince).toBe(dueAt + 1000 + 1); // the first millisecond after dueAt + grace
    expect((await db('invoice_state').where({ invoice_id: paid }).first()).status).toBe('paid');
    expect(await count(db, 'overdue_schedule')).toBe(0);
    while (running.length) await running.pop()!.stop();
  });

  it('finishes the job exactly once when the instance is killed in the middle of a scan and another starts', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => newInvoiceId(`kill${i}`));
    const dueAt = Date.now() - 60_000; // already due: scanned as soon as consumed
    const env = {
      ...process.env, ...stackEndpoints(), TOPIC_NAMESPACE: namespace, PAYMENT_TRACKER_DATABASE_URL: config.databaseUrl, PORT: '0', HOST: '127.0.0.1',
      LOG_LEVEL: 'warn', OVERDUE_GRACE_MS: '1000', OVERDUE_SCAN_INTERVAL_MS: '100', OVERDUE_SCAN_BATCH: '1', KAFKAJS_NO_PARTITIONER_WARNING: '1',
    };
    child = spawn(process.execPath, [mainScript], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    await source.send(...ids.map((id) => invoiceEvent(id, 'issued', Date.now(), { dueAt })));
    const atKill = await eventually('the scan to be under way', async () => {
      const n = await count(db, 'invoice_events', { kind: 'overdue' });
      return n > 0 ? n : undefined;
    }, { timeoutMs: 60_000, intervalMs: 10 });
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    expect(atKill).toBeLessThan(ids.length); // killed mid-scan, with work left for the next instance

    running.push(await startTracker(config));
    await expectExactlyOnceOverdue(db, statuses, ids);
  });
});
