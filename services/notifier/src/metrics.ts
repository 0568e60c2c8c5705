import { Counter, Gauge, Histogram } from 'prom-client';

/** The notifier's own counters, beside the runtime's (served on /metrics). Module scope: once per process. */
export const notifierMetrics = {
  notifications: new Counter({ name: 'notifier_notifications_routed_total', help: 'Notifications routed to channels (new, or moved to a new owner), by kind', labelNames: ['kind'] as const }),
  endToEnd: new Histogram({
    name: 'invoice_to_notification_seconds',
    help: 'From the gateway accepting an invoice (receivedAt) to its notification being stored (committed)',
    // 0.3 s: the p99 target of the throughput benchmark falls on a bucket boundary.
    buckets: [0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
  }),
  streamsOpen: new Gauge({ name: 'notifier_streams_open', help: 'Live streams (Server-Sent Events) open on this instance' }),
  deliveries: new Counter({ name: 'notifier_delivery_attempts_total', help: 'Delivery attempts by channel and outcome (sent, retry, failed)', labelNames: ['channel', 'outcome'] as const }),
};
