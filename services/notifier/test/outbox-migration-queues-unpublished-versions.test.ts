import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, ensureDatabase, migrate, pgArray, type Knex } from '@invoice-signal/runtime';
import { testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { queueUnpublished } from '../src/adapters/notification-store.ts';
import { migrations } from '../src/migrations/index.ts';

/**
 * A database of the published_version era migrated to 006-notification-outbox: every version not
 * yet published is waiting in the runtime outbox as the record the old relay would have sent;
 * published ones are not sent again. published_version stays (expand/contract): a pod of the
 * previous release still bumps versions during a rolling deploy, and the outbox sweep job queues them.
 */
/** A database at migration 005 (the published_version era) with notifications (id, csm, status, version, published_version). */
async function before006(label: string, rows: Array<[string, string, string, number, number]>): Promise<Knex> {
  const url = testServiceConfig('notifier', uniqueName(label)).databaseUrl;
  await ensureDatabase(url);
  const db = createDb(url, 3);
  await migrate(db, migrations.slice(0, 5));
  await db.raw(`insert into notifications (id, kind, invoice_id, customer_id, csm_id, amount_minor, currency, status, risk_level, risk_rank,
      risk_flags, recommended_actions, customer_context, details, channels, notified_at, revision, assessment_id, updated_at, version, published_version)
    select v.id, 'invoice_issued', 'inv_' || v.id, 'acc_1', v.csm, 1000, 'EUR', v.status, 'low', 1, '[]', '[]', '{}', '{}', '[]', 1, 1, 'asm', 2,
      v.version, v.published
    from unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::int[]) as v(id, csm, status, version, published)`,
    [0, 1, 2, 3, 4].map((i) => pgArray(rows.map((r) => r[i]))));
  return db;
}

describe('the notification outbox migration', () => {
  let db: Knex;

  beforeAll(async () => {
    db = await before006('ntf-outbox-migration', [['n1', 'csm_1', 'paid', 3, 3], ['n2', 'csm_2', 'overdue', 3, 2], ['n3', 'csm_1', 'failed', 2, 0]]);
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const queued = async () => (await db('notification_outbox').orderBy('id').select('key', 'version', 'payload'))
    .map((r) => [r.key, r.version, r.payload.id, r.payload.version, r.payload.status]);

  it('queues the unpublished versions with their key, version and record, and marks them so an old relay leaves them alone', async () => {
    expect(await queued()).toEqual([['csm_2', 3, 'n2', 3, 'overdue'], ['csm_1', 2, 'n3', 2, 'failed']]);
    // What the previous release's relay reads: nothing is left for it to send again.
    expect(await db('notifications').whereRaw('published_version < version').pluck('id')).toEqual([]);
  });

  it('keeps published_version, so the sweep queues what a pod of the previous release writes after the migration, once', async () => {
    await db('notification_outbox').del();
    // An old pod's status change: a version bump and no outbox row.
    await db('notifications').where({ id: 'n1' }).update({ status: 'overdue', version: db.raw('version + 1') });
    expect(await db.transaction((trx) => queueUnpublished(trx, 500))).toBe(1);
    expect(await queued()).toEqual([['csm_1', 4, 'n1', 4, 'overdue']]);
    expect(await db.transaction((trx) => queueUnpublished(trx, 500))).toBe(0);
  });
});

describe('the notification outbox migration during a rolling deploy', () => {
  let db: Knex;

  beforeAll(async () => {
    db = await before006('ntf-outbox-lock', [['n1', 'csm_1', 'pending', 1, 1]]);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('waits for an old pod’s write in flight, then queues it: the table is locked before the waiting versions are read', async () => {
    let migrated: Promise<string[]> | undefined;
    await db.transaction(async (oldPod) => {
      await oldPod('notifications').where({ id: 'n1' }).update({ status: 'paid', version: 2 });
      migrated = migrate(db, migrations);
      await sleep(500);
      // Still waiting for the old pod: the outbox table is not committed yet.
      expect(await db.schema.hasTable('notification_outbox')).toBe(false);
    });
    await migrated;
    const rows = await db('notification_outbox').select('key', 'version', 'payload');
    expect(rows.map((r) => [r.key, r.version, r.payload.status])).toEqual([['csm_1', 2, 'paid']]);
  });
});
