import { topics } from '@invoice-signal/events';
import type { ServiceDefinition } from '@invoice-signal/runtime';
import type { Config } from './config.ts';
import { migrations } from './migrations/index.ts';

export const notifier: ServiceDefinition<Config> = {
  name: 'notifier',
  migrations,
  produces: [topics.notifications],
  async setup() {},
};
