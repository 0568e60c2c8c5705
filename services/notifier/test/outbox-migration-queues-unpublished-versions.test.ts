import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, ensureDatabase, migrate, type Knex } from '@invoice-signal/runtime';
import { testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { migrations } from '../src/migrations/index.ts';

/**
 * A database of the published_version era migrated to 006-notification-outbox: every version not
 * yet published is waiting in the runtime outbox as the record the old relay would have sent;
 * published ones are not sent again.
 */
describe('the notification outbox migration', () => {
  const url = testServiceConfig('notifier', uniqueName('ntf-outbox-migration')).databaseUrl;
  let db: Knex;

  beforeAll(async () => {
    await ensureDatabase(url);
    db = createDb(url, 2);
    await migrate(db, migrations.slice(0, 5));
    await db.raw(`insert into notifications (id, kind, invoice_id, customer_id, csm_id, amount_minor, currency, status, risk_level, risk_rank,
        risk_flags, recommended_actions, customer_context, details, channels, notified_at, revision, assessment_id, updated_at, version, published_version)
      select v.id, 'invoice_issued', 'inv_' || v.id, 'acc_1', v.csm, 1000, 'EUR', v.status, 'low', 1, '[]', '[]', '{}', '{}', '[]', 1, 1, 'asm', 2,
        v.version, v.published
      from (values ('n1', 'csm_1', 'paid', 3, 3), ('n2', 'csm_2', 'overdue', 3, 2), ('n3', 'csm_1', 'failed', 2, 0))
        as v(id, csm, status, version, published)`);
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('queues the unpublished versions with their key, version and record, and drops published_version', async () => {
    const rows = await db('notification_outbox').orderBy('id').select('key', 'version', 'payload');
    expect(rows.map((r) => [r.key, r.version, r.payload.id, r.payload.version, r.payload.status]))
      .toEqual([['csm_2', 3, 'n2', 3, 'overdue'], ['csm_1', 2, 'n3', 2, 'failed']]);
    expect(await db.schema.hasColumn('notifications', 'published_version')).toBe(false);
  });
});
