import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry once per process. Exporters come from the standard OTEL_* variables
 * (OTEL_TRACES_EXPORTER=otlp, OTEL_EXPORTER_OTLP_ENDPOINT, ...); with none set, spans are still
 * created, so logs carry trace ids and Kafka headers carry the context, but nothing is exported.
 */
export function startTelemetry(serviceName: string): void {
  if (sdk) return;
  const exporting = Boolean(process.env.OTEL_TRACES_EXPORTER) && process.env.OTEL_TRACES_EXPORTER !== 'none';
  process.env.OTEL_METRICS_EXPORTER ??= 'none'; // metrics are served by /metrics (Prometheus)
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  // Without an exporter, a processor that drops every span still makes the SDK register a tracer:
  // spans get real ids (a vendor webhook's own root trace too) and travel in Kafka headers.
  const dropAll = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
  sdk = new NodeSDK({ serviceName, instrumentations: [], ...(exporting ? {} : { spanProcessors: [dropAll] }) });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
