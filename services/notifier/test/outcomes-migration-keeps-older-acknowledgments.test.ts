import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, ensureDatabase, migrate, type Knex } from '@invoice-signal/runtime';
import { testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { migrations } from '../src/migrations/index.ts';

/**
 * A database acknowledged before the closed set (free text, the product's fixed texts, none)
 * migrated to 005-outcomes: the texts become other with the text as note, each acknowledgment
 * becomes the first entry of its history, unacknowledged ones get none.
 */
describe('the outcomes migration', () => {
  const url = testServiceConfig('notifier', uniqueName('ntf-migration')).databaseUrl;
  let db: Knex;

  beforeAll(async () => {
    await ensureDatabase(url);
    db = createDb(url, 2);
    await migrate(db, migrations.slice(0, 4));
    await db.raw(`insert into notifications (id, kind, invoice_id, customer_id, csm_id, amount_minor, currency, status, risk_level, risk_rank,
        risk_flags, recommended_actions, customer_context, details, channels, notified_at, revision, assessment_id, updated_at, acknowledged_at, acknowledged_by, action_taken)
      select v.id, 'invoice_issued', 'inv_' || v.id, 'acc_1', 'csm_1', 1000, 'EUR', 'pending', 'low', 1, '[]', '[]', '{}', '{}', '[]', 1, 1, 'asm', 1, v.acked, v.by, v.action
      from (values ('n1', 50::bigint, 'csm_1', 'called the CFO'), ('n2', 60, 'mgr_1', 'acknowledged in inbox'), ('n3', 70, 'csm_1', null), ('n4', null, null, null)) as v(id, acked, by, action)`);
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('turns free text into other with a note and starts each history with the acknowledgment', async () => {
    const rows = await db('notifications').orderBy('id').select('id', 'action_taken', 'action_note', 'action_at');
    expect(rows.map((r) => [r.id, r.action_taken, r.action_note, r.action_at === null ? null : Number(r.action_at)])).toEqual([
      ['n1', 'other', 'called the CFO', 50], ['n2', 'other', 'acknowledged in inbox', 60], ['n3', null, null, 70], ['n4', null, null, null],
    ]);
    const history = await db('acknowledgment_actions').orderBy('notification_id').select('notification_id', 'action_taken', 'note', 'by_csm_id', 'holder_csm_id', 'at');
    expect(history.map((h) => [h.notification_id, h.action_taken, h.note, h.by_csm_id, h.holder_csm_id, Number(h.at)])).toEqual([
      ['n1', 'other', 'called the CFO', 'csm_1', 'csm_1', 50], ['n2', 'other', 'acknowledged in inbox', 'mgr_1', 'csm_1', 60], ['n3', null, null, 'csm_1', 'csm_1', 70],
    ]);
  });
});
