import { topics } from '@invoice-signal/events';
import { on, type ServiceDefinition } from '@invoice-signal/runtime';
import type { Config } from './config.ts';
import { customerContextHandler } from './handlers/customer-context.ts';
import type { HandlerDeps } from './handlers/deps.ts';
import { invoiceEventHandler } from './handlers/invoice-event.ts';
import { paymentStatusHandler } from './handlers/payment-status.ts';
import { registerContextRoutes } from './http/context-routes.ts';
import { migrations } from './migrations/index.ts';

export const enricher: ServiceDefinition<Config> = {
  name: 'enricher',
  migrations,
  // The import API publishes context snapshots for teams without a feed; the CRM feed writes them too.
  produces: [topics.enriched, topics.customerContext],
  bodyLimit: 5 * 1024 * 1024,
  async setup(ctx) {
    const { config } = ctx;
    const deps: HandlerDeps = {
      db: ctx.db, publisher: ctx.publisher, logger: ctx.logger, fallbackOwner: config.fallbackOwner, historyMonths: config.PAYMENT_HISTORY_MONTHS,
      trend: { windowDays: config.HEALTH_TREND_WINDOW_DAYS, minDeltaPoints: config.HEALTH_TREND_MIN_DELTA },
    };
    registerContextRoutes(ctx.app, { token: config.CONTEXT_ADMIN_TOKEN, publisher: ctx.publisher, db: ctx.db });
    // State (context, mapping, payment history) and the invoices that need it are separate groups,
    // so a burst of invoices never delays the snapshots they are waiting for.
    await ctx.consume({
      groupId: ctx.groupId('state'),
      subscriptions: [on(topics.customerContext, customerContextHandler(deps)), on(topics.paymentStatus, paymentStatusHandler(deps))],
    });
    // Every partition of the events topic in parallel (6 by default): per-invoice work is mostly
    // waiting on Postgres and broker acks, so more partitions in flight means more throughput.
    await ctx.consume({ groupId: ctx.groupId('invoices'), partitionsConsumedConcurrently: topics.invoiceEvents.partitions, subscriptions: [on(topics.invoiceEvents, invoiceEventHandler(deps))] });
  },
};
