/**
 * The supervisors' list of case workflow runs (`GET /api/supervision/workflows`): Temporal's own
 * list query over the cases' search attributes (the runs the cluster holds) and, when asked
 * (`archived=include`), the closed runs the cluster no longer holds because retention has removed
 * them, from the namespace's visibility archive.
 *
 * The file-store visibility archiver answers only a small query (WorkflowId, RunId, WorkflowType,
 * CloseTime, ExecutionStatus; go.temporal.io/server common/archiver/filestore/query_parser.go), so
 * the archive is asked for case workflows closed in the period, newest first, and everything else
 * is decided here: the supervisor's jurisdiction and the filters (department, item, case status,
 * supervision state) through the read model (the `cases` table), never from the archived record;
 * a run the cluster still holds is listed once, from the cluster.
 */
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { temporal } from '@temporalio/proto';
import type { Db } from '../../lib/db';
import { departmentIn } from '../../workflows/search-attributes';

export interface WorkflowFilters {
  state?: string;
  department?: string;
  item?: string;
  status?: string;
  closedAfter?: Date;
  closedBefore?: Date;
}

export interface WorkflowRow {
  caseNo: string;
  runId: string;
  status: string;
  startTime: Date;
  closeTime: Date | null;
  /** Listed from the archive: the cluster no longer holds the run. */
  archived: boolean;
}

export interface ArchivePart {
  /** `not-asked`: archived=exclude; `disabled`: the server archives no visibility records (the dev server); `read`: the archive was read. */
  state: 'not-asked' | 'disabled' | 'read';
  /** The query the archive was asked. */
  query: string | null;
  /** Archived runs read (in and out of the jurisdiction). */
  scanned: number;
  /** Archived runs listed (in the jurisdiction, not held by the cluster). */
  listed: number;
  /** The archive may hold more runs than those read (the file store hands a next page whenever a page is full): narrow the period with closedBefore. */
  more: boolean;
  /** Why the archived part is empty, when it is disabled (the server's words). */
  detail?: string;
}

/** Rows from the cluster, rows from the archive: each at most this many. */
export const listLimit = 200;
/** Archived records read at most per request, and per page. */
const archiveScanLimit = 1000;
const archivePageSize = 100;

const workflowType = 'caseWorkflow';
const instantLiteral = (d: Date) => `'${d.toISOString()}'`;

function closeTimeClauses(f: WorkflowFilters): string[] {
  const out: string[] = [];
  if (f.closedAfter) out.push(`CloseTime >= ${instantLiteral(f.closedAfter)}`);
  if (f.closedBefore) out.push(`CloseTime <= ${instantLiteral(f.closedBefore)}`);
  return out;
}

const keyword = (v: string) => `'${v.replace(/[^A-Za-z0-9._-]/g, '')}'`;

/**
 * The cluster's list query: the filters on search attributes, the jurisdiction on Department. A
 * supervision state is the read model's (the supervision sweep keeps it for the cases it watches,
 * and no workflow wakes to copy it into a search attribute): `stateCases` are the case numbers at
 * that state, and the query names them.
 */
export function clusterQuery(jurisdiction: string[], f: WorkflowFilters, stateCases?: string[]): string {
  const clauses = [`WorkflowType = '${workflowType}'`, departmentIn(jurisdiction)];
  if (f.state !== undefined) clauses.push(stateCases?.length ? `WorkflowId IN (${stateCases.map(keyword).join(', ')})` : `WorkflowId = ''`);
  const attrs: [string, string | undefined][] = [['Department', f.department], ['ItemCode', f.item], ['CaseStatus', f.status]];
  for (const [attr, v] of attrs) if (v !== undefined) clauses.push(`${attr} = ${keyword(v)}`);
  // SQL visibility compares a running run's close time as the far future: a closing period asks for closed runs only.
  const closing = closeTimeClauses(f);
  if (closing.length) closing.push(`ExecutionStatus != 'Running'`);
  return [...clauses, ...closing].join(' AND ');
}

/** The archive's query: only what the file-store archiver understands. */
export function archiveQuery(f: WorkflowFilters): string {
  return [`WorkflowType = '${workflowType}'`, ...closeTimeClauses(f)].join(' AND ');
}

/** Of these case numbers, those of the read model in the jurisdiction that pass the filters. */
async function casesInJurisdiction(db: Db, jurisdiction: string[], caseNos: string[], f: WorkflowFilters): Promise<Set<string>> {
  if (caseNos.length === 0 || jurisdiction.length === 0) return new Set();
  const q = db('cases').whereIn('case_no', caseNos).whereIn('department_code', jurisdiction);
  if (f.department !== undefined) void q.where('department_code', f.department);
  if (f.item !== undefined) void q.where('item_code', f.item);
  if (f.status !== undefined) void q.where('status', f.status);
  if (f.state !== undefined) void q.where('supervision_state', f.state);
  return new Set((await q.pluck('case_no')) as string[]);
}

/** Of these run ids, those the cluster's visibility still lists. */
async function heldByCluster(client: Client, runIds: string[]): Promise<Set<string>> {
  const held = new Set<string>();
  for (let i = 0; i < runIds.length; i += 100) {
    const chunk = runIds.slice(i, i + 100).map((r) => `'${r.replace(/[^A-Za-z0-9-]/g, '')}'`);
    for await (const wf of client.workflow.list({ query: `RunId IN (${chunk.join(', ')})`, pageSize: 100 })) held.add(wf.runId);
  }
  return held;
}

/** Whether Temporal refused an archive read because visibility archival is not configured (cluster or namespace). */
function archivalDisabled(err: unknown): string | undefined {
  if (isGrpcServiceError(err) && Number(err.code) === 3 && /not configured for .*visibility/i.test(err.details ?? err.message)) return err.details || err.message;
  return undefined;
}

/**
 * Case numbers at a supervision state in the jurisdiction (and the other filters), newest first,
 * at most `listLimit`: a state with a closing period lists those of the newest cases at that state
 * that closed in it (a supervision state is about open cases; the period is Temporal's to apply).
 */
async function casesAtState(db: Db, jurisdiction: string[], f: WorkflowFilters): Promise<string[]> {
  if (jurisdiction.length === 0) return [];
  const q = db('cases').where('supervision_state', f.state!).whereIn('department_code', jurisdiction).orderBy('filed_at', 'desc').limit(listLimit);
  if (f.department !== undefined) void q.where('department_code', f.department);
  if (f.item !== undefined) void q.where('item_code', f.item);
  if (f.status !== undefined) void q.where('status', f.status);
  return (await q.pluck('case_no')) as string[];
}

export async function listCaseWorkflows(db: Db, client: Client, jurisdiction: string[], f: WorkflowFilters, archived: 'exclude' | 'include'): Promise<{ query: string; workflows: WorkflowRow[]; archive: ArchivePart }> {
  const query = clusterQuery(jurisdiction, f, f.state === undefined ? undefined : await casesAtState(db, jurisdiction, f));
  const workflows: WorkflowRow[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: 100 })) {
    workflows.push({ caseNo: wf.workflowId, runId: wf.runId, status: wf.status.name, startTime: wf.startTime, closeTime: wf.closeTime ?? null, archived: false });
    if (workflows.length >= listLimit) break;
  }
  if (archived === 'exclude') return { query, workflows, archive: { state: 'not-asked', query: null, scanned: 0, listed: 0, more: false } };

  const aQuery = archiveQuery(f);
  const listedRuns = new Set(workflows.map((w) => w.runId));
  const fromArchive: WorkflowRow[] = [];
  let scanned = 0;
  let token: Uint8Array | undefined;
  let cut = false;
  do {
    let page: temporal.api.workflowservice.v1.IListArchivedWorkflowExecutionsResponse;
    try {
      page = await client.workflowService.listArchivedWorkflowExecutions({ namespace: client.options.namespace, pageSize: archivePageSize, query: aQuery, nextPageToken: token });
    } catch (err) {
      const detail = archivalDisabled(err);
      if (detail === undefined) throw err;
      return { query, workflows, archive: { state: 'disabled', query: aQuery, scanned: 0, listed: 0, more: false, detail } };
    }
    const executions = page.executions ?? [];
    scanned += executions.length;
    const allowed = await casesInJurisdiction(db, jurisdiction, [...new Set(executions.map((e) => e.execution?.workflowId ?? ''))].filter(Boolean), f);
    const candidates = executions.filter((e) => allowed.has(e.execution?.workflowId ?? '') && !listedRuns.has(e.execution?.runId ?? ''));
    const held = await heldByCluster(client, candidates.map((e) => e.execution!.runId!));
    for (const e of candidates) {
      const runId = e.execution!.runId!;
      if (held.has(runId) || listedRuns.has(runId)) continue;
      listedRuns.add(runId);
      const info = await executionInfoFromRaw(e, client.options.loadedDataConverter, undefined, client.options.namespace);
      fromArchive.push({ caseNo: info.workflowId, runId, status: info.status.name, startTime: info.startTime, closeTime: info.closeTime ?? null, archived: true });
      if (fromArchive.length >= listLimit) {
        cut = candidates.indexOf(e) < candidates.length - 1;
        break;
      }
    }
    token = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (token && scanned < archiveScanLimit && fromArchive.length < listLimit);
  return { query, workflows: [...workflows, ...fromArchive], archive: { state: 'read', query: aQuery, scanned, listed: fromArchive.length, more: cut || token !== undefined } };
}
