import { SpanStatusCode, trace, type Span, type SpanOptions } from '@opentelemetry/api';

export const tracer = trace.getTracer('invoice-signal');

/** Marks a span failed with the error that ended its work. */
export function failSpan(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
}

/** Runs `fn` in a span that is active meanwhile (child of the active one) and ends with fn's outcome. */
export function inSpan<T>(name: string, fn: (span: Span) => Promise<T>, options: SpanOptions = {}): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
