import { topics } from '@invoice-signal/events';
import type { ServiceDefinition } from '@invoice-signal/runtime';
import type { Config } from './config.ts';
import { migrations } from './migrations/index.ts';

export const paymentTracker: ServiceDefinition<Config> = {
  name: 'payment-tracker',
  migrations,
  produces: [topics.paymentStatus],
  async setup() {},
};
