/**
 * The worker's activity interceptors: every activity runs in a log context with the request id
 * its workflow passed on (`ow-request-id` header, see workflows/interceptors/request-id.ts), the
 * case number (the workflow id) and the activity type as `operation`, and ends with one log line;
 * with tracing on, OpenTelemetry's activity span (continuing the workflow's trace) wraps it.
 */
import type { Context as ActivityContext } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, InjectedSinks, Next } from '@temporalio/worker';
import { log, withLogContext } from '../lib/log';
import type { Tracing } from '../lib/tracing';

export const requestIdHeader = 'ow-request-id';

class LogContextInbound implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const p = input.headers[requestIdHeader];
    let requestId: string | undefined;
    try {
      const v: unknown = p ? defaultPayloadConverter.fromPayload(p) : undefined;
      if (typeof v === 'string') requestId = v;
    } catch {
      requestId = undefined;
    }
    const info = this.ctx.info;
    return withLogContext({ requestId, caseNo: info.workflowExecution?.workflowId, operation: info.activityType }, async () => {
      const started = performance.now();
      const line = () => ({ activity: info.activityType, attempt: info.attempt, local: info.isLocal, ms: Math.round(performance.now() - started) });
      try {
        const result = await next(input);
        // Local activities (the projection's batches) are many and routine: debug; the others: info.
        if (info.isLocal) log().debug(line(), 'activity done');
        else log().info(line(), 'activity done');
        return result;
      } catch (err) {
        log().warn({ ...line(), err }, 'activity failed');
        throw err;
      }
    });
  }
}

export function activityInterceptors(tracing: Tracing | undefined): ActivityInterceptorsFactory[] {
  const ours: ActivityInterceptorsFactory = (ctx) => ({ inbound: new LogContextInbound(ctx) });
  if (!tracing) return [ours];
  return [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }), ours];
}

/** The sink the workflow's tracing interceptors export their spans through (only with tracing on). */
export function tracingSinks(tracing: Tracing | undefined): InjectedSinks<Record<string, never>> | undefined {
  if (!tracing) return undefined;
  return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } as unknown as InjectedSinks<Record<string, never>>;
}
