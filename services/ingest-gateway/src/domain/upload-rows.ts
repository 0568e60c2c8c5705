import { createHash } from 'node:crypto';
import { z } from 'zod';
import { instantOf, type InvoiceEvent, type InvoiceEventType } from '@invoice-signal/events';
import { HttpProblem, parsedBy } from '@invoice-signal/runtime';
import { canonicalEvent, type Delivery } from './delivery.ts';
import { ingestProblem } from '../errors.ts';
import { decimalToMinor, normaliseCurrency } from './money.ts';
import { dueDateOf, noDueDate } from './vendor-dates.ts';

const statuses = ['issued', 'updated', 'paid', 'payment_failed', 'voided', 'uncollectible'] as const satisfies readonly InvoiceEventType[];

/** The documented upload columns (CSV header or JSON keys). Amounts are decimals in major units. */
export const uploadColumns = {
  invoiceId: 'required; your invoice id, published as manual:<invoiceId>',
  accountId: 'optional; our account id when known',
  customerRef: 'optional; the customer reference in the billing system',
  invoiceNumber: 'optional',
  currency: 'required; ISO 4217, e.g. EUR',
  total: 'required; decimal in major units, e.g. 1250.00 (JPY: 5000)',
  amountPaid: 'optional; decimal, default 0',
  status: `optional; one of ${statuses.join(', ')}; default issued`,
  issuedAt: 'required; ISO date (start of that day in UPLOAD_BILLING_TIME_ZONE) or date-time with Z or an offset',
  dueAt: 'optional; ISO date (due until the end of that day in UPLOAD_BILLING_TIME_ZONE, or the account\'s billing zone) or date-time with Z or an offset',
  periodStart: 'optional; ISO date or date-time, as issuedAt', periodEnd: 'optional; ISO date or date-time, as issuedAt',
  occurredAt: 'optional; when this status happened (as issuedAt), default issuedAt; consumers order on it',
} as const;

export interface RowProblem { row: number; field: string; reason: string }

export class UploadRejected extends HttpProblem {
  readonly problems: RowProblem[];
  constructor(problems: RowProblem[]) {
    const detail = `${problems.length} problem(s) in the upload; nothing was imported`;
    super('INGEST_UPLOAD_INVALID', ingestProblem.codes.INGEST_UPLOAD_INVALID, detail, { field: problems[0]?.field, errors: problems });
    this.problems = problems;
  }
}

const cell = z.preprocess((v) => (v === undefined || v === null ? '' : String(v).trim()), z.string());
const required = cell.refine((v) => v !== '', 'required');
const columnOrder = Object.keys(uploadColumns);

/** One row's columns; `zone` is the billing entity's (UPLOAD_BILLING_TIME_ZONE): a date alone is a day there, a date-time needs its own zone. */
function rowSchema(zone: string) {
  const instant = (v: string) => instantOf(v, zone);
  const optionalInstant = cell.transform(parsedBy((v: string) => (v ? instant(v) : null)));
  return z.object({
    invoiceId: required.pipe(z.string().regex(/^[\w.:/-]{1,128}$/, { error: (i) => `letters, digits and ._:/- only, got ${JSON.stringify(i.input)}` })),
    accountId: cell, customerRef: cell, invoiceNumber: cell,
    currency: required.transform(parsedBy((v: string) => normaliseCurrency(v, 'currency'))),
    total: required, amountPaid: cell,
    status: cell.transform((v) => v || 'issued')
      .pipe(z.enum(statuses, { error: (i) => `expected one of ${statuses.join(', ')}, got ${JSON.stringify(i.input)}` })),
    issuedAt: required.transform(parsedBy(instant)),
    dueAt: cell.transform(parsedBy((v: string) => (v ? dueDateOf(v, zone) : noDueDate))),
    periodStart: optionalInstant, periodEnd: optionalInstant, occurredAt: optionalInstant,
    // Amounts are read in the row's currency (its decimals), so once it is known; other columns' problems are still reported.
  }).superRefine(checkAmounts, { when: (p) => !p.issues.some((i) => i.path?.[0] === 'currency' || i.path?.[0] === 'total') });
}

type Amounts = { currency: string; total: string; amountPaid: string };
const minorIn = (row: Amounts, name: 'total' | 'amountPaid') => decimalToMinor(row[name] || '0', row.currency, name);

function checkAmounts(row: Amounts, ctx: z.RefinementCtx) {
  const [total, paid] = (['total', 'amountPaid'] as const).map((name) => parsedBy(() => minorIn(row, name), [name])(row, ctx));
  if (typeof total === 'number' && typeof paid === 'number' && paid > total) {
    ctx.addIssue({ code: 'custom', path: ['amountPaid'], message: 'is more than total' });
  }
}

/**
 * Validates every row first (all-or-nothing, so a fixed file can simply be uploaded again), its
 * problems in column order, and turns each into a delivery whose vendor event id is a hash of the
 * row's content: the same row uploaded twice is the same delivery and yields nothing new.
 */
export function uploadDeliveries(rows: Array<{ row: number; values: Record<string, unknown> }>, receivedAt: number, zone = 'UTC'): Delivery[] {
  if (rows.length === 0) throw new UploadRejected([{ row: 0, field: 'rows', reason: 'the upload has no rows' }]);
  const schema = rowSchema(zone);
  const problems: RowProblem[] = [];
  const deliveries: Delivery[] = [];
  for (const { row, values } of rows) {
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      const found = parsed.error.issues.map((i) => ({ row, field: String(i.path[0]), reason: i.message }));
      problems.push(...found.sort((a, b) => columnOrder.indexOf(a.field) - columnOrder.indexOf(b.field)));
      continue;
    }
    const v = parsed.data;
    const [total, paid] = [minorIn(v, 'total'), minorIn(v, 'amountPaid')];
    const hash = rowHash(values);
    const event: InvoiceEvent = canonicalEvent(
      {
        source: 'manual', vendorEventId: hash, vendorInvoiceId: v.invoiceId, type: v.status, currency: v.currency, totalMinor: total,
        occurredAt: v.occurredAt ?? v.issuedAt, receivedAt,
      },
      {
        accountId: v.accountId || null, vendorCustomerId: v.customerRef || null, invoiceNumber: v.invoiceNumber || null,
        amountPaidMinor: paid, amountRemainingMinor: total - paid, issuedAt: v.issuedAt, ...v.dueAt, periodStart: v.periodStart, periodEnd: v.periodEnd,
      },
    );
    deliveries.push({ source: 'manual', vendorEventId: hash, vendorType: `upload.${v.status}`, event });
  }
  if (problems.length) throw new UploadRejected(problems);
  return deliveries;
}

/** Content hash of the documented columns only, so column order and extra columns do not matter. */
export function rowHash(values: Record<string, unknown>): string {
  const canonical = Object.keys(uploadColumns).map((k) => `${k}=${values[k] === undefined || values[k] === null ? '' : String(values[k]).trim()}`).join('\n');
  return `row_${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}
