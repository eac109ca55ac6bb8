/**
 * Application forms. Each form version is a JSON Schema, a JSON Forms UI schema and an example;
 * the repo keeps the sample ones as one folder per form and version under forms/, and the
 * database keeps every form version that entries reference (immutable once stored). The server
 * validates with the same ajv options JSON Forms' createAjv uses (allErrors, strict off,
 * formats), so the server accepts exactly what the form accepts.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db';
import { notFound, type FieldProblem } from './errors';

export const formsRoot = path.resolve(__dirname, '..', 'forms');

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, addUsedSchema: false });
  addFormats(ajv);
  return ajv;
}

export interface FormRef {
  key: string;
  version: number;
}

export interface FormContent {
  schema: Record<string, unknown>;
  uischema: Record<string, unknown>;
  example: Record<string, unknown>;
}

export interface LoadedForm extends FormRef, FormContent {
  validate: ValidateFunction;
}

const ajv = createAjv();
const compiled = new Map<string, LoadedForm>();

/** Reads one form folder of the repo (forms/<key>/<version>/). */
export function readFormFolder(ref: FormRef): FormContent {
  const dir = path.join(formsRoot, ref.key, String(ref.version));
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
  return { schema: read('schema.json'), uischema: read('uischema.json'), example: read('example.json') };
}

/** Every form folder in the repo. */
export function listFormFolders(): FormRef[] {
  return fs.readdirSync(formsRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(formsRoot, d.name))
      .filter((v) => /^[0-9]+$/.test(v))
      .map((v) => ({ key: d.name, version: Number(v) })));
}

/** A stored form version, compiled once per process (stored versions never change). */
export async function getForm(db: Db, ref: FormRef): Promise<LoadedForm> {
  const id = `${ref.key}@${ref.version}`;
  const hit = compiled.get(id);
  if (hit) return hit;
  const row = await db('forms').where({ key: ref.key, version: ref.version }).first<FormContent | undefined>('schema', 'uischema', 'example');
  if (!row) throw notFound(`form ${id}`);
  const form: LoadedForm = { ...ref, ...row, validate: ajv.compile(row.schema) };
  compiled.set(id, form);
  return form;
}

/** ajv errors as field problems with JSON Pointers under `prefix`. */
export function toFieldProblems(errors: ErrorObject[] | null | undefined, prefix = ''): FieldProblem[] {
  return (errors ?? []).map((e) => {
    let pointer = `${prefix}${e.instancePath}`;
    if (e.keyword === 'required') pointer += `/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') pointer += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
    return { pointer: pointer || '/', detail: e.message ?? e.keyword };
  });
}

/**
 * Checks a form version before it is stored: the schema compiles, every UI-schema scope
 * points at a property of the schema, and the example is valid.
 */
export function checkForm(form: FormContent, prefix = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let validate: ValidateFunction;
  try {
    validate = createAjv().compile(form.schema);
  } catch (err) {
    return [{ pointer: `${prefix}/schema`, detail: `the schema does not compile: ${(err as Error).message}` }];
  }
  if (form.schema.type !== 'object') problems.push({ pointer: `${prefix}/schema/type`, detail: 'a form schema describes an object' });
  walkUi(form.uischema, `${prefix}/uischema`, form.schema, problems);
  if (!validate(form.example)) problems.push(...toFieldProblems(validate.errors, `${prefix}/example`));
  return problems;
}

function walkUi(node: unknown, pointer: string, schema: Record<string, unknown>, problems: FieldProblem[]): void {
  if (!node || typeof node !== 'object') {
    problems.push({ pointer, detail: 'a UI-schema element is an object' });
    return;
  }
  const el = node as { type?: unknown; scope?: unknown; elements?: unknown };
  if (typeof el.type !== 'string') problems.push({ pointer: `${pointer}/type`, detail: 'a UI-schema element has a type' });
  if (el.type === 'Control') {
    if (typeof el.scope !== 'string') problems.push({ pointer: `${pointer}/scope`, detail: 'a Control has a scope' });
    else if (!resolveScope(schema, el.scope)) problems.push({ pointer: `${pointer}/scope`, detail: `scope "${el.scope}" points nowhere in the schema` });
  }
  if (el.elements !== undefined) {
    if (!Array.isArray(el.elements)) problems.push({ pointer: `${pointer}/elements`, detail: 'elements is an array' });
    else el.elements.forEach((child, i) => walkUi(child, `${pointer}/elements/${i}`, schema, problems));
  }
}

/** Resolves a JSON Forms scope such as "#/properties/a/properties/b" in the schema. */
export function resolveScope(schema: Record<string, unknown>, scope: string): unknown {
  if (!scope.startsWith('#/')) return undefined;
  let cur: unknown = schema;
  for (const raw of scope.slice(2).split('/')) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!cur || typeof cur !== 'object' || !(seg in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
