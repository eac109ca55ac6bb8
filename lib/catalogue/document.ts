/**
 * The exchange document of one implementation entry: item, entry, and the form it references,
 * as one JSON document for export and import. Validation lists every problem at once.
 */
import type { FieldProblem } from '../errors';
import { checkForm, createAjv, toFieldProblems, type FormContent, type FormRef } from '../forms';
import { diffJson } from './diff';
import { checkImplementationCode, checkItemCode, itemTypeNames } from './codes';
import { validateEntry, type EntryContext } from './validate-entry';

export const documentFormat = 'onewindow.implementation/1';

export interface ItemInfo {
  code: string;
  name: string;
  type: string;
  legalBasis: string;
}

export interface ImplementationInfo {
  code: string;
  name: string;
  department: string;
}

export interface ImplementationDocument {
  format: typeof documentFormat;
  item: ItemInfo;
  implementation: ImplementationInfo;
  entry: Record<string, unknown> & { form: FormRef };
  /** The form: a reference, with its content when exported (and optionally on import). */
  form: FormRef & Partial<FormContent>;
  /** Informational on export: the version exported. Ignored on import. */
  version?: number;
}

const envelope = createAjv().compile({
  type: 'object',
  additionalProperties: false,
  required: ['format', 'item', 'implementation', 'entry', 'form'],
  properties: {
    format: { const: documentFormat },
    version: { type: 'integer', minimum: 1 },
    item: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'name', 'type', 'legalBasis'],
      properties: {
        code: { type: 'string', maxLength: 64 },
        name: { type: 'string', minLength: 2, maxLength: 200 },
        type: { enum: itemTypeNames },
        legalBasis: { type: 'string', minLength: 1, maxLength: 4000 },
      },
    },
    implementation: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'name', 'department'],
      properties: {
        code: { type: 'string', maxLength: 64 },
        name: { type: 'string', minLength: 2, maxLength: 200 },
        department: { type: 'string', minLength: 1, maxLength: 32 },
      },
    },
    entry: { type: 'object' },
    form: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'version'],
      properties: {
        key: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 },
        version: { type: 'integer', minimum: 1 },
        schema: { type: 'object' },
        uischema: { type: 'object' },
        example: { type: 'object' },
      },
    },
  },
});

export interface DocumentContext extends Omit<EntryContext, 'formSchema'> {
  /** Looks up a stored form's schema; undefined when the form is not stored. */
  storedFormSchema(ref: FormRef): Promise<Record<string, unknown> | undefined>;
}

/** Validates a whole document; returns every problem with its JSON Pointer. */
export async function validateDocument(doc: unknown, ctx: DocumentContext): Promise<FieldProblem[]> {
  if (!envelope(doc)) return toFieldProblems(envelope.errors);
  const d = doc as ImplementationDocument;
  const problems: FieldProblem[] = [
    ...checkItemCode(d.item.code, d.item.type, '/item/code'),
    ...checkImplementationCode(d.implementation.code, d.item.code, d.implementation.department, '/implementation/code'),
  ];
  if (!ctx.departments.has(d.implementation.department)) problems.push({ pointer: '/implementation/department', detail: `department "${d.implementation.department}" does not exist` });

  const entryForm = d.entry.form as FormRef | undefined;
  if (entryForm && (entryForm.key !== d.form.key || entryForm.version !== d.form.version)) {
    problems.push({ pointer: '/entry/form', detail: `the entry references form ${entryForm.key}@${entryForm.version} but the document carries ${d.form.key}@${d.form.version}` });
  }

  let formSchema: Record<string, unknown> | undefined;
  const content = [d.form.schema, d.form.uischema, d.form.example];
  if (content.some((c) => c !== undefined)) {
    if (content.some((c) => c === undefined)) {
      problems.push({ pointer: '/form', detail: 'a form with content carries schema, uischema and example together' });
    } else {
      const formProblems = checkForm(d.form as FormContent, '/form');
      problems.push(...formProblems);
      if (!formProblems.some((p) => p.pointer.startsWith('/form/schema'))) formSchema = d.form.schema;
      const stored = await ctx.storedFormSchema(d.form);
      if (stored && diffJson(stored, d.form.schema).length > 0) {
        problems.push({ pointer: '/form/schema', detail: `form ${d.form.key}@${d.form.version} is already stored with a different schema; give the new form a new version` });
      }
    }
  } else {
    formSchema = await ctx.storedFormSchema(d.form);
    if (!formSchema) problems.push({ pointer: '/form', detail: `form ${d.form.key}@${d.form.version} is not stored; include its schema, uischema and example` });
  }

  problems.push(...validateEntry(d.entry, { ...ctx, formSchema: formSchema }, '/entry'));
  return problems;
}
