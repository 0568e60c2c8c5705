import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from '@invoice-signal/runtime';
import { openScratchDb } from '@invoice-signal/testkit';
import { acknowledge } from '../src/adapters/notification-store.ts';
import { migrations } from '../src/migrations/index.ts';

/**
 * An acknowledgment queues the notifications' new versions in the outbox from the rows its update
 * returned: one statement more than the acknowledgment itself (it was two: a read of the rows again, then the insert).
 */
describe('acknowledging notifications', () => {
  let scratch: Awaited<ReturnType<typeof openScratchDb>>;
  let db: Knex;

  beforeAll(async () => {
    scratch = await openScratchDb('ntf-ack-outbox', migrations);
    db = scratch.db;
    await db.raw(`insert into notifications (id, kind, invoice_id, customer_id, csm_id, amount_minor, currency, status, risk_level, risk_rank,
        risk_flags, recommended_actions, customer_context, details, channels, notified_at, revision, assessment_id, updated_at, version, published_version)
      select id, 'invoice_issued', 'inv_' || id, 'acc_1', 'csm_1', 1000, 'EUR', 'pending', 'low', 1, '[]', '[]', '{}', '{}', '[]', 1, 1, 'asm', 2, 1, 1
      from unnest(array['n1', 'n2', 'n3']) as id`);
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('queues each new version once, marked published for the previous release, in the same statements for one or many', async () => {
    const statements = async (ids: string[], at: number) => {
      const seen: string[] = [];
      const listen = (q: { sql: string }) => void seen.push(q.sql);
      db.on('query', listen);
      try {
        await db.transaction((trx) => acknowledge(trx, ids, 'csm_1', { actionTaken: 'contacted_customer', note: null }, at));
      } finally {
        db.off('query', listen);
      }
      return seen;
    };
    const one = await statements(['n1'], 10);
    const two = await statements(['n2', 'n3'], 20);
    expect(two).toHaveLength(one.length); // whereIn spells one placeholder per id: the texts differ, not the statements
    // BEGIN, the first acknowledgments (returning the rows), changed actions (returning the rows), the history insert,
    // the outbox insert, the deliveries withdrawn, COMMIT.
    expect(one).toHaveLength(7);
    const queued = await db('notification_outbox').orderBy('id').select('key', 'version', 'payload');
    expect(queued.map((r) => [r.key, r.version, r.payload.id, r.payload.actionTaken])).toEqual([
      ['csm_1', 2, 'n1', 'contacted_customer'], ['csm_1', 2, 'n2', 'contacted_customer'], ['csm_1', 2, 'n3', 'contacted_customer'],
    ]);
    expect(await db('notifications').whereRaw('published_version < version').count({ c: '*' })).toEqual([{ c: 0 }]);
  });
});
