import { Counter } from 'prom-client';

/** The notifier's own counters, beside the runtime's (served on /metrics). Module scope: once per process. */
export const notifierMetrics = {
  notifications: new Counter({ name: 'notifier_notifications_routed_total', help: 'Notifications routed to channels (new, or moved to a new owner), by kind', labelNames: ['kind'] as const }),
  deliveries: new Counter({ name: 'notifier_delivery_attempts_total', help: 'Delivery attempts by channel and outcome (sent, retry, failed)', labelNames: ['channel', 'outcome'] as const }),
};
