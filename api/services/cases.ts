/**
 * Case use cases: file, read, complete a task, rate. The API never changes a case by writing
 * SQL: it starts the case workflow or sends it an update; it reads the projected read model.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { conflict, notFound, validationFailed } from '../../lib/errors';
import { getForm, toFieldProblems, type FormRef } from '../../lib/forms';
import {
  completeTaskUpdate,
  evaluateUpdate,
  type Actor,
  type Applicant,
  type CaseInput,
  type CompleteTaskResult,
  type EvaluationRequest,
  type PinnedImplementation,
  type TaskAction,
} from '../../workflows/definitions';
import { CaseStatus, Department, ItemCode } from '../../workflows/search-attributes';
import { mapTemporalError } from './temporal-errors';

export interface CaseDeps {
  db: Db;
  client: Client;
  taskQueue: string;
}

export interface FileCaseBody {
  implementationCode: string;
  applicant: Applicant;
  channel: 'online' | 'window';
  formData: Record<string, unknown>;
}

interface ImplementationEntry {
  form: FormRef;
  evaluationWindowDays: number;
  process: PinnedImplementation['process'];
}

/** The newest published version of an implementation entry, as the case will pin it. */
async function pinPublished(db: Db, code: string): Promise<{ pinned: PinnedImplementation; form: FormRef; regionCode: string }> {
  const row = await db('implementation_versions as v')
    .join('implementations as i', 'i.code', 'v.implementation_code')
    .join('service_items as s', 's.code', 'i.item_code')
    .join('departments as d', 'd.code', 'i.department_code')
    .where({ 'v.implementation_code': code, 'v.state': 'published' })
    .first<{ version: number; entry: ImplementationEntry; item_code: string; item_name: string; department_code: string; region_code: string } | undefined>(
      'v.version', 'v.entry', 'i.item_code', 's.name as item_name', 'i.department_code', 'd.region_code',
    );
  if (!row) throw notFound(`a published implementation entry "${code}"`);
  return {
    pinned: {
      code,
      version: row.version,
      itemCode: row.item_code,
      itemName: row.item_name,
      department: row.department_code,
      process: row.entry.process,
      evaluationWindowDays: row.entry.evaluationWindowDays,
    },
    form: row.entry.form,
    regionCode: row.region_code,
  };
}

/**
 * The case workflow runs sequences of task steps with approve / refuse so far; an entry whose
 * process needs more (parallel, department, service, conditions, other actions) is refused at
 * filing rather than started and left stuck.
 */
function assertRunnable(pinned: PinnedImplementation): void {
  const steps = pinned.process.steps as unknown as Record<string, unknown>[];
  const unsupported = steps.find((s) => s.type !== 'task' || s.when !== undefined || (s.actions as string[]).some((a) => a !== 'approve' && a !== 'refuse'));
  if (unsupported) {
    throw conflict('process-not-runnable-yet', `the process of ${pinned.code}@${pinned.version} uses step "${String(unsupported.id)}" (${String(unsupported.type)}), which cases cannot run yet`);
  }
}

/** Unified case number: region code (6) + filing date in China time (8) + platform serial (8). */
async function nextCaseNumber(db: Db, regionCode: string, at: Date): Promise<string> {
  const { rows } = await db.raw<{ rows: { n: string }[] }>("select nextval('case_serial')::text as n");
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(at)
    .replaceAll('-', '');
  return `${regionCode}${day}${rows[0].n.padStart(8, '0')}`;
}

function hashOf(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export interface FiledCase {
  caseNo: string;
  created: boolean;
}

/**
 * Files a case. With an idempotency key, a repeat of the same request returns the same case
 * (and re-starts its workflow if an earlier attempt stopped before that), a different request
 * with the same key is refused.
 */
export async function fileCase(deps: CaseDeps, body: FileCaseBody, idempotencyKey: string | undefined): Promise<FiledCase> {
  const { db } = deps;
  const requestHash = hashOf(body);
  if (idempotencyKey) {
    const prior = await db('case_filings').where({ idempotency_key: idempotencyKey }).first<{ case_no: string; request_hash: string; input: CaseInput } | undefined>();
    if (prior) {
      if (prior.request_hash !== requestHash) {
        throw conflict('idempotency-key-reused', `Idempotency-Key "${idempotencyKey}" was used for a different request`);
      }
      await startCaseWorkflow(deps, prior.input);
      return { caseNo: prior.case_no, created: false };
    }
  }

  const { pinned, form, regionCode } = await pinPublished(db, body.implementationCode);
  assertRunnable(pinned);
  const loaded = await getForm(db, form);
  if (!loaded.validate(body.formData)) throw validationFailed(toFieldProblems(loaded.validate.errors, '/formData'));

  const filedAt = new Date();
  const caseNo = await nextCaseNumber(db, regionCode, filedAt);
  const input: CaseInput = {
    caseNo,
    implementation: pinned,
    applicant: body.applicant,
    channel: body.channel,
    formData: body.formData,
    filedAt: filedAt.toISOString(),
  };
  const inserted = await db('case_filings')
    .insert({ idempotency_key: idempotencyKey ?? `auto:${caseNo}`, case_no: caseNo, request_hash: requestHash, input: JSON.stringify(input) })
    .onConflict('idempotency_key')
    .ignore()
    .returning('case_no');
  if (inserted.length === 0) return fileCase(deps, body, idempotencyKey); // lost a race with the same key
  await startCaseWorkflow(deps, input);
  return { caseNo, created: true };
}

async function startCaseWorkflow(deps: CaseDeps, input: CaseInput): Promise<void> {
  try {
    await deps.client.workflow.start('caseWorkflow', {
      workflowId: input.caseNo,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: ItemCode, value: input.implementation.itemCode },
        { key: Department, value: input.implementation.department },
        { key: CaseStatus, value: 'filed' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export async function getCase(db: Db, caseNo: string) {
  const row = await db('cases').where({ case_no: caseNo }).first<Record<string, unknown> | undefined>();
  if (!row) throw notFound(`case ${caseNo}`);
  const [events, tasks] = await Promise.all([
    db('case_events').where({ case_no: caseNo }).orderBy('seq').select('seq', 'type', 'at', 'actor', 'payload'),
    db('tasks').where({ case_no: caseNo }).orderBy('created_at').select('id', 'step_id', 'step_name', 'department_code', 'role', 'status', 'actions', 'outcome', 'created_at', 'closed_at'),
  ]);
  return { ...caseRow(row), events, tasks: tasks.map(taskRow) };
}

export async function listCases(db: Db, filter: { status?: string; department?: string; limit: number }) {
  const q = db('cases').orderBy('filed_at', 'desc').limit(filter.limit);
  if (filter.status) void q.where({ status: filter.status });
  if (filter.department) void q.where({ department_code: filter.department });
  return (await q).map(caseRow);
}

export async function inbox(db: Db, filter: { department: string; roles: string[]; status: string; limit: number }) {
  const rows = await db('tasks as t')
    .join('cases as c', 'c.case_no', 't.case_no')
    .where('t.department_code', filter.department)
    .whereIn('t.role', filter.roles)
    .andWhere('t.status', filter.status)
    .orderBy('t.created_at')
    .limit(filter.limit)
    .select('t.*', 'c.item_name', 'c.item_code');
  return rows.map((r: Record<string, unknown>) => ({ ...taskRow(r), itemName: r.item_name, itemCode: r.item_code }));
}

export async function completeTask(
  deps: CaseDeps,
  taskId: string,
  actor: Actor,
  body: { action: TaskAction; opinion: string },
): Promise<CompleteTaskResult> {
  const task = await deps.db('tasks').where({ id: taskId }).first<{ case_no: string } | undefined>('case_no');
  if (!task) throw notFound(`task ${taskId}`);
  try {
    return await deps.client.workflow
      .getHandle(task.case_no)
      .executeUpdate(completeTaskUpdate, { args: [{ taskId, action: body.action, opinion: body.opinion, actor }] });
  } catch (err) {
    throw mapTemporalError(err, task.case_no);
  }
}

export async function evaluate(deps: CaseDeps, caseNo: string, body: EvaluationRequest): Promise<void> {
  await getCase(deps.db, caseNo); // 404 for an unknown case before asking Temporal
  try {
    await deps.client.workflow.getHandle(caseNo).executeUpdate(evaluateUpdate, { args: [body] });
  } catch (err) {
    throw mapTemporalError(err, caseNo);
  }
}


function caseRow(r: Record<string, unknown>) {
  return {
    caseNo: r.case_no,
    implementationCode: r.implementation_code,
    implementationVersion: r.implementation_version,
    itemCode: r.item_code,
    itemName: r.item_name,
    department: r.department_code,
    status: r.status,
    channel: r.channel,
    applicant: r.applicant,
    formData: r.form_data,
    currentSteps: r.current_steps,
    filedAt: r.filed_at,
    completedAt: r.completed_at,
    updatedAt: r.updated_at,
  };
}

function taskRow(r: Record<string, unknown>) {
  return {
    taskId: r.id,
    caseNo: r.case_no,
    stepId: r.step_id,
    stepName: r.step_name,
    department: r.department_code,
    role: r.role,
    status: r.status,
    actions: r.actions,
    outcome: r.outcome,
    createdAt: r.created_at,
    closedAt: r.closed_at,
  };
}
