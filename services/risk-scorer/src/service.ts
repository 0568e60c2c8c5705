import { topics } from '@invoice-signal/events';
import { on, type ServiceDefinition } from '@invoice-signal/runtime';
import { createAssessmentStore } from './adapters/assessment-store.ts';
import type { Config } from './config.ts';
import { handleEnrichedInvoice } from './handlers/enriched-invoice.ts';
import { migrations } from './migrations/index.ts';

export const riskScorer: ServiceDefinition<Config> = {
  name: 'risk-scorer',
  migrations,
  produces: [topics.assessed],
  async setup(ctx) {
    const { rules } = ctx.config;
    const store = createAssessmentStore(ctx.db);
    await store.recordRules(rules);
    ctx.logger.info({ ruleVersion: rules.version }, 'risk rules loaded');
    await ctx.consume({
      groupId: ctx.groupId('assess'),
      partitionsConsumedConcurrently: ctx.config.RISK_CONSUMER_CONCURRENCY,
      subscriptions: [on(topics.enriched, handleEnrichedInvoice({ store, publisher: ctx.publisher, rules, logger: ctx.logger }))],
    });
  },
};
