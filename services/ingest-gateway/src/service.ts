import { topics } from '@invoice-signal/events';
import type { ServiceDefinition } from '@invoice-signal/runtime';
import { createReceiptLog } from './adapters/receipt-log.ts';
import type { Config } from './config.ts';
import { createIngestor } from './ingest/accept-deliveries.ts';
import { reconcileOnce } from './jobs/reconcile.ts';
import { createLimits } from './http/deps.ts';
import { registerIngestRoutes } from './http/routes.ts';
import { migrations } from './migrations/index.ts';

export const ingestGateway: ServiceDefinition<Config> = {
  name: 'ingest-gateway',
  migrations,
  produces: [topics.invoiceEvents],
  // Before a sender authenticated, a malformed or oversized body counts against its address too.
  failedAuthRefusals: [400, 401, 403, 413, 415],
  async setup(ctx) {
    const now = () => Date.now();
    const receipts = createReceiptLog(ctx.db);
    const ingestor = createIngestor({ receipts, publisher: ctx.publisher, publishTimeoutMs: ctx.config.PUBLISH_TIMEOUT_MS, logger: ctx.logger });
    await registerIngestRoutes(ctx.app, { config: ctx.config, ingestor, receipts, logger: ctx.logger, limit: createLimits(ctx.config, now), now });
    // Off unless an interval is set. A singleton: one instance asks the vendors' APIs per interval.
    if (ctx.config.RECONCILE_INTERVAL_MS) {
      ctx.job({ name: 'ingest-gateway.reconcile', everyMs: ctx.config.RECONCILE_INTERVAL_MS, singleton: true, run: async () => void (await reconcileOnce(ctx.config, { receipts, ingestor, logger: ctx.logger })) });
    }
  },
};
