/**
 * Stuck cases: running case workflows whose workflow task keeps failing (a bug, a bad deploy, a
 * definition the engine cannot run), so the case cannot move until someone acts. Temporal servers
 * that flag them (`TemporalReportedProblems`, newer than this platform's 1.29) answer with one list
 * query; on older ones the most recently started running cases are described one by one and those
 * whose pending workflow task is on its second attempt or later are reported.
 */
import type { Client } from '@temporalio/client';
import { departmentIn } from '../../workflows/search-attributes';

export interface StuckCase {
  caseNo: string;
  startTime: Date;
  /** Attempts of the pending workflow task (2 or more: it has failed before). */
  attempts: number;
  /** Since when the current attempt is scheduled. */
  since: Date | null;
}

const DESCRIBE_CONCURRENCY = 8;

/** Running case workflows of `departments` whose workflow task has failed at least once, scanning at most `scan` of them. */
export async function findStuckCases(client: Client, departments: string[], scan: number): Promise<{ scanned: number; method: 'reported-problems' | 'describe'; cases: StuckCase[] }> {
  const base = `WorkflowType = 'caseWorkflow' AND ExecutionStatus = 'Running' AND ${departmentIn(departments)}`;
  try {
    const flagged: StuckCase[] = [];
    for await (const wf of client.workflow.list({ query: `${base} AND TemporalReportedProblems IS NOT NULL`, pageSize: 100 })) {
      flagged.push(await describe(client, wf.workflowId, wf.startTime));
      if (flagged.length >= scan) break;
    }
    return { scanned: flagged.length, method: 'reported-problems', cases: flagged.filter((c) => c.attempts >= 2) };
  } catch (err) {
    // A server without the attribute refuses the query as invalid (the gRPC error is the cause).
    if (!/TemporalReportedProblems|not a valid search attribute|invalid query/i.test(`${String(err)} ${String((err as { cause?: unknown }).cause)}`)) throw err;
  }
  const running: { caseNo: string; startTime: Date }[] = [];
  for await (const wf of client.workflow.list({ query: base, pageSize: 200 })) {
    running.push({ caseNo: wf.workflowId, startTime: wf.startTime });
    if (running.length >= scan) break;
  }
  const cases: StuckCase[] = [];
  for (let i = 0; i < running.length; i += DESCRIBE_CONCURRENCY) {
    const described = await Promise.all(running.slice(i, i + DESCRIBE_CONCURRENCY).map((w) => describe(client, w.caseNo, w.startTime)));
    cases.push(...described.filter((c) => c.attempts >= 2));
  }
  return { scanned: running.length, method: 'describe', cases };
}

async function describe(client: Client, caseNo: string, startTime: Date): Promise<StuckCase> {
  const d = await client.workflow.getHandle(caseNo).describe();
  const pending = d.raw.pendingWorkflowTask;
  const scheduled = pending?.scheduledTime?.seconds;
  return { caseNo, startTime, attempts: pending?.attempt ?? 0, since: scheduled != null ? new Date(Number(scheduled) * 1000) : null };
}
