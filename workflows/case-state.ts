/**
 * The plain state of one case, kept by the case workflow. No Temporal APIs here but the failure
 * type: the workflow routes messages to these methods, and validators are plain functions of it.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  Refusals,
  type CaseInput,
  type CaseStatus,
  type CaseView,
  type CompleteTaskRequest,
  type CorrectionReply,
  type DepartmentMilestone,
  type DepartmentResult,
  type EndSpecialProcedureRequest,
  type EvaluationRequest,
  type ExtensionRequest,
  type FaceCheckResult,
  type PaymentConfirmation,
  type SupervisionView,
  type TaskAssignmentRequest,
  type UrgeAnswer,
} from './definitions';
import { TaskBoard, type TaskRecord } from './task-board';

export { isCancelled, type Scope, type TaskRecord } from './task-board';

export function refuse(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

const rateable: readonly CaseStatus[] = ['completed', 'not_accepted', 'withdrawn', 'lapsed'];
const beforeDecision: readonly CaseStatus[] = ['filed', 'prechecking', 'awaiting_correction', 'in_review', 'special_procedure', 'awaiting_precondition'];

export class CaseState {
  status: CaseStatus = 'filed';
  decision: CaseView['decision'] = null;
  correction: CaseView['correction'] = null;
  correctionReply: CorrectionReply | null = null;
  specialProcedure: CaseView['specialProcedure'] = null;
  specialProcedureEnd: EndSpecialProcedureRequest | null = null;
  payment: CaseView['payment'] = null;
  paymentConfirmation: PaymentConfirmation | null = null;
  identity: CaseView['identity'] = null;
  faceCheck: CaseView['faceCheck'] = null;
  faceCheckResult: FaceCheckResult | null = null;
  materials: CaseView['materials'] = [];
  certificateNo: string | null = null;
  delivery: CaseView['delivery'] = null;
  evaluation: CaseView['evaluation'] = null;
  /** A rating is being recorded: a second one is refused from now on. */
  evaluating = false;
  withdrawal: { reason: string; at: string } | null = null;
  extension: { state: 'requested' | 'approved' | 'denied'; taskId: string } | null = null;
  readonly milestones: DepartmentMilestone[] = [];
  readonly departmentResults = new Map<string, DepartmentResult>();
  readonly clock: CaseView['clock'];
  readonly supervision: SupervisionView = { level: 'normal', statutoryOverdue: false, steps: {}, urges: [] };
  formData: Record<string, unknown>;
  private seq = 0;
  /** Every human task of the case and its phase. */
  readonly board: TaskBoard;

  constructor(readonly input: CaseInput) {
    this.formData = { ...input.formData };
    this.board = new TaskBoard(input.caseNo);
    const impl = input.implementation;
    this.clock = {
      acceptedAt: null,
      warningAt: null,
      statutoryLimitDays: impl.statutoryLimitDays,
      promisedLimitDays: impl.promisedLimitDays,
      usedDays: 0,
      running: false,
      statutoryDeadline: null,
      promisedDeadline: null,
      extended: false,
    };
  }

  /** Next event sequence number; projections are keyed by (case number, seq). */
  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  openTasks(): TaskRecord[] {
    return this.board.open();
  }

  // ---- validators: each throws a typed failure the API shows as a reason ----

  private requireOpen(taskId: string): TaskRecord {
    const task = this.board.get(taskId);
    if (!task) throw refuse(Refusals.taskNotOpen, `task ${taskId} does not belong to case ${this.input.caseNo}`);
    if (task.phase === 'cancelled') throw refuse(Refusals.taskNotOpen, `任务 ${taskId} 已终止：${task.cancelledBecause ?? '所在步骤已结束'}`);
    if (task.phase !== 'open') throw refuse(Refusals.taskNotOpen, `task ${taskId} is already completed`);
    return task;
  }

  private assertHandler(task: TaskRecord, actor: { userId: string; department: string; roles: string[] }): void {
    if (actor.department !== task.department || !actor.roles.includes(task.role)) {
      throw refuse(Refusals.notAuthorised, `task ${task.taskId} is for role "${task.role}" in department ${task.department}`);
    }
  }

  validateCompletion(req: CompleteTaskRequest): void {
    const task = this.requireOpen(req.taskId);
    if (!task.actions.includes(req.action)) {
      throw refuse(Refusals.actionNotAllowed, `action "${req.action}" is not allowed at "${task.stepName}"; allowed: ${task.actions.join(', ')}`);
    }
    this.assertHandler(task, req.actor);
    if (task.assignee && task.assignee !== req.actor.userId) {
      throw refuse(Refusals.notAuthorised, `task ${task.taskId} is claimed by ${task.assignee}`);
    }
    const needsReasons: string[] = ['refuse', 'reject', 'void', 'return', 'answer', 'skip'];
    if (needsReasons.includes(req.action) && req.opinion.trim() === '') {
      throw refuse(Refusals.invalidInput, `"${req.action}" needs written reasons in the opinion`);
    }
    if (task.kind === 'face-check' && req.action === 'approve' && req.opinion.trim() === '') {
      throw refuse(Refusals.invalidInput, 'confirming the applicant at the window needs a note of how the identity was checked');
    }
    if (req.action === 'correction' && !(req.problems?.length && req.problems.every((p) => p.trim() !== ''))) {
      throw refuse(Refusals.invalidInput, 'a correction notice lists every problem at once (一次告知): problems must not be empty');
    }
    if (req.action === 'return' && !(req.returnTo && task.returnTo?.includes(req.returnTo))) {
      throw refuse(Refusals.invalidInput, `return to one of: ${(task.returnTo ?? []).join(', ') || '(none)'}`);
    }
    if (req.action === 'suspend') {
      const p = req.procedure;
      if (!p || !task.specialProcedures?.includes(p.type)) {
        throw refuse(Refusals.invalidInput, `a special procedure of type ${(task.specialProcedures ?? []).join(' / ') || '(none allowed)'} is needed`);
      }
      if (p.reason.trim() === '' || !Number.isInteger(p.expectedDays) || p.expectedDays < 1 || p.expectedDays > 365) {
        throw refuse(Refusals.invalidInput, 'a special procedure needs a reason and an expected length of 1 to 365 days');
      }
    }
  }

  /** Marks the task as being completed, so a second update for it is refused at once. */
  beginCompletion(req: CompleteTaskRequest): TaskRecord {
    const task = this.board.get(req.taskId);
    if (!task || task.phase !== 'open') throw refuse(Refusals.taskNotOpen, `task ${req.taskId} is already completed`);
    this.board.begin(task, req);
    return task;
  }

  validateAssignment(req: TaskAssignmentRequest): void {
    const task = this.requireOpen(req.taskId);
    switch (req.op) {
      case 'claim':
        this.assertHandler(task, req.actor);
        if (task.assignee && task.assignee !== req.actor.userId) throw refuse(Refusals.wrongState, `task ${task.taskId} is already claimed by ${task.assignee}`);
        break;
      case 'release':
        if (task.assignee !== req.actor.userId) throw refuse(Refusals.notAuthorised, `only the one who claimed task ${task.taskId} can release it`);
        break;
      case 'reassign':
        if (!req.actor.roles.includes('head') || req.actor.department !== task.department) {
          throw refuse(Refusals.notAuthorised, `reassigning needs the head role in department ${task.department}`);
        }
        if (!req.assignee) throw refuse(Refusals.invalidInput, 'name the staff member who takes the task');
        this.assertHandler(task, req.assignee);
        break;
    }
  }

  applyAssignment(req: TaskAssignmentRequest): TaskRecord {
    const task = this.requireOpen(req.taskId);
    task.assignee = req.op === 'claim' ? req.actor.userId : req.op === 'reassign' ? req.assignee!.userId : null;
    return task;
  }

  validateCorrectionReply(now: number): void {
    if (this.status !== 'awaiting_correction' || !this.correction) throw refuse(Refusals.wrongState, `case ${this.input.caseNo} is not waiting for a correction (status: ${this.status})`);
    if (now > Date.parse(this.correction.replyBy)) throw refuse(Refusals.deadlinePassed, `the correction was due by ${this.correction.replyBy}`);
  }

  validateWithdrawal(): void {
    // A fee charged at acceptance is awaited before review: the application may still be withdrawn then.
    const payingAtAcceptance = this.status === 'awaiting_payment' && this.payment?.stage === 'acceptance' && this.decision === null;
    if (!(beforeDecision.includes(this.status) || payingAtAcceptance) || this.withdrawal || this.decision) throw refuse(Refusals.wrongState, `case ${this.input.caseNo} can no longer be withdrawn (status: ${this.status})`);
  }

  validateExtension(req: ExtensionRequest): void {
    if (this.status !== 'in_review' && this.status !== 'special_procedure') throw refuse(Refusals.wrongState, `an extension is asked for during review (status: ${this.status})`);
    if (this.extension) throw refuse(Refusals.wrongState, `the limit of case ${this.input.caseNo} can be extended only once (${this.extension.state})`);
    if (req.reason.trim() === '') throw refuse(Refusals.invalidInput, 'an extension needs a reason, which the applicant is told');
    const handles = this.openTasks().some((t) => t.kind === 'review' && t.department === req.actor.department && req.actor.roles.includes(t.role));
    if (!handles) throw refuse(Refusals.notAuthorised, 'only a handler of the current step can ask for an extension');
  }

  validateEndSpecialProcedure(req: EndSpecialProcedureRequest, department: string, role: string): void {
    if (this.status !== 'special_procedure' || !this.specialProcedure) throw refuse(Refusals.wrongState, `case ${this.input.caseNo} is not in a special procedure`);
    if (req.actor.department !== department || !req.actor.roles.includes(role)) {
      throw refuse(Refusals.notAuthorised, `the special procedure is ended by role "${role}" in department ${department}`);
    }
    if (req.result.trim() === '') throw refuse(Refusals.invalidInput, 'record the result of the special procedure');
  }

  /** An urge is answered by a handler of the case: a current step's department, or the implementing one. */
  validateUrgeAnswer(req: UrgeAnswer): void {
    const urge = this.supervision.urges.find((u) => u.urgeId === req.urgeId);
    if (!urge) throw refuse(Refusals.taskNotOpen, `case ${this.input.caseNo} has no urge ${req.urgeId}`);
    if (urge.answer) throw refuse(Refusals.wrongState, `urge ${req.urgeId} has already been answered`);
    const departments = new Set([this.input.implementation.department, ...this.openTasks().map((t) => t.department)]);
    if (!departments.has(req.actor.department)) throw refuse(Refusals.notAuthorised, `urge ${req.urgeId} is answered by the departments handling the case`);
    if (req.answer.trim() === '') throw refuse(Refusals.invalidInput, 'an answer to an urge says what was done');
  }

  validateEvaluation(req: EvaluationRequest): void {
    if (!rateable.includes(this.status)) {
      throw refuse(Refusals.wrongState, `case ${this.input.caseNo} can be rated once it is completed (status: ${this.status})`);
    }
    if (this.evaluation || this.evaluating) throw refuse(Refusals.wrongState, `case ${this.input.caseNo} has already been rated`);
    if (!Number.isInteger(req.level) || req.level < 1 || req.level > 5) {
      throw refuse(Refusals.invalidInput, 'level must be an integer from 1 (非常不满意) to 5 (非常满意)');
    }
  }

  view(): CaseView {
    const openTasks = this.openTasks().map(({ taskId, kind, stepId, stepName, department, role, actions, assignee, returnTo, specialProcedures, notes, simulated }) => ({
      taskId, kind, stepId, stepName, department, role, actions, assignee, returnTo, specialProcedures, notes, ...(simulated ? { simulated } : {}),
    }));
    return {
      caseNo: this.input.caseNo,
      status: this.status,
      decision: this.decision,
      openTasks,
      correction: this.correction,
      specialProcedure: this.specialProcedure,
      clock: { ...this.clock },
      payment: this.payment,
      identity: this.identity,
      faceCheck: this.faceCheck,
      materials: [...this.materials],
      certificateNo: this.certificateNo,
      delivery: this.delivery,
      evaluation: this.evaluation,
      milestones: [...this.milestones],
      formData: this.formData,
      supervision: { ...this.supervision, steps: { ...this.supervision.steps }, urges: this.supervision.urges.map((u) => ({ ...u })) },
    };
  }
}
