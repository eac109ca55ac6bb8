/**
 * The process editor's edits as pure functions over the steps of an entry: every edit returns
 * new steps and leaves the old ones untouched. A step is addressed by its path: `[i]` for the
 * i-th top-level step, `[i, b, j]` for the j-th step of branch b of parallel step i, and so on.
 * A sequence (the process itself, or a branch) is addressed by the path of its parallel step and
 * the branch index: `[]` is the process, `[i, b]` branch b of step i.
 */
import type { ProcessStep } from '../../types';

export type Step = ProcessStep;
export type StepPath = number[];
export type SeqPath = number[];
export type StepType = Step['type'];

export type Branch = NonNullable<Step['branches']>[number];

const branchesOf = (s: Step): Branch[] => (Array.isArray(s.branches) ? s.branches : []);

/** The steps of a sequence, or undefined when the path leads nowhere. */
export function sequenceAt(steps: Step[], seq: SeqPath): Step[] | undefined {
  let at: Step[] = steps;
  for (let k = 0; k < seq.length; k += 2) {
    const b = branchesOf(at[seq[k]] ?? ({} as Step))[seq[k + 1]];
    if (!b) return undefined;
    at = b.steps;
  }
  return at;
}

export function stepAt(steps: Step[], path: StepPath): Step | undefined {
  return sequenceAt(steps, path.slice(0, -1))?.[path[path.length - 1]];
}

/** JSON Pointer of a step in the entry: `[1, 0, 2]` → `/process/steps/1/branches/0/steps/2`. */
export function pointerOf(path: StepPath): string {
  let p = '/process/steps';
  path.forEach((n, k) => (p += k % 2 === 0 ? `/${n}` : `/branches/${n}/steps`));
  return p;
}

/** The step a pointer falls in (the deepest), and the rest of the pointer within it: `field` is `''` for the step itself. */
export function stepOfPointer(pointer: string): { path: StepPath; field: string } | undefined {
  const m = /^\/process\/steps\/(\d+)((?:\/branches\/\d+\/steps\/\d+)*)(\/.*)?$/.exec(pointer);
  if (!m) return undefined;
  const path = [Number(m[1]), ...[...m[2].matchAll(/\/branches\/(\d+)\/steps\/(\d+)/g)].flatMap((x) => [Number(x[1]), Number(x[2])])];
  return { path, field: (m[3] ?? '').replace(/^\//, '') };
}

/** Replaces the steps of one sequence (and the parallel steps around it, by copy). */
function withSequence(steps: Step[], seq: SeqPath, fn: (list: Step[]) => Step[]): Step[] {
  if (seq.length === 0) return fn(steps);
  const [i, b, ...rest] = seq;
  return steps.map((s, k) => (k !== i ? s : {
    ...s,
    branches: branchesOf(s).map((br, j) => (j !== b ? br : { ...br, steps: withSequence(br.steps, rest, fn) })),
  }));
}

export function updateStep(steps: Step[], path: StepPath, fn: (s: Step) => Step): Step[] {
  const seq = path.slice(0, -1);
  const i = path[path.length - 1];
  return withSequence(steps, seq, (list) => list.map((s, k) => (k === i ? fn(s) : s)));
}

export function removeStep(steps: Step[], path: StepPath): Step[] {
  const i = path[path.length - 1];
  return withSequence(steps, path.slice(0, -1), (list) => list.filter((_, k) => k !== i));
}

/** Moves a step one place up (-1) or down (+1) in its sequence; at either end nothing changes. */
export function moveStep(steps: Step[], path: StepPath, by: -1 | 1): Step[] {
  const i = path[path.length - 1];
  return withSequence(steps, path.slice(0, -1), (list) => {
    const j = i + by;
    if (j < 0 || j >= list.length) return list;
    const out = [...list];
    [out[i], out[j]] = [out[j], out[i]];
    return out;
  });
}

/** True when `seq` lies inside the step at `path` (a step cannot move into its own branches). */
function inside(seq: SeqPath, path: StepPath): boolean {
  return seq.length > path.length && path.every((n, k) => seq[k] === n);
}

/**
 * Moves a step to the end of another sequence (into a branch, or out to the process). When the
 * target is the sequence that holds the step's parallel step (moving out of a branch), the step
 * lands right after that parallel step. Returns the steps unchanged when the move is impossible.
 */
export function moveStepTo(steps: Step[], path: StepPath, target: SeqPath): Step[] {
  const step = stepAt(steps, path);
  const from = path.slice(0, -1);
  if (!step || inside(target, path) || sameSeq(from, target) || !sequenceAt(steps, target)) return steps;
  // Where it lands, computed on the steps before it is taken out: after its enclosing parallel step when that sits in the target.
  const enclosing = from.length >= 2 && sameSeq(from.slice(0, -2), target) ? from[from.length - 2] : undefined;
  let out = removeStep(steps, path);
  // Taking the step out shifts later siblings of an ancestor in the target's own path: fix the target up.
  const fixed = [...target];
  if (from.length < target.length && sameSeq(from, target.slice(0, from.length)) && target[from.length] > path[path.length - 1]) fixed[from.length] -= 1;
  out = withSequence(out, fixed, (list) => {
    const at = enclosing === undefined ? list.length : enclosing + 1;
    return [...list.slice(0, at), step, ...list.slice(at)];
  });
  return out;
}

function sameSeq(a: SeqPath, b: SeqPath): boolean {
  return a.length === b.length && a.every((n, k) => b[k] === n);
}

/** Every sequence a step may move to (not its own, nor one inside it), with the parallel step and branch names for its label. */
export function moveTargets(steps: Step[], path: StepPath): { seq: SeqPath; parallel?: string; branch?: string }[] {
  const from = path.slice(0, -1);
  const out: { seq: SeqPath; parallel?: string; branch?: string }[] = [];
  if (from.length > 0) out.push({ seq: [] });
  const visit = (list: Step[], seq: SeqPath) => list.forEach((s, i) => {
    branchesOf(s).forEach((b, j) => {
      const target = [...seq, i, j];
      if (inside(target, path)) return;
      if (!sameSeq(target, from)) out.push({ seq: target, parallel: s.name, branch: b.name });
      visit(b.steps, target);
    });
  });
  visit(steps, []);
  return out;
}

/** Every step id and branch id in use. */
export function usedIds(steps: Step[]): Set<string> {
  const ids = new Set<string>();
  const visit = (list: Step[]) => list.forEach((s) => {
    ids.add(s.id);
    for (const b of branchesOf(s)) {
      ids.add(b.id);
      visit(b.steps);
    }
  });
  visit(steps);
  return ids;
}

/** A fresh id with the prefix: `step-1`, `step-2` … whichever is free. */
export function freshId(steps: Step[], prefix: string, also: Set<string> = new Set()): string {
  const used = usedIds(steps);
  for (let n = 1; ; n++) {
    const id = `${prefix}-${n}`;
    if (!used.has(id) && !also.has(id)) return id;
  }
}

/** What a new step of each type starts with: everything the schema requires, the department given. */
export function newStep(steps: Step[], type: StepType, department: string, extra: { system?: string; adapter?: string; operation?: string } = {}): Step {
  const id = freshId(steps, 'step');
  switch (type) {
    case 'task':
      return { type, id, name: '新审查环节', department, role: 'approver', actions: ['approve', 'refuse'] };
    case 'parallel': {
      const b1 = freshId(steps, 'branch');
      const b2 = freshId(steps, 'branch', new Set([b1, id]));
      const s1 = freshId(steps, 'step', new Set([id]));
      const s2 = freshId(steps, 'step', new Set([id, s1]));
      return {
        type, id, name: '新并联环节', lead: department, join: 'any-refusal-refuses',
        branches: [
          { id: b1, name: '分支一', steps: [{ type: 'task', id: s1, name: '分支审查', department, role: 'approver', actions: ['approve', 'refuse'] }] },
          { id: b2, name: '分支二', steps: [{ type: 'task', id: s2, name: '分支审查', department, role: 'approver', actions: ['approve', 'refuse'] }] },
        ],
      };
    }
    case 'department':
      return { type, id, name: '部门系统办理', department, system: extra.system ?? 'department-system' };
    case 'service':
      return { type, id, name: '接口核验', adapter: extra.adapter ?? 'identity', operation: extra.operation ?? 'verifyPerson' };
  }
}

export function addStep(steps: Step[], seq: SeqPath, step: Step): Step[] {
  return withSequence(steps, seq, (list) => [...list, step]);
}

export function addBranch(steps: Step[], path: StepPath, department: string): Step[] {
  const b = freshId(steps, 'branch');
  const s = freshId(steps, 'step', new Set([b]));
  return updateStep(steps, path, (p) => ({
    ...p,
    branches: [...branchesOf(p), { id: b, name: `分支${branchesOf(p).length + 1}`, steps: [{ type: 'task', id: s, name: '分支审查', department, role: 'approver', actions: ['approve', 'refuse'] }] }],
  }));
}

export function removeBranch(steps: Step[], path: StepPath, branch: number): Step[] {
  return updateStep(steps, path, (p) => ({ ...p, branches: branchesOf(p).filter((_, j) => j !== branch) }));
}

export function updateBranch(steps: Step[], path: StepPath, branch: number, patch: Partial<Omit<Branch, 'steps'>>): Step[] {
  return updateStep(steps, path, (p) => ({ ...p, branches: branchesOf(p).map((b, j) => (j === branch ? { ...b, ...patch } : b)) }));
}

/** Renames a step's id and every `returnTo` that named it. */
export function renameStep(steps: Step[], path: StepPath, id: string): Step[] {
  const old = stepAt(steps, path)?.id;
  const renamed = updateStep(steps, path, (s) => ({ ...s, id }));
  if (!old || old === id) return renamed;
  const fix = (list: Step[]): Step[] => list.map((s) => {
    let out = s;
    if (Array.isArray(s.returnTo)) out = { ...out, returnTo: (s.returnTo as string[]).map((t) => (t === old ? id : t)) };
    if (s.branches) out = { ...out, branches: branchesOf(s).map((b) => ({ ...b, steps: fix(b.steps) })) };
    return out;
  });
  return fix(renamed);
}

/**
 * The steps a task may return to, as the save-time check allows them: earlier steps of its own
 * sequence and of every enclosing sequence before the parallel step that holds it.
 */
export function earlierSteps(steps: Step[], path: StepPath): Step[] {
  const out: Step[] = [];
  for (let k = 0; k < path.length; k += 2) {
    const seq = sequenceAt(steps, path.slice(0, k)) ?? [];
    out.push(...seq.slice(0, path[k]));
  }
  return out;
}

/** Every step in document order with its path, branches depth-first. */
export function flatten(steps: Step[]): { step: Step; path: StepPath }[] {
  const out: { step: Step; path: StepPath }[] = [];
  const visit = (list: Step[], seq: SeqPath) => list.forEach((s, i) => {
    out.push({ step: s, path: [...seq, i] });
    branchesOf(s).forEach((b, j) => visit(b.steps, [...seq, i, j]));
  });
  visit(steps, []);
  return out;
}

/** Field problems grouped by the step they concern (by its pointer); the rest under `''`. */
export function problemsByStep<P extends { pointer: string }>(problems: P[]): Map<string, (P & { field: string })[]> {
  const m = new Map<string, (P & { field: string })[]>();
  for (const p of problems) {
    const at = stepOfPointer(p.pointer);
    const key = at ? pointerOf(at.path) : '';
    m.set(key, [...(m.get(key) ?? []), { ...p, field: at?.field ?? p.pointer }]);
  }
  return m;
}
