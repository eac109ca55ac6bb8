/**
 * Step conditions: a small JsonLogic interpreter of our own over the case data, never `eval`.
 * Pure and deterministic (workflow code): no Node APIs, no library at run time. The data a
 * condition sees is `{ form, applicant: { kind } }`.
 *
 * It gives the same results as json-logic-js 2.x for every expression built from
 * `conditionOperators`, with two deliberate differences:
 * - a `var` path reads **own** properties only, so `form.__proto__`, `form.constructor` or
 *   `form.s.toString` are null (json-logic-js hands out `Object.prototype` and functions);
 * - every evaluation runs under a step budget and a depth limit; past either, or when
 *   json-logic-js would throw (an operator outside the list, a value that cannot be compared),
 *   the outcome is `{ ok: false, reason }` with a short Chinese sentence for the department head.
 * No exception leaves `evaluateCondition`, and recursion never goes deeper than `maxDepth`.
 */

export interface ConditionData {
  form: Record<string, unknown>;
  applicant: { kind: string };
}

/**
 * The operators a condition may use: the save-time check (`lib/catalogue/validate-entry.ts`)
 * refuses any other anywhere in an expression, and the evaluator knows no other.
 */
export const conditionOperators = ['==', '!=', '===', '!==', '>', '>=', '<', '<=', '!', '!!', 'and', 'or', 'in', 'var', 'if'] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

const operatorSet: ReadonlySet<string> = new Set(conditionOperators);

/** True when `op` is one of `conditionOperators` (never true for `__proto__`, `toString`, …). */
export function isConditionOperator(op: string): op is ConditionOperator {
  return operatorSet.has(op);
}

/**
 * Run-time limits. A step is one visited node of the expression, one segment of a `var` path,
 * or one top-level element of an array that a comparison or `in` looks at (the work JavaScript
 * does there is proportional to it). Depth counts nested operators and array literals.
 */
export interface ConditionLimits {
  maxSteps: number;
  maxDepth: number;
}

/**
 * The defaults. The save-time check (depth ≤ 10, a static cost bound ≤ maxSteps) keeps every
 * stored condition well inside them for form arrays within their `maxItems`; they are the
 * safety net for data beyond that. 10,000 steps take well under a millisecond.
 */
export const defaultConditionLimits: Readonly<ConditionLimits> = Object.freeze({ maxSteps: 10_000, maxDepth: 20 });

export type ConditionOutcome = { ok: true; value: boolean } | { ok: false; reason: string };

/** The raw value of an expression, before JsonLogic truthiness; for tests and diagnostics. */
export type LogicOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

/** JsonLogic truthiness: JavaScript's, except that an empty array is false. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value) && value.length === 0) return false;
  return Boolean(value);
}

/** Whether the step applies: `{ ok: true, value }`, or `{ ok: false, reason }` when it cannot be decided. */
export function evaluateCondition(when: Record<string, unknown> | undefined, data: ConditionData, limits?: Partial<ConditionLimits>): ConditionOutcome {
  if (when === undefined) return { ok: true, value: true };
  const r = evaluateLogic(when, data, limits);
  return r.ok ? { ok: true, value: truthy(r.value) } : r;
}

/** True when the step applies; a step without a condition always applies. Throws when it cannot be decided. */
export function applies(when: Record<string, unknown> | undefined, data: ConditionData): boolean {
  const r = evaluateCondition(when, data);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** Evaluates any JsonLogic value (as json-logic-js `apply` would) under the limits. */
export function evaluateLogic(logic: unknown, data: unknown, limits?: Partial<ConditionLimits>): LogicOutcome {
  const run = new Run(data, { ...defaultConditionLimits, ...definedOnly(limits) });
  try {
    return { ok: true, value: run.evalNode(logic, 1) };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, reason: e.reason };
    // A comparison JavaScript cannot make (an object without a usable toString), as json-logic-js would throw.
    return { ok: false, reason: '条件表达式无法对该表单数据求值' };
  }
}

function definedOnly(limits: Partial<ConditionLimits> | undefined): Partial<ConditionLimits> {
  const out: Partial<ConditionLimits> = {};
  if (limits?.maxSteps !== undefined) out.maxSteps = limits.maxSteps;
  if (limits?.maxDepth !== undefined) out.maxDepth = limits.maxDepth;
  return out;
}

/** Ends an evaluation with a reason for the department head. */
class Stop extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const hasOwn = (o: unknown, key: string): boolean => o !== null && o !== undefined && Object.prototype.hasOwnProperty.call(o, key);

class Run {
  private steps = 0;
  constructor(private readonly data: unknown, private readonly limits: ConditionLimits) {}

  private spend(n: number): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) throw new Stop(`条件表达式计算量超过上限（${this.limits.maxSteps} 步）`);
  }

  evalNode(logic: unknown, depth: number): unknown {
    this.spend(1);
    if (logic === null || typeof logic !== 'object') return logic;
    if (depth > this.limits.maxDepth) throw new Stop(`条件表达式嵌套过深（超过 ${this.limits.maxDepth} 层）`);
    if (Array.isArray(logic)) {
      const out: unknown[] = [];
      for (const item of logic as unknown[]) out.push(this.evalNode(item, depth + 1));
      return out;
    }
    const keys = Object.keys(logic);
    if (keys.length !== 1) return logic; // not an operation: a literal object, as in json-logic-js
    const op = keys[0];
    if (!isConditionOperator(op)) throw new Stop(`条件表达式使用了不支持的运算符“${op.slice(0, 20)}”`);
    const raw: unknown = (logic as Record<string, unknown>)[op];
    const args: unknown[] = Array.isArray(raw) ? raw : [raw];
    const d = depth + 1;

    switch (op) {
      case 'if': {
        let i = 0;
        for (; i < args.length - 1; i += 2) {
          if (truthy(this.evalNode(args[i], d))) return this.evalNode(args[i + 1], d);
        }
        return args.length === i + 1 ? this.evalNode(args[i], d) : null;
      }
      case 'and': {
        let current: unknown;
        for (const a of args) {
          current = this.evalNode(a, d);
          if (!truthy(current)) return current;
        }
        return current;
      }
      case 'or': {
        let current: unknown;
        for (const a of args) {
          current = this.evalNode(a, d);
          if (truthy(current)) return current;
        }
        return current;
      }
      default:
        break;
    }

    // Every other operator gets its arguments evaluated first, in order.
    const v = args.map((a) => this.evalNode(a, d));
    switch (op) {
      case 'var':
        return this.lookup(v[0], v[1]);
      case '!':
        return !truthy(v[0]);
      case '!!':
        return truthy(v[0]);
      case 'in':
        this.spendOnArrays(v);
        return contains(v[0], v[1]);
      default:
        this.spendOnArrays(v);
        return compare(op, v[0], v[1], v[2]);
    }
  }

  /** Comparing or searching an array makes JavaScript walk its elements: one step each. */
  private spendOnArrays(values: unknown[]): void {
    for (const x of values) if (Array.isArray(x)) this.spend(x.length);
  }

  /** `var`: a dotted path of own properties; the default when a step finds nothing. */
  private lookup(name: unknown, fallback: unknown): unknown {
    const notFound = fallback === undefined ? null : fallback;
    if (name === undefined || name === null || name === '') return this.data;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any value is converted, as json-logic-js does
    const segments = String(name).split('.');
    let at: unknown = this.data;
    for (const s of segments) {
      this.spend(1);
      if (at === null || at === undefined) return notFound;
      at = hasOwn(at, s) ? (at as Record<string, unknown>)[s] : undefined;
      if (at === undefined) return notFound;
    }
    return at;
  }
}

/** `in`: a substring of a string, or an element (===) of an array; false for anything else. */
function contains(needle: unknown, haystack: unknown): boolean {
  if (!haystack) return false;
  if (Array.isArray(haystack)) return haystack.indexOf(needle) !== -1;
  if (typeof haystack === 'string') return haystack.indexOf(needle as string) !== -1; // the needle is converted to a string, as there
  // json-logic-js calls an own `indexOf` of an object, which data can only hold as a non-function: it throws.
  if (typeof haystack === 'object' && hasOwn(haystack, 'indexOf')) throw new TypeError('indexOf is not a function');
  return false;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- JsonLogic's comparisons are JavaScript's, loose equality and coercion included */
function compare(op: '==' | '!=' | '===' | '!==' | '>' | '>=' | '<' | '<=', a: any, b: any, c: any): boolean {
  switch (op) {
    case '==': return a == b;
    case '!=': return a != b;
    case '===': return a === b;
    case '!==': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return c === undefined ? a < b : a < b && b < c;
    case '<=': return c === undefined ? a <= b : a <= b && b <= c;
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */
