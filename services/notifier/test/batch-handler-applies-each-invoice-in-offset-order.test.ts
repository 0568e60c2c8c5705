import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentStatus } from '@invoice-signal/events';
import { createDb, createLogger, ensureDatabase, migrate, type Knex } from '@invoice-signal/runtime';
import { eventually, samplePaymentStatus, testServiceConfig } from '@invoice-signal/testkit';
import type { BatchInput } from '../src/domain/batch.ts';
import { createLiveHub, type LiveEvent } from '../src/adapters/live-hub.ts';
import { assessedInput, handleInputs, statusInput } from '../src/handlers/notification-batch.ts';
import { migrations } from '../src/migrations/index.ts';
import { assessedRecords, batchDeps, inBatch, statusRecords } from './support/batch.ts';
import { assessment, type InvoiceSpec } from './support/harness.ts';

/**
 * The batch handler on a real database, records handed over as the runtime does (one
 * transaction, after-commit work after it). Batches mixing both topics cannot come from Kafka
 * (a batch is one partition of one topic) but show that records of one invoice are applied in
 * order wherever a batch boundary falls.
 */
describe('the batch handler', () => {
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
  const s = (overrides: Partial<PaymentStatus>): BatchInput => statusInput(statusRecords(samplePaymentStatus(overrides))[0])!;
  const run = (deps: ReturnType<typeof batchDeps>, inputs: BatchInput[]) => inBatch(db, (ctx) => handleInputs(deps, inputs, ctx));
  const notifications = (invoiceId: string) => db('notifications').where({ invoice_id: invoiceId }).orderBy('kind');
  const deliveries = (csmId: string) => db('deliveries').where({ csm_id: csmId }).orderBy('id');

  it('applies an assessment and two statuses of one invoice in order: one invoice_issued, the newest status, one alert', async () => {
    const deps = batchDeps(db, url);
    const batch = [
      a({ invoiceId: 'stripe:in_mix', csmId: 'csm_mix' }),
      s({ invoiceId: 'stripe:in_mix', status: 'failed', version: 2 }),
      s({ invoiceId: 'stripe:in_mix', status: 'paid', version: 3 }),
      // A newer status first: the older one after it is stale.
      s({ invoiceId: 'stripe:in_mix2', status: 'overdue', version: 5 }),
      a({ invoiceId: 'stripe:in_mix2', csmId: 'csm_mix' }),
      s({ invoiceId: 'stripe:in_mix2', status: 'failed', version: 4 }),
    ];
    const emitted = await run(deps, batch);
    const mix = await notifications('stripe:in_mix');
    expect(mix.map((n) => [n.kind, n.status, n.version])).toEqual([['invoice_issued', 'paid', 1], ['payment_failed', 'paid', 1]]);
    // The four new notifications go out with the batch, not through the outbox.
    expect(emitted.map((r) => (r.value as { id: string }).id).sort()).toEqual((await db('notifications').whereIn('invoice_id', ['stripe:in_mix', 'stripe:in_mix2']).pluck('id')).sort());
    const queued = db('notification_outbox').whereRaw("payload->>'invoiceId' = any(?::text[])", [['stripe:in_mix', 'stripe:in_mix2']]);
    expect(await queued.count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await notifications('stripe:in_mix2')).map((n) => [n.kind, n.status])).toEqual([['invoice_issued', 'overdue'], ['overdue', 'overdue']]);
    expect(await db('invoice_status').whereIn('invoice_id', ['stripe:in_mix', 'stripe:in_mix2']).orderBy('invoice_id').select('status', 'version')).toEqual([{ status: 'paid', version: 3 }, { status: 'overdue', version: 5 }]);
    expect(deps.kicks).toBe(1);

    // Replayed after a crash: nothing changes, nothing is announced or emitted.
    const before = { notifications: await db('notifications').whereIn('invoice_id', ['stripe:in_mix', 'stripe:in_mix2']).orderBy('id'), deliveries: await deliveries('csm_mix'), log: await db('delivery_log').where({ csm_id: 'csm_mix' }) };
    expect(await run(deps, batch)).toEqual([]);
    expect(await db('notifications').whereIn('invoice_id', ['stripe:in_mix', 'stripe:in_mix2']).orderBy('id')).toEqual(before.notifications);
    expect(await deliveries('csm_mix')).toEqual(before.deliveries);
    expect(await db('delivery_log').where({ csm_id: 'csm_mix' })).toEqual(before.log);
    expect(deps.kicks).toBe(1);
  });

  it('reassigns within a batch before anything is written, and across batches cancels what the old owner had pending', async () => {
    const deps = batchDeps(db, url);
    await run(deps, [a({ invoiceId: 'stripe:in_move', csmId: 'csm_first' }), a({ invoiceId: 'stripe:in_move', csmId: 'csm_second', accountId: 'acc_moved', revision: 2 })]);
    expect((await notifications('stripe:in_move')).map((n) => [n.csm_id, n.customer_id, n.revision, n.version])).toEqual([['csm_second', 'acc_moved', 2, 1]]);
    expect(await deliveries('csm_first')).toEqual([]);
    expect((await deliveries('csm_second')).map((d) => [d.channel, d.state])).toEqual([['slack', 'pending']]);

    await run(deps, [a({ invoiceId: 'stripe:in_move', csmId: 'csm_third', revision: 3 }), a({ invoiceId: 'stripe:in_move', csmId: 'csm_first', revision: 1 })]);
    const [moved] = await notifications('stripe:in_move');
    expect([moved.csm_id, moved.revision, moved.version, moved.channels]).toEqual(['csm_third', 3, 2, ['in_app', 'slack']]);
    expect((await deliveries('csm_second')).map((d) => [d.state, d.reason])).toEqual([['cancelled', 'reassigned to csm_third']]);
    expect((await deliveries('csm_third')).map((d) => [d.channel, d.state])).toEqual([['slack', 'pending']]);
  });

  it('counts the hourly Slack cap across the batch', async () => {
    const deps = batchDeps(db, url, { defaults: { slackMaxPerHour: 2 } });
    await run(deps, [1, 2, 3].map((i) => a({ invoiceId: `stripe:in_capb${i}`, csmId: 'csm_capb', accountId: `acc_capb${i}` })));
    const channels = await Promise.all([1, 2, 3].map(async (i) => (await notifications(`stripe:in_capb${i}`))[0].channels.join('+')));
    expect(channels).toEqual(['in_app+slack', 'in_app+slack', 'in_app+email_digest']);
    expect((await deliveries('csm_capb')).map((d) => d.channel)).toEqual(['slack', 'slack', 'email_digest']);
    const log = await db('delivery_log').where({ csm_id: 'csm_capb', outcome: 'filtered' });
    expect(log.map((l) => l.detail)).toEqual([expect.stringContaining('slack: cap of 2 per hour reached; overflow into the digest')]);
  });

  it('runs the same statements for a batch of 1 and of 50 assessments', async () => {
    const deps = batchDeps(db, url, { defaults: { slackMaxPerHour: 1000 } });
    const spec = (i: number) => ({ invoiceId: `stripe:in_count${i}`, csmId: `csm_count${i % 4}`, accountId: `acc_count${i % 7}` });
    await run(deps, [0, 1, 2, 3].map((i) => a(spec(i)))); // the CSMs are known from here on
    const statements = async (inputs: BatchInput[]) => {
      const seen: string[] = [];
      const listen = (q: { sql: string }) => void seen.push(q.sql);
      db.on('query', listen);
      try {
        await run(deps, inputs);
      } finally {
        db.off('query', listen);
      }
      return seen;
    };
    const one = await statements([a(spec(10))]);
    const fifty = await statements(Array.from({ length: 50 }, (_, i) => a(spec(100 + i))));
    expect(fifty).toEqual(one);
    // BEGIN, account and invoice locks, account owners, notifications, statuses, CSM locks, preferences,
    // Slack counts, notifications insert, deliveries insert, NOTIFY, COMMIT.
    expect(one).toHaveLength(12);
    expect(Number((await db('notifications').where('invoice_id', 'like', 'stripe:in_count1__').count({ c: '*' }))[0].c)).toBe(50);
  });

  it('never deadlocks when batches of both topics overlap in opposite orders', async () => {
    const deps = batchDeps(db, url);
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 30 }, (_, i) => ({ invoiceId: `stripe:in_dl${round}_${i}`, csmId: `csm_dl${i % 3}`, accountId: `acc_dl${i % 5}` }));
      await run(deps, ids.map((spec) => a(spec)));
      const reversed = [...ids].reverse();
      await Promise.all([
        run(deps, ids.map((spec) => a({ ...spec, revision: 2 }))),
        run(deps, reversed.map(({ invoiceId }) => s({ invoiceId, status: 'failed', version: 10 }))),
        run(deps, ids.map(({ invoiceId }) => s({ invoiceId, status: 'overdue', version: 11 }))),
        run(deps, reversed.map((spec) => a({ ...spec, revision: 3 }))),
      ]);
      const rows = await db('notifications').where('invoice_id', 'like', `stripe:in_dl${round}_%`);
      expect(rows.filter((n) => n.kind === 'overdue')).toHaveLength(30);
      expect(rows.every((n) => n.status === 'overdue' && n.revision === 3)).toBe(true);
    }
  });

  it('announces a batch’s live events in one NOTIFY statement, chunked under the payload limit, heard only on commit', async () => {
    const hub = createLiveHub(url, createLogger('notifier', 'silent'));
    await hub.start();
    const heard: LiveEvent[] = [];
    hub.subscribe('*', (e) => void heard.push(e));
    try {
      const events: LiveEvent[] = Array.from({ length: 400 }, (_, i) => ({ type: 'created', csmId: `csm_live${i % 7}`, notificationId: `ntf_${'x'.repeat(40)}${i}` }));
      const statements: string[] = [];
      const listen = (q: { sql: string }) => void statements.push(q.sql);
      db.on('query', listen);
      await db.transaction(async (trx) => {
        await hub.announce(trx, events);
        await sleep(200);
        expect(heard).toHaveLength(0); // not before the commit
      }).finally(() => db.off('query', listen));
      expect(statements.filter((q) => q.includes('pg_notify'))).toHaveLength(1);
      await eventually('every event heard', () => heard.length === events.length);
      expect(heard).toEqual(events);
    } finally {
      await hub.stop();
    }
  });
});
