/**
 * Steps in order, each in its own round: conditions decide whether a step applies (a condition
 * that cannot be evaluated asks the step's department), and a return jumps back within the
 * sequence or passes up to the enclosing one. A sequence none of whose steps applied is skipped.
 */
import { isCancelled, type Scope } from '../../case-state';
import { evaluateCondition } from '../../conditions';
import type { ProcessStep } from '../../definitions';
import type { Case, StepOutcome } from '../context';
import { awaitTask, openTask } from '../tasks';
import { carriedOver, noteReviewed } from './carry-over';
import { runDepartment } from './department';
import { runParallel } from './parallel';
import { runService } from './service';
import { runTask } from './task';

export async function runSequence(c: Case, steps: ProcessStep[], scope?: Scope): Promise<StepOutcome> {
  let last: StepOutcome = { outcome: 'approved', opinion: '', by: 'system' };
  let ran = false;
  for (let i = 0; i < steps.length; ) {
    if (isCancelled(scope)) return { outcome: 'cancelled' }; // its parallel step has ended
    const step = steps[i];
    const applicable = await stepApplies(c, step, scope);
    if (applicable === null) return { outcome: 'cancelled' };
    if (!applicable) {
      c.record('step-skipped', { payload: { stepId: step.id, reason: 'condition not met' } });
      i += 1;
      continue;
    }
    ran = true;
    const r = await runInRound(c, step, scope);
    if (r.outcome === 'return') {
      const target = steps.findIndex((s) => s.id === r.target);
      if (target < 0) return r;
      c.record('returned', { payload: { from: step.id, to: r.target } });
      i = target;
      continue;
    }
    if (r.outcome !== 'approved') return r;
    last = r;
    i += 1;
  }
  return ran ? last : { outcome: 'skipped' };
}

/** Each run of a step is a new round; task and department steps count as running while they run. */
async function runInRound(c: Case, step: ProcessStep, scope?: Scope): Promise<StepOutcome> {
  // 模拟审批 conversion: a step whose reviewed content did not change is not run again.
  const carried = carriedOver(c, step);
  if (carried) return carried;
  const r = await runStep(c, step, scope);
  noteReviewed(c, step, r);
  return r;
}

async function runStep(c: Case, step: ProcessStep, scope?: Scope): Promise<StepOutcome> {
  c.rounds.set(step.id, (c.rounds.get(step.id) ?? 0) + 1);
  const leaf = step.type === 'task' || step.type === 'department';
  if (leaf) c.activeSteps.set(step.id, (c.activeSteps.get(step.id) ?? 0) + 1);
  try {
    switch (step.type) {
      case 'task':
        return await runTask(c, step, scope);
      case 'parallel':
        return await runParallel(c, step, (steps, s) => runSequence(c, steps, s), scope);
      case 'department':
        return await runDepartment(c, step, scope);
      case 'service':
        return await runService(c, step);
      default:
        throw new Error(`unknown step type in ${JSON.stringify(step satisfies never)}`);
    }
  } finally {
    if (leaf) {
      const n = (c.activeSteps.get(step.id) ?? 1) - 1;
      if (n > 0) c.activeSteps.set(step.id, n);
      else c.activeSteps.delete(step.id);
    }
  }
}

/** Whether a step applies; a condition that cannot be evaluated asks the step's department (null: that task was cancelled). */
async function stepApplies(c: Case, step: ProcessStep, scope?: Scope): Promise<boolean | null> {
  const r = evaluateCondition(step.when, { form: c.state.formData, applicant: { kind: c.input.applicant.kind } });
  if (r.ok) return r.value;
  c.record('condition-failed', { payload: { stepId: step.id, reason: r.reason } });
  const task = openTask(c, {
    kind: 'manual', stepId: step.id, stepName: `人工判断：${step.name}是否办理`, department: c.stepDepartment(step), role: 'head', actions: ['approve', 'skip'],
    notes: [`本环节的适用条件无法自动判断（${r.reason}）。“同意”＝办理本环节；“跳过”＝不办理本环节，须写明理由。`],
  }, undefined, scope);
  const done = await awaitTask(c, task);
  if (!done) return null;
  c.record('condition-decided', { actor: done.actor.userId, payload: { stepId: step.id, applies: done.action === 'approve', opinion: done.opinion } });
  task.handled = true;
  return done.action === 'approve';
}
