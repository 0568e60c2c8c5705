import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are credentials wherever they appear (one and two levels down too). */
const secretKeys = ['authorization', 'cookie', 'token', 'password', 'secret', 'apiKey', 'api_key', 'signature'];
const redactPaths = secretKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`])
  .concat(['stripe-signature', 'x-slack-signature'].flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]));

const emailPattern = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
export const maskEmails = (text: string) => text.replace(emailPattern, '[email]');

/** Whether any string in the value holds an @: most log lines have none and are logged as they are. */
function hasAt(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('@');
  if (depth > 5 || value === null || typeof value !== 'object' || value instanceof Error) return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => hasAt(v, depth + 1));
}

/** E-mail addresses (CSMs', customers') out of every logged value, however deep; logs are not the place for them. */
function withoutEmails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('@') ? maskEmails(value) : value;
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => withoutEmails(v, depth + 1));
  if (value instanceof Error) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutEmails(v, depth + 1)]));
}

/**
 * JSON logs carrying the service name and, inside a span, its trace and span ids; to stdout, or
 * appended to `file` (the test runner keeps them out of the test report that way). Credentials
 * and e-mail addresses are redacted.
 */
export function createLogger(service: string, level = 'info', file?: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { log: (object) => (hasAt(object) ? (withoutEmails(object) as Record<string, unknown>) : object) },
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map((a) => (typeof a === 'string' && a.includes('@') ? maskEmails(a) : a)) as Parameters<typeof method>);
      },
    },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span && span.traceId !== '00000000000000000000000000000000' ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  }, file ? pino.destination({ dest: file, append: true, mkdir: true }) : undefined);
}
