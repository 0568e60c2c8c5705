import { z } from 'zod';
import { InvoiceEventTypeSymbols } from '@invoice-signal/events';
import { instantSchema, parsedBy } from '@invoice-signal/runtime';
import { canonicalEvent } from '../domain/delivery.ts';
import { invalid } from '../errors.ts';
import { normaliseCurrency } from '../domain/money.ts';
import { dueDateOf, noDueDate, type DueFields } from '../domain/vendor-dates.ts';
import { requireBearer } from './auth.ts';
import { parseJson } from './chargebee-route.ts';
import { rawBody, rawPayload, type IngestHandler, type RouteDeps } from './deps.ts';
import { setSource } from './request-source.ts';

const minor = z.number().int();

/**
 * Canonical JSON from internal callers: a vendor-neutral invoice event; eventId and invoiceId are
 * derived. Dates are epoch ms or ISO text; a date alone is a day in `zone` (INTERNAL_BILLING_TIME_ZONE),
 * a date-time needs its own zone.
 */
export function canonicalInput(zone: string) {
  const instant = instantSchema(zone);
  const dueOf = (v: number | string): DueFields => (typeof v === 'number' ? { ...noDueDate, dueAt: v } : dueDateOf(v, zone));
  const due = z.union([z.number().int().nonnegative(), z.string()]).transform(parsedBy(dueOf));
  return z.object({
    source: z.enum(['stripe', 'chargebee', 'salesforce', 'manual', 'other']),
    vendorEventId: z.string().min(1).max(200),
    vendorInvoiceId: z.string().min(1).max(200),
    type: z.enum(InvoiceEventTypeSymbols),
    currency: z.string().transform(parsedBy((v: string) => normaliseCurrency(v))),
    totalMinor: minor,
    amountDueMinor: minor.optional(),
    amountPaidMinor: minor.default(0),
    amountRemainingMinor: minor.optional(),
    amountRefundedMinor: minor.default(0),
    vendorCustomerId: z.string().nullish(),
    accountId: z.string().nullish(),
    subscriptionId: z.string().nullish(),
    invoiceNumber: z.string().nullish(),
    issuedAt: instant.nullish(),
    dueAt: due.nullish(),
    periodStart: instant.nullish(),
    periodEnd: instant.nullish(),
    attemptCount: z.number().int().min(0).default(0),
    failureReason: z.string().nullish(),
    hostedInvoiceUrl: z.string().nullish(),
    occurredAt: instant,
  }).strict();
}

export function canonicalRoute(deps: RouteDeps): IngestHandler {
  const input = canonicalInput(deps.config.billingTimeZones.internal);
  return async (request, reply) => {
    setSource(request, 'internal');
    requireBearer(request, deps.config.INGEST_API_TOKEN);
    deps.limit('internal');
    const body = rawBody(request);
    const parsed = input.safeParse(parseJson(body));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.join('.') || 'body', issue.message);
    }
    const v = parsed.data;
    const event = canonicalEvent(
      {
        source: v.source, vendorEventId: v.vendorEventId, vendorInvoiceId: v.vendorInvoiceId, type: v.type, currency: v.currency, totalMinor: v.totalMinor,
        occurredAt: v.occurredAt, receivedAt: deps.now(),
      },
      {
        amountDueMinor: v.amountDueMinor ?? v.totalMinor, amountPaidMinor: v.amountPaidMinor, amountRemainingMinor: v.amountRemainingMinor ?? v.totalMinor - v.amountPaidMinor,
        amountRefundedMinor: v.amountRefundedMinor, vendorCustomerId: v.vendorCustomerId ?? null, accountId: v.accountId ?? null, subscriptionId: v.subscriptionId ?? null,
        invoiceNumber: v.invoiceNumber ?? null, issuedAt: v.issuedAt ?? null, ...(v.dueAt ?? noDueDate),
        periodStart: v.periodStart ?? null, periodEnd: v.periodEnd ?? null,
        attemptCount: v.attemptCount, failureReason: v.failureReason ?? null, hostedInvoiceUrl: v.hostedInvoiceUrl ?? null,
      },
    );
    const outcome = await deps.ingestor.acceptOne({ source: v.source, vendorEventId: v.vendorEventId, vendorType: `canonical.${v.type}`, event }, rawPayload(request, body));
    return reply.code(outcome === 'accepted' ? 202 : 200).send({ eventId: event.eventId, invoiceId: event.invoiceId, outcome });
  };
}
