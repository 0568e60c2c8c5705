import { createRequire, syncBuiltinESMExports } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

type SpanProcessors = NonNullable<NonNullable<ConstructorParameters<typeof NodeSDK>[0]>['spanProcessors']>;

export interface TelemetryOptions {
  /** Where spans go instead of the OTEL_* exporter (an embedding process, or a test's in-memory exporter). */
  spanProcessors?: SpanProcessors;
}

/**
 * Client calls inside traced work: Postgres queries (pg), fetch (undici) and node:http clients
 * (the Stripe and Slack libraries). Incoming requests are traced by the runtime's HTTP server;
 * calls outside any span (health probes, pool checks) make none.
 */
function clientInstrumentations() {
  return [
    new PgInstrumentation({ requireParentSpan: true }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    new HttpInstrumentation({ disableIncomingRequestInstrumentation: true, requireParentforOutgoingSpans: true }),
  ];
}

/**
 * Starts OpenTelemetry once per process. Exporters come from the standard OTEL_* variables
 * (OTEL_TRACES_EXPORTER=otlp, OTEL_EXPORTER_OTLP_ENDPOINT, ...); with none set, spans are still
 * created, so logs carry trace ids and Kafka headers carry the context, but nothing is exported,
 * and the client libraries are left unpatched (a span per query would cost and go nowhere).
 */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): void {
  if (sdk) return;
  const exporting = Boolean(options.spanProcessors) || (Boolean(process.env.OTEL_TRACES_EXPORTER) && process.env.OTEL_TRACES_EXPORTER !== 'none');
  process.env.OTEL_METRICS_EXPORTER ??= 'none'; // metrics are served by /metrics (Prometheus)
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  // Without an exporter, a processor that drops every span still makes the SDK register a tracer:
  // spans get real ids (a vendor webhook's own root trace too) and travel in Kafka headers.
  const dropAll = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
  const spanProcessors = options.spanProcessors ?? (exporting ? undefined : [dropAll]);
  sdk = new NodeSDK({ serviceName, instrumentations: exporting ? clientInstrumentations() : [], ...(spanProcessors ? { spanProcessors } : {}) });
  sdk.start();
  if (!exporting) return;
  // The hooks patch a module when it is next required: modules imported before this point are
  // patched now, on their shared exports, and named ESM imports of node:http see the patch.
  const require = createRequire(import.meta.url);
  for (const name of ['pg', 'node:http', 'node:https']) require(name);
  syncBuiltinESMExports();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
