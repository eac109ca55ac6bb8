/**
 * Human tasks of a case on the task board (open → closing → done | cancelled), the manual task a
 * platform's refusal opens, messages, and the wait on an outside party that asks it itself.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { isCancelled, type Scope, type TaskRecord } from '../case-state';
import { FOLLOW_UP_FIRST_ASK_MS, FOLLOW_UP_MAX_INTERVAL_MS, PLATFORM_REFUSAL, UNSTORABLE, type CompleteTaskRequest, type OpenTaskView } from '../definitions';
import { CaseEnded, msUntil, now, type Case } from './context';

/** Opens a human task in the inbox, with its due date when the step has a limit. */
export function openTask(c: Case, given: Omit<OpenTaskView, 'taskId' | 'assignee'>, limitDays?: number, scope?: Scope): TaskRecord {
  // A task of a simulated review (模拟审批) says so in its name, everywhere it is shown.
  const spec = c.simulating() ? { ...given, stepName: `（模拟）${given.stepName}`, simulated: true } : given;
  const task = c.state.board.add(spec, scope);
  const at = now();
  const dueAt = limitDays === undefined ? null : c.clock.add(at, limitDays).deadline;
  c.journal.push({ op: 'task-open', task: { ...spec, taskId: task.taskId, caseNo: c.caseNo, createdAt: at, dueAt } });
  c.record('task-opened', { payload: { taskId: task.taskId, kind: spec.kind, stepId: spec.stepId, department: spec.department, role: spec.role, dueAt }, patch: { currentSteps: c.currentSteps() } });
  return task;
}

/**
 * The first of (a completion, a withdrawal, a cancellation, the timeout, `settledElsewhere`) takes
 * the task. A withdrawal wins over a completion not yet taken (whose update then answers with a
 * refusal). Null when the task ended unfinished.
 */
export async function awaitTask(c: Case, task: TaskRecord, timeoutMs?: number, settledElsewhere?: () => boolean): Promise<CompleteTaskRequest | null> {
  const { state } = c;
  const ready = () => state.withdrawal !== null || state.board.takeable(task) || task.phase === 'cancelled' || isCancelled(task.scope) || (settledElsewhere?.() ?? false);
  await c.wait(ready, timeoutMs === undefined ? undefined : Math.max(1, timeoutMs));
  if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
  if (state.board.takeable(task)) {
    const req = state.board.take(task);
    c.journal.push({ op: 'task-close', close: { taskId: task.taskId, status: 'done', outcome: { action: req.action, opinion: req.opinion, by: req.actor.userId }, closedAt: now() } });
    c.record('task-completed', {
      actor: req.actor.userId,
      payload: { taskId: task.taskId, kind: task.kind, stepId: task.stepId, action: req.action, opinion: req.opinion, problems: req.problems, returnTo: req.returnTo, procedure: req.procedure },
    });
    return req;
  }
  cancelTask(c, task, isCancelled(task.scope) ? '所在步骤已结束' : settledElsewhere?.() ? '结果已另行收到' : '办理期限已过');
  return null;
}

/** Cancels a task nobody has taken; a closing task's update answers with `why`. */
export function cancelTask(c: Case, task: TaskRecord, why: string): void {
  if (!c.state.board.cancel(task, why)) return;
  c.journal.push({ op: 'task-close', close: { taskId: task.taskId, status: 'cancelled', outcome: { action: null, opinion: why, by: 'system' }, closedAt: now() } });
}

/** The platform's words, when an activity failed for a business reason (or with data the database cannot store). */
function refusalOf(err: unknown): string | null {
  if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)) return null;
  const type = err.cause.type ?? '';
  if (type.startsWith(`${PLATFORM_REFUSAL}:`)) return err.cause.message;
  if (type === UNSTORABLE) return `数据无法保存：${err.cause.message}`;
  return null;
}

export interface ManualStep {
  id: string;
  name: string;
  department: string;
  allowSkip: boolean;
  scope?: Scope;
}

/**
 * Calls a platform. When it refuses for a business reason, a manual task (人工处理) opens for the
 * step's department with the platform's words: `retry` calls again (same idempotency key), `skip`
 * (where allowed) goes on without it. Null when that task was cancelled with its scope.
 */
export async function withManualFallback<T>(c: Case, step: ManualStep, fn: () => Promise<T>): Promise<{ value: T } | { skipped: string; by: string } | null> {
  let retried: TaskRecord | undefined;
  for (;;) {
    try {
      const value = await c.call(fn);
      if (retried) retried.handled = true;
      return { value };
    } catch (err) {
      const reason = refusalOf(err);
      if (reason === null) throw err;
      c.record('platform-refused', { payload: { stepId: step.id, step: step.name, reason } });
      const task = openTask(c, { kind: 'manual', stepId: step.id, stepName: `人工处理：${step.name}`, department: step.department, role: 'head', actions: step.allowSkip ? ['retry', 'skip'] : ['retry'], notes: [reason] }, undefined, step.scope);
      const done = await awaitTask(c, task);
      if (!done) return null;
      if (done.action === 'skip') {
        c.record('manual-skipped', { actor: done.actor.userId, payload: { stepId: step.id, opinion: done.opinion } });
        task.handled = true;
        return { skipped: done.opinion, by: done.actor.userId };
      }
      c.record('manual-retried', { actor: done.actor.userId, payload: { stepId: step.id } });
      retried = task;
    }
  }
}

export type Notice = Parameters<Activities['notify']>[0];

/** A message, sent alongside the case's work (a refusal by the messaging platform becomes a manual task). */
export function notify(c: Case, given: Notice): void {
  const n = c.simulating() ? { ...given, params: { ...given.params, simulated: true } } : given;
  c.background.push(withManualFallback(c, { id: 'notify', name: `通知（${n.template}）`, department: c.impl.department, allowSkip: true }, () => c.local.notify(n)).then(() => undefined));
}

/**
 * Waits until `arrived`, asking the outside party itself (`ask` records what it learns and says
 * whether it has arrived) at growing intervals and once more at `until`. True once arrived.
 */
export async function waitOrAsk(c: Case, arrived: () => boolean, ask: () => Promise<boolean>, until: string): Promise<boolean> {
  const firstAskMs = c.input.followUp?.firstAskMs ?? FOLLOW_UP_FIRST_ASK_MS;
  for (let interval = firstAskMs; ; interval = Math.min(interval * 2, FOLLOW_UP_MAX_INTERVAL_MS)) {
    if (await c.wait(arrived, Math.max(1, Math.min(msUntil(until), interval)))) return true;
    if (await ask()) return true;
    if (msUntil(until) <= 0) return false;
  }
}
