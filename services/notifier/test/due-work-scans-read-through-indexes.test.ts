import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, ensureDatabase, migrate, type Knex } from '@invoice-signal/runtime';
import { testServiceConfig } from '@invoice-signal/testkit';
import { dueSlackHead, pendingSlackOf, slackCountQuery } from '../src/adapters/delivery-store.ts';
import { unpublishedSweep } from '../src/adapters/notification-store.ts';
import { migrations } from '../src/migrations/index.ts';
import { claimableItems, digestItems, digestQueueHeads, dueDigest } from '../src/jobs/digest-worker.ts';

/**
 * The workers' scans on tables with a long history (200,000 notifications and deliveries, almost
 * all published and sent): each must read what is due through an index, never the whole table. (The outbox
 * keeps no history: a published row is deleted.)
 * The plans are those of the very statements the workers run.
 */
describe('scans for due work', () => {
  const url = testServiceConfig('notifier', 'unused').databaseUrl;
  let db: Knex;

  beforeAll(async () => {
    await ensureDatabase(url);
    db = createDb(url, 2);
    await migrate(db, migrations);
    await seed(db, 200_000);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
  });

  const plan = async (query: Knex.QueryBuilder | Knex.Raw) => {
    const { sql, bindings } = query.toSQL();
    const rows: Array<{ 'QUERY PLAN': string }> = (await db.raw(`explain ${sql}`, bindings)).rows;
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  };
  const now = 200_001;

  it.each([
    ['outbox sweep: versions a pod of the previous release left', () => unpublishedSweep(db, 500), 'notifications_unpublished'],
    ['digest: CSMs with a queue (skip scan)', () => digestQueueHeads(db), 'deliveries_digest_queue'],
    ['digest: a CSM’s items to claim', () => claimableItems(db, 'csm_1', now), 'deliveries_digest_queue'],
    ['digest: the next digest due', () => dueDigest(db, now), 'digests_due'],
    ['digest: a digest’s items', () => digestItems(db, 7), 'deliveries_digest'],
    ['slack: the next due delivery', () => dueSlackHead(db, now), 'deliveries_due'],
    ['slack: the pending deliveries of one CSM and account', () => pendingSlackOf(db, 'csm_2', 'acc_2', now), 'deliveries_slack_batch'],
    ['slack: the hourly cap count', () => slackCountQuery(db, ['csm_2', 'csm_4'], now - 3600), 'deliveries_csm'],
  ])('%s', async (_name, query, index) => {
    const text = await plan(query());
    expect(text).not.toMatch(/Seq Scan on (notifications|deliveries|digests)\b/);
    expect(text).toContain(index);
  });
});

/**
 * `count` notifications and one delivery each (half Slack, half digest), all but 1 in 500
 * published and sent; 1,000 digests, all but 1 in 100 sent. Times are the row numbers.
 */
async function seed(db: Knex, count: number): Promise<void> {
  await db.raw(`insert into notifications (id, kind, invoice_id, customer_id, csm_id, amount_minor, currency, status, risk_level, risk_rank,
      risk_flags, recommended_actions, customer_context, details, channels, notified_at, revision, assessment_id, version, published_version, updated_at)
    select 'ntf_' || i, 'invoice_issued', 'inv_' || i, 'acc_' || (i % 5000), 'csm_' || (i % 200), 1000, 'EUR', 'pending', 'low', 1,
      '[]', '[]', '{}', '{}', '[]', i, 1, 'asm_' || i, 2, case when i % 500 = 0 then 1 else 2 end, i
    from generate_series(1, ?::int) as i`, [count]);
  await db.raw(`insert into digests (csm_id, period_key, state, next_attempt_at, created_at)
    select 'csm_' || (i % 200), 'p' || i, case when i % 100 = 0 then 'pending' else 'sent' end, i, i from generate_series(1, 1000) as i`);
  await db.raw(`insert into deliveries (notification_id, csm_id, customer_id, channel, state, not_before, created_at, digest_id)
    select 'ntf_' || i, 'csm_' || (i % 200), 'acc_' || (i % 5000), case when i % 2 = 0 then 'slack' else 'email_digest' end,
      case when i % 500 = 0 or i % 500 = 1 then 'pending' else 'sent' end, i, i,
      case when i % 2 = 1 and i % 500 <> 1 then (select min(id) from digests) + i % 1000 end
    from generate_series(1, ?::int) as i`, [count]);
  await db.raw('analyze notifications, deliveries, digests');
}
