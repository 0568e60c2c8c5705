import { Counter, Histogram } from 'prom-client';
import { InvoiceEventTypeSymbols } from '@invoice-signal/events';
import { chargebeeTypes } from './domain/chargebee-mapping.ts';
import { salesforceObjectTypes } from './domain/salesforce-mapping.ts';
import { stripeDisputeTypes, stripeInvoiceTypes, stripePaymentFailureTypes } from './domain/stripe-mapping.ts';

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

export const payloadsPruned = new Counter({
  name: 'ingest_receipt_payloads_pruned_total',
  help: 'Raw vendor payloads removed from the receipt log after RECEIPT_PAYLOAD_RETENTION_DAYS (the receipts and their dedupe keys stay)',
});

let known: Set<string> | undefined;

/**
 * The `type` label of a delivery: the vendor's type when it is one we know, else "other". Label
 * values come only from this closed set, so a forged type (Salesforce's xsi:type, a made-up
 * Stripe type) cannot grow the metrics without bound.
 */
export function typeLabel(vendorType: string): string {
  known ??= new Set([
    ...Object.keys(stripeInvoiceTypes), ...stripePaymentFailureTypes, ...stripeDisputeTypes, ...Object.keys(chargebeeTypes), ...salesforceObjectTypes, 'backfill.invoice',
    ...InvoiceEventTypeSymbols.flatMap((t) => [`upload.${t}`, `canonical.${t}`]),
  ]);
  return known.has(vendorType) ? vendorType : 'other';
}

