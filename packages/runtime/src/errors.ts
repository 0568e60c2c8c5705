import { InvoiceSignalError } from '@invoice-signal/events';

export { InvoiceSignalError };

/** A dependency (database, broker, registry, remote API) failed in a way that may pass. */
export class TransientError extends InvoiceSignalError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retriable: true, cause });
    this.name = 'TransientError';
  }
}

/** The input is wrong and will stay wrong: retrying cannot help; the record is dead-lettered. */
export class InvalidRecordError extends InvoiceSignalError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retriable: false, cause });
    this.name = 'InvalidRecordError';
  }
}

const transientPg = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004', '40001', '40P01']);
const transientNet = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Whether retrying could help: our own flag when set, else what the error's code says. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof InvoiceSignalError) return error.retriable;
  const e = error as { code?: string; retriable?: boolean; message?: string; name?: string };
  if (typeof e?.retriable === 'boolean') return e.retriable;
  if (e?.code && (transientPg.has(e.code) || transientNet.has(e.code))) return true;
  if (e?.name === 'KnexTimeoutError') return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(e?.message ?? '');
}

export function errorCode(error: unknown): string {
  if (error instanceof InvoiceSignalError) return error.code;
  const e = error as { code?: string; name?: string };
  return e?.code ?? e?.name ?? 'UNKNOWN';
}
