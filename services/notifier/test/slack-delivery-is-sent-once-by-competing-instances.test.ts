import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createLogger, ensureDatabase, migrate, type Knex } from '@invoice-signal/runtime';
import { testServiceConfig } from '@invoice-signal/testkit';
import { migrations } from '../src/migrations/index.ts';
import { defaultPreferences } from '../src/domain/preferences.ts';
import { insertNotification, upsertCsm } from '../src/adapters/notification-store.ts';
import { addDelivery } from '../src/adapters/delivery-store.ts';
import { createLiveHub } from '../src/adapters/live-hub.ts';
import { createSlackSender } from '../src/adapters/slack.ts';
import { factsFromAssessment } from '../src/domain/notification.ts';
import type { NotifierDeps } from '../src/handlers/deps.ts';
import { runSlackDeliveries } from '../src/workers/slack-worker.ts';
import { assessment } from './support/harness.ts';
import { SlackStandIn } from '@invoice-signal/testkit';

describe('Slack deliveries with two instances working the same database', () => {
  const slack = new SlackStandIn();
  const url = testServiceConfig('notifier', 'unused').databaseUrl;
  const logger = createLogger('notifier', 'silent');
  const pools: Knex[] = [];
  const deps = (db: Knex): NotifierDeps => ({
    db, logger, now: Date.now, defaultZone: 'UTC', publicUrl: 'http://inbox.test', slackAvailable: true, emailAvailable: false, kick: () => undefined,
    live: createLiveHub(url, logger),
    defaults: defaultPreferences({ slackMinAmountMinor: 0, slackMinRisk: 'high', digestMinAmountMinor: 0, slackMaxPerHour: 100, digestFrequency: 'daily', digestHour: 8, quietHours: undefined, batchWindowSeconds: 0 }),
  });

  beforeAll(async () => {
    await slack.start();
    await ensureDatabase(url);
    pools.push(createDb(url, 4), createDb(url, 4));
    await migrate(pools[0], migrations);
    const now = Date.now();
    for (let i = 0; i < 40; i++) {
      const facts = factsFromAssessment(assessment({ invoiceId: `stripe:in_race${i}`, csmId: `csm_race${i % 4}`, accountId: `acc_race${i % 8}` }));
      await upsertCsm(pools[0], facts.csm, now);
      const n = await insertNotification(pools[0], { ...facts, csmId: facts.csm.id }, 'invoice_issued', 'pending', now);
      await addDelivery(pools[0], { notificationId: n!.id, csmId: n!.csmId, customerId: n!.customerId, channel: 'slack', notBefore: now, now });
    }
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
