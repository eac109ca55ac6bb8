/**
 * OpenTelemetry traces, exported over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT is set,
 * and off otherwise: no provider is registered, the Temporal interceptors are not installed, and
 * the workflow bundle is built without the tracing interceptors, so an untraced process pays
 * nothing.
 *
 * The trace: the API's request span (`api/app.ts`) → the Temporal client's StartWorkflow span
 * (OpenTelemetryWorkflowClientInterceptor, context in the workflow's headers) → the workflow's
 * spans (workflows/interceptors/tracing.ts, in the bundle, exported through a sink) → each
 * activity's span (OpenTelemetryActivityInboundInterceptor) → the platform call's span, whose
 * context goes out as `traceparent` (adapters/http.ts).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** Starts tracing for this process when `endpoint` is set (the OTLP/HTTP base URL); undefined = off. */
export function startTracing(service: string, endpoint: string | undefined): Tracing | undefined {
  if (!endpoint || active) return active;
  const resource = new Resource({ 'service.name': `onewindow-${service}`, 'service.namespace': 'onewindow' });
  const exporter = new OTLPTraceExporter({ url: `${endpoint}/v1/traces` });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // the global tracer, AsyncLocalStorage context and W3C trace-context propagation
  active = { resource, spanProcessor, shutdown: () => provider.shutdown() };
  return active;
}

export function tracingOn(): boolean {
  return active !== undefined;
}

const tracer = () => trace.getTracer('onewindow');

/**
 * Runs `fn` in a client span named `name` and gives it the headers that carry the span's context
 * (`traceparent`); without tracing, just runs `fn` with no headers.
 */
export async function inClientSpan<T>(name: string, attributes: Record<string, string>, fn: (headers: Record<string, string>) => Promise<T>, outcome?: (err: unknown) => boolean): Promise<T> {
  if (!active) return fn({});
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span: Span) => {
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    try {
      return await fn(headers);
    } catch (err) {
      if (!outcome || outcome(err)) span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}
