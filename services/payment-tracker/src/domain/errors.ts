import { InvoiceSignalError } from '@invoice-signal/events';

/** An invoice event the tracker cannot fold: wrong now, wrong on every retry. */
export class InvalidInvoiceEventError extends InvoiceSignalError {
  constructor(code: string, message: string) {
    super(code, message, { retriable: false });
    this.name = 'InvalidInvoiceEventError';
  }
}
