/// <reference types="node" />
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { listFormFolders, readFormFolder } from '../../../lib/forms';
import { validationMessage } from './messages';
import { compile, FormValidator } from './validator';

/** Real Ajv with JSON Forms' createAjv options (the server's too). */
function realAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, addUsedSchema: false });
  addFormats(ajv);
  return ajv;
}

type Json = unknown;
const clone = <T>(x: T): T => (x === undefined ? x : JSON.parse(JSON.stringify(x)) as T);

/** Ajv's errors and ours, as sorted lists of whole error objects (order is not Ajv's contract). */
function sameErrors(schema: Record<string, unknown>, data: Json, ajv: Ajv, label: string): { valid: boolean; keywords: string[] } {
  const theirs = ajv.compile(schema);
  const ours = compile(schema);
  const validTheirs = theirs(data);
  const validOurs = ours(data);
  expect(validOurs, `${label}: validity`).to.equal(validTheirs);
  const norm = (errs: unknown[] | null | undefined) => (errs ?? []).map((e) => JSON.stringify(e)).sort();
  expect(norm(ours.errors), label).to.deep.equal(norm(theirs.errors));
  return { valid: validTheirs, keywords: (theirs.errors ?? []).map((e) => e.keyword) };
}

/** Every path in a value (objects and arrays, recursively), as key lists. */
function pathsOf(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([...prefix, i]); out.push(...pathsOf(x, [...prefix, i])); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([...prefix, k]); out.push(...pathsOf(x, [...prefix, k])); }
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json): Json {
  const copy = clone(root) as Record<string | number, Json>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value === undefined && !Array.isArray(o)) delete o[last];
  else o[last] = value;
  return copy;
}

const replacements = (current: Json): Json[] => [
  undefined, null, 0, -1, 1.5, 1e12, true, '', 'x', '中'.repeat(300), '😀😀', '2024-02-30', '2024-02-28', 'abc-2024', [], {}, { extra: 1 },
  ...(Array.isArray(current) ? [[...current, ...current], Array.from({ length: 60 }, () => current[0]), current.slice(1)] : []),
  ...(typeof current === 'string' ? [current.slice(1), `${current}!`, current.toUpperCase()] : []),
  ...(typeof current === 'number' ? [current + 0.5, -current, current * 1000] : []),
];

/** Every enum value of every property schema, so if/then branches are taken both ways. */
function enumValues(schema: Json, prefix: string[] = []): [string[], Json][] {
  const out: [string[], Json][] = [];
  const s = schema as Record<string, unknown>;
  if (!s || typeof s !== 'object') return out;
  for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const v of (sub.enum as Json[] | undefined) ?? []) out.push([[...prefix, k], v]);
    if (sub.items && Array.isArray((sub.items as Record<string, unknown>).enum)) for (const v of (sub.items as Record<string, Json[]>).enum) out.push([[...prefix, k], [v]]);
    out.push(...enumValues(sub, [...prefix, k]));
  }
  return out;
}

/** Rule condition schemas of a UI schema with the scopes they test. */
function ruleConditions(ui: Json): { scope: string; schema: Record<string, unknown> }[] {
  const out: { scope: string; schema: Record<string, unknown> }[] = [];
  const walk = (n: Json) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    const c = (o.rule as { condition?: { scope?: string; schema?: Record<string, unknown> } } | undefined)?.condition;
    if (c?.schema) out.push({ scope: c.scope ?? '#', schema: c.schema });
    Object.values(o).forEach(walk);
  };
  walk(ui);
  return out;
}

describe('form validator without code generation (strict CSP)', () => {
  const forms = listFormFolders();

  it('when every sample form is checked with its example and hundreds of changed copies, then it gives exactly Ajv\'s validity and errors', () => {
    const ajv = realAjv();
    const seen = new Set<string>();
    let cases = 0;
    let invalid = 0;
    expect(forms.length, 'sample forms found').to.be.greaterThan(5);
    for (const ref of forms) {
      const { schema, example } = readFormFolder(ref);
      const id = `${ref.key}@${ref.version}`;
      const check = (data: Json, label: string) => {
        const r = sameErrors(schema, data, ajv, `${id} ${label}`);
        cases++;
        if (!r.valid) invalid++;
        r.keywords.forEach((k) => seen.add(k));
        return r.valid;
      };
      expect(check(example, 'example'), `${id}: its example is valid`).to.equal(true);
      check({}, 'empty');
      check(null, 'null');
      check([], 'array');
      check({ ...example, notInForm: 'x' }, 'extra property');
      for (const path of pathsOf(example)) {
        const current = path.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], example);
        for (const v of replacements(current)) check(setAt(example, path, v), `${path.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`);
      }
      const props = (schema.properties ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(props).filter((p) => !(p in example))) {
        for (const v of replacements(undefined)) check(setAt(example, [k], v), `absent ${k} = ${JSON.stringify(v)?.slice(0, 40)}`);
      }
      for (const [path, v] of enumValues(schema)) {
        if (path.length === 1 || path.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json> | undefined)?.[k], example) !== undefined) {
          check(setAt(example, path, v), `enum ${path.join('.')} = ${JSON.stringify(v)}`);
        }
      }
    }
    // The cases really reached every keyword the forms use.
    expect([...seen]).to.include.members(['type', 'required', 'additionalProperties', 'minLength', 'maxLength', 'pattern', 'enum', 'format', 'if', 'minimum', 'maximum', 'minItems', 'maxItems', 'uniqueItems']);
    expect(invalid, 'most changed copies are invalid').to.be.greaterThan(cases / 2);
  });

  it('when the UI schemas\' rule conditions are evaluated through validate, then each gives Ajv\'s answer', () => {
    const ajv = realAjv();
    const ours = new FormValidator();
    let n = 0;
    for (const ref of forms) {
      const { uischema, example } = readFormFolder(ref);
      for (const { scope, schema } of ruleConditions(uischema)) {
        const path = scope.replace(/^#\/?/, '').split('/').filter((p) => p && p !== 'properties');
        const value = path.reduce<Json>((o, k) => (o as Record<string, Json> | undefined)?.[k], example);
        const values = [value, undefined, null, '', 'x', 0, true, [], ...(((schema.enum ?? []) as Json[])), ...('const' in schema ? [schema.const] : [])];
        for (const v of values) {
          expect(ours.validate(schema, v), `${ref.key} rule ${scope} with ${JSON.stringify(v)}`).to.equal(ajv.validate(schema, v));
          n++;
        }
      }
    }
    expect(n, 'some forms have rules').to.be.greaterThan(0);
  });

  it('when a schema uses the other keywords it supports, then it still matches Ajv', () => {
    const ajv = realAjv();
    const schema = {
      definitions: { code: { type: 'string', pattern: '^[A-Z]{2}$' } },
      type: 'object',
      properties: {
        code: { $ref: '#/definitions/code' },
        amount: { type: 'number', multipleOf: 0.5, exclusiveMaximum: 100, exclusiveMinimum: 0 },
        choice: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 3 }] },
        exactly: { oneOf: [{ type: 'number' }, { type: 'integer' }] },
        notNull: { not: { type: 'null' } },
        both: { allOf: [{ type: 'string' }, { maxLength: 2 }] },
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] },
        objs: { type: 'array', uniqueItems: true, items: { type: 'object' } },
        nums: { type: ['string', 'null'], format: 'email' },
        kind: { type: 'string' },
        open: { type: 'object', additionalProperties: { type: 'integer' } },
      },
      if: { properties: { kind: { const: 'a' } } },
      then: { required: ['code'] },
      else: { required: ['amount'] },
    };
    const samples: Json[] = [
      {}, { kind: 'a' }, { kind: 'b', amount: 3 }, { code: 'ab', amount: 0.3 }, { amount: 100 }, { amount: 0 }, { amount: 99.5, code: 'AB', kind: 'a' },
      { choice: 1.5 }, { choice: 'ab' }, { choice: 7 }, { exactly: 3 }, { exactly: 3.5 }, { exactly: 'x' }, { notNull: null }, { both: 'abc' }, { both: 3 },
      { pair: ['a', 'b'] }, { pair: [1, 2, 3] }, { objs: [{ a: 1 }, { a: 1 }] }, { objs: [{ a: 1 }, { a: 2 }] }, { nums: 'no' }, { nums: 'a@b.cn' }, { nums: null }, { nums: 4 },
      { open: { x: 1, y: 'z' } }, { open: { 'a/b~c': 'q' } },
    ];
    for (const d of samples) sameErrors(schema, d, ajv, JSON.stringify(d));
  });

  it('when a schema uses a keyword it does not support, then compile refuses it instead of accepting anything', () => {
    expect(() => compile({ type: 'object', properties: { a: { type: 'object', patternProperties: { '^x': { type: 'string' } } } } })).to.throw(/patternProperties/);
    expect(() => compile({ type: 'array', contains: { const: 1 } })).to.throw(/contains/);
    expect(() => compile({ type: 'object', properties: { patternProperties: { type: 'string' } } }), 'a field named like a keyword is fine').not.to.throw();
  });

  it('when a form is filled wrongly, then every error it gives has a Chinese message', () => {
    for (const ref of forms) {
      const { schema, example } = readFormFolder(ref);
      const fn = compile(schema);
      const bad = Object.fromEntries(Object.entries(example).map(([k, v]) => [k, typeof v === 'string' ? '😀' : typeof v === 'number' ? -1e9 : Array.isArray(v) ? [] : v]));
      for (const data of [{}, bad]) {
        fn(data);
        for (const e of fn.errors ?? []) {
          const zh = validationMessage(e.message ?? e.keyword, 'zh');
          expect(zh, `${ref.key}: ${e.message}`).not.to.match(/[A-Za-z]{3,}/);
        }
      }
    }
  });
});
