import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

// CPU, memory, event-loop lag and GC of the process, once per process.
collectDefaultMetrics();

/** Process-wide metrics shared by the runtime pieces; services add their own beside them. */
export const metrics = {
  consumed: new Counter({
    name: 'consumer_records_total',
    help: 'Records handled by consumers, by topic and outcome (ok, dead_lettered, retried)',
    labelNames: ['topic', 'group', 'outcome'] as const,
  }),
  processing: new Histogram({
    name: 'consumer_processing_seconds',
    help: 'Time to handle one batch (one transaction, its send and commit), retries included',
    labelNames: ['topic', 'group'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  batchSize: new Histogram({
    name: 'consumer_batch_records',
    help: 'Records per batch handed to a handler (a failed batch split in halves counts each part)',
    labelNames: ['topic', 'group'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
  }),
  lag: new Gauge({
    name: 'consumer_lag',
    help: 'Records between the last fetched batch and the partition end',
    labelNames: ['topic', 'partition', 'group'] as const,
  }),
};

export { register as metricsRegistry };
