/**
 * Read-model projections written by the case workflow. Each is idempotent: events are keyed
 * by (case number, seq), tasks by task id, so a retried activity never writes twice.
 */
import type { Knex } from 'knex';
import type { Db } from '../lib/db';
import { direct, inWriteBehind, type Statements } from '../lib/statements';
import { caseTransitions, projectionBatches, projectionLag, supervisionEvents, supervisionLag, tasksOpened } from '../lib/metrics';
import { maskPersonalData } from '../lib/privacy';
import { enqueueWebhooks } from '../lib/webhooks';
import { enqueueExchangeNodes } from '../lib/exchange/outbox';
import { countedCases, rollUpCases, rollUpClosedTasks } from './rollups';
import { closeStepRow, openStepRow, type StepClockClose, type StepClockOpen } from './step-clocks';
import { levelColumns, movesClock, queueNotices, settleClock, type ClockPatch, type Judged } from './supervision-records';
import type { Applicant, CaseStatus, Decision, OpenTaskView, TaskAction } from '../workflows/definitions';

export interface CaseRowInit {
  implementationCode: string;
  implementationVersion: number;
  itemCode: string;
  itemName: string;
  department: string;
  channel: string;
  applicant: Applicant;
  formData: Record<string, unknown>;
  filedAt: string;
  caseType: 'instant' | 'promised';
  statutoryLimitDays: number;
  promisedLimitDays: number;
  /** The engine running the case (absent: the first). */
  engine?: 1 | 2;
  /** The supervision sweep records the case clock's levels (the case publishes its clock). */
  supervisedBy?: 'sweep';
  /** A simulated case (模拟审批). */
  simulated?: boolean;
}

export interface CaseEventInput {
  caseNo: string;
  seq: number;
  type: string;
  at: string;
  actor?: string;
  payload?: Record<string, unknown>;
  /** Present on the first event only: creates the case row. */
  create?: CaseRowInit;
  /** Applied to the case row if this event is newer than the last one applied. */
  patch?: {
    status?: CaseStatus;
    currentSteps?: string[];
    completedAt?: string;
    decision?: Decision;
    acceptedAt?: string | null;
    statutoryDeadline?: string | null;
    promisedDeadline?: string | null;
    supervisionState?: string;
    decidedAt?: string;
    usedDays?: number;
    /** Either deadline reaches into a year the calendar does not hold yet. */
    deadlineProvisional?: boolean;
    /** The published clock of a swept case: its warning instant, whether it runs, and (on a fresh clock) its statutory level back to false. */
    warningAt?: string | null;
    clockRunning?: boolean;
    statutoryOverdue?: boolean;
    /** 模拟审批: where the simulation is, its simulated and formal working days, and its instants. */
    simulationState?: string;
    simulatedDays?: number;
    formalDays?: number;
    preconditionMetAt?: string;
    simulationLapseAt?: string;
  };
  /**
   * Recorded by the supervision sweep, not the workflow: numbered in the case's supervision
   * sequence and never moves the case row's patch order (`last_seq`); the sweep sets the row's levels itself.
   */
  observed?: true;
  /** A supervision event to keep in supervision_events (warnings, overdue, corrections). */
  supervision?: { scope: 'case' | 'step'; stepId: string | null; level: string; cause: string; department: string; deadline: string | null; simulated?: boolean };
}

/** The task as the case shows it (its notes kept in the task's detail), with its case and times; the inbox holds no assignee until one is set. */
export interface OpenTaskInput extends Omit<OpenTaskView, 'assignee'> {
  caseNo: string;
  createdAt: string;
  dueAt: string | null;
}

export interface CloseTaskInput {
  taskId: string;
  status: 'done' | 'cancelled';
  outcome: { action: TaskAction | null; opinion: string; by: string };
  closedAt: string;
}

/** A change to the read model made by a case workflow, written with the others of its workflow task. */
export type ProjectionOp =
  | { op: 'event'; ev: CaseEventInput }
  | { op: 'task-open'; task: OpenTaskInput }
  | { op: 'task-close'; close: CloseTaskInput }
  | { op: 'task-assign'; taskId: string; assignee: string | null }
  | { op: 'evaluation'; evaluation: EvaluationInput }
  | { op: 'payment'; paymentId: string; status: 'paid' | 'expired'; paidAt?: string }
  | { op: 'face-check'; checkId: string; status: 'passed' | 'failed' | 'timed-out'; reason: string | null; at: string }
  | { op: 'delivery'; caseNo: string; waybillNo: string; deliveredAt: string }
  /** A swept case's clock changed with no event to carry it (a pause before a platform call): published at once. */
  | { op: 'clock'; caseNo: string; at: string; clock: ClockPatch & { acceptedAt?: string | null; deadlineProvisional?: boolean } }
  /** A swept case's step clock opened, or closed (step-clocks.ts): the supervision sweep keeps its levels. */
  | { op: 'step-open'; caseNo: string; clock: StepClockOpen }
  | { op: 'step-close'; caseNo: string; clock: StepClockClose }
  /**
   * The case view as it is after this batch (patch live-view), as JSON; null clears it (the API
   * then asks the case). Numbered within its run: a workflow task run again (after a crash, with
   * what came meanwhile) writes the same number with what it has now.
   */
  | { op: 'view'; caseNo: string; runId: string; seq: number; json: string | null };

export interface EvaluationInput {
  caseNo: string;
  level: number;
  comment: string;
  at: string;
  department: string;
  itemCode: string;
}

type Trx = Knex.Transaction;

/** The stage a case event marks, for onewindow_cases_total. */
const stageOf: Record<string, string> = { filed: 'filed', accepted: 'accepted', 'auto-accepted': 'accepted', decided: 'decided', completed: 'completed' };

/**
 * What a projection write newly stored (events and tasks not there before), gathered inside its
 * transaction and counted in the metrics only once it has committed: a retried or replayed write
 * stores nothing new and so counts nothing.
 */
export interface ProjectionTally {
  events: CaseEventInput[];
  /** Each case's item and department, from the case update's RETURNING (filled when that statement has run). */
  keys: Map<string, { item_code: string; department_code: string }>;
  tasks: { kind: string; department: string }[];
}

export const newTally = (): ProjectionTally => ({ events: [], keys: new Map(), tasks: [] });

/**
 * Counts a committed write's new events and tasks (cases by stage, supervision, lags, tasks
 * opened). A stage event whose case row the write did not move (so no RETURNING named its item and
 * department) has them read here, after the commit.
 */
export async function countProjected(db: Knex, t: ProjectionTally, now = Date.now()): Promise<void> {
  const missing = [...new Set(t.events.filter((ev) => stageOf[ev.type] && !t.keys.has(ev.caseNo)).map((ev) => ev.caseNo))];
  if (missing.length) {
    // Only labels for the metrics: a database gone since the commit costs those labels, not the batch.
    const rows = await db('cases').whereIn('case_no', missing).select<{ case_no: string; item_code: string; department_code: string }[]>('case_no', 'item_code', 'department_code').catch(() => []);
    for (const r of rows) t.keys.set(r.case_no, r);
  }
  for (const ev of t.events) {
    const item = t.keys.get(ev.caseNo)?.item_code;
    const department = t.keys.get(ev.caseNo)?.department_code;
    const at = Date.parse(ev.at);
    if (Number.isFinite(at)) projectionLag.observe(Math.max(0, (now - at) / 1000));
    const stage = stageOf[ev.type];
    if (stage && item && department) caseTransitions.inc({ stage, item, department });
    const v = ev.supervision;
    if (v) {
      supervisionEvents.inc({ level: v.level, scope: v.scope, department: v.department });
      if (v.level === 'overdue' && v.deadline) supervisionLag.observe({ scope: v.scope }, Math.max(0, (now - Date.parse(v.deadline)) / 1000));
    }
  }
  for (const task of t.tasks) tasksOpened.inc({ kind: task.kind, department: task.department });
}

async function insertTasks(s: Statements, tasks: OpenTaskInput[], tally?: ProjectionTally): Promise<void> {
  await s.write(s.q('tasks').insert(tasks.map(taskRow)).onConflict('id').ignore().returning(['kind', 'department_code']), (inserted: { kind: string; department_code: string }[]) => {
    tally?.tasks.push(...inserted.map((r) => ({ kind: r.kind, department: r.department_code })));
  });
}

async function createCaseRow(s: Statements, ev: CaseEventInput, c: CaseRowInit): Promise<void> {
  await s.write(s.q('cases')
    .insert({
      case_no: ev.caseNo,
      implementation_code: c.implementationCode,
      implementation_version: c.implementationVersion,
      item_code: c.itemCode,
      item_name: c.itemName,
      department_code: c.department,
      status: 'filed',
      channel: c.channel,
      applicant: JSON.stringify(c.applicant),
      form_data: JSON.stringify(c.formData),
      filed_at: c.filedAt,
      updated_at: ev.at,
      case_type: c.caseType,
      statutory_limit_days: c.statutoryLimitDays,
      promised_limit_days: c.promisedLimitDays,
      engine: c.engine ?? 1,
      supervised_by: c.supervisedBy ?? null,
      ...(c.simulated ? { simulation_state: 'simulating' } : {}),
    })
    .onConflict('case_no')
    .ignore(), undefined, { bound: true }); // the applicant and the form: never in a statement's text
}

/** The case-row columns of the clock a patch carries: its instants, acceptance and (swept cases) whether it runs. */
function clockColumnsOf(p: ClockPatch & { acceptedAt?: string | null; deadlineProvisional?: boolean }, update: Record<string, unknown>): void {
  if (p.acceptedAt !== undefined) update.accepted_at = p.acceptedAt;
  if (p.statutoryDeadline !== undefined) update.statutory_deadline = p.statutoryDeadline;
  if (p.promisedDeadline !== undefined) update.promised_deadline = p.promisedDeadline;
  if (p.deadlineProvisional !== undefined) update.deadline_provisional = p.deadlineProvisional;
  if (p.warningAt !== undefined) update.warning_at = p.warningAt;
  if (p.clockRunning !== undefined) update.clock_running = p.clockRunning;
  if (p.statutoryOverdue !== undefined) update.statutory_overdue = p.statutoryOverdue;
}

/** The case-row columns an event's patch sets (later events of a batch override earlier ones). */
function patchColumns(s: Statements, ev: CaseEventInput, update: Record<string, unknown>): void {
  const p = ev.patch ?? {};
  update.last_seq = ev.seq;
  update.updated_at = ev.at;
  if (p.status) update.status = p.status;
  if (p.currentSteps) update.current_steps = JSON.stringify(p.currentSteps);
  if (p.completedAt) update.completed_at = p.completedAt;
  if (p.decision) update.decision = p.decision;
  clockColumnsOf(p, update);
  if (p.supervisionState) update.supervision_state = p.supervisionState;
  if (p.decidedAt) update.decided_at = p.decidedAt;
  if (p.usedDays !== undefined) update.used_days = p.usedDays;
  if (p.simulationState) update.simulation_state = p.simulationState;
  if (p.simulatedDays !== undefined) update.simulated_days = p.simulatedDays;
  if (p.formalDays !== undefined) update.formal_days = p.formalDays;
  if (p.preconditionMetAt) update.precondition_met_at = p.preconditionMetAt;
  if (p.simulationLapseAt) update.simulation_lapse_at = p.simulationLapseAt;
  const v = ev.supervision;
  if (v && v.scope === 'case' && v.level === 'warning' && update.warned_at === undefined) update.warned_at = s.q.raw('coalesce(warned_at, ?)', [ev.at]);
}

/**
 * What a projection transaction writes last: the roll-up counters (rows every case of a
 * department and day shares) and the audit chain (one lock for every writer). Each is held from
 * its statement until the commit, so written at the end they are held for as short a time as the
 * transaction allows, and concurrent cases wait on each other only there.
 */
export class LastWrites {
  private readonly cases = new Set<string>();
  private readonly tasks: string[] = [];
  private readonly audit: Record<string, unknown>[] = [];

  rollUpCases(caseNos: string[]): void {
    for (const c of caseNos) this.cases.add(c);
  }

  rollUpClosedTasks(taskIds: string[]): void {
    this.tasks.push(...taskIds);
  }

  appendAudit(rows: Record<string, unknown>[]): void {
    this.audit.push(...rows);
  }

  async write(s: Statements): Promise<void> {
    await rollUpCases(s, [...this.cases]);
    await rollUpClosedTasks(s, this.tasks);
    if (this.audit.length) await s.write(s.q('audit_log').insert(this.audit));
  }
}

/** Runs a projection change in one knex transaction, statement by statement, its hot writes last (LastWrites). */
export async function inProjection(db: Knex, change: (trx: Trx, last: LastWrites) => Promise<void>): Promise<void> {
  await db.transaction(async (trx) => {
    const last = new LastWrites();
    await change(trx, last);
    await last.write(direct(trx));
  });
}

/**
 * Runs a projection change in one transaction whose writes go with the next statement that needs
 * an answer (lib/statements.ts WriteBehind): the workflow's batches, in two or three round trips.
 */
export async function inProjectionBatch(db: Knex, change: (s: Statements, last: LastWrites) => Promise<void>): Promise<void> {
  await inWriteBehind(db, async (s) => {
    const last = new LastWrites();
    await change(s, last);
    await last.write(s);
  });
}

/**
 * Appends numbered case events, once each, and everything that follows from them: the case row's
 * patch (one update for the batch, applied only over older events), supervision events, audit rows
 * and webhook deliveries. Events already stored (a retried write) change nothing.
 */
export async function applyEvents(s: Statements, evs: CaseEventInput[], last: LastWrites, tally?: ProjectionTally): Promise<void> {
  if (evs.length === 0) return;
  for (const ev of evs) if (ev.create) await createCaseRow(s, ev, ev.create);
  const inserted = await s.rows<{ case_no: string; seq: number }>(s.q('case_events')
    .insert(evs.map((ev) => ({ case_no: ev.caseNo, seq: ev.seq, type: ev.type, at: ev.at, actor: ev.actor ?? null, payload: JSON.stringify(ev.payload ?? {}) })))
    .onConflict(['case_no', 'seq'])
    .ignore()
    .returning(['case_no', 'seq']), { bound: true }); // payloads carry what people wrote
  if (inserted.length === 0) return; // already projected by an earlier attempt
  const fresh = new Set(inserted.map((r) => `${r.case_no}#${r.seq}`));
  const applied = evs.filter((ev) => fresh.has(`${ev.caseNo}#${ev.seq}`));
  // One case-row update per case: the batch's patches in sequence order, over older events only.
  // It answers the case's item and department, which the metrics count stages by.
  const byCase = new Map<string, CaseEventInput[]>();
  for (const ev of applied) if (!ev.observed) byCase.set(ev.caseNo, [...(byCase.get(ev.caseNo) ?? []), ev]);
  const settled: Judged = { events: [], notices: [] };
  for (const [caseNo, list] of byCase) {
    list.sort((a, b) => a.seq - b.seq);
    const update: Record<string, unknown> = {};
    for (const ev of list) patchColumns(s, ev, update);
    // A swept case's clock, settled up to each change the batch makes to it (supervision-records.ts).
    const changes = list.filter((ev) => movesClock(ev.patch)).map((ev) => ({ at: ev.at, patch: ev.patch! }));
    const clock = changes.length ? await settleClock(s, caseNo, changes) : null;
    if (clock) {
      Object.assign(update, levelColumns(clock.row));
      settled.events.push(...clock.judged.events);
      settled.notices.push(...clock.judged.notices);
    }
    await s.write(s.q('cases').where({ case_no: caseNo }).andWhere('last_seq', '<', list[0].seq).update(update).returning(['item_code', 'department_code']), ([row]: { item_code: string; department_code: string }[]) => {
      if (row) tally?.keys.set(caseNo, row);
    });
  }
  if (settled.events.length) await applyEvents(s, settled.events, last, tally);
  await queueNotices(s, settled.notices);
  tally?.events.push(...applied);
  // The daily and monthly roll-ups the indicators read, in the same transaction (at its end).
  last.rollUpCases(countedCases(applied));
  const supervision = applied.filter((ev) => ev.supervision);
  if (supervision.length) {
    await s.write(s.q('supervision_events').insert(supervision.map((ev) => {
      const v = ev.supervision!;
      return { case_no: ev.caseNo, seq: ev.seq, scope: v.scope, step_id: v.stepId, level: v.level, cause: v.cause, department_code: v.department, deadline: v.deadline, at: ev.at, ...(v.simulated ? { simulated: true } : {}) };
    })));
  }
  const masked = applied.map((ev) => ({ ev, data: maskPersonalData(ev.payload ?? {}) }));
  last.appendAudit(masked.map(({ ev, data }) => ({ at: ev.at, actor: ev.actor ?? 'system', action: `case.${ev.type}`, case_no: ev.caseNo, detail: JSON.stringify({ seq: ev.seq, ...data }) })));
  await enqueueWebhooks(s, masked.map(({ ev, data }) => ({
    eventId: `${ev.caseNo}:${ev.seq}`, type: `case.${ev.type}`, caseNo: ev.caseNo, at: ev.at,
    data: { ...(ev.patch?.status ? { status: ev.patch.status } : {}), ...data },
  })));
  // 同源发布: the main nodes go to the provincial platform's outbox, in this same transaction.
  await enqueueExchangeNodes(s, applied);
  // 审批档案: a closed case waits for its archive package (written by the worker's archive writer).
  const closed = applied.filter((ev) => ev.type === 'closed').map((ev) => ({ case_no: ev.caseNo }));
  if (closed.length) await s.write(s.q('archive_queue').insert(closed).onConflict('case_no').ignore());
}

function taskRow(t: OpenTaskInput) {
  return {
    id: t.taskId, case_no: t.caseNo, step_id: t.stepId, step_name: t.stepName, department_code: t.department, role: t.role, kind: t.kind, status: 'open',
    actions: JSON.stringify(t.actions), detail: JSON.stringify({ returnTo: t.returnTo, specialProcedures: t.specialProcedures, notes: t.notes, ...(t.simulated ? { simulated: true } : {}) }),
    created_at: t.createdAt, due_at: t.dueAt,
  };
}

async function closeTaskRow(s: Statements, t: CloseTaskInput, last: LastWrites): Promise<void> {
  const update: Record<string, unknown> = { status: t.status, outcome: JSON.stringify(t.outcome), closed_at: t.closedAt };
  if (t.status === 'done') update.assignee = t.outcome.by;
  const closed = await s.rows<{ id: string }>(s.q('tasks').where({ id: t.taskId, status: 'open' }).update(update).returning('id'));
  last.rollUpClosedTasks(closed.map((r) => r.id));
}

/** A swept case's clock published without an event: settled up to its instant, then set on the row. */
async function publishClock(s: Statements, op: Extract<ProjectionOp, { op: 'clock' }>, last: LastWrites, tally?: ProjectionTally): Promise<void> {
  const clock = await settleClock(s, op.caseNo, [{ at: op.at, patch: op.clock }]);
  if (!clock) return;
  const update: Record<string, unknown> = {};
  clockColumnsOf(op.clock, update);
  Object.assign(update, levelColumns(clock.row));
  await s.write(s.q('cases').where({ case_no: op.caseNo }).update(update));
  if (clock.judged.events.length) await applyEvents(s, clock.judged.events, last, tally);
  await queueNotices(s, clock.judged.notices);
}

/** Applies one workflow task's changes in order, in one transaction; consecutive events go in one statement. */
export async function applyOps(s: Statements, ops: ProjectionOp[], last: LastWrites, tally?: ProjectionTally): Promise<void> {
  for (let i = 0; i < ops.length; ) {
    const op = ops[i];
    if (op.op === 'event' || op.op === 'task-open') {
      // A run of the same kind goes in one statement.
      let j = i;
      while (j < ops.length && ops[j].op === op.op) j += 1;
      const run = ops.slice(i, j);
      if (op.op === 'event') await applyEvents(s, run.map((o) => (o as { ev: CaseEventInput }).ev), last, tally);
      else await insertTasks(s, run.map((o) => (o as { task: OpenTaskInput }).task), tally);
      i = j;
      continue;
    }
    switch (op.op) {
      case 'task-close':
        await closeTaskRow(s, op.close, last);
        break;
      case 'task-assign':
        await s.write(s.q('tasks').where({ id: op.taskId, status: 'open' }).update({ assignee: op.assignee }));
        break;
      case 'evaluation': {
        const e = op.evaluation;
        await s.write(s.q('evaluations').insert({ case_no: e.caseNo, level: e.level, comment: e.comment, at: e.at, department_code: e.department, item_code: e.itemCode }).onConflict('case_no').ignore());
        last.rollUpCases([e.caseNo]);
        break;
      }
      case 'payment':
        await s.write(s.q('payments').where({ id: op.paymentId, status: 'open' }).update(op.status === 'paid' ? { status: 'paid', paid_at: op.paidAt } : { status: 'expired' }));
        break;
      case 'delivery':
        await s.write(s.q('deliveries').where({ case_no: op.caseNo, waybill_no: op.waybillNo }).whereNot({ status: 'delivered' }).update({ status: 'delivered', delivered_at: op.deliveredAt }));
        break;
      case 'clock':
        await publishClock(s, op, last, tally);
        break;
      case 'step-open':
        await openStepRow(s, op.caseNo, op.clock);
        break;
      case 'step-close': {
        const judged = await closeStepRow(s, op.caseNo, op.clock);
        await applyEvents(s, judged.events, last, tally);
        await queueNotices(s, judged.notices);
        break;
      }
      case 'view':
        // An older view of the run never comes back (a late retry of an older batch); the same
        // number again is a workflow task run again, and a new run (a case reset by revive) starts over.
        await s.write(s.q.raw(`insert into case_live_views (case_no, run_id, seq, view) values (?, ?, ?, ?::jsonb) on conflict (case_no) do update
          set run_id = excluded.run_id, seq = excluded.seq, view = excluded.view where case_live_views.run_id <> excluded.run_id or case_live_views.seq <= excluded.seq`, [op.caseNo, op.runId, op.seq, op.json]));
        break;
      case 'face-check':
        await s.write(s.q('face_checks').where({ check_id: op.checkId, status: 'pending' }).update({ status: op.status, reason: op.reason, completed_at: op.at }));
        break;
      default:
        throw new Error(`unknown projection op ${JSON.stringify(op satisfies never)}`);
    }
    i += 1;
  }
}

export function createProjectionActivities(db: Db) {
  return {
    /**
     * The case workflow's one write path (second engine): everything one workflow task changed, in
     * order, in one transaction. Run as a local activity, so it costs no round trip to the server.
     */
    async applyProjection(batch: { caseNo: string; ops: ProjectionOp[] }): Promise<void> {
      const tally = newTally();
      try {
        await inProjectionBatch(db, (s, last) => applyOps(s, batch.ops, last, tally));
      } catch (err) {
        projectionBatches.inc({ outcome: 'failed' });
        throw err;
      }
      projectionBatches.inc({ outcome: 'written' });
      await countProjected(db, tally);
    },

    /** Appends a numbered case event and applies its patch to the case row, once (first engine). */
    async recordCaseEvent(ev: CaseEventInput): Promise<void> {
      const tally = newTally();
      await inProjection(db, (trx, last) => applyEvents(direct(trx), [ev], last, tally));
      await countProjected(db, tally);
    },

    /** Puts a task in the inbox (待办). */
    async openTask(t: OpenTaskInput): Promise<void> {
      const tally = newTally();
      await insertTasks(direct(db), [t], tally);
      await countProjected(db, tally);
    },

    /** Takes a task out of the inbox with its outcome; a repeat changes nothing. */
    async closeTask(t: CloseTaskInput): Promise<void> {
      await inProjection(db, (trx, last) => closeTaskRow(direct(trx), t, last));
    },

    /** Claim, release or reassign: who works on an open task. */
    async assignTask(t: { taskId: string; assignee: string | null }): Promise<void> {
      await db('tasks').where({ id: t.taskId, status: 'open' }).update({ assignee: t.assignee });
    },
  };
}
