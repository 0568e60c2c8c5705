import { Counter, Histogram } from 'prom-client';

/**
 * Deliveries by source, vendor event type and outcome: accepted, duplicate, ignored (a type we
 * do not use), unmatched (a dispute for an unknown invoice), unauthorized, invalid, too_large,
 * rate_limited, unavailable (broker down: 503).
 */
export const deliveries = new Counter({
  name: 'ingest_deliveries_total',
  help: 'Vendor deliveries and upload rows by source, type and outcome',
  labelNames: ['source', 'type', 'outcome'] as const,
});

export const requestSeconds = new Histogram({
  name: 'ingest_request_seconds',
  help: 'Time from request to answer on the ingest routes, by source and status',
  labelNames: ['source', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

export const pulled = new Counter({
  name: 'ingest_pulled_total',
  help: 'Events read from the vendors\' APIs and published: missed deliveries (recovered) and first-connection history (backfill), by source',
  labelNames: ['source', 'origin'] as const,
});

export const pullSkipped = new Counter({
  name: 'ingest_pull_skipped_total',
  help: 'Events or invoices read from the vendors\' APIs that could not be mapped (logged with the reason), by source',
  labelNames: ['source'] as const,
});
