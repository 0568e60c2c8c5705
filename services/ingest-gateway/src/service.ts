import { topics } from '@invoice-signal/events';
import type { ServiceDefinition } from '@invoice-signal/runtime';
import { createReceiptLog } from './adapters/receipt-log.ts';
import type { Config } from './config.ts';
import { createIngestor } from './ingest/accept-deliveries.ts';
import { vendorSources } from './jobs/vendor-sources.ts';
import { syncOnce } from './jobs/vendor-sync.ts';
import { prunePayloadsOnce } from './jobs/payload-retention.ts';
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
    // Raw vendor payloads (customer PII) leave the receipt log after their retention; one instance prunes at a time.
    const { RECEIPT_PAYLOAD_RETENTION_DAYS: retentionDays, RECEIPT_PRUNE_BATCH_SIZE: batchSize } = ctx.config;
    if (retentionDays > 0) {
      ctx.job({ name: 'ingest-gateway.receipt-retention', everyMs: ctx.config.RECEIPT_PRUNE_INTERVAL_MS, singleton: true, run: ({ trx }) => prunePayloadsOnce(trx!, { retentionDays, batchSize }, now(), ctx.logger) });
    }
    // Per vendor whose API key is set: backfill on first connection, then recovery of missed events.
    // A singleton per vendor: one instance reads its APIs per interval, under the job's lock.
    const { RECOVERY_INTERVAL_MS: interval, BACKFILL_MONTHS: backfillMonths } = ctx.config;
    if (!interval && !backfillMonths) return;
    const settings = { recover: interval > 0, settleMs: ctx.config.RECOVERY_SETTLE_MS, maxWindowMs: ctx.config.RECOVERY_MAX_WINDOW_MS, backfillMonths };
    for (const vendor of vendorSources(ctx.config, receipts, ctx.logger)) {
      // Recovery off: the job only backfills (once), then finds nothing to do every hour.
      ctx.job({ name: `ingest-gateway.vendor-sync.${vendor.source}`, everyMs: interval || 3600_000, singleton: true, run: ({ trx }) => syncOnce(vendor, { receipts, ingestor, logger: ctx.logger }, settings, trx!) });
    }
  },
};
