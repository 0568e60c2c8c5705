import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { createDb, ensureDatabase, migrate, type Knex } from '@invoice-signal/runtime';
import { testServiceConfig } from '@invoice-signal/testkit';
import { migrations } from '../src/migrations/index.ts';
import { createSlackSender } from '../src/adapters/slack.ts';
import { assessedAndStatusBatch } from '../src/handlers/notification-batch.ts';
import { runSlackDeliveries } from '../src/jobs/slack-worker.ts';
import { assessedRecords, batchDeps, inBatch } from './support/batch.ts';
import { assessment } from './support/harness.ts';
import { SlackStandIn } from '@invoice-signal/testkit';

describe('Slack deliveries with two instances working the same database', () => {
  const slack = new SlackStandIn();
  const url = testServiceConfig('notifier', 'unused').databaseUrl;
  const pools: Knex[] = [];
  const deps = (db: Knex) => batchDeps(db, url, { email: false, defaults: { slackMaxPerHour: 100 } });

  beforeAll(async () => {
    await slack.start();
    await ensureDatabase(url);
    pools.push(createDb(url, 4), createDb(url, 4));
    await migrate(pools[0], migrations);
    // One batch through the handler queues a Slack delivery per invoice (no minimum, cap 100, no batching window).
    const records = assessedRecords(...Array.from({ length: 40 }, (_, i) => assessment({ invoiceId: `stripe:in_race${i}`, csmId: `csm_race${i % 4}`, accountId: `acc_race${i % 8}` })));
    await inBatch(pools[0], (ctx) => assessedAndStatusBatch(deps(pools[0]))([{ spec: topics.assessed, records }], ctx));
    expect(await pools[0]('deliveries').where({ channel: 'slack', state: 'pending' }).count({ c: '*' })).toEqual([{ c: 40 }]);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.destroy()));
    await slack.stop();
  });

  it('posts every notification exactly once, batched per CSM and account', async () => {
    const sender = createSlackSender({ token: 'xoxb-race', apiUrl: slack.url, timeoutMs: 5000 });
    const policy = { maxAttempts: 3, backoffMs: 10 };
    await Promise.all([runSlackDeliveries(deps(pools[0]), sender, policy, 100), runSlackDeliveries(deps(pools[1]), sender, policy, 100), runSlackDeliveries(deps(pools[1]), sender, policy, 100)]);
    const posted = slack.posts().flatMap((c) => {
      const actions = (c.params.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!;
      return actions.elements![0].value.split(',');
    });
    expect(posted).toHaveLength(40);
    expect(new Set(posted).size).toBe(40);
    expect(slack.posts()).toHaveLength(8); // 8 (CSM, account) pairs
    const states = await pools[0]('deliveries').select('state').count({ c: '*' }).groupBy('state');
    expect(states).toEqual([{ state: 'sent', c: 40 }]);
  });
});
