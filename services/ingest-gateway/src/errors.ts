import { problemCatalogue } from '@invoice-signal/runtime';

/** The gateway's refusals, declared once: code → status and title (problem+json). */
export const ingestProblem = problemCatalogue({
  INGEST_INVALID: { status: 400, title: 'Delivery cannot be read' },
  INGEST_UPLOAD_INVALID: { status: 400, title: 'Upload rows cannot be read' },
  INGEST_UNAUTHORIZED: { status: 401, title: 'Sender not authenticated' },
  INGEST_FORBIDDEN: { status: 403, title: 'Client address not allowed' },
  INGEST_UNSUPPORTED_MEDIA: { status: 415, title: 'Unsupported media type' },
  INGEST_RATE_LIMITED: { status: 429, title: 'Source over its rate limit' },
});

/** A 400 naming the field at fault (vendor mappings, money, dates). */
export const invalid = (field: string, reason: string) => ingestProblem('INGEST_INVALID', `${field}: ${reason}`, { field });
export const unauthorized = (reason: string) => ingestProblem('INGEST_UNAUTHORIZED', reason);
