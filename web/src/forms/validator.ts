/**
 * A JSON Schema validator for the browser that generates no code, so the page's
 * Content-Security-Policy needs no 'unsafe-eval'. JSON Forms asks its ajv for `compile` (the
 * form's validator, and combinator branches) and `validate` (UI-schema rule conditions) and
 * nothing else; this object offers both and walks the schema at each call instead of compiling
 * it into a function.
 *
 * Errors have Ajv's shape with the options JSON Forms' createAjv and the server use (allErrors,
 * verbose): instancePath, schemaPath, keyword, params, message, schema, parentSchema, data, with
 * Ajv's English messages, so web/src/forms/messages.ts turns them into the same user-facing text
 * as the API's 422 problems. The keywords are those the catalogue's forms use (draft-07):
 * type, required, properties, additionalProperties, minLength/maxLength, pattern, enum, const,
 * minimum/maximum, exclusiveMinimum/exclusiveMaximum, multipleOf, format (ajv-formats' full
 * formats), items (one schema or a tuple), minItems/maxItems, uniqueItems, if/then/else, allOf,
 * anyOf, oneOf, not and local $ref. A schema using another validation keyword is refused at
 * compile rather than half-checked (annotation and unknown keywords are ignored, as with
 * strict: false). web/src/forms/validator.test.ts compares it with real Ajv on every sample form.
 */
import type { ErrorObject } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

type Schema = Record<string, unknown> | boolean;
type Json = unknown;

export interface ValidateFunction {
  (data: Json): boolean;
  errors?: ErrorObject[] | null;
  schema: Schema;
}

const unsupported = [
  'patternProperties', 'propertyNames', 'dependencies', 'dependentRequired', 'dependentSchemas', 'contains', 'minContains', 'maxContains',
  'additionalItems', 'prefixItems', 'unevaluatedProperties', 'unevaluatedItems', 'minProperties', 'maxProperties', '$dynamicRef', '$recursiveRef',
];

const limitNumber: Record<string, { ok: string; fails: (d: number, l: number) => boolean }> = {
  maximum: { ok: '<=', fails: (d, l) => !(d <= l) },
  minimum: { ok: '>=', fails: (d, l) => !(d >= l) },
  exclusiveMaximum: { ok: '<', fails: (d, l) => !(d < l) },
  exclusiveMinimum: { ok: '>', fails: (d, l) => !(d > l) },
};

const escapePointer = (s: string | number) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

/** Length in Unicode code points, as Ajv counts it. */
function ucs2length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function isObject(d: Json): d is Record<string, Json> {
  return !!d && typeof d === 'object' && !Array.isArray(d);
}

function hasType(t: string, d: Json): boolean {
  switch (t) {
    case 'null': return d === null;
    case 'boolean': return typeof d === 'boolean';
    case 'number': return typeof d === 'number';
    case 'integer': return typeof d === 'number' && !(d % 1) && !Number.isNaN(d);
    case 'string': return typeof d === 'string';
    case 'array': return Array.isArray(d);
    case 'object': return isObject(d);
    default: return false;
  }
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) {
      const bb = b as Json[];
      return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
    }
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, Json>)[k], (b as Record<string, Json>)[k]));
  }
  return a !== a && b !== b; // NaN
}

const patterns = new Map<string, RegExp>();
function pattern(p: string): RegExp {
  let re = patterns.get(p);
  if (!re) patterns.set(p, (re = new RegExp(p, 'u')));
  return re;
}

function checkFormat(name: string, s: string): boolean | undefined {
  const f = (fullFormats as Record<string, unknown>)[name];
  if (f === undefined) return undefined; // unknown formats are ignored, as with strict: false
  const v = f instanceof RegExp || typeof f === 'function' ? f : (f as { validate: unknown }).validate;
  if (v instanceof RegExp) return v.test(s);
  if (typeof v === 'function') return (v as (s: string) => boolean)(s);
  return undefined;
}

class Walker {
  errors: ErrorObject[] = [];
  constructor(private root: Schema) {}

  private err(keyword: string, instancePath: string, schemaPath: string, params: Record<string, unknown>, message: string, schema: unknown, parentSchema: Record<string, unknown>, data: Json): void {
    this.errors.push({ instancePath, schemaPath, keyword, params, message, schema, parentSchema, data } as ErrorObject);
  }

  private resolve(ref: string): { schema: Schema; path: string } {
    if (!ref.startsWith('#')) throw new Error(`only local $ref is supported: ${ref}`);
    let s: unknown = this.root;
    for (const part of ref.slice(1).split('/').filter(Boolean)) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      s = s && typeof s === 'object' ? (s as Record<string, unknown>)[key] : undefined;
    }
    if (s === undefined) throw new Error(`can't resolve reference ${ref}`);
    return { schema: s as Schema, path: ref };
  }

  /** Validates data against a schema; returns whether it is valid, adding errors. */
  run(schema: Schema, data: Json, ip: string, sp: string): boolean {
    if (schema === true) return true;
    if (schema === false) {
      this.err('false schema', ip, sp, {}, 'boolean schema is false', false, false as never, data);
      return false;
    }
    const before = this.errors.length;
    const s = schema;
    if (typeof s.$ref === 'string') {
      const r = this.resolve(s.$ref);
      this.run(r.schema, data, ip, r.path);
      return this.errors.length === before;
    }
    const types = s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (types.length && !types.some((t) => hasType(t, data))) {
      this.err('type', ip, `${sp}/type`, { type: s.type }, `must be ${types.join(',')}`, s.type, s, data);
    }
    // Keywords for any type.
    if ('const' in s && !deepEqual(data, s.const)) this.err('const', ip, `${sp}/const`, { allowedValue: s.const }, 'must be equal to constant', s.const, s, data);
    if (Array.isArray(s.enum) && !s.enum.some((v) => deepEqual(data, v))) this.err('enum', ip, `${sp}/enum`, { allowedValues: s.enum }, 'must be equal to one of the allowed values', s.enum, s, data);
    if (s.not !== undefined) {
      const w = new Walker(this.root);
      if (w.run(s.not as Schema, data, ip, `${sp}/not`)) this.err('not', ip, `${sp}/not`, {}, 'must NOT be valid', s.not, s, data);
    }
    if (Array.isArray(s.anyOf)) {
      const mark = this.errors.length;
      let ok = false;
      s.anyOf.forEach((sub, i) => { if (this.run(sub as Schema, data, ip, `${sp}/anyOf/${i}`)) ok = true; });
      if (ok) this.errors.length = mark;
      else this.err('anyOf', ip, `${sp}/anyOf`, {}, 'must match a schema in anyOf', s.anyOf, s, data);
    }
    if (Array.isArray(s.oneOf)) {
      const mark = this.errors.length;
      let passing: number | number[] | null = null;
      for (let i = 0; i < s.oneOf.length; i++) {
        if (this.run(s.oneOf[i] as Schema, data, ip, `${sp}/oneOf/${i}`)) {
          if (typeof passing === 'number') { passing = [passing, i]; break; }
          passing = i;
        }
      }
      if (typeof passing === 'number') this.errors.length = mark;
      else this.err('oneOf', ip, `${sp}/oneOf`, { passingSchemas: passing }, 'must match exactly one schema in oneOf', s.oneOf, s, data);
    }
    if (Array.isArray(s.allOf)) s.allOf.forEach((sub, i) => this.run(sub as Schema, data, ip, `${sp}/allOf/${i}`));
    if (s.if !== undefined && (s.then !== undefined || s.else !== undefined)) {
      const matches = new Walker(this.root).run(s.if as Schema, data, ip, `${sp}/if`);
      const clause = matches ? 'then' : 'else';
      if (s[clause] !== undefined && !this.run(s[clause] as Schema, data, ip, `${sp}/${clause}`)) {
        this.err('if', ip, `${sp}/if`, { failingKeyword: clause }, `must match "${clause}" schema`, s.if, s, data);
      }
    }
    if (typeof data === 'number') {
      for (const k of Object.keys(limitNumber)) {
        const l = s[k];
        if (typeof l === 'number' && limitNumber[k].fails(data, l)) this.err(k, ip, `${sp}/${k}`, { comparison: limitNumber[k].ok, limit: l }, `must be ${limitNumber[k].ok} ${l}`, l, s, data);
      }
      if (typeof s.multipleOf === 'number') {
        const q = data / s.multipleOf;
        if (q !== Math.floor(q) || !Number.isFinite(q)) this.err('multipleOf', ip, `${sp}/multipleOf`, { multipleOf: s.multipleOf }, `must be multiple of ${s.multipleOf}`, s.multipleOf, s, data);
      }
    }
    if (typeof data === 'string') {
      const len = typeof s.maxLength === 'number' || typeof s.minLength === 'number' ? ucs2length(data) : 0;
      if (typeof s.maxLength === 'number' && len > s.maxLength) this.err('maxLength', ip, `${sp}/maxLength`, { limit: s.maxLength }, `must NOT have more than ${s.maxLength} characters`, s.maxLength, s, data);
      if (typeof s.minLength === 'number' && len < s.minLength) this.err('minLength', ip, `${sp}/minLength`, { limit: s.minLength }, `must NOT have fewer than ${s.minLength} characters`, s.minLength, s, data);
      if (typeof s.pattern === 'string' && !pattern(s.pattern).test(data)) this.err('pattern', ip, `${sp}/pattern`, { pattern: s.pattern }, `must match pattern "${s.pattern}"`, s.pattern, s, data);
      if (typeof s.format === 'string' && checkFormat(s.format, data) === false) this.err('format', ip, `${sp}/format`, { format: s.format }, `must match format "${s.format}"`, s.format, s, data);
    }
    if (Array.isArray(data)) {
      if (typeof s.maxItems === 'number' && data.length > s.maxItems) this.err('maxItems', ip, `${sp}/maxItems`, { limit: s.maxItems }, `must NOT have more than ${s.maxItems} items`, s.maxItems, s, data);
      if (typeof s.minItems === 'number' && data.length < s.minItems) this.err('minItems', ip, `${sp}/minItems`, { limit: s.minItems }, `must NOT have fewer than ${s.minItems} items`, s.minItems, s, data);
      if (s.uniqueItems === true) this.uniqueItems(s, data, ip, sp);
      if (Array.isArray(s.items)) {
        s.items.forEach((sub, i) => { if (i < data.length) this.run(sub as Schema, data[i], `${ip}/${i}`, `${sp}/items/${i}`); });
      } else if (s.items !== undefined) {
        data.forEach((item, i) => this.run(s.items as Schema, item, `${ip}/${i}`, `${sp}/items`));
      }
    }
    if (isObject(data)) {
      if (Array.isArray(s.required)) {
        for (const p of s.required as string[]) {
          if (data[p] === undefined) this.err('required', ip, `${sp}/required`, { missingProperty: p }, `must have required property '${p}'`, s.required, s, data);
        }
      }
      const props = isObject(s.properties) ? (s.properties as Record<string, Schema>) : {};
      if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
        for (const key in data) {
          if (Object.prototype.hasOwnProperty.call(props, key)) continue;
          if (s.additionalProperties === false) {
            this.err('additionalProperties', ip, `${sp}/additionalProperties`, { additionalProperty: key }, 'must NOT have additional properties', false, s, data);
          } else {
            this.run(s.additionalProperties as Schema, data[key], `${ip}/${escapePointer(key)}`, `${sp}/additionalProperties`);
          }
        }
      }
      for (const [key, sub] of Object.entries(props)) {
        if (data[key] !== undefined) this.run(sub, data[key], `${ip}/${escapePointer(key)}`, `${sp}/properties/${escapePointer(key)}`);
      }
    }
    return this.errors.length === before;
  }

  /** Ajv's two ways of finding a duplicate, with its i and j, so the message names the same items. */
  private uniqueItems(s: Record<string, unknown>, data: Json[], ip: string, sp: string): void {
    const itemTypes = isObject(s.items) && s.items.type !== undefined ? (Array.isArray(s.items.type) ? (s.items.type as string[]) : [s.items.type as string]) : [];
    const report = (i: number, j: number) => this.err('uniqueItems', ip, `${sp}/uniqueItems`, { i, j }, `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, true, s, data);
    if (itemTypes.length > 0 && !itemTypes.some((t) => t === 'object' || t === 'array')) {
      const indices = new Map<string, number>();
      for (let i = data.length - 1; i >= 0; i--) {
        const item = data[i];
        if (!itemTypes.some((t) => hasType(t, item))) continue;
        const key = String(item) + (itemTypes.length > 1 && typeof item === 'string' ? '_' : '');
        const j = indices.get(key);
        if (j !== undefined) return report(i, j);
        indices.set(key, i);
      }
      return;
    }
    for (let i = data.length - 1; i > 0; i--) {
      for (let j = i - 1; j >= 0; j--) if (deepEqual(data[i], data[j])) return report(i, j);
    }
  }
}

function checkSupported(schema: unknown, path: string): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) return schema.forEach((s, i) => checkSupported(s, `${path}/${i}`));
  for (const [k, v] of Object.entries(schema)) {
    if (unsupported.includes(k)) throw new Error(`form validator: keyword "${k}" at ${path} is not supported`);
    if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue;
    if (k === 'properties' || k === 'definitions' || k === '$defs') {
      for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) checkSupported(pv, `${path}/${k}/${pk}`);
    } else if (v && typeof v === 'object') checkSupported(v, `${path}/${k}`);
  }
}

/** Compiles (checks) a schema into a validating function with Ajv's `errors` convention. */
export function compile(schema: Schema): ValidateFunction {
  checkSupported(schema, '#');
  const fn = ((data: Json) => {
    const w = new Walker(schema);
    const valid = w.run(schema, data, '', '#');
    fn.errors = valid ? null : w.errors;
    return valid;
  }) as ValidateFunction;
  fn.schema = schema;
  fn.errors = null;
  return fn;
}

/**
 * The object given to JSON Forms as its `ajv`. `validate` keeps the last call's errors on
 * `errors`, as Ajv does.
 */
export class FormValidator {
  errors: ErrorObject[] | null = null;
  private cache = new WeakMap<object, ValidateFunction>();

  compile = (schema: Schema): ValidateFunction => {
    if (typeof schema !== 'object') return compile(schema);
    let fn = this.cache.get(schema);
    if (!fn) this.cache.set(schema, (fn = compile(schema)));
    return fn;
  };

  validate = (schema: Schema, data: Json): boolean => {
    const fn = this.compile(schema);
    const valid = fn(data);
    this.errors = fn.errors ?? null;
    return valid;
  };

  errorsText(errors: ErrorObject[] | null | undefined = this.errors): string {
    return errors?.length ? errors.map((e) => `data${e.instancePath} ${e.message}`).join(', ') : 'No errors';
  }
}
