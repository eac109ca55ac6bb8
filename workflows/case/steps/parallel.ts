/**
 * A parallel step (并联审批): every branch runs at once; a return or (under any-refusal-refuses)
 * a refusal in one branch ends the others; the join is all-approve, or the lead department's
 * combined decision (lead-decides).
 */
import { isCancelled, type Scope } from '../../case-state';
import type { ParallelStep, ProcessStep } from '../../definitions';
import type { Case, StepOutcome } from '../context';
import { superviseStep } from '../supervision';
import { awaitTask, cancelTask, openTask } from '../tasks';

export type RunBranch = (steps: ProcessStep[], scope: Scope) => Promise<StepOutcome>;

export async function runParallel(c: Case, step: ParallelStep, runBranch: RunBranch, parent?: Scope): Promise<StepOutcome> {
  const scope: Scope = { cancelled: false, parent };
  c.record('parallel-started', { payload: { stepId: step.id, lead: step.lead, branches: step.branches.map((b) => b.id) } });
  let joined = false;
  if (step.limitDays !== undefined) {
    // The parallel step's own limit is supervised, against its lead department.
    c.background.push(superviseStep(c, { id: step.id, department: step.lead, limitDays: step.limitDays, rule: c.impl.supervision }, () => !joined && !isCancelled(scope) && !c.state.withdrawal));
  }
  const outcomes = await Promise.all(step.branches.map(async (b) => {
    const r = await runBranch(b.steps, scope);
    c.settle(); // the branch is done: its last completion has had its effect
    if (r.outcome === 'return' || (r.outcome === 'refused' && step.join === 'any-refusal-refuses')) {
      scope.cancelled = true;
      for (const t of c.state.board.all()) if (isCancelled(t.scope)) cancelTask(c, t, `branch ${b.id} ended the parallel step`);
    }
    return { branch: b.id, ...r };
  }));
  joined = true;
  const back = outcomes.find((o) => o.outcome === 'return');
  if (back) return back;
  c.record('parallel-joined', { payload: { stepId: step.id, outcomes: outcomes.map((o) => ({ branch: o.branch, outcome: o.outcome })) } });
  if (step.join === 'any-refusal-refuses') {
    const first = outcomes.find((o) => o.outcome === 'refused') as { opinion: string; by: string } | undefined;
    return first ? { outcome: 'refused', opinion: first.opinion, by: first.by } : { outcome: 'approved', opinion: '并联审批通过', by: 'system' };
  }
  // lead-decides: the lead department weighs every branch and gives one combined result.
  const lead = openTask(c, { kind: 'lead-decision', stepId: step.id, stepName: `${step.name}（牵头部门综合决定）`, department: step.lead, role: 'head', actions: ['approve', 'refuse'] }, undefined, parent);
  const done = await awaitTask(c, lead);
  if (!done) return { outcome: 'cancelled' };
  return { outcome: done.action === 'approve' ? 'approved' : 'refused', opinion: done.opinion, by: done.actor.userId };
}
