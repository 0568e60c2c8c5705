import { topics } from '@invoice-signal/events';
import type { ServiceDefinition } from '@invoice-signal/runtime';
import type { Config } from './config.ts';
import { migrations } from './migrations/index.ts';

export const riskScorer: ServiceDefinition<Config> = {
  name: 'risk-scorer',
  migrations,
  produces: [topics.assessed],
  async setup() {},
};
