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

/**
 * Whether the error says the record itself is at fault: our own non-retriable errors, and what
 * Postgres reports about the data (classes 22 data exception, 23 integrity, 42 syntax or
 * undefined object). Anything else (a connection that broke without a code, a bug's TypeError)
 * may be the world's fault, so it is retried a few times before a record is called poison.
 */
export function isPoison(error: unknown): boolean {
  if (error instanceof InvoiceSignalError) return !error.retriable;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|42)[0-9A-Z]{3}$/.test(code);
}
