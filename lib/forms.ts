/**
 * Application forms: one folder per form and version under forms/ (schema.json, uischema.json,
 * example.json). The server validates with the same ajv options JSON Forms' createAjv uses
 * (allErrors, strict off, formats), so the server accepts exactly what the form accepts.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import type { FieldProblem } from './errors';

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

export interface LoadedForm extends FormRef {
  schema: Record<string, unknown>;
  uischema: Record<string, unknown>;
  example: Record<string, unknown>;
  validate: ValidateFunction;
}

const ajv = createAjv();
const cache = new Map<string, LoadedForm>();

/** Loads and compiles a form; throws if the folder or a file is missing or the schema is invalid. */
export function loadForm(ref: FormRef): LoadedForm {
  const id = `${ref.key}@${ref.version}`;
  const hit = cache.get(id);
  if (hit) return hit;
  if (!/^[a-z0-9-]+$/.test(ref.key) || !Number.isInteger(ref.version) || ref.version < 1) {
    throw new Error(`bad form reference ${id}`);
  }
  const dir = path.join(formsRoot, ref.key, String(ref.version));
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
  const schema = read('schema.json');
  const form: LoadedForm = { ...ref, schema, uischema: read('uischema.json'), example: read('example.json'), validate: ajv.compile(schema) };
  cache.set(id, form);
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
