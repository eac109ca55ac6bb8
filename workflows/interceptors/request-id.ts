/**
 * Workflow interceptors (in the bundle, always): the request id that follows a case from the API
 * into the workflow and on to its activities, carried in Temporal headers (`ow-request-id`).
 *
 * The client interceptor (lib/temporal.ts) puts the id of the HTTP request that starts, signals
 * or updates the case in the call's headers; here the workflow keeps the latest one it was given
 * and puts it in the headers of every activity and local activity it schedules, where the
 * activity interceptor (worker/interceptors.ts) puts it in the log context. Headers are stored in
 * the history with the command, and are not part of what a replay compares: the workflow's
 * commands are the same with these interceptors as without (workflows/replay.test.ts).
 *
 * Headers rather than the memo: the memo is written once when the case starts, but each later
 * request (a clerk's decision, a platform's callback) has its own id and should be followed too.
 */
import { defaultPayloadConverter, type ActivityInput, type LocalActivityInput, type Next, type SignalInput, type UpdateInput, type WorkflowExecuteInput, type WorkflowInboundCallsInterceptor, type WorkflowInterceptors, type WorkflowOutboundCallsInterceptor, type GetLogAttributesInput } from '@temporalio/workflow';

export const requestIdHeader = 'ow-request-id';

type Headers = WorkflowExecuteInput['headers'];

function idIn(headers: Headers): string | undefined {
  const p = headers[requestIdHeader];
  if (!p) return undefined;
  try {
    const v: unknown = defaultPayloadConverter.fromPayload(p);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The latest request id this workflow was given (module state is per workflow run in the bundle). */
let current: string | undefined;

const note = (headers: Headers) => {
  const id = idIn(headers);
  if (id) current = id;
};

const withId = (headers: Headers): Headers => (current && !headers[requestIdHeader] ? { ...headers, [requestIdHeader]: defaultPayloadConverter.toPayload(current) } : headers);

class Inbound implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    note(input.headers);
    return next(input);
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    note(input.headers);
    return next(input);
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    note(input.headers);
    return next(input);
  }
}

class Outbound implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return next({ ...input, headers: withId(input.headers) });
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return next({ ...input, headers: withId(input.headers) });
  }

  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    return next(current ? { ...input, requestId: current } : input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({ inbound: [new Inbound()], outbound: [new Outbound()] });
