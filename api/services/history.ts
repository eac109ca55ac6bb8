/**
 * The case history from Temporal, as a readable timeline (who did what when) and raw for
 * experts. Workflow-task bookkeeping is left out of the timeline; nothing is left out of raw.
 */
import { isGrpcServiceError, type Client, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mapTemporalError } from './temporal-errors';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

interface JsonEvent {
  eventId: string;
  eventTime: string;
  eventType: string;
  [attributes: string]: unknown;
}

export interface TimelineEntry {
  eventId: number;
  at: string;
  kind: string;
  summary: string;
  actor?: string;
  detail?: unknown;
}

function decode(p: JsonPayload | undefined): unknown {
  if (!p?.data) return undefined;
  const encoding = p.metadata?.encoding ? Buffer.from(p.metadata.encoding, 'base64').toString() : '';
  if (encoding !== 'json/plain') return `(${encoding || 'binary'} payload)`;
  return JSON.parse(Buffer.from(p.data, 'base64').toString('utf8')) as unknown;
}

function payloads(x: unknown): unknown[] {
  const list = (x as { payloads?: JsonPayload[] } | undefined)?.payloads ?? [];
  return list.map(decode);
}

/** The few attribute fields the timeline reads, across event types. */
interface Attr {
  input?: unknown;
  result?: unknown;
  activityType?: { name?: string };
  scheduledEventId?: string;
  acceptedRequest?: { input?: { name?: string; args?: unknown } };
  startToFireTimeout?: string;
  signalName?: string;
}

/** Turns one history event into a timeline entry, or null for bookkeeping events. */
function toEntry(e: JsonEvent): TimelineEntry | null {
  const base = { eventId: Number(e.eventId), at: e.eventTime };
  const attr = (name: string): Attr => (e[name] ?? {});
  switch (e.eventType) {
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED': {
      const input = payloads(attr('workflowExecutionStartedEventAttributes').input)[0] as { channel?: string; implementation?: { code: string; version: number } } | undefined;
      return { ...base, kind: 'case-started', summary: `case workflow started (${input?.channel ?? '?'}) under ${input?.implementation?.code}@${input?.implementation?.version}` };
    }
    case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED': {
      const a = attr('activityTaskScheduledEventAttributes');
      const arg = payloads(a.input)[0] as { type?: string; taskId?: string } | undefined;
      const what = a.activityType?.name === 'recordCaseEvent' ? `record "${arg?.type}"` : `${a.activityType?.name}${arg?.taskId ? ` ${arg.taskId}` : ''}`;
      return { ...base, kind: 'activity-scheduled', summary: what };
    }
    case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED':
      return { ...base, kind: 'activity-completed', summary: `activity of event ${attr('activityTaskCompletedEventAttributes').scheduledEventId} completed` };
    case 'EVENT_TYPE_ACTIVITY_TASK_FAILED':
    case 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT':
      return { ...base, kind: 'activity-failed', summary: `activity failed: ${e.eventType.replace('EVENT_TYPE_ACTIVITY_TASK_', '').toLowerCase()}` };
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED': {
      const a = attr('workflowExecutionUpdateAcceptedEventAttributes');
      const name = a.acceptedRequest?.input?.name ?? '?';
      const arg = payloads(a.acceptedRequest?.input?.args)[0] as { action?: string; opinion?: string; taskId?: string; level?: number; actor?: { userId: string } } | undefined;
      const summary = name === 'completeTask' ? `task ${arg?.taskId}: ${arg?.action}${arg?.opinion ? ` — ${arg.opinion}` : ''}` : name === 'evaluate' ? `rated ${arg?.level}/5` : name;
      return { ...base, kind: `update:${name}`, summary, actor: arg?.actor?.userId, detail: arg };
    }
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED':
      return { ...base, kind: 'update-completed', summary: 'update answered' };
    case 'EVENT_TYPE_TIMER_STARTED':
      return { ...base, kind: 'timer-started', summary: `timer for ${attr('timerStartedEventAttributes').startToFireTimeout}` };
    case 'EVENT_TYPE_TIMER_FIRED':
      return { ...base, kind: 'timer-fired', summary: 'timer fired' };
    case 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
      return null;
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED':
      return { ...base, kind: 'signal', summary: `signal ${attr('workflowExecutionSignaledEventAttributes').signalName}` };
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED':
      return { ...base, kind: 'case-closed', summary: 'case workflow completed', detail: payloads(attr('workflowExecutionCompletedEventAttributes').result)[0] };
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED':
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED':
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED':
    case 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT':
      return { ...base, kind: 'case-ended-abnormally', summary: e.eventType.replace('EVENT_TYPE_WORKFLOW_EXECUTION_', '').toLowerCase() };
    default:
      return null; // workflow-task bookkeeping and the like
  }
}

/**
 * The run of a case the cluster no longer holds (retention has passed), from the archived
 * visibility records; undefined when the namespace archives none (the dev server) or none matches.
 */
async function archivedRunId(client: Client, caseNo: string): Promise<string | undefined> {
  try {
    const res = await client.workflowService.listArchivedWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: 10,
      query: `WorkflowId = '${caseNo.replace(/[^A-Za-z0-9._-]/g, '')}'`,
    });
    const runs = res.executions ?? [];
    // The newest run of the case (a case number names one workflow; a reset would add runs).
    runs.sort((a, b) => Number(b.closeTime?.seconds ?? 0) - Number(a.closeTime?.seconds ?? 0));
    return runs[0]?.execution?.runId ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The case's history: from the cluster while it holds the workflow; after retention, from the
 * archive, which Temporal's frontend serves through the same call once given the run id.
 */
export async function fetchCaseHistory(client: Client, caseNo: string): Promise<{ history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>; archived: boolean }> {
  try {
    return { history: await client.workflow.getHandle(caseNo).fetchHistory(), archived: false };
  } catch (err) {
    // gRPC status 5, NOT_FOUND: the cluster holds no such workflow (any more).
    if (!(isGrpcServiceError(err) && Number(err.code) === 5)) throw mapTemporalError(err, caseNo);
    const runId = await archivedRunId(client, caseNo);
    if (!runId) throw mapTemporalError(err, caseNo);
    try {
      return { history: await client.workflow.getHandle(caseNo, runId).fetchHistory(), archived: true };
    } catch (archiveErr) {
      throw mapTemporalError(archiveErr, caseNo);
    }
  }
}

export async function caseHistory(client: Client, caseNo: string): Promise<{ raw: JsonEvent[]; timeline: TimelineEntry[] }> {
  const { history } = await fetchCaseHistory(client, caseNo);
  const json = historyToJSON(history);
  const raw = ((JSON.parse(json) as { events?: JsonEvent[] }).events ?? []);
  const timeline = raw.map(toEntry).filter((x): x is TimelineEntry => x !== null);
  return { raw, timeline };
}
