/**
 * The task board: the one owner of every human task's phases in a case. Pure (no Temporal
 * APIs), so its rules are unit-tested and the workflow only wires it to updates and waits.
 *
 *   open ──(update accepted)──▶ closing ──(main flow takes it)──▶ done
 *     │                           │
 *     └──────(cancel)─────────────┴──▶ cancelled   (a closing task's update answers with a refusal)
 *
 * A task is taken by exactly one party: the main flow (which then acts on the completion) or a
 * cancellation (a withdrawal, a refusal in another parallel branch, a timeout). Whoever comes
 * first wins, so no update is left unanswered and no completion acts on a cancelled step.
 */
import type { CompleteTaskRequest, OpenTaskView } from './definitions';

export type TaskPhase = 'open' | 'closing' | 'done' | 'cancelled';

/** Cancellation scope of a group of tasks, e.g. the branches of one parallel step. */
export interface Scope {
  cancelled: boolean;
  parent?: Scope;
}

export function isCancelled(scope: Scope | undefined): boolean {
  for (let s = scope; s; s = s.parent) if (s.cancelled) return true;
  return false;
}

export interface TaskRecord extends OpenTaskView {
  phase: TaskPhase;
  scope?: Scope;
  completion?: CompleteTaskRequest;
  /** Set once the main flow has acted on the completion: the update may answer. */
  handled: boolean;
  /** The main flow has taken the completion. */
  consumed?: boolean;
  /** Why the task was cancelled; a closing task's update answers with it. */
  cancelledBecause?: string;
}

export type TaskSpec = Omit<OpenTaskView, 'taskId' | 'assignee'>;

export class TaskBoard {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly runs = new Map<string, number>();

  constructor(private readonly caseNo: string) {}

  /** A new task; its id carries the run (round) of its kind at its step, so a re-run never reuses an id. */
  add(spec: TaskSpec, scope?: Scope): TaskRecord {
    const key = `${spec.kind}:${spec.stepId}`;
    const run = (this.runs.get(key) ?? 0) + 1;
    this.runs.set(key, run);
    const suffix = spec.kind === 'review' ? '' : `-${spec.kind}`;
    const task: TaskRecord = { ...spec, taskId: `${this.caseNo}-${spec.stepId}${suffix}-${run}`, assignee: null, phase: 'open', handled: false, scope };
    this.tasks.set(task.taskId, task);
    return task;
  }

  get(taskId: string): TaskRecord | undefined {
    return this.tasks.get(taskId);
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  /** Tasks still waiting for someone to act. */
  open(): TaskRecord[] {
    return this.all().filter((t) => t.phase === 'open');
  }

  /** An accepted update: open → closing. The validator has checked the request. */
  begin(task: TaskRecord, req: CompleteTaskRequest): void {
    task.phase = 'closing';
    task.completion = req;
  }

  /** Whether the main flow may take the task's completion now. */
  takeable(task: TaskRecord): boolean {
    return task.phase === 'closing' && !task.consumed;
  }

  /** The main flow takes a closing task's completion: closing → done. */
  take(task: TaskRecord): CompleteTaskRequest {
    if (!this.takeable(task)) throw new Error(`task ${task.taskId} is not closing (${task.phase})`);
    task.phase = 'done';
    task.consumed = true;
    return task.completion!;
  }

  /**
   * Cancels a task that nobody has taken: open or closing → cancelled. True when it changed (the
   * caller projects it). A closing task's update then answers with `why`.
   */
  cancel(task: TaskRecord, why: string): boolean {
    if (task.phase === 'open' || this.takeable(task)) {
      task.phase = 'cancelled';
      task.cancelledBecause = why;
      task.handled = true;
      return true;
    }
    return false;
  }

  /**
   * The main flow has acted on every completion it has taken: their updates may answer now. A
   * completion not taken yet waits, so its caller sees the consequence of its own action.
   */
  settle(): void {
    for (const t of this.tasks.values()) if (t.phase === 'cancelled' || (t.phase === 'done' && (t.consumed || t.kind === 'extension'))) t.handled = true;
  }
}
