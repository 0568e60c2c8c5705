import type { Logger } from '@invoice-signal/runtime';
import { createChargebeeInvoices } from '../adapters/chargebee-api.ts';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import { createStripeInvoices } from '../adapters/stripe-api.ts';
import type { Config } from '../config.ts';
import { chargebeeInvoiceEvent } from '../domain/chargebee-mapping.ts';
import { canonicalInvoiceId, secondsToMillis, type Delivery } from '../domain/delivery.ts';
import { chargebeeStatusType, reconcileEventId, stripeStatusType } from '../domain/reconcile-decision.ts';
import { stripeInvoiceEvent } from '../domain/stripe-mapping.ts';
import { reconciled } from '../metrics.ts';
import type { Ingestor } from '../ingest/accept-deliveries.ts';

interface Deps { receipts: ReceiptLog; ingestor: Ingestor; logger: Logger }

/**
 * Missed webhooks: lists the vendors' recent invoices and emits a canonical event for each
 * invoice the receipt log has never seen. Returns how many were emitted per source.
 */
export async function reconcileOnce(config: Config, deps: Deps, now = Date.now()): Promise<Record<string, number>> {
  const since = now - config.RECONCILE_LOOKBACK_MS;
  const found: Delivery[] = [];
  if (config.STRIPE_API_KEY) {
    for (const invoice of await createStripeInvoices(config.STRIPE_API_KEY, config.STRIPE_API_BASE_URL).listSince(since)) {
      const type = stripeStatusType(invoice.status);
      if (!type || !invoice.id) continue;
      const vendorEventId = reconcileEventId(invoice.id, String(invoice.status));
      const occurredAt = secondsToMillis(invoice.status_transitions?.paid_at ?? invoice.status_transitions?.finalized_at ?? invoice.created) ?? now;
      found.push({ source: 'stripe', vendorEventId, vendorType: 'reconcile.invoice', event: stripeInvoiceEvent(invoice, { vendorEventId, type, occurredAt, receivedAt: now }) });
    }
  }
  if (config.CHARGEBEE_API_KEY && (config.CHARGEBEE_SITE || config.CHARGEBEE_API_BASE_URL)) {
    for (const invoice of await createChargebeeInvoices(config.CHARGEBEE_SITE ?? '', config.CHARGEBEE_API_KEY, config.CHARGEBEE_API_BASE_URL).listSince(since)) {
      const type = chargebeeStatusType(invoice.status);
      if (!type) continue;
      const vendorEventId = reconcileEventId(invoice.id, invoice.status);
      const occurredAt = secondsToMillis(invoice.updated_at ?? invoice.date) ?? now;
      found.push({ source: 'chargebee', vendorEventId, vendorType: 'reconcile.invoice', event: chargebeeInvoiceEvent(invoice, { vendorEventId, type, occurredAt, receivedAt: now }) });
    }
  }
  const known = await deps.receipts.knownInvoices(found.map((d) => d.event!.invoiceId));
  const missing = found.filter((d) => !known.has(d.event!.invoiceId));
  const counts: Record<string, number> = {};
  if (missing.length) {
    const outcomes = await deps.ingestor.acceptMany(missing.map((d) => ({ delivery: d, raw: { text: JSON.stringify(d.event), contentType: 'application/json' } })));
    missing.forEach((d, i) => {
      if (outcomes[i] !== 'accepted') return;
      counts[d.source] = (counts[d.source] ?? 0) + 1;
      reconciled.inc({ source: d.source });
    });
    deps.logger.info({ counts, invoices: missing.map((d) => canonicalInvoiceId(d.source, d.event!.vendorInvoiceId)) }, 'reconciliation emitted invoices that never arrived by webhook');
  }
  return counts;
}
