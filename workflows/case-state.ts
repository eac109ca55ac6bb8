/**
 * The plain state of one case, kept by the case workflow. No Temporal APIs here: the workflow
 * routes messages to these methods, and they can be unit-tested as ordinary code.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  Refusals,
  type CaseInput,
  type CaseStatus,
  type CaseView,
  type CompleteTaskRequest,
  type EvaluationRequest,
  type OpenTaskView,
  type TaskStep,
} from './definitions';

type TaskPhase = 'open' | 'closing' | 'done';

interface TaskRecord extends OpenTaskView {
  phase: TaskPhase;
  completion?: CompleteTaskRequest;
  /** Set by the main loop once it has acted on the completion. */
  handled: boolean;
}

function refuse(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

export class CaseState {
  status: CaseStatus = 'filed';
  decision: CaseView['decision'] = null;
  evaluation: CaseView['evaluation'] = null;
  private seq = 0;
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly stepRuns = new Map<string, number>();

  constructor(readonly input: CaseInput) {}

  /** Next event sequence number; projections are keyed by (case number, seq). */
  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  openTask(step: TaskStep): TaskRecord {
    const run = (this.stepRuns.get(step.id) ?? 0) + 1;
    this.stepRuns.set(step.id, run);
    const task: TaskRecord = {
      taskId: `${this.input.caseNo}-${step.id}-${run}`,
      stepId: step.id,
      stepName: step.name,
      department: step.department,
      role: step.role,
      actions: [...step.actions],
      phase: 'open',
      handled: false,
    };
    this.tasks.set(task.taskId, task);
    return task;
  }

  task(taskId: string): TaskRecord | undefined {
    return this.tasks.get(taskId);
  }

  /** Update validator: throws a typed failure that the API turns into a clear refusal. */
  validateCompletion(req: CompleteTaskRequest): void {
    const task = this.tasks.get(req.taskId);
    if (!task) throw refuse(Refusals.taskNotOpen, `task ${req.taskId} does not belong to case ${this.input.caseNo}`);
    if (task.phase !== 'open') throw refuse(Refusals.taskNotOpen, `task ${req.taskId} is already completed`);
    if (!task.actions.includes(req.action)) {
      throw refuse(Refusals.actionNotAllowed, `action "${req.action}" is not allowed at step "${task.stepName}"; allowed: ${task.actions.join(', ')}`);
    }
    if (req.actor.department !== task.department || !req.actor.roles.includes(task.role)) {
      throw refuse(Refusals.notAuthorised, `task ${req.taskId} is for role "${task.role}" in department ${task.department}`);
    }
    if (req.action === 'refuse' && req.opinion.trim() === '') {
      throw refuse(Refusals.invalidInput, 'a refusal needs written reasons in the opinion');
    }
  }

  /** Marks the task as being completed, so a second update for it is refused at once. */
  beginCompletion(req: CompleteTaskRequest): TaskRecord {
    const task = this.tasks.get(req.taskId);
    if (!task || task.phase !== 'open') throw refuse(Refusals.taskNotOpen, `task ${req.taskId} is already completed`);
    task.phase = 'closing';
    task.completion = req;
    return task;
  }

  finishCompletion(task: TaskRecord): void {
    task.phase = 'done';
  }

  /** The main loop has acted on every completed task: their updates may answer now. */
  markCompletionsHandled(): void {
    for (const t of this.tasks.values()) if (t.phase === 'done') t.handled = true;
  }

  validateEvaluation(req: EvaluationRequest): void {
    if (this.status !== 'approved' && this.status !== 'refused') {
      throw refuse(Refusals.wrongState, `case ${this.input.caseNo} can be rated only after it is completed (status: ${this.status})`);
    }
    if (this.evaluation) throw refuse(Refusals.wrongState, `case ${this.input.caseNo} has already been rated`);
    if (!Number.isInteger(req.level) || req.level < 1 || req.level > 5) {
      throw refuse(Refusals.invalidInput, 'level must be an integer from 1 (非常不满意) to 5 (非常满意)');
    }
  }

  view(): CaseView {
    const openTasks = [...this.tasks.values()]
      .filter((t) => t.phase === 'open')
      .map(({ taskId, stepId, stepName, department, role, actions }) => ({ taskId, stepId, stepName, department, role, actions }));
    return { caseNo: this.input.caseNo, status: this.status, openTasks, decision: this.decision, evaluation: this.evaluation };
  }
}
