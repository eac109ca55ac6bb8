/**
 * Read-model projections written by the case workflow. Each is idempotent: events are keyed
 * by (case number, seq), tasks by task id, so a retried activity never writes twice.
 */
import type { Db } from '../lib/db';
import { maskPersonalData } from '../lib/privacy';
import { enqueueWebhooks } from '../lib/webhooks';
import { rollUpCaseEvents, rollUpClosedTasks } from './rollups';
import type { Applicant, CaseStatus, Decision, SpecialProcedureType, TaskAction, TaskKind } from '../workflows/definitions';

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
  };
  /** A supervision event to keep in supervision_events (warnings, overdue, corrections). */
  supervision?: { scope: 'case' | 'step'; stepId: string | null; level: string; cause: string; department: string; deadline: string | null };
}

export interface OpenTaskInput {
  taskId: string;
  caseNo: string;
  kind: TaskKind;
  stepId: string;
  stepName: string;
  department: string;
  role: string;
  actions: TaskAction[];
  returnTo?: string[];
  specialProcedures?: SpecialProcedureType[];
  /** What the handler should know before acting (e.g. a failed real-name check); kept in the task's detail. */
  notes?: string[];
  createdAt: string;
  dueAt: string | null;
}

export interface CloseTaskInput {
  taskId: string;
  status: 'done' | 'cancelled';
  outcome: { action: TaskAction | null; opinion: string; by: string };
  closedAt: string;
}

export function createProjectionActivities(db: Db) {
  return {
    /** Appends a numbered case event and applies its patch to the case row, once. */
    async recordCaseEvent(ev: CaseEventInput): Promise<void> {
      await db.transaction(async (trx) => {
        if (ev.create) {
          const c = ev.create;
          await trx('cases')
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
            })
            .onConflict('case_no')
            .ignore();
        }
        const inserted = await trx('case_events')
          .insert({
            case_no: ev.caseNo,
            seq: ev.seq,
            type: ev.type,
            at: ev.at,
            actor: ev.actor ?? null,
            payload: JSON.stringify(ev.payload ?? {}),
          })
          .onConflict(['case_no', 'seq'])
          .ignore()
          .returning('seq');
        if (inserted.length === 0) return; // already projected by an earlier attempt
        const p = ev.patch ?? {};
        const update: Record<string, unknown> = { last_seq: ev.seq, updated_at: ev.at };
        if (p.status) update.status = p.status;
        if (p.currentSteps) update.current_steps = JSON.stringify(p.currentSteps);
        if (p.completedAt) update.completed_at = p.completedAt;
        if (p.decision) update.decision = p.decision;
        if (p.acceptedAt !== undefined) update.accepted_at = p.acceptedAt;
        if (p.statutoryDeadline !== undefined) update.statutory_deadline = p.statutoryDeadline;
        if (p.promisedDeadline !== undefined) update.promised_deadline = p.promisedDeadline;
        if (p.supervisionState) update.supervision_state = p.supervisionState;
        if (p.decidedAt) update.decided_at = p.decidedAt;
        if (p.usedDays !== undefined) update.used_days = p.usedDays;
        if (p.deadlineProvisional !== undefined) update.deadline_provisional = p.deadlineProvisional;
        if (ev.supervision) {
          const v = ev.supervision;
          await trx('supervision_events').insert({ case_no: ev.caseNo, seq: ev.seq, scope: v.scope, step_id: v.stepId, level: v.level, cause: v.cause, department_code: v.department, deadline: v.deadline, at: ev.at });
          if (v.scope === 'case' && v.level === 'warning') update.warned_at = trx.raw('coalesce(warned_at, ?)', [ev.at]);
        }
        await trx('cases').where({ case_no: ev.caseNo }).andWhere('last_seq', '<', ev.seq).update(update);
        await rollUpCaseEvents(trx, [ev]);
        const masked = maskPersonalData(ev.payload ?? {});
        await trx('audit_log').insert({ at: ev.at, actor: ev.actor ?? 'system', action: `case.${ev.type}`, case_no: ev.caseNo, detail: JSON.stringify({ seq: ev.seq, ...masked }) });
        await enqueueWebhooks(trx, {
          eventId: `${ev.caseNo}:${ev.seq}`, type: `case.${ev.type}`, caseNo: ev.caseNo, at: ev.at,
          data: { ...(p.status ? { status: p.status } : {}), ...masked },
        });
      });
    },

    /** Puts a task in the inbox (待办). */
    async openTask(t: OpenTaskInput): Promise<void> {
      await db('tasks')
        .insert({
          id: t.taskId,
          case_no: t.caseNo,
          step_id: t.stepId,
          step_name: t.stepName,
          department_code: t.department,
          role: t.role,
          kind: t.kind,
          status: 'open',
          actions: JSON.stringify(t.actions),
          detail: JSON.stringify({ returnTo: t.returnTo, specialProcedures: t.specialProcedures, notes: t.notes }),
          created_at: t.createdAt,
          due_at: t.dueAt,
        })
        .onConflict('id')
        .ignore();
    },

    /** Takes a task out of the inbox with its outcome; a repeat changes nothing. */
    async closeTask(t: CloseTaskInput): Promise<void> {
      const update: Record<string, unknown> = { status: t.status, outcome: JSON.stringify(t.outcome), closed_at: t.closedAt };
      if (t.status === 'done') update.assignee = t.outcome.by;
      await db.transaction(async (trx) => {
        const closed: { id: string }[] = await trx('tasks').where({ id: t.taskId, status: 'open' }).update(update).returning('id');
        await rollUpClosedTasks(trx, closed.map((r) => r.id));
      });
    },

    /** Claim, release or reassign: who works on an open task. */
    async assignTask(t: { taskId: string; assignee: string | null }): Promise<void> {
      await db('tasks').where({ id: t.taskId, status: 'open' }).update({ assignee: t.assignee });
    },
  };
}
