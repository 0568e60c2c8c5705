import { Counter } from 'prom-client';

/** The enricher's own counters, served on /metrics beside the runtime's. */
export const enricherMetrics = {
  invoiceEvents: new Counter({
    name: 'enricher_invoice_events_total',
    help: 'Invoice events seen, by outcome (enriched, duplicate, ignored = not an issued event)',
    labelNames: ['outcome'] as const,
  }),
  enrichments: new Counter({
    name: 'enricher_enrichments_total',
    help: 'Enriched invoices published, by matched (true/false) and kind (first, late = re-enriched after its context arrived)',
    labelNames: ['matched', 'kind'] as const,
  }),
  snapshots: new Counter({
    name: 'enricher_context_snapshots_total',
    help: 'Customer context snapshots consumed, by outcome (applied, stale = not newer than the one held, deleted)',
    labelNames: ['outcome'] as const,
  }),
};
