/**
 * Stopped cases: a case whose workflow ended without the case ending. The platform never ends a
 * case's workflow by itself; an operator may (`temporal workflow terminate`, the Web UI, a
 * script with the wrong id), and a workflow may fail or time out. The read model still shows the
 * case open, its tasks in the inboxes, and every action on it is refused (409 `case-stopped`):
 * the case has stopped, which a province cannot accept. These are listed for supervisors and
 * platform administrators, and a platform administrator revives one: its workflow is reset to its
 * last completed workflow task (Temporal's reset), so the case runs on from where it stood, with
 * its tasks, clocks and history; signals received after that point are applied again. A case
 * whose workflow failed on a bug fails again until the fixed worker is deployed; revive it then.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Db } from '../../lib/db';
import { caseQueries } from './case-query';
import { conflict, notFound, type AppError } from '../../lib/errors';
import { departmentIn } from '../../workflows/search-attributes';
import { alreadyCompleted } from './temporal-errors';
import { serviceUnavailable } from '../problem';
import { connectionFailure } from '../../lib/connection-failure';

/** gRPC status DEADLINE_EXCEEDED: the server did not answer in time. */
const grpcDeadlineExceeded = 4;

const Status = temporal.api.enums.v1.WorkflowExecutionStatus;
const EventType = temporal.api.enums.v1.EventType;

/** How a workflow's run ended, for the ends that stop a case (the others: null). */
const stoppedBy: Partial<Record<number, StoppedCase['ended']>> = {
  [Status.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'terminated',
  [Status.WORKFLOW_EXECUTION_STATUS_FAILED]: 'failed',
  [Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'timed-out',
  [Status.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'canceled',
};

export interface StoppedCase {
  caseNo: string;
  /** How its workflow's last run ended. */
  ended: 'terminated' | 'failed' | 'timed-out' | 'canceled';
  endedAt: Date | null;
  /** The case's status, item and department in the read model (null: the case never reached it). */
  caseStatus: string | null;
  itemName: string | null;
  department: string | null;
  runId: string;
}

/**
 * The last run of a case's workflow: running, completed, or how it stopped. Throws the client's
 * WorkflowNotFoundError for a workflow the cluster does not hold.
 */
async function lastRun(client: Client, caseNo: string): Promise<{ runId: string; type: string; status: temporal.api.enums.v1.WorkflowExecutionStatus; closeTime: Date | null }> {
  const d = await client.workflow.getHandle(caseNo).describe();
  return { runId: d.runId, type: d.type, status: d.raw.workflowExecutionInfo?.status ?? Status.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED, closeTime: d.closeTime ?? null };
}

/**
 * Why an action found the case's workflow closed: it stopped without the case ending, or it runs
 * again (revived while the action was on its way); null when it completed, or is no longer kept
 * (retention). When Temporal cannot be reached just now, the answer is a 503 (try again), never a
 * guess that the case is closed; any other failure of the describe is thrown as it is.
 */
async function stoppedEnd(client: Client, caseNo: string): Promise<StoppedCase['ended'] | 'running' | null> {
  let status: temporal.api.enums.v1.WorkflowExecutionStatus;
  try {
    ({ status } = await lastRun(client, caseNo));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    // Temporal unreachable or slow just now: try again. Anything else is a fault of its own (a 500, logged).
    if (connectionFailure(err) || (err as { code?: unknown }).code === grpcDeadlineExceeded) throw serviceUnavailable();
    throw err;
  }
  return status === Status.WORKFLOW_EXECUTION_STATUS_RUNNING ? 'running' : stoppedBy[status] ?? null;
}

/**
 * The refusal of an action (an update, a signal) that Temporal refused because the case's run is
 * closed, when the case has not ended: `case-stopped` while its workflow is stopped,
 * `case-revived` when it runs again (revived while the action was on its way: send it again).
 * Null for any other error, and for a case whose workflow completed.
 */
export async function stoppedRefusal(client: Client, caseNo: string, err: unknown): Promise<AppError | null> {
  if (!(err instanceof WorkflowNotFoundError) && !alreadyCompleted(err)) return null;
  const how = await stoppedEnd(client, caseNo);
  if (how === 'running') return conflict('case-revived', `case ${caseNo} was revived while this was on its way; send it again`);
  if (how) return conflict('case-stopped', `the workflow of case ${caseNo} has stopped (${how}) while the case is not finished; it accepts no action until a platform administrator revives it`);
  return null;
}

/**
 * Stopped cases of `departments` (null: every department), newest first: runs of the case
 * workflow that ended other than by completing, whose case has no running or completed run since,
 * reading at most `scan` such runs.
 */
export async function findStoppedCases(db: Db, client: Client, departments: string[] | null, scan: number): Promise<{ scanned: number; cases: StoppedCase[] }> {
  const query = `WorkflowType = 'caseWorkflow' AND ExecutionStatus IN ('Terminated', 'Failed', 'TimedOut', 'Canceled')${departments ? ` AND ${departmentIn(departments)}` : ''}`;
  const seen = new Set<string>();
  let scanned = 0;
  const found: StoppedCase[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: 200 })) {
    if (scanned >= scan) break;
    scanned += 1;
    if (seen.has(wf.workflowId)) continue; // an earlier run of a case already looked at
    seen.add(wf.workflowId);
    // The case's last run decides: a revived case runs (or has completed) in a newer run.
    const last = await lastRun(client, wf.workflowId).catch(() => null);
    const ended = last ? stoppedBy[last.status] : undefined;
    if (!last || !ended) continue;
    found.push({ caseNo: wf.workflowId, ended, endedAt: last.closeTime, caseStatus: null, itemName: null, department: null, runId: last.runId });
  }
  const rows = await db('cases').whereIn('case_no', found.map((c) => c.caseNo)).select<{ case_no: string; status: string; item_name: string; department_code: string }[]>('case_no', 'status', 'item_name', 'department_code');
  const byCase = new Map(rows.map((r) => [r.case_no, r]));
  return {
    scanned,
    cases: found.map((c) => {
      const r = byCase.get(c.caseNo);
      return { ...c, caseStatus: r?.status ?? null, itemName: r?.item_name ?? null, department: r?.department_code ?? null };
    }),
  };
}

export interface Revived {
  caseNo: string;
  /** The run the case goes on in. */
  runId: string;
  /** The event of the stopped run it was reset to (its last completed workflow task). */
  resetTo: number;
  /**
   * Whether the case, run again from there, holds every task the inboxes show it open (a task its
   * stopped run opened after its last completed workflow task is opened again once the new run
   * gets there; till then an action on it is refused as not open).
   */
  caughtUp: boolean;
}

/** How long a revival waits for the case to catch up with its inboxes before it answers. */
const CATCH_UP_MS = 15_000;

/** Waits (at most CATCH_UP_MS) until the case's running workflow holds every task the read model shows open. */
async function catchUp(db: Db, client: Client, caseNo: string): Promise<boolean> {
  const until = Date.now() + CATCH_UP_MS;
  for (;;) {
    // A run that stopped again (a bug not yet fixed fails it again) has not caught up, whatever its last state says.
    if ((await lastRun(client, caseNo)).status !== Status.WORKFLOW_EXECUTION_STATUS_RUNNING) return false;
    const shown = (await db('tasks').where({ case_no: caseNo, status: 'open' }).pluck('id')) as string[];
    const held = new Set((await caseQueries(client).view(caseNo).catch(() => null))?.openTasks.map((t) => t.taskId) ?? []);
    if (shown.every((id) => held.has(id))) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Revives a stopped case: resets its workflow's last run to its last completed workflow task,
 * and answers once the case, running again, holds the tasks its inboxes show (15 s at most).
 * 404 for a case the cluster does not hold; 409 `case-running` / `case-finished` when there is
 * nothing to revive, `case-not-revivable` when its run never completed a workflow task.
 */
export async function reviveCase(db: Db, client: Client, caseNo: string, actor: string, reason: string): Promise<Revived> {
  let last;
  try {
    last = await lastRun(client, caseNo);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(`case ${caseNo}`);
    throw err;
  }
  if (last.type !== 'caseWorkflow') throw notFound(`case ${caseNo}`);
  if (last.status === Status.WORKFLOW_EXECUTION_STATUS_RUNNING) throw conflict('case-running', `the workflow of case ${caseNo} is running; there is nothing to revive`);
  if (!stoppedBy[last.status]) throw conflict('case-finished', `the workflow of case ${caseNo} ended normally; there is nothing to revive`);
  const history = await client.workflow.getHandle(caseNo, last.runId).fetchHistory();
  const completed = (history.events ?? []).filter((ev) => ev.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).at(-1)?.eventId;
  if (!completed) throw conflict('case-not-revivable', `the workflow of case ${caseNo} never completed a workflow task; file the case again`);
  const resetTo = Number(completed);
  const reset: temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: caseNo, runId: last.runId },
    reason: `revived by ${actor}: ${reason}`.slice(0, 1000),
    workflowTaskFinishEventId: completed,
    // One reset per stopped run: two administrators reviving it in the same second get the same new run.
    requestId: `revive:${last.runId}`,
  });
  const runId = reset.runId ?? '';
  await db('audit_log').insert({ actor, action: 'case.revived', case_no: caseNo, detail: JSON.stringify({ reason, stoppedRun: last.runId, runId, resetTo }) });
  return { caseNo, runId, resetTo, caughtUp: await catchUp(db, client, caseNo) };
}
