/**
 * The condition builder's model and its JsonLogic: rules "field · comparison · value" joined by
 * and / or, written in exactly the format the engine evaluates (workflows/conditions.ts: `var`
 * of `form.<field>` or `applicant.kind`, the comparison operators, `in`, `!`, `!!`, `and`, `or`).
 * A condition the builder cannot show as rules is kept as it is and edited as JSON.
 */

export type RuleOp = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'contains' | 'filled' | 'empty';
export type Value = string | number | boolean;

export interface Rule {
  field: string;
  op: RuleOp;
  value: Value;
}

export interface RuleGroup {
  join: 'and' | 'or';
  rules: Rule[];
}

export const ruleOps: { op: RuleOp; label: string }[] = [
  { op: '==', label: '等于' },
  { op: '!=', label: '不等于' },
  { op: '>', label: '大于' },
  { op: '>=', label: '大于或等于' },
  { op: '<', label: '小于' },
  { op: '<=', label: '小于或等于' },
  { op: 'contains', label: '包含' },
  { op: 'filled', label: '已填写' },
  { op: 'empty', label: '未填写' },
];

/** Whether the comparison takes a value. */
export const takesValue = (op: RuleOp): boolean => op !== 'filled' && op !== 'empty';

/** A field a condition may name: `form.<field>` from the form's JSON Schema, or the applicant's kind. */
export interface ConditionField {
  path: string;
  label: string;
  type: 'string' | 'number' | 'boolean' | 'array' | 'other';
  options?: { value: Value; label: string }[];
}

interface FieldSchema {
  type?: unknown;
  title?: unknown;
  enum?: unknown;
  items?: { enum?: unknown };
}

/** The fields of an item's form (top-level properties, by title) and the applicant's kind. */
export function conditionFields(formSchema: Record<string, unknown> | undefined): ConditionField[] {
  const props = (formSchema?.properties ?? {}) as Record<string, FieldSchema>;
  const out: ConditionField[] = Object.entries(props).map(([key, s]) => {
    const t: unknown = Array.isArray(s.type) ? (s.type as unknown[]).find((x) => x !== 'null') : s.type;
    const type: ConditionField['type'] = t === 'integer' || t === 'number' ? 'number' : t === 'boolean' ? 'boolean' : t === 'array' ? 'array' : t === 'string' || Array.isArray(s.enum) ? 'string' : 'other';
    const values = Array.isArray(s.enum) ? s.enum : Array.isArray(s.items?.enum) ? s.items.enum : undefined;
    const f: ConditionField = { path: `form.${key}`, label: typeof s.title === 'string' ? s.title : '表单字段', type };
    if (values) f.options = (values as Value[]).map((v) => ({ value: v, label: String(v) }));
    if (type === 'boolean') f.options = [{ value: true, label: '是' }, { value: false, label: '否' }];
    return f;
  });
  out.push({ path: 'applicant.kind', label: '申请人类型', type: 'string', options: [{ value: 'person', label: '自然人' }, { value: 'legal_person', label: '法人或其他组织' }] });
  return out;
}

/** The value typed in the builder as the field's type: a number field gets a number when the text is one. */
export function typedValue(field: ConditionField | undefined, raw: string): Value {
  if (field?.options) return field.options.find((o) => String(o.value) === raw)?.value ?? raw;
  if (field?.type === 'number' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return raw;
}

const comparisons = new Set(['==', '!=', '>', '>=', '<', '<=']);

function ruleLogic(r: Rule): Record<string, unknown> {
  const v = { var: r.field };
  switch (r.op) {
    case 'contains':
      return { in: [r.value, v] };
    case 'filled':
      return { '!!': [v] };
    case 'empty':
      return { '!': [v] };
    default:
      return { [r.op]: [v, r.value] };
  }
}

/** The JsonLogic of a group; undefined when it has no rules (the step always applies). */
export function toLogic(g: RuleGroup): Record<string, unknown> | undefined {
  if (g.rules.length === 0) return undefined;
  if (g.rules.length === 1) return ruleLogic(g.rules[0]);
  return { [g.join]: g.rules.map(ruleLogic) };
}

const isVar = (x: unknown): x is { var: string } => typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 1 && typeof (x as { var?: unknown }).var === 'string';
const isValue = (x: unknown): x is Value => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';

function parseRule(x: unknown): Rule | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return undefined;
  const keys = Object.keys(x);
  if (keys.length !== 1) return undefined;
  const op = keys[0];
  const raw = (x as Record<string, unknown>)[op];
  const args = Array.isArray(raw) ? raw : [raw];
  if (comparisons.has(op) && args.length === 2 && isVar(args[0]) && isValue(args[1])) return { field: args[0].var, op: op as RuleOp, value: args[1] };
  if (op === 'in' && args.length === 2 && isValue(args[0]) && isVar(args[1])) return { field: args[1].var, op: 'contains', value: args[0] };
  if ((op === '!!' || op === '!') && args.length === 1 && isVar(args[0])) return { field: args[0].var, op: op === '!!' ? 'filled' : 'empty', value: '' };
  return undefined;
}

/** The rules a condition is made of, or undefined when the builder cannot show it (edited as JSON then). */
export function fromLogic(when: unknown): RuleGroup | undefined {
  if (when === undefined) return { join: 'and', rules: [] };
  const single = parseRule(when);
  if (single) return { join: 'and', rules: [single] };
  if (typeof when !== 'object' || when === null || Array.isArray(when)) return undefined;
  const keys = Object.keys(when);
  if (keys.length !== 1 || (keys[0] !== 'and' && keys[0] !== 'or')) return undefined;
  const list = (when as Record<string, unknown>)[keys[0]];
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const rules = list.map(parseRule);
  if (rules.some((r) => !r)) return undefined;
  return { join: keys[0], rules: rules as Rule[] };
}

/** The condition in words, for a step's summary: 「注册资本 大于 100 且 申请人类型 等于 法人或其他组织」. */
export function describeCondition(when: unknown, fields: ConditionField[]): string {
  if (when === undefined) return '';
  const g = fromLogic(when);
  if (!g) return '自定义条件';
  return g.rules.map((r) => {
    const f = fields.find((x) => x.path === r.field);
    const op = ruleOps.find((o) => o.op === r.op)?.label ?? '';
    const value = f?.options?.find((o) => o.value === r.value)?.label ?? String(r.value);
    return `${f?.label ?? '未知字段'} ${op}${takesValue(r.op) ? ` ${value}` : ''}`;
  }).join(g.join === 'and' ? ' 且 ' : ' 或 ');
}

/**
 * What the browser checks beyond the server: a rule without a value, or a number field compared
 * with text (JsonLogic would compare them as text, never what was meant). Details in the server's
 * style; the editor words them (messages.ts).
 */
export function ruleProblems(when: unknown, fields: ConditionField[]): string[] {
  const g = fromLogic(when);
  if (!g) return [];
  const out: string[] = [];
  g.rules.forEach((r, i) => {
    if (!takesValue(r.op)) return;
    if (r.value === '') out.push(`rule ${i + 1} has no value`);
    else if (fields.find((f) => f.path === r.field)?.type === 'number' && typeof r.value !== 'number') out.push(`rule ${i + 1} compares a number field with text`);
  });
  return out;
}
