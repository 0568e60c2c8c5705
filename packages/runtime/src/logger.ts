import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs carrying the service name and, inside a span, its trace and span ids; to stdout, or
 * appended to `file` (the test runner keeps them out of the test report that way).
 */
export function createLogger(service: string, level = 'info', file?: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span && span.traceId !== '00000000000000000000000000000000' ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  }, file ? pino.destination({ dest: file, append: true, mkdir: true }) : undefined);
}
