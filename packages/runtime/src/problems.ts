import { InvoiceSignalError } from '@invoice-signal/events';
import type { FastifyError, FastifyReply } from 'fastify';

/** What an error code answers, the same for every occurrence: its HTTP status and a short title. */
export interface ProblemKind {
  status: number;
  title: string;
}

/** Members a problem adds to the RFC 9457 ones: the input field at fault, every problem found, when to come back. */
export interface ProblemOptions {
  field?: string;
  errors?: readonly object[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * An error answered as application/problem+json (RFC 9457): thrown from a route or hook (the
 * app's error handler sends it) or passed to sendProblem. Its type names its code, so the title
 * may be the code's own; only status-only answers (statusProblem) are about:blank.
 */
export class HttpProblem extends InvoiceSignalError {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly field?: string;
  readonly errors?: readonly object[];
  readonly retryAfterSeconds?: number;
  constructor(code: string, kind: ProblemKind & { type?: string }, detail: string, opts: ProblemOptions = {}) {
    super(code, detail, { retriable: false, cause: opts.cause });
    this.name = 'HttpProblem';
    this.status = kind.status;
    this.title = kind.title;
    this.type = kind.type ?? `urn:invoice-signal:problem:${code}`;
    this.field = opts.field;
    this.errors = opts.errors;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** Makes a problem of one of a catalogue's codes, and no other. */
export type ProblemMaker<Code extends string> = (code: Code, detail: string, opts?: ProblemOptions) => HttpProblem;

/** Declares a package's error codes once (code → status, title); call sites name a declared code or do not compile. */
export function problemCatalogue<const Codes extends Record<string, ProblemKind>>(codes: Codes): ProblemMaker<keyof Codes & string> & { codes: Codes } {
  return Object.assign((code: keyof Codes & string, detail: string, opts?: ProblemOptions) => new HttpProblem(code, codes[code], detail, opts), { codes });
}

/** The codes the runtime answers for every service: authentication, its failure budget, request validation (Fastify's code). */
export const runtimeProblem = problemCatalogue({
  HTTP_UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  HTTP_TOO_MANY_FAILURES: { status: 429, title: 'Too many failed authentications' },
  FST_ERR_VALIDATION: { status: 400, title: 'Invalid request' },
});

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 503: 'Service Unavailable',
};

/** A problem no catalogue declares (Fastify's own refusals, an unknown route, a fault): about:blank, titled by its status. */
export function statusProblem(status: number, detail: string, code = '', opts?: ProblemOptions): HttpProblem {
  const title = reasonPhrases[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
  return new HttpProblem(code, { status, title, type: 'about:blank' }, detail, opts);
}

/** The refusal a thrown error stands for: a problem, or Fastify's 4xx (validation, body limit, media type); undefined for a fault. */
export function refusalOf(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  const { statusCode, code, message } = error as FastifyError;
  if (!statusCode || statusCode < 400 || statusCode >= 500) return undefined;
  const kind: ProblemKind | undefined = Object.hasOwn(runtimeProblem.codes, code) ? runtimeProblem.codes[code as keyof typeof runtimeProblem.codes] : undefined;
  return kind?.status === statusCode ? new HttpProblem(code, kind, message) : statusProblem(statusCode, message, code);
}

/** The one writer of problem+json answers. */
export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
  const { type, title, status, message: detail, field, errors } = problem;
  return reply.code(status).type('application/problem+json').send({ type, title, status, detail, code: problem.code || undefined, field, errors });
}
