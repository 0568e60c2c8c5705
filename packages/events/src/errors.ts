/**
 * The project's error base: a stable code, whether retrying can help, and a message built from
 * the values involved. Consumers retry `retriable` errors with a bound and dead-letter the rest.
 */
export class InvoiceSignalError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'InvoiceSignalError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
  }
}

/** A record whose bytes cannot be decoded with the schema they name. Never retriable. */
export class DecodeError extends InvoiceSignalError {
  constructor(topic: string, reason: string, cause?: unknown) {
    super('EVT_DECODE', `cannot decode record from ${topic}: ${reason}`, { cause });
    this.name = 'DecodeError';
  }
}

/** A value that does not match the topic's schema on the way out. A bug, never retriable. */
export class EncodeError extends InvoiceSignalError {
  constructor(topic: string, reason: string, cause?: unknown) {
    super('EVT_ENCODE', `cannot encode record for ${topic}: ${reason}`, { cause });
    this.name = 'EncodeError';
  }
}

/** The schema registry refused or failed: incompatible schema (not retriable) or unreachable (retriable). */
export class RegistryError extends InvoiceSignalError {
  constructor(message: string, opts: { retriable: boolean; cause?: unknown }) {
    super('EVT_REGISTRY', message, opts);
    this.name = 'RegistryError';
  }
}
