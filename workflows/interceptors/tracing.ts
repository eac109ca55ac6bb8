/**
 * Workflow interceptors for OpenTelemetry (in the bundle only when tracing is on, see
 * worker/worker.ts): the workflow's spans continue the trace the client started, and each
 * activity gets the span context in its headers. Spans leave the workflow through the `exporter`
 * sink the worker injects. These interceptors do not change the workflow's commands
 * (workflows/replay.test.ts replays the fixtures with them).
 */
import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptors } from '@temporalio/workflow';

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
