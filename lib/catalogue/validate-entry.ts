/**
 * Validation of an implementation entry: the JSON Schema (ajv, every error at once) and the
 * semantic checks the schema cannot express. Every problem carries a JSON Pointer.
 */
import { conditionOperators, defaultConditionLimits, isConditionOperator } from '../../workflows/conditions';
import type { FieldProblem } from '../errors';
import { createAjv, toFieldProblems } from '../forms';
import entrySchema from './entry.schema.json';

const ajv = createAjv();
const validateSchema = ajv.compile(entrySchema);
/** The process part alone, against the entry schema's own step definitions. */
const validateProcessSchema = ajv.compile({
  type: 'object', required: ['process'], properties: { process: entrySchema.properties.process }, definitions: entrySchema.definitions,
});

/** Schema problems of a process on its own (pointers `/process/steps/…`), for a preview of steps not yet saved. */
export function processShapeProblems(steps: unknown): FieldProblem[] {
  return validateProcessSchema({ process: { steps } }) ? [] : toFieldProblems(validateProcessSchema.errors);
}

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
  materials: { id: string }[];
  simulation?: { preconditions: { id: string; certificateType?: string; materialId?: string }[] };
}

interface Walk {
  problems: FieldProblem[];
  ids: Map<string, string>;
  ctx: EntryContext;
  statutory: number;
  /** The entry's material ids (what a step's `reviews` may name). */
  materials?: ReadonlySet<string>;
}

/** Validates an entry; returns every problem, with pointers under `prefix` (e.g. "/entry"). */
export function validateEntry(entry: unknown, ctx: EntryContext, prefix = ''): FieldProblem[] {
  if (!validateSchema(entry)) return toFieldProblems(validateSchema.errors, prefix);
  const e = entry as unknown as EntryShape;
  const statutory = e.statutoryLimitDays;
  const promised = e.promisedLimitDays;
  const w: Walk = { problems: [], ids: new Map(), ctx, statutory, materials: new Set(e.materials.map((m) => m.id)) };
  const p = (pointer: string, detail: string) => w.problems.push({ pointer: `${prefix}${pointer}`, detail });

  if (promised > statutory) p('/promisedLimitDays', `the promised limit (${promised}) exceeds the statutory limit (${statutory})`);
  const steps = e.process.steps;
  if (e.caseType === 'instant') {
    if (promised !== 0) p('/promisedLimitDays', 'an instant item (即办件) is decided on the spot: its promised limit is 0');
    if (steps.length !== 1 || steps[0].type !== 'task') p('/process/steps', 'an instant item (即办件) has exactly one task step, done at the window');
  }
  if (e.result.type === 'certificate' && !e.result.certificateType) p('/result/certificateType', 'a certificate result names its certificate type');
  checkSupervision(e.supervision, promised, '/supervision', p);
  if (e.simulation) checkSimulation(e, w, p);

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
    if (step.when !== undefined) checkCondition(step.when, `${at}/when`, w);
    if (step.reviews !== undefined) checkReviews(step.reviews as { fields?: string[]; materials?: string[] }, `${at}/reviews`, w);
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

/** 模拟审批: each precondition is an e-certificate type or a material of this entry, never both; ids are unique. */
function checkSimulation(e: EntryShape, w: Walk, p: (pointer: string, detail: string) => void): void {
  if (e.caseType === 'instant') p('/simulation', 'an instant item (即办件) is decided at the window: it cannot be reviewed as a simulation (模拟审批)');
  const seen = new Set<string>();
  e.simulation!.preconditions.forEach((pre, i) => {
    const at = `/simulation/preconditions/${i}`;
    if (seen.has(pre.id)) p(`${at}/id`, `precondition id "${pre.id}" is used twice`);
    seen.add(pre.id);
    if (Boolean(pre.certificateType) === Boolean(pre.materialId)) p(at, 'a precondition is either an e-certificate type (certificateType) or a material of this entry (materialId)');
    if (pre.materialId && !w.materials?.has(pre.materialId)) p(`${at}/materialId`, `"${pre.materialId}" is not a material of this entry`);
  });
}

/** A step's reviewed content names fields of the form and materials of the entry. */
function checkReviews(reviews: { fields?: string[]; materials?: string[] }, pointer: string, w: Walk): void {
  const props = w.ctx.formSchema?.properties;
  reviews.fields?.forEach((f, i) => {
    if (props && !Object.hasOwn(props, f)) w.problems.push({ pointer: `${pointer}/fields/${i}`, detail: `the form has no field "${f}"` });
  });
  reviews.materials?.forEach((m, i) => {
    if (!w.materials?.has(m)) w.problems.push({ pointer: `${pointer}/materials/${i}`, detail: `"${m}" is not a material of this entry` });
  });
}

function claimId(id: string, pointer: string, w: Walk): void {
  const first = w.ids.get(id);
  if (first) w.problems.push({ pointer, detail: `step id "${id}" is already used at ${first}` });
  else w.ids.set(id, pointer);
}

function checkDepartment(code: string, pointer: string, w: Walk): void {
  if (!w.ctx.departments.has(code)) w.problems.push({ pointer, detail: `department "${code}" does not exist` });
}

/**
 * What a condition may be at save time. The case workflow evaluates conditions with
 * `evaluateCondition` (workflows/conditions.ts) under a run-time step budget and depth limit;
 * these rules make sure a stored condition stays inside both for any form data within the
 * form schema's limits, so the budget is only a safety net.
 *
 * Cost: the evaluator spends a step per node it visits, per segment of a `var` path, and per
 * top-level element of an array that a comparison or `in` looks at. `conditionCost` bounds that
 * from above by counting every node as if every branch ran, and every array that can reach a
 * comparison or `in` at its largest length: a literal array at its length, `form.<field>` at the
 * field's `maxItems` (`listCap` when the field may be an array without one, or when the form is
 * unknown; 0 when its `type` rules out an array), and `if` / `and` / `or` at the largest of their
 * operands. No operator iterates (there is no map, filter, reduce, all, some or none: nested
 * iteration is what made issue 13's condition cost 10⁸ steps), so the bound is the node count
 * plus a sum of list lengths, never a product. A condition whose bound exceeds the run-time
 * budget is refused.
 */
export const conditionRules = Object.freeze({
  /** Characters of the condition as JSON. */
  maxLength: 4096,
  /** Nested operators and array literals, counted as the evaluator counts them (its limit is higher). */
  maxDepth: 10,
  /** JSON values in the condition (objects, arrays, strings, numbers, booleans, nulls). */
  maxNodes: 256,
  /** Items assumed for a form list whose schema gives no `maxItems`. */
  listCap: 200,
  /** The run-time step budget the cost bound must stay within. */
  maxCost: defaultConditionLimits.maxSteps,
});

interface ConditionWalk {
  w: Walk;
  nodes: number;
  tooDeep: boolean;
  tooMany: boolean;
}

/** The static bound of one sub-expression: steps it may take, and the longest array it may yield. */
interface Bound {
  cost: number;
  maxLen: number;
}

/**
 * Checks one condition on its own (pointers under `pointer`) and returns its cost bound: the
 * most steps `evaluateCondition` can spend on it for form lists within their limits.
 */
export function analyseCondition(when: unknown, formSchema?: EntryContext['formSchema'], pointer = ''): { problems: FieldProblem[]; cost: number } {
  const w: Walk = { problems: [], ids: new Map(), ctx: { departments: new Set(), roles: new Set(), formSchema }, statutory: 0 };
  return { problems: w.problems, cost: checkCondition(when, pointer, w) };
}

/** A step's `when`: allowed operators everywhere, real field names, and the limits above. Returns the cost bound. */
function checkCondition(when: unknown, pointer: string, w: Walk): number {
  const cw: ConditionWalk = { w, nodes: 0, tooDeep: false, tooMany: false };
  const bound = walkLogic(when, pointer, 1, cw);
  const p = (detail: string) => w.problems.push({ pointer, detail });
  if (cw.tooMany) p(`the condition has more than ${conditionRules.maxNodes} parts; split the rule or simplify it`);
  // Not walked to the end: it may be too deep to serialize safely, and it is refused already.
  if (cw.tooDeep || cw.tooMany) return bound.cost;
  const length = JSON.stringify(when).length;
  if (length > conditionRules.maxLength) p(`the condition is ${length} characters long, more than ${conditionRules.maxLength}`);
  if (bound.cost > conditionRules.maxCost) {
    p(`the condition may take up to ${bound.cost} steps to evaluate, more than the limit of ${conditionRules.maxCost} (each list it compares counts at its maxItems, or ${conditionRules.listCap} without one); compare fewer lists or give them a smaller maxItems`);
  }
  return bound.cost;
}

/** Checks one node and returns its bound; stops descending past the depth and node limits. */
function walkLogic(node: unknown, pointer: string, depth: number, cw: ConditionWalk): Bound {
  const p = (ptr: string, detail: string) => cw.w.problems.push({ pointer: ptr, detail });
  cw.nodes += 1;
  if (cw.nodes > conditionRules.maxNodes) {
    cw.tooMany = true;
    return { cost: 0, maxLen: 0 };
  }
  if (node === null || typeof node !== 'object') return { cost: 1, maxLen: 0 };
  if (depth > conditionRules.maxDepth) {
    if (!cw.tooDeep) p(pointer, `the condition nests deeper than ${conditionRules.maxDepth} levels here`);
    cw.tooDeep = true;
    return { cost: 0, maxLen: 0 };
  }
  if (Array.isArray(node)) {
    let cost = 1;
    node.forEach((n, i) => (cost += walkLogic(n, `${pointer}/${i}`, depth + 1, cw).cost));
    return { cost, maxLen: node.length };
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    p(pointer, 'a condition is an object with exactly one operator');
    return { cost: 1, maxLen: 0 };
  }
  const op = keys[0];
  const raw = (node as Record<string, unknown>)[op];
  const at = `${pointer}/${escapePointer(op)}`;
  if (!isConditionOperator(op)) {
    p(at, `"${op}" is not a supported condition operator (${conditionOperators.join(' ')})`);
    return { cost: 1, maxLen: 0 };
  }
  const args: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (Array.isArray(raw)) cw.nodes += 1;
  const argAt = (i: number) => (Array.isArray(raw) ? `${at}/${i}` : at);

  if (op === 'var') {
    const name = args[0];
    if (typeof name !== 'string') {
      p(at, 'var names a field as a string, e.g. "form.capital"');
      return { cost: 1, maxLen: 0 };
    }
    cw.nodes += 1;
    const fieldLen = checkVar(name, at, cw.w);
    let cost = 2 + name.split('.').length;
    let maxLen = fieldLen;
    if (args.length > 2) p(argAt(2), 'var takes a field name and at most one default value');
    if (args.length > 1) {
      const d = walkLogic(args[1], argAt(1), depth + 1, cw);
      cost += d.cost;
      maxLen = Math.max(maxLen, d.maxLen);
    }
    return { cost, maxLen };
  }

  const bounds = args.map((a, i) => walkLogic(a, argAt(i), depth + 1, cw));
  const cost = 1 + bounds.reduce((sum, b) => sum + b.cost, 0);
  switch (op) {
    case 'if':
    case 'and':
    case 'or':
      return { cost, maxLen: Math.max(0, ...bounds.map((b) => b.maxLen)) };
    case '!':
    case '!!':
      return { cost, maxLen: 0 };
    default:
      // A comparison or `in` walks the arrays it is given.
      return { cost: cost + bounds.reduce((sum, b) => sum + b.maxLen, 0), maxLen: 0 };
  }
}

/**
 * A `var` names `applicant.kind` or `form.<field>`, an own property of the form schema's
 * `properties`, never a name every object inherits. Returns the longest list the field may hold.
 */
function checkVar(name: string, pointer: string, w: Walk): number {
  if (name === 'applicant.kind') return 0;
  const m = /^form\.([A-Za-z0-9_]+)$/.exec(name);
  if (!m) {
    w.problems.push({ pointer, detail: `"${name}" is not case data: use "form.<field>" or "applicant.kind"` });
    return 0;
  }
  const field = m[1];
  if (Object.hasOwn(Object.prototype, field)) {
    w.problems.push({ pointer, detail: `"${field}" is a name every JavaScript object has (Object.prototype), not a form field` });
    return 0;
  }
  const props = w.ctx.formSchema?.properties;
  if (!props) return conditionRules.listCap;
  if (!Object.hasOwn(props, field)) {
    w.problems.push({ pointer, detail: `the form has no field "${field}"` });
    return 0;
  }
  return longestList(props[field]);
}

/** The most items a form field's value may have as an array: 0 when its type rules an array out. */
function longestList(fieldSchema: unknown): number {
  if (fieldSchema === null || typeof fieldSchema !== 'object') return conditionRules.listCap;
  const s = fieldSchema as { type?: unknown; maxItems?: unknown };
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : undefined;
  if (types && !types.includes('array')) return 0;
  return typeof s.maxItems === 'number' && s.maxItems >= 0 ? s.maxItems : conditionRules.listCap;
}

function escapePointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}
