import { InvoiceSignalError } from '@invoice-signal/events';

/**
 * A delivery we refuse, with the HTTP status the sender gets. `field` names the offending
 * field so the problem+json answer can point at it.
 */
export class DeliveryRejected extends InvoiceSignalError {
  readonly status: number;
  readonly field?: string;
  constructor(code: string, status: number, message: string, field?: string) {
    super(code, message, { retriable: false });
    this.name = 'DeliveryRejected';
    this.status = status;
    this.field = field;
  }
}

export const invalid = (field: string, reason: string) => new DeliveryRejected('INGEST_INVALID', 400, `${field}: ${reason}`, field);
export const unauthorized = (reason: string) => new DeliveryRejected('INGEST_UNAUTHORIZED', 401, reason);
