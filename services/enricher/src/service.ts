import { topics } from '@invoice-signal/events';
import { onBatch, type ServiceDefinition } from '@invoice-signal/runtime';
import type { Config } from './config.ts';
import { customerContextHandler } from './handlers/customer-context.ts';
import type { HandlerDeps } from './handlers/deps.ts';
import { invoiceEventHandler } from './handlers/invoice-event.ts';
import { paymentStatusHandler } from './handlers/payment-status.ts';
import { enricherApi, registerContextRoutes } from './http/context-routes.ts';
import { migrations } from './migrations/index.ts';

export const enricher: ServiceDefinition<Config> = {
  name: 'enricher',
  migrations,
  // The import API publishes context snapshots for teams without a feed; the CRM feed writes them too.
  produces: [topics.enriched, topics.customerContext],
  bodyLimit: 5 * 1024 * 1024,
  openapi: enricherApi,
  async setup(ctx) {
    const { config } = ctx;
    const deps: HandlerDeps = {
      logger: ctx.logger, fallbackOwner: config.fallbackOwner, historyMonths: config.PAYMENT_HISTORY_MONTHS,
      trend: { windowDays: config.HEALTH_TREND_WINDOW_DAYS, minDeltaPoints: config.HEALTH_TREND_MIN_DELTA },
    };
    await registerContextRoutes(ctx.app, { token: config.CONTEXT_ADMIN_TOKEN, publisher: ctx.publisher, db: ctx.db });
    // State (context, mapping, payment history) and the invoices that need it are separate groups,
    // so a burst of invoices never delays the snapshots they are waiting for.
    await ctx.consume({
      groupId: ctx.groupId('state'),
      subscriptions: [onBatch(topics.customerContext, customerContextHandler(deps)), onBatch(topics.paymentStatus, paymentStatusHandler())],
    });
    // Every partition of the events topic in parallel (6 by default): while one batch waits on
    // Postgres or the broker's acknowledgement, the others proceed.
    await ctx.consume({ groupId: ctx.groupId('invoices'), partitionsConsumedConcurrently: topics.invoiceEvents.partitions, subscriptions: [onBatch(topics.invoiceEvents, invoiceEventHandler(deps))] });
  },
};
