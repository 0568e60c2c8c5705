import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerContext } from '@invoice-signal/events';
import { createDb, ensureDatabase, InvalidRecordError, migrate, type Knex } from '@invoice-signal/runtime';
import { sampleCustomerContext, samplePaymentStatus, testServiceConfig } from '@invoice-signal/testkit';
import type { BatchInput } from '../src/domain/batch.ts';
import { contextBatch } from '../src/handlers/context-batch.ts';
import { assessedInput, handleInputs, statusInput } from '../src/handlers/notification-batch.ts';
import { migrations } from '../src/migrations/index.ts';
import { asRecords, assessedRecords, batchDeps, inBatch, statusRecords } from './support/batch.ts';
import { assessment, type InvoiceSpec } from './support/harness.ts';

const t0 = sampleCustomerContext().snapshotAt;
const snapshot = (accountId: string, csmId: string, snapshotAt: number): CustomerContext =>
  sampleCustomerContext({ accountId, snapshotAt, csm: { id: csmId, email: null, slackUserId: `U_${csmId}`, timeZone: null, team: 'emea' } });
const contextRecords = (...values: CustomerContext[]) => asRecords('test.cs.customer-context.v1', values.map((value) => ({ key: value.accountId, value })));

/** The context handler on a real database, records handed over as the runtime does (one transaction per batch). */
describe('the context snapshot batch handler', () => {
  const url = testServiceConfig('notifier', 'unused').databaseUrl;
  let db: Knex;

  beforeAll(async () => {
    await ensureDatabase(url);
    db = createDb(url, 8);
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const a = (spec: InvoiceSpec): BatchInput => assessedInput(assessedRecords(assessment(spec))[0]);
  const owners = (prefix: string) => db('notifications').where('customer_id', 'like', `${prefix}%`).orderBy('id').select('id', 'csm_id', 'previous_csm_id', 'version', 'timeline');
  const notify = (deps: ReturnType<typeof batchDeps>, specs: InvoiceSpec[]) => inBatch(db, (ctx) => handleInputs(deps, specs.map(a), ctx));
  const apply = (deps: ReturnType<typeof batchDeps>, values: CustomerContext[]) => inBatch(db, (ctx) => contextBatch(deps)(contextRecords(...values), ctx));

  it('keeps the newest snapshot per account of a batch, and a replay or an older snapshot changes nothing', async () => {
    const deps = batchDeps(db, url);
    await notify(deps, [{ invoiceId: 'stripe:in_r1', accountId: 'acc_r1', csmId: 'csm_old' }, { invoiceId: 'stripe:in_r2', accountId: 'acc_r2', csmId: 'csm_old' }]);
    const kicks = deps.kicks;
    // acc_r1 twice in offset order with an older one last; acc_r2 once.
    const batch = [snapshot('acc_r1', 'csm_new', t0 + 20), snapshot('acc_r2', 'csm_other', t0 + 5), snapshot('acc_r1', 'csm_stale', t0 + 10)];
    await apply(deps, batch);
    expect((await owners('acc_r')).map((r) => [r.csm_id, r.previous_csm_id, r.version, r.timeline.length])).toEqual(
      expect.arrayContaining([['csm_new', 'csm_old', 2, 1], ['csm_other', 'csm_old', 2, 1]]),
    );
    expect(await db('account_owners').whereIn('account_id', ['acc_r1', 'acc_r2']).orderBy('account_id').pluck('csm_id')).toEqual(['csm_new', 'csm_other']);
    expect(deps.kicks).toBe(kicks + 1);

    const after = { rows: await owners('acc_r'), notes: await db('ownership_notes').where('account_id', 'like', 'acc_r%').orderBy('id'), deliveries: await db('deliveries').where('customer_id', 'like', 'acc_r%').orderBy('id') };
    await apply(deps, batch); // replayed after a crash
    await apply(deps, [snapshot('acc_r1', 'csm_old', t0 + 15)]); // older than the held one, alone in its batch
    expect(await owners('acc_r')).toEqual(after.rows);
    expect(await db('ownership_notes').where('account_id', 'like', 'acc_r%').orderBy('id')).toEqual(after.notes);
    expect(await db('deliveries').where('customer_id', 'like', 'acc_r%').orderBy('id')).toEqual(after.deliveries);
    expect(await db('account_owners').where({ account_id: 'acc_r1' }).first()).toMatchObject({ csm_id: 'csm_new', snapshot_at: t0 + 20 });
    expect(deps.kicks).toBe(kicks + 1);
  });

  it('moves many accounts with the same statements as one', async () => {
    const deps = batchDeps(db, url, { defaults: { slackMaxPerHour: 1000 } });
    const accounts = (from: number, count: number) => Array.from({ length: count }, (_, i) => `acc_s${from + i}`);
    await notify(deps, accounts(0, 22).flatMap((acc) => [{ invoiceId: `stripe:in_${acc}_1`, accountId: acc, csmId: 'csm_s_old' }, { invoiceId: `stripe:in_${acc}_2`, accountId: acc, csmId: 'csm_s_old' }]));
    await apply(deps, [snapshot('acc_s0', 'csm_s_new', t0 + 1)]); // the new owner's details are in the directory from here on
    const statements = async (values: CustomerContext[]) => {
      const seen: string[] = [];
      const listen = (q: { sql: string }) => void seen.push(q.sql);
      db.on('query', listen);
      try {
        await apply(deps, values);
      } finally {
        db.off('query', listen);
      }
      return seen;
    };
    const one = await statements(accounts(1, 1).map((acc) => snapshot(acc, 'csm_s_new', t0 + 1)));
    const twenty = await statements(accounts(2, 20).map((acc) => snapshot(acc, 'csm_s_new', t0 + 1)));
    expect(twenty).toEqual(one);
    // BEGIN, account locks, owners upsert, the accounts' invoices, invoice locks, notifications, CSM locks,
    // preferences, Slack counts, moves (returning the moved rows), the moved versions queued in the outbox, deliveries, cancellations, notes,
    // NOTIFY, COMMIT. (Reading the moved rows again before queueing them made it 17.)
    expect(one).toHaveLength(16);
    expect(await db('notifications').where('customer_id', 'like', 'acc_s%').where({ csm_id: 'csm_s_new' }).count({ c: '*' })).toEqual([{ c: 44 }]);
    expect(await db('ownership_notes').where('account_id', 'like', 'acc_s%').count({ c: '*' })).toEqual([{ c: 44 }]);
  });

  it('hands reopened settled invoices to the current owner, writing each row once, with the same statements for one or many', async () => {
    const deps = batchDeps(db, url, { defaults: { slackMaxPerHour: 1000 } });
    const status = (invoiceId: string, state: 'paid' | 'failed', version: number) =>
      statusInput(statusRecords(samplePaymentStatus({ invoiceId, status: state, version }))[0])!;
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `stripe:in_ro${from + i}`);
    const all = ids(0, 21);
    await notify(deps, all.map((invoiceId) => ({ invoiceId, accountId: 'acc_ro', csmId: 'csm_ro_old' })));
    await inBatch(db, (ctx) => handleInputs(deps, all.map((id) => status(id, 'paid', 2)), ctx));
    await apply(deps, [snapshot('acc_ro', 'csm_ro_new', t0 + 1)]); // settled: they stay with the old owner
    expect(await db('notifications').whereIn('invoice_id', all).where({ csm_id: 'csm_ro_old' }).count({ c: '*' })).toEqual([{ c: 21 }]);
    const statements = async (invoiceIds: string[]) => {
      const seen: string[] = [];
      const listen = (q: { sql: string }) => void seen.push(q.sql);
      db.on('query', listen);
      try {
        await inBatch(db, (ctx) => handleInputs(deps, invoiceIds.map((id) => status(id, 'failed', 3)), ctx));
      } finally {
        db.off('query', listen);
      }
      return seen;
    };
    const one = await statements(ids(0, 1));
    const twenty = await statements(ids(1, 20));
    expect(twenty).toEqual(one);
    // BEGIN, invoice locks, notifications, statuses, account owners, CSM locks, preferences, Slack counts, statuses upsert,
    // alerts insert, notifications update (status and owner at once, returning the rows), the changed versions queued in the outbox,
    // deliveries insert, cancellations, notes, NOTIFY, COMMIT. (Reading the changed rows again before queueing them made it 18.)
    expect(one.filter((q) => q.startsWith('update notifications'))).toHaveLength(1);
    expect(one.filter((q) => q.startsWith('insert into "notification_outbox"'))).toHaveLength(1);
    expect(one).toHaveLength(17);
    const rows = await db('notifications').whereIn('invoice_id', all).orderBy('id');
    const events = (timeline: Array<{ event: string }>) => timeline.map((e) => e.event);
    expect(rows.filter((r) => r.kind === 'invoice_issued').map((r) => [r.csm_id, r.previous_csm_id, r.version, events(r.timeline)]))
      .toEqual(all.map(() => ['csm_ro_new', 'csm_ro_old', 4, ['paid', 'payment_failed', 'reassigned']]));
    expect(rows.filter((r) => r.kind === 'payment_failed').map((r) => r.csm_id)).toEqual(all.map(() => 'csm_ro_new'));
    // One note each way per batch's hand-over.
    const notes = await db('ownership_notes').where({ account_id: 'acc_ro' }).select('kind', 'csm_id', 'invoice_ids');
    expect(notes.map((x) => `${x.kind} ${x.csm_id} ${x.invoice_ids.length}`).sort())
      .toEqual(['inherited csm_ro_new 1', 'inherited csm_ro_new 20', 'moved_away csm_ro_old 1', 'moved_away csm_ro_old 20']);
  });

  it('never loses a move nor deadlocks when snapshots race assessments and statuses of the same accounts', async () => {
    const deps = batchDeps(db, url);
    for (let round = 0; round < 3; round++) {
      const accounts = ['a', 'b', 'c'].map((x) => `acc_race${round}${x}`);
      const specs = Array.from({ length: 12 }, (_, i) => ({ invoiceId: `stripe:in_race${round}_${i}`, accountId: accounts[i % 3], csmId: 'csm_race_old' }));
      await notify(deps, specs.slice(0, 6));
      const failed = specs.map(({ invoiceId }) => statusInput(statusRecords(samplePaymentStatus({ invoiceId, status: 'failed', version: 10 }))[0])!);
      await Promise.all([
        notify(deps, specs.slice(6)), // new invoices, assessed with the snapshot naming the old owner
        inBatch(db, (ctx) => handleInputs(deps, [...failed].reverse(), ctx)),
        apply(deps, accounts.map((acc) => snapshot(acc, 'csm_race_new', t0 + 10))),
      ]);
      const rows = await db('notifications').whereIn('customer_id', accounts);
      expect(rows.length).toBeGreaterThanOrEqual(12);
      expect(rows.filter((r) => r.csm_id !== 'csm_race_new').map((r) => r.invoice_id)).toEqual([]);
    }
  });

  it('dead-letters a snapshot whose key is not its account, or without an owner', async () => {
    const deps = batchDeps(db, url);
    const handle = contextBatch(deps);
    const wrongKey = asRecords('test.cs.customer-context.v1', [{ key: 'acc_x', value: snapshot('acc_y', 'csm_a', t0) }]);
    await expect(inBatch(db, (ctx) => handle(wrongKey, ctx))).rejects.toBeInstanceOf(InvalidRecordError);
    const noOwner = contextRecords(snapshot('acc_z', '', t0));
    await expect(inBatch(db, (ctx) => handle(noOwner, ctx))).rejects.toThrow('csm.id "" is not acceptable');
    // A tombstone (the account deleted) is no change of owner.
    await inBatch(db, (ctx) => handle(asRecords<CustomerContext>('test.cs.customer-context.v1', [{ key: 'acc_x', value: null }]), ctx));
  });
});
