import { topics } from '@invoice-signal/events';
import { onBatch, type ServiceDefinition } from '@invoice-signal/runtime';
import { startOutboxDrainer } from './adapters/outbox-drainer.ts';
import { startOverdueScheduler } from './adapters/overdue-scanner.ts';
import { trackerMetrics } from './adapters/tracker-metrics.ts';
import type { Config } from './config.ts';
import { handleInvoiceEvents } from './handlers/invoice-event.ts';
import { statusRoutes } from './http/status-routes.ts';
import { migrations } from './migrations/index.ts';

/**
 * Folds billing.invoice.events.v1 into per-invoice payment state and publishes every change to
 * the compacted billing.invoice.payment-status.v1 through a database outbox.
 */
export const paymentTracker: ServiceDefinition<Config> = {
  name: 'payment-tracker',
  migrations,
  produces: [topics.paymentStatus],
  async setup(ctx) {
    const { config, db, logger } = ctx;
    const fold = { overdueGraceMs: config.OVERDUE_GRACE_MS };

    const outbox = startOutboxDrainer({
      db, publisher: ctx.publisher, logger, pollMs: config.OUTBOX_POLL_MS, batchSize: config.OUTBOX_BATCH,
      onPublished: (n) => trackerMetrics.published.inc(n),
    });
    ctx.onStop(() => outbox.stop());

    // onApplied runs after the batch committed: its outbox rows are visible to the drainer only from then.
    const handlerDeps = {
      ...fold,
      onApplied: ({ events, duplicates, changed }: { events: number; duplicates: number; changed: number }) => {
        trackerMetrics.events.inc({ outcome: 'duplicate' }, duplicates);
        trackerMetrics.events.inc({ outcome: 'applied' }, events - duplicates);
        if (changed > 0) outbox.wake();
      },
    };
    await ctx.consume({
      groupId: config.EVENTS_CONSUMER_GROUP ?? ctx.groupId('events'),
      partitionsConsumedConcurrently: topics.invoiceEvents.partitions, // invoices are independent; each partition keeps its order
      subscriptions: [onBatch(topics.invoiceEvents, handleInvoiceEvents(handlerDeps))],
    });

    const scheduler = startOverdueScheduler(db, logger, config.OVERDUE_SCAN_INTERVAL_MS, {
      ...fold, batchSize: config.OVERDUE_SCAN_BATCH,
      onChanged: (n) => {
        trackerMetrics.overdue.inc(n);
        outbox.wake();
      },
    });
    ctx.onStop(() => scheduler.stop());

    statusRoutes(ctx.app, db, config.AUTH_JWT_SECRET);
  },
};
