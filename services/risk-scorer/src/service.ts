import { topics } from '@invoice-signal/events';
import { onBatch, type ServiceDefinition } from '@invoice-signal/runtime';
import { recordRules } from './adapters/assessment-store.ts';
import type { Config } from './config.ts';
import { handleEnrichedInvoices } from './handlers/enriched-invoice.ts';
import { migrations } from './migrations/index.ts';

export const riskScorer: ServiceDefinition<Config> = {
  name: 'risk-scorer',
  migrations,
  produces: [topics.assessed],
  async setup(ctx) {
    const { rules } = ctx.config;
    await recordRules(ctx.db, rules);
    const hv = rules.config.flags.HIGH_VALUE;
    ctx.logger.info({ ruleVersion: rules.version, highValue: `${hv.threshold.amount} ${hv.threshold.currency}`, fxRates: Object.keys(hv.fx.rates).length, fxRatesAsOf: hv.fx.asOf }, 'risk rules loaded');
    await ctx.consume({
      groupId: ctx.groupId('assess'),
      partitionsConsumedConcurrently: ctx.config.RISK_CONSUMER_CONCURRENCY,
      subscriptions: [onBatch(topics.enriched, handleEnrichedInvoices({ rules, logger: ctx.logger }))],
    });
  },
};
