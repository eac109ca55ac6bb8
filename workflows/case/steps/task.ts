/** A task step: one department's role reviews; approve, refuse, return, void, ask for a correction, or suspend. */
import type { Scope } from '../../case-state';
import { Refusals, type TaskStep } from '../../definitions';
import { refuse } from '../../case-state';
import { CaseEnded, type Case, type StepOutcome } from '../context';
import { correctionPause, specialProcedure } from '../phases/correction';
import { superviseStep } from '../supervision';
import { awaitTask, openTask } from '../tasks';

export async function runTask(c: Case, step: TaskStep, scope?: Scope): Promise<StepOutcome> {
  for (;;) {
    const task = openTask(c, { kind: 'review', stepId: step.id, stepName: step.name, department: step.department, role: step.role, actions: step.actions, returnTo: step.returnTo, specialProcedures: step.specialProcedures }, step.limitDays, scope);
    if (step.limitDays !== undefined) {
      const limit = { id: step.id, department: step.department, limitDays: step.limitDays, rule: step.supervision ?? c.impl.supervision };
      c.background.push(superviseStep(c, limit, () => task.phase === 'open' || task.phase === 'closing'));
    }
    const done = await awaitTask(c, task);
    if (!done) return { outcome: 'cancelled' };
    switch (done.action) {
      case 'approve':
        return { outcome: 'approved', opinion: done.opinion, by: done.actor.userId };
      case 'refuse':
        return { outcome: 'refused', opinion: done.opinion, by: done.actor.userId };
      case 'void':
        throw new CaseEnded('voided', done.opinion);
      case 'return':
        return { outcome: 'return', target: done.returnTo! };
      case 'correction':
        await correctionPause(c, done.problems ?? [], 'review', 'in_review');
        break; // the same step again, with the corrected application
      case 'suspend':
        await specialProcedure(c, step, done.procedure!);
        break;
      default:
        throw refuse(Refusals.actionNotAllowed, `action ${done.action} has no meaning at a review step`);
    }
  }
}
