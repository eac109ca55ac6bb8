/**
 * 模拟审批 conversion (see phases/simulation.ts): what each step reviewed when the simulated review
 * approved it, and at conversion which steps carry over as approved (their reviewed content did
 * not change) and which run again.
 */
import type { ProcessStep } from '../../definitions';
import type { Case, ReviewedSnapshot, StepOutcome } from '../context';

export const json = (v: unknown): string => JSON.stringify(v ?? null);

/** The step's reviewed content now: its fields' and materials' values. */
function contentOf(c: Case, step: ProcessStep): Omit<ReviewedSnapshot, 'opinion' | 'by'> {
  const reviews = step.type === 'task' || step.type === 'department' ? step.reviews : undefined;
  const form = c.state.formData;
  const fieldNames = reviews?.fields ?? [...new Set([...Object.keys(c.input.formData), ...Object.keys(form)])];
  const materialIds = reviews?.materials ?? (c.impl.materials ?? []).map((m) => m.id);
  const fields: Record<string, string> = {};
  for (const f of fieldNames) fields[f] = json(form[f]);
  const materials: Record<string, string> = {};
  for (const m of materialIds) if (!preconditionMaterial(c, m)) materials[m] = c.sim!.materials.get(m) ?? '';
  return { fields, materials };
}

export function preconditionMaterial(c: Case, materialId: string): boolean {
  return (c.impl.simulation?.preconditions ?? []).some((p) => p.materialId === materialId);
}

/** Called for every step the simulated review approved: what it reviewed, kept for conversion. */
export function noteReviewed(c: Case, step: ProcessStep, outcome: StepOutcome): void {
  if (!c.simulating() || outcome.outcome !== 'approved') return;
  c.sim!.reviewed.set(step.id, { ...contentOf(c, step), opinion: outcome.opinion, by: outcome.by });
}

/** At conversion: a step run in this round is carried over instead when it is in the carry set. */
export function carriedOver(c: Case, step: ProcessStep): StepOutcome | null {
  const sim = c.sim;
  if (!sim || sim.view.state !== 'converting' || !sim.carry.has(step.id)) return null;
  const r = sim.reviewed.get(step.id)!;
  c.record('step-carried-over', { payload: { stepId: step.id, opinion: r.opinion, by: r.by } });
  return { outcome: 'approved', opinion: r.opinion, by: r.by };
}

/** Which steps carry over: reviewed and unchanged; a parallel step only when nothing inside it runs again. */
export function plan(c: Case, steps: ProcessStep[], carry: Set<string>, rerun: string[]): boolean {
  let all = true;
  for (const step of steps) {
    const before = c.sim!.reviewed.get(step.id);
    let same = before !== undefined;
    if (step.type === 'parallel') {
      for (const b of step.branches) same = plan(c, b.steps, carry, rerun) && same;
    } else if (before) {
      const nowContent = contentOf(c, step);
      same = json(nowContent.fields) === json(before.fields) && json(nowContent.materials) === json(before.materials);
    }
    if (same) carry.add(step.id);
    else if (before) rerun.push(step.id);
    all = all && same;
  }
  return all;
}

