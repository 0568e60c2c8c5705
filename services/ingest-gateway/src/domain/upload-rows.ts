import { createHash } from 'node:crypto';
import type { InvoiceEvent, InvoiceEventType } from '@invoice-signal/events';
import { canonicalEvent, type Delivery } from './delivery.ts';
import { DeliveryRejected } from './errors.ts';
import { decimalToMinor, normaliseCurrency } from './money.ts';
import { dueDateOf, instantOf, noDueDate } from './vendor-dates.ts';

/** The documented upload columns (CSV header or JSON keys). Amounts are decimals in major units. */
export const uploadColumns = {
  invoiceId: 'required; your invoice id, published as manual:<invoiceId>',
  accountId: 'optional; our account id when known',
  customerRef: 'optional; the customer reference in the billing system',
  invoiceNumber: 'optional',
  currency: 'required; ISO 4217, e.g. EUR',
  total: 'required; decimal in major units, e.g. 1250.00 (JPY: 5000)',
  amountPaid: 'optional; decimal, default 0',
  status: `optional; one of ${['issued', 'updated', 'paid', 'payment_failed', 'voided', 'uncollectible'].join(', ')}; default issued`,
  issuedAt: 'required; ISO date (start of that day in UPLOAD_BILLING_TIME_ZONE) or date-time with Z or an offset',
  dueAt: 'optional; ISO date (due until the end of that day in UPLOAD_BILLING_TIME_ZONE, or the account\'s billing zone) or date-time with Z or an offset',
  periodStart: 'optional; ISO date or date-time, as issuedAt', periodEnd: 'optional; ISO date or date-time, as issuedAt',
  occurredAt: 'optional; when this status happened (as issuedAt), default issuedAt; consumers order on it',
} as const;

export interface RowProblem { row: number; field: string; reason: string }

export class UploadRejected extends DeliveryRejected {
  readonly problems: RowProblem[];
  constructor(problems: RowProblem[]) {
    super('INGEST_UPLOAD_INVALID', 400, `${problems.length} problem(s) in the upload; nothing was imported`, problems[0]?.field);
    this.problems = problems;
  }
}

const statuses = new Set<string>(['issued', 'updated', 'paid', 'payment_failed', 'voided', 'uncollectible']);

/**
 * Validates every row first (all-or-nothing, so a fixed file can simply be uploaded again) and
 * turns each into a delivery whose vendor event id is a hash of the row's content: the same row
 * uploaded twice is the same delivery and yields nothing new.
 */
export function uploadDeliveries(rows: Array<{ row: number; values: Record<string, unknown> }>, receivedAt: number, zone = 'UTC'): Delivery[] {
  const problems: RowProblem[] = [];
  const deliveries: Delivery[] = [];
  if (rows.length === 0) throw new UploadRejected([{ row: 0, field: 'rows', reason: 'the upload has no rows' }]);
  for (const { row, values } of rows) {
    const rowProblems: RowProblem[] = [];
    const attempt = <T>(fieldName: string, fn: () => T): T | undefined => {
      try {
        return fn();
      } catch (error) {
        rowProblems.push({ row, field: fieldName, reason: reasonOf(error, fieldName) });
        return undefined;
      }
    };
    const text = (name: string) => (values[name] === undefined || values[name] === null ? '' : String(values[name]).trim());
    const required = (name: string) => {
      const v = text(name);
      if (!v) throw new Error('required');
      return v;
    };
    // `zone` is the billing entity's (UPLOAD_BILLING_TIME_ZONE): a date alone is a day there; a date-time needs its own zone.
    const date = (name: string, isRequired: boolean) => {
      const v = isRequired ? required(name) : text(name);
      return v ? instantOf(v, zone) : null;
    };
    const invoiceId = attempt('invoiceId', () => { const v = required('invoiceId'); if (!/^[\w.:/-]{1,128}$/.test(v)) throw new Error(`letters, digits and ._:/- only, got ${JSON.stringify(v)}`); return v; });
    const currency = attempt('currency', () => normaliseCurrency(required('currency'), 'currency'));
    const total = currency ? attempt('total', () => decimalToMinor(required('total'), currency, 'total')) : undefined;
    const paid = currency ? attempt('amountPaid', () => (text('amountPaid') ? decimalToMinor(text('amountPaid'), currency, 'amountPaid') : 0)) : undefined;
    const status = attempt('status', () => { const v = text('status') || 'issued'; if (!statuses.has(v)) throw new Error(`expected one of ${[...statuses].join(', ')}, got ${JSON.stringify(v)}`); return v as InvoiceEventType; });
    const issuedAt = attempt('issuedAt', () => date('issuedAt', true));
    const due = attempt('dueAt', () => (text('dueAt') ? dueDateOf(text('dueAt'), zone) : noDueDate));
    const periodStart = attempt('periodStart', () => date('periodStart', false));
    const periodEnd = attempt('periodEnd', () => date('periodEnd', false));
    const occurredAt = attempt('occurredAt', () => date('occurredAt', false));
    if (total !== undefined && paid !== undefined && paid > total) rowProblems.push({ row, field: 'amountPaid', reason: 'is more than total' });
    if (rowProblems.length) { problems.push(...rowProblems); continue; }
    const hash = rowHash(values);
    const event: InvoiceEvent = canonicalEvent(
      { source: 'manual', vendorEventId: hash, vendorInvoiceId: invoiceId!, type: status!, currency: currency!, totalMinor: total!, occurredAt: occurredAt ?? issuedAt!, receivedAt },
      {
        accountId: text('accountId') || null, vendorCustomerId: text('customerRef') || null, invoiceNumber: text('invoiceNumber') || null,
        amountPaidMinor: paid!, amountRemainingMinor: total! - paid!, issuedAt: issuedAt!, ...due!, periodStart: periodStart!, periodEnd: periodEnd!,
      },
    );
    deliveries.push({ source: 'manual', vendorEventId: hash, vendorType: `upload.${status}`, event });
  }
  if (problems.length) throw new UploadRejected(problems);
  return deliveries;
}

function reasonOf(error: unknown, field: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

/** Content hash of the documented columns only, so column order and extra columns do not matter. */
export function rowHash(values: Record<string, unknown>): string {
  const canonical = Object.keys(uploadColumns).map((k) => `${k}=${values[k] === undefined || values[k] === null ? '' : String(values[k]).trim()}`).join('\n');
  return `row_${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}
