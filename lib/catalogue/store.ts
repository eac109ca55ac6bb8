/**
 * Catalogue persistence: plain functions over knex, shared by the API's use cases and the
 * change-review activities. Writes that belong together run in one transaction.
 */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { AppError, conflict, notFound, validationFailed, type FieldProblem } from '../errors';
import type { FormContent, FormRef } from '../forms';
import { documentFormat, validateDocument, type DocumentContext, type ImplementationDocument } from './document';
import { validateEntry } from './validate-entry';

type Q = Db | Knex.Transaction;

export interface VersionRow {
  implementation_code: string;
  version: number;
  state: string;
  entry: ImplementationDocument['entry'];
  created_at: Date;
  published_at: Date | null;
  created_by: string | null;
  change_id: string | null;
}

/** What semantic validation looks things up in, read fresh from the database. */
export async function loadContext(db: Q): Promise<DocumentContext> {
  const [departments, roles] = await Promise.all([db('departments').pluck('code'), db('roles').pluck('code')]);
  return {
    departments: new Set(departments as string[]),
    roles: new Set(roles as string[]),
    storedFormSchema: async (ref: FormRef) => {
      const row = await db('forms').where({ key: ref.key, version: ref.version }).first<{ schema: Record<string, unknown> } | undefined>('schema');
      return row?.schema;
    },
  };
}

async function storeForm(trx: Q, ref: FormRef, content: FormContent): Promise<void> {
  await trx('forms')
    .insert({ key: ref.key, version: ref.version, schema: JSON.stringify(content.schema), uischema: JSON.stringify(content.uischema), example: JSON.stringify(content.example) })
    .onConflict(['key', 'version'])
    .ignore();
}

/**
 * Imports a document as a draft version of its entry (creating the item and the entry when new).
 * Every problem is reported at once; nothing is written unless the whole document is valid.
 */
export async function importDraft(db: Db, doc: unknown, by: string): Promise<{ code: string; version: number }> {
  const problems = await validateDocument(doc, await loadContext(db));
  if (problems.length) throw validationFailed(problems);
  const d = doc as ImplementationDocument;
  return db.transaction(async (trx) => {
    const item = await trx('service_items').where({ code: d.item.code }).first<{ name: string; type: string; legal_basis: string } | undefined>();
    if (!item) {
      await trx('service_items').insert({ code: d.item.code, name: d.item.name, type: d.item.type, legal_basis: d.item.legalBasis });
    } else if (item.name !== d.item.name || item.type !== d.item.type || item.legal_basis !== d.item.legalBasis) {
      throw conflict('item-differs', `item ${d.item.code} exists with another name, type or legal basis; the catalogue item itself is not changed by importing an entry`);
    }
    const impl = await trx('implementations').where({ code: d.implementation.code }).first<{ department_code: string; name: string } | undefined>();
    if (!impl) {
      await trx('implementations').insert({ code: d.implementation.code, item_code: d.item.code, department_code: d.implementation.department, name: d.implementation.name });
    } else if (impl.department_code !== d.implementation.department) {
      throw conflict('department-differs', `entry ${d.implementation.code} belongs to ${impl.department_code}; moving it is a delegate-down change`);
    }
    if (d.form.schema && d.form.uischema && d.form.example) await storeForm(trx, d.form, d.form as FormContent);
    return saveDraft(trx, d.implementation.code, d.entry, by);
  });
}

/** Writes the entry into the open draft, or opens a new draft version after the newest one. */
async function saveDraft(trx: Q, code: string, entry: unknown, by: string): Promise<{ code: string; version: number }> {
  const open = await trx('implementation_versions').where({ implementation_code: code }).whereIn('state', ['draft', 'in_review']).first<VersionRow | undefined>();
  if (open?.state === 'in_review') throw conflict('version-in-review', `version ${open.version} of ${code} is in review; wait for the review to end`);
  if (open) {
    await trx('implementation_versions').where({ implementation_code: code, version: open.version }).update({ entry: JSON.stringify(entry), created_by: by });
    return { code, version: open.version };
  }
  const max = await trx('implementation_versions').where({ implementation_code: code }).max<{ max: number | null }>('version as max').first();
  const version = (max?.max ?? 0) + 1;
  await trx('implementation_versions').insert({ implementation_code: code, version, state: 'draft', entry: JSON.stringify(entry), created_by: by });
  return { code, version };
}

/** Opens a draft copied from the current published version. */
export async function draftFromCurrent(db: Db, code: string, by: string): Promise<{ code: string; version: number }> {
  return db.transaction(async (trx) => {
    const current = await currentVersion(trx, code);
    if (!current) throw notFound(`a published version of ${code}`);
    const open = await trx('implementation_versions').where({ implementation_code: code }).whereIn('state', ['draft', 'in_review']).first<VersionRow | undefined>();
    if (open) throw conflict('draft-exists', `${code} already has version ${open.version} as ${open.state}`);
    return saveDraft(trx, code, current.entry, by);
  });
}

/** Replaces a draft's entry after validating it; a non-draft version is refused. */
export async function updateDraft(db: Db, code: string, version: number, entry: unknown, by: string): Promise<void> {
  const row = await getVersion(db, code, version);
  if (row.state !== 'draft') throw conflict('not-a-draft', `version ${version} of ${code} is ${row.state}; only a draft can be edited`);
  const problems = await checkEntry(db, entry);
  if (problems.length) throw validationFailed(problems);
  await db('implementation_versions').where({ implementation_code: code, version, state: 'draft' }).update({ entry: JSON.stringify(entry), created_by: by });
}

/** Every problem of an entry, as saving it as a draft would report them (pointers relative to the entry); nothing is written. */
export async function checkEntry(db: Q, entry: unknown): Promise<FieldProblem[]> {
  const ctx = await loadContext(db);
  const formRef = (entry as { form?: FormRef } | null)?.form;
  const formSchema = formRef && typeof formRef === 'object' ? await ctx.storedFormSchema(formRef) : undefined;
  const problems = validateEntry(entry, { ...ctx, formSchema: formSchema });
  if (formRef && typeof formRef === 'object' && !formSchema && !problems.some((p) => p.pointer.startsWith('/form'))) {
    problems.push({ pointer: '/form', detail: `form ${formRef.key}@${formRef.version} is not stored` });
  }
  return problems;
}

/** Discards a draft; any other version is kept forever. */
export async function discardDraft(db: Db, code: string, version: number): Promise<void> {
  const row = await getVersion(db, code, version);
  if (row.state !== 'draft') throw conflict('not-a-draft', `version ${version} of ${code} is ${row.state}; only a draft can be discarded`);
  await db('implementation_versions').where({ implementation_code: code, version, state: 'draft' }).delete();
}

export async function getVersion(db: Q, code: string, version: number): Promise<VersionRow> {
  const row = await db('implementation_versions').where({ implementation_code: code, version }).first<VersionRow | undefined>();
  if (!row) throw notFound(`version ${version} of ${code}`);
  return row;
}

export async function currentVersion(db: Q, code: string): Promise<VersionRow | undefined> {
  return db('implementation_versions').where({ implementation_code: code, state: 'published' }).first<VersionRow | undefined>();
}

export async function listVersions(db: Db, code: string) {
  const rows = await db('implementation_versions').where({ implementation_code: code }).orderBy('version').select<VersionRow[]>('*');
  if (!rows.length) throw notFound(`implementation entry ${code}`);
  return rows.map((r) => ({ version: r.version, state: r.state, createdAt: r.created_at, publishedAt: r.published_at, createdBy: r.created_by, changeId: r.change_id }));
}

/** The document of one version (default: the current published one), with its form content. */
export async function exportDocument(db: Db, code: string, version?: number): Promise<ImplementationDocument> {
  const v = version === undefined ? await currentVersion(db, code) : await getVersion(db, code, version);
  if (!v) throw notFound(`a published version of ${code}`);
  const row = await db('implementations as i')
    .join('service_items as s', 's.code', 'i.item_code')
    .where('i.code', code)
    .first<{ code: string; name: string; department_code: string; item_code: string; item_name: string; type: string; legal_basis: string }>(
      'i.code', 'i.name', 'i.department_code', 'i.item_code', 's.name as item_name', 's.type', 's.legal_basis',
    );
  const form = await db('forms').where({ key: v.entry.form.key, version: v.entry.form.version }).first<FormContent>('schema', 'uischema', 'example');
  return {
    format: documentFormat,
    version: v.version,
    item: { code: row.item_code, name: row.item_name, type: row.type, legalBasis: row.legal_basis },
    implementation: { code: row.code, name: row.name, department: row.department_code },
    entry: v.entry,
    form: { key: v.entry.form.key, version: v.entry.form.version, schema: form.schema, uischema: form.uischema, example: form.example },
  };
}

/** Maps the immutability trigger's error to a 409, leaving other errors alone. */
export function immutableConflict(err: unknown): unknown {
  const e = err as { code?: string; hint?: string; message?: string };
  if (e.code === 'P0001' && e.hint === 'immutable') return new AppError(409, 'immutable-version', 'Conflict with the current state', e.message?.replace(/^.* - /, ''));
  return err;
}
