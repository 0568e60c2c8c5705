import { topics } from '@invoice-signal/events';
import { onBatch, type ServiceDefinition } from '@invoice-signal/runtime';
import { scanOverdue } from './jobs/overdue-scan.ts';
import { statusOutbox } from './adapters/status-outbox.ts';
import { trackerMetrics } from './metrics.ts';
import type { Config } from './config.ts';
import { dueZonesGroup, handleDueZones } from './handlers/due-zone.ts';
import { handleInvoiceEvents } from './handlers/invoice-event.ts';
import { statusRoutes, trackerApi } from './http/status-routes.ts';
import { migrations } from './migrations/index.ts';

/**
 * Folds billing.invoice.events.v1 into per-invoice payment state and publishes every change to
 * the compacted billing.invoice.payment-status.v1 through a database outbox.
 */
export const paymentTracker: ServiceDefinition<Config> = {
  name: 'payment-tracker',
  migrations,
  produces: [topics.paymentStatus],
  openapi: trackerApi,
  async setup(ctx) {
    const { config, db, logger } = ctx;
    const fold = { overdueGraceMs: config.OVERDUE_GRACE_MS };
    const eventsGroup = config.EVENTS_CONSUMER_GROUP ?? ctx.groupId('events');

    // Woken by every commit that queues a status (the runtime outbox); the interval catches other instances' changes.
    statusOutbox.drain(ctx, { everyMs: config.OUTBOX_POLL_MS, batchSize: config.OUTBOX_BATCH });

    const handlerDeps = {
      ...fold,
      onApplied: ({ events, duplicates }: { events: number; duplicates: number }) => {
        trackerMetrics.events.inc({ outcome: 'duplicate' }, duplicates);
        trackerMetrics.events.inc({ outcome: 'applied' }, events - duplicates);
      },
    };
    await ctx.consume({
      groupId: eventsGroup,
      partitionsConsumedConcurrently: topics.invoiceEvents.partitions, // invoices are independent; each partition keeps its order
      subscriptions: [onBatch(topics.invoiceEvents, handleInvoiceEvents(handlerDeps))],
    });
    // Named after the events group, so a rebuild that hands over a new one hands over this one too.
    await ctx.consume({
      groupId: dueZonesGroup(eventsGroup),
      subscriptions: [onBatch(topics.enriched, handleDueZones(fold))],
    });

    // Not a singleton: instances share the due rows through SKIP LOCKED.
    ctx.job({
      name: 'payment-tracker.overdue-scan', everyMs: config.OVERDUE_SCAN_INTERVAL_MS,
      async run({ signal }) {
        const overdue = await scanOverdue(db, {
          ...fold, batchSize: config.OVERDUE_SCAN_BATCH, keepGoing: () => !signal.aborted,
          onChanged: (n) => trackerMetrics.overdue.inc(n),
        });
        if (overdue > 0) logger.info({ overdue }, 'invoices became overdue');
      },
    });

    await statusRoutes(ctx.app, db, config);
  },
};
