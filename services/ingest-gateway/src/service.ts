import { topics } from '@invoice-signal/events';
import type { ServiceDefinition } from '@invoice-signal/runtime';
import type { Config } from './config.ts';
import { migrations } from './migrations/index.ts';

export const ingestGateway: ServiceDefinition<Config> = {
  name: 'ingest-gateway',
  migrations,
  produces: [topics.invoiceEvents],
  async setup() {},
};
