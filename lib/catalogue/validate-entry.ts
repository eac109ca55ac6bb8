/**
 * Validation of an implementation entry: the JSON Schema (ajv, every error at once) and the
 * semantic checks the schema cannot express. Every problem carries a JSON Pointer.
 */
import type { FieldProblem } from '../errors';
import { createAjv, toFieldProblems } from '../forms';
import entrySchema from './entry.schema.json';

const ajv = createAjv();
const validateSchema = ajv.compile(entrySchema);

/** What the semantic checks look things up in. */
export interface EntryContext {
  departments: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  /** The entry's form schema, to check that conditions name real fields; absent = form unknown. */
  formSchema?: { properties?: Record<string, unknown> };
}

type Step = Record<string, unknown> & { type: string; id: string; limitDays?: number };

/** The parts of a schema-valid entry the semantic checks read. */
interface EntryShape {
  caseType: 'instant' | 'promised';
  statutoryLimitDays: number;
  promisedLimitDays: number;
  result: { type: string; certificateType?: string };
  supervision?: { warnDaysLeft?: number };
  process: { steps: Step[] };
}

interface Walk {
  problems: FieldProblem[];
  ids: Map<string, string>;
  ctx: EntryContext;
  statutory: number;
}

const logicOperators = new Set(['==', '!=', '===', '!==', '>', '>=', '<', '<=', '!', '!!', 'and', 'or', 'in', 'var', 'if']);

/** Validates an entry; returns every problem, with pointers under `prefix` (e.g. "/entry"). */
export function validateEntry(entry: unknown, ctx: EntryContext, prefix = ''): FieldProblem[] {
  if (!validateSchema(entry)) return toFieldProblems(validateSchema.errors, prefix);
  const e = entry as unknown as EntryShape;
  const statutory = e.statutoryLimitDays;
  const promised = e.promisedLimitDays;
  const w: Walk = { problems: [], ids: new Map(), ctx, statutory };
  const p = (pointer: string, detail: string) => w.problems.push({ pointer: `${prefix}${pointer}`, detail });

  if (promised > statutory) p('/promisedLimitDays', `the promised limit (${promised}) exceeds the statutory limit (${statutory})`);
  const steps = e.process.steps;
  if (e.caseType === 'instant') {
    if (promised !== 0) p('/promisedLimitDays', 'an instant item (即办件) is decided on the spot: its promised limit is 0');
    if (steps.length !== 1 || steps[0].type !== 'task') p('/process/steps', 'an instant item (即办件) has exactly one task step, done at the window');
  }
  if (e.result.type === 'certificate' && !e.result.certificateType) p('/result/certificateType', 'a certificate result names its certificate type');
  checkSupervision(e.supervision, promised, '/supervision', p);

  const total = walkSteps(steps, `${prefix}/process/steps`, w, []);
  if (total > statutory) p('/process/steps', `the step limits add up to ${total} working days, more than the statutory limit of ${statutory}`);
  return w.problems;
}

function checkSupervision(rule: { warnDaysLeft?: number } | undefined, limit: number | undefined, pointer: string, p: (ptr: string, d: string) => void): void {
  if (rule?.warnDaysLeft !== undefined && limit !== undefined && rule.warnDaysLeft >= limit && limit > 0) {
    p(`${pointer}/warnDaysLeft`, `a warning with ${rule.warnDaysLeft} days left would come at or before the start of a ${limit}-day limit`);
  }
}

/** Walks a sequence of steps; returns the working days it may take at most. */
function walkSteps(steps: Step[], base: string, w: Walk, enclosingEarlier: string[]): number {
  const earlier = [...enclosingEarlier];
  let total = 0;
  steps.forEach((step, i) => {
    const at = `${base}/${i}`;
    const p = (suffix: string, detail: string) => w.problems.push({ pointer: `${at}${suffix}`, detail });
    claimId(step.id, `${at}/id`, w);
    if (step.limitDays !== undefined && step.limitDays > w.statutory) p('/limitDays', `the step limit (${step.limitDays}) exceeds the statutory limit (${w.statutory})`);
    if (step.when !== undefined) checkLogic(step.when, `${at}/when`, w);
    checkSupervision(step.supervision as { warnDaysLeft?: number } | undefined, step.limitDays, `${at}/supervision`, (ptr, d) => w.problems.push({ pointer: ptr, detail: d }));

    switch (step.type) {
      case 'task': {
        checkDepartment(step.department as string, `${at}/department`, w);
        if (!w.ctx.roles.has(step.role as string)) p('/role', `role "${String(step.role)}" does not exist`);
        const actions = step.actions as string[];
        const returnTo = step.returnTo as string[] | undefined;
        if (actions.includes('return') && !returnTo) p('/returnTo', 'a step that allows "return" lists the earlier steps it may return to');
        if (returnTo && !actions.includes('return')) p('/returnTo', 'returnTo is given but the step does not allow the "return" action');
        returnTo?.forEach((target, j) => {
          if (!earlier.includes(target)) {
            p(`/returnTo/${j}`, w.ids.has(target) || steps.some((s) => s.id === target)
              ? `"${target}" is not an earlier step: a return may only go back, never forward or to itself`
              : `"${target}" is not a step of this process`);
          }
        });
        if (step.specialProcedures && !actions.includes('suspend')) p('/specialProcedures', 'special procedures need the "suspend" action');
        total += step.limitDays ?? 0;
        break;
      }
      case 'parallel': {
        checkDepartment(step.lead as string, `${at}/lead`, w);
        const branches = step.branches as { id: string; steps: Step[] }[];
        let longest = 0;
        const departments = new Set<string>();
        branches.forEach((b, j) => {
          claimId(b.id, `${at}/branches/${j}/id`, w);
          longest = Math.max(longest, walkSteps(b.steps, `${at}/branches/${j}/steps`, w, earlier));
          for (const s of b.steps) if (typeof s.department === 'string') departments.add(s.department);
        });
        if (step.limitDays !== undefined && longest > step.limitDays) p('/limitDays', `a branch may take ${longest} working days, more than the parallel step's limit of ${step.limitDays}`);
        if (departments.size < 2 && !departments.has(step.lead as string)) p('/branches', 'parallel approval involves at least two departments');
        total += step.limitDays ?? longest;
        break;
      }
      case 'department':
        checkDepartment(step.department as string, `${at}/department`, w);
        total += step.limitDays ?? 0;
        break;
      case 'service':
        break;
    }
    earlier.push(step.id);
  });
  return total;
}

function claimId(id: string, pointer: string, w: Walk): void {
  const first = w.ids.get(id);
  if (first) w.problems.push({ pointer, detail: `step id "${id}" is already used at ${first}` });
  else w.ids.set(id, pointer);
}

function checkDepartment(code: string, pointer: string, w: Walk): void {
  if (!w.ctx.departments.has(code)) w.problems.push({ pointer, detail: `department "${code}" does not exist` });
}

/** A JsonLogic expression: known operators only, and `var`s that name real case data. */
function checkLogic(node: unknown, pointer: string, w: Walk): void {
  const p = (ptr: string, detail: string) => w.problems.push({ pointer: ptr, detail });
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((n, i) => checkLogic(n, `${pointer}/${i}`, w));
    return;
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    p(pointer, 'a condition is an object with exactly one operator');
    return;
  }
  const op = keys[0];
  const arg = (node as Record<string, unknown>)[op];
  const at = `${pointer}/${escapePointer(op)}`;
  if (!logicOperators.has(op)) {
    p(at, `"${op}" is not a supported condition operator (${[...logicOperators].join(' ')})`);
    return;
  }
  if (op === 'var') {
    const name: unknown = Array.isArray(arg) ? arg[0] : arg;
    if (typeof name !== 'string') {
      p(at, 'var names a field as a string, e.g. "form.capital"');
      return;
    }
    checkVar(name, at, w);
    return;
  }
  checkLogic(arg, at, w);
}

function checkVar(name: string, pointer: string, w: Walk): void {
  if (name === 'applicant.kind') return;
  const m = /^form\.([A-Za-z0-9_]+)$/.exec(name);
  if (!m) {
    w.problems.push({ pointer, detail: `"${name}" is not case data: use "form.<field>" or "applicant.kind"` });
    return;
  }
  const props = w.ctx.formSchema?.properties;
  if (props && !(m[1] in props)) w.problems.push({ pointer, detail: `the form has no field "${m[1]}"` });
}

function escapePointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}
