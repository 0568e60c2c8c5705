import { Counter } from 'prom-client';

/** The tracker's own counters, beside the runtime's consumer metrics. */
export const trackerMetrics = {
  events: new Counter({ name: 'payment_tracker_events_total', help: 'Invoice events consumed, by outcome (applied, duplicate)', labelNames: ['outcome'] }),
  overdue: new Counter({ name: 'payment_tracker_overdue_total', help: 'Invoices the overdue scan turned overdue' }),
};
