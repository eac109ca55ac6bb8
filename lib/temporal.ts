/** Connecting to Temporal with a one-line, actionable error when the server is not there. */
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { ConfigError } from './errors';
import { logContext } from './log';
import { tracingOn } from './tracing';

/** The header that carries the HTTP request's id into the workflow (workflows/interceptors/request-id.ts). */
export const requestIdHeader = 'ow-request-id';

type Headers = Record<string, ReturnType<typeof defaultPayloadConverter.toPayload>>;

/** Puts the current request's id in the call's headers, and the case (workflow id) in the request's log context. */
function stamp<T extends { headers: Headers }>(input: T, workflowId: string | undefined): T {
  const ctx = logContext.getStore();
  if (!ctx?.requestId) return input;
  if (workflowId && !ctx.caseNo) ctx.caseNo = workflowId;
  return { ...input, headers: { ...input.headers, [requestIdHeader]: defaultPayloadConverter.toPayload(ctx.requestId) } };
}

/** The request id interceptor: start, signal and update calls carry the id of the request that made them. */
export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  start: (input, next) => next(stamp(input, input.options.workflowId)),
  startWithDetails: (input, next) => next(stamp(input, input.options.workflowId)),
  signal: (input, next) => next(stamp(input, input.workflowExecution.workflowId)),
  signalWithStart: (input, next) => next(stamp(input, input.options.workflowId)),
  startUpdate: (input, next) => next(stamp(input, input.workflowExecution.workflowId)),
};

/** The client's workflow interceptors: the request id always, OpenTelemetry's when tracing is on. */
export function clientInterceptors(): WorkflowClientInterceptor[] {
  return tracingOn() ? [new OpenTelemetryWorkflowClientInterceptor(), requestIdClientInterceptor] : [requestIdClientInterceptor];
}

export async function connectClient(address: string, namespace: string): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  } catch (err) {
    throw new ConfigError(`cannot reach the Temporal server at ${address} (${(err as Error).message.split('\n')[0]}); start it, or fix TEMPORAL_ADDRESS`);
  }
  return new Client({ connection, namespace, interceptors: { workflow: clientInterceptors() } });
}
