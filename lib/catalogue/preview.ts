/**
 * Preview of a process definition (流程试算): which steps a case with given form data would run.
 * It walks the steps as the case engine's sequence does (workflows/case/steps/sequence.ts) and
 * decides each `when` with the engine's own `evaluateCondition`, never a copy of it: a step whose
 * condition is false is skipped with everything inside it, one whose condition cannot be decided
 * goes to its department's head (as the engine opens a manual task), and a parallel step runs
 * every branch.
 */
import { evaluateCondition, type ConditionData } from '../../workflows/conditions';
import type { ProcessStep } from '../../workflows/definitions';

/**
 * What happens to one step: `runs`; `skipped` (its condition is false); `ask` (its condition
 * cannot be decided, the department head decides by hand); `not-reached` (an enclosing step is skipped).
 */
export type PreviewResult = 'runs' | 'skipped' | 'ask' | 'not-reached';

export interface PreviewRow {
  stepId: string;
  name: string;
  type: ProcessStep['type'];
  /** JSON Pointer of the step in the entry, e.g. `/process/steps/1/branches/0/steps/0`. */
  pointer: string;
  /** 0 for a top-level step, one more inside each parallel step. */
  depth: number;
  /** The branch's name, for a step inside a parallel step. */
  branch?: string;
  /** Department doing the step (the lead department of a parallel step). */
  department?: string;
  role?: string;
  result: PreviewResult;
  /** Whether the step has a condition at all. */
  conditional: boolean;
  /** With `ask`: why the condition could not be decided (the engine's own sentence). */
  reason?: string;
  /** A parallel step whose lead department gives one combined decision after the branches. */
  leadDecides?: boolean;
}

/** Each step in document order (branches depth-first) with what a case with `data` would do there. */
export function previewProcess(steps: ProcessStep[], data: ConditionData): PreviewRow[] {
  const rows: PreviewRow[] = [];
  walk(steps, '/process/steps', 0, undefined, true, data, rows);
  return rows;
}

function walk(steps: ProcessStep[], base: string, depth: number, branch: string | undefined, reached: boolean, data: ConditionData, rows: PreviewRow[]): void {
  steps.forEach((step, i) => {
    const pointer = `${base}/${i}`;
    let result: PreviewResult = 'not-reached';
    let reason: string | undefined;
    if (reached) {
      const r = evaluateCondition(step.when, data);
      if (r.ok) result = r.value ? 'runs' : 'skipped';
      else {
        result = 'ask';
        reason = r.reason;
      }
    }
    const row: PreviewRow = { stepId: step.id, name: step.name, type: step.type, pointer, depth, result, conditional: step.when !== undefined };
    if (branch !== undefined) row.branch = branch;
    if (reason !== undefined) row.reason = reason;
    if (step.type === 'task') Object.assign(row, { department: step.department, role: step.role });
    if (step.type === 'department') row.department = step.department;
    if (step.type === 'parallel') Object.assign(row, { department: step.lead, leadDecides: step.join === 'lead-decides' });
    rows.push(row);
    if (step.type === 'parallel') {
      // Under `ask` the head may let the step run: its branches are shown as they would then go.
      const inside = result === 'runs' || result === 'ask';
      step.branches.forEach((b, j) => walk(b.steps, `${pointer}/branches/${j}/steps`, depth + 1, b.name, inside, data, rows));
    }
  });
}
