/**
 * Catalogue use cases: search and guides, versions and diffs, drafts, import / export, and
 * changes submitted for review (each its own Temporal workflow).
 */
import type { Client } from '@temporalio/client';
import crypto from 'node:crypto';
import { diffJson } from '../../lib/catalogue/diff';
import { validateDocument, type ImplementationDocument } from '../../lib/catalogue/document';
import { currentVersion, getVersion, importDraft, loadContext, type VersionRow } from '../../lib/catalogue/store';
import type { Db } from '../../lib/db';
import { AppError, badRequest, conflict, notFound, validationFailed } from '../../lib/errors';
import { getForm } from '../../lib/forms';
import { whereLike } from '../../lib/like';
import { reviewChangeUpdate, reviewStages, type ChangeKind, type ChangeView, type ReviewRequest } from '../../workflows/catalogue-definitions';
import { mapTemporalError } from './temporal-errors';

export interface CatalogueDeps {
  db: Db;
  client: Client;
  taskQueue: string;
}

export interface ItemFilter {
  q?: string;
  department?: string;
  type?: string;
  level?: string;
  limit: number;
}

/** Published entries matching the filter; `q` matches item or entry name or code (Chinese works). */
export async function searchImplementations(db: Db, f: ItemFilter) {
  const q = db('implementations as i')
    .join('service_items as s', 's.code', 'i.item_code')
    .join('departments as d', 'd.code', 'i.department_code')
    .join('implementation_versions as v', function () {
      this.on('v.implementation_code', '=', 'i.code').andOnVal('v.state', '=', 'published');
    })
    .orderBy('i.code')
    .limit(f.limit)
    .select(
      'i.code', 'i.name', 'i.item_code as itemCode', 's.name as itemName', 's.type', 'i.department_code as department',
      'd.name as departmentName', 'd.level', 'v.version',
      db.raw("v.entry->>'caseType' as \"caseType\""), db.raw("(v.entry->>'promisedLimitDays')::int as \"promisedLimitDays\""),
      db.raw("(v.entry->>'online')::boolean as online"),
    );
  if (f.q) {
    const text = f.q;
    void q.where((w) => {
      for (const column of ['s.name', 'i.name', 'i.code']) void whereLike(w, column, text, { caseInsensitive: true, or: true });
    });
  }
  if (f.department) void q.where('i.department_code', f.department);
  if (f.type) void q.where('s.type', f.type);
  if (f.level) void q.where('d.level', f.level);
  return q;
}

/** The service guide (办事指南): everything an applicant needs, from the current version. */
export async function guide(db: Db, code: string) {
  const row = await db('implementations as i')
    .join('service_items as s', 's.code', 'i.item_code')
    .join('departments as d', 'd.code', 'i.department_code')
    .where('i.code', code)
    .first<Record<string, unknown> | undefined>('i.code', 'i.name', 'i.item_code as itemCode', 's.name as itemName', 's.type', 's.legal_basis as legalBasis',
      'i.department_code as department', 'd.name as departmentName', 'd.level');
  if (!row) throw notFound(`implementation entry ${code}`);
  const v = await currentVersion(db, code);
  if (!v) throw new AppError(410, 'not-in-service', 'Not in service', `${code} has no published version (suspended or cancelled)`);
  const form = await getForm(db, v.entry.form);
  return { ...row, version: v.version, publishedAt: v.published_at, ...v.entry, form: { key: form.key, version: form.version, schema: form.schema, uischema: form.uischema } };
}

export async function versionDetail(db: Db, code: string, version: number) {
  const v = await getVersion(db, code, version);
  return { implementationCode: code, version: v.version, state: v.state, createdAt: v.created_at, publishedAt: v.published_at, createdBy: v.created_by, changeId: v.change_id, entry: v.entry };
}

export async function diffVersions(db: Db, code: string, from: number, to: number) {
  const [a, b] = await Promise.all([getVersion(db, code, from), getVersion(db, code, to)]);
  return { implementationCode: code, from, to, changes: diffJson(a.entry, b.entry) };
}

export { importDraft };

/** Submits a draft for review: the change request and its workflow start together. */
export async function submitDraft(deps: CatalogueDeps, code: string, version: number, reason: string, by: string) {
  const v = await getVersion(deps.db, code, version);
  if (v.state !== 'draft') throw conflict('not-a-draft', `version ${version} of ${code} is ${v.state}; only a draft can be submitted`);
  const ever = await deps.db('implementation_versions').where({ implementation_code: code }).whereNot({ state: 'draft' }).first<VersionRow | undefined>();
  return openChange(deps, { kind: ever ? 'change' : 'add', code, drafts: [{ code, version }], reason, by });
}

/** Requests a suspend, cancel, split or delegate-down of an entry. */
export async function requestChange(deps: CatalogueDeps, code: string, body: { kind: ChangeKind; reason: string; documents?: unknown[] }, by: string) {
  const current = await currentVersion(deps.db, code);
  const exists = await deps.db('implementations').where({ code }).first<{ code: string } | undefined>('code');
  if (!exists) throw notFound(`implementation entry ${code}`);
  switch (body.kind) {
    case 'suspend':
      if (!current) throw conflict('not-published', `${code} has no published version to suspend`);
      if (body.documents?.length) throw badRequest('a suspension carries no documents');
      return openChange(deps, { kind: 'suspend', code, drafts: [], reason: body.reason, by });
    case 'cancel':
      if (body.documents?.length) throw badRequest('a cancellation carries no documents');
      return openChange(deps, { kind: 'cancel', code, drafts: [], reason: body.reason, by });
    case 'split':
    case 'delegate-down': {
      const docs = body.documents ?? [];
      const needed = body.kind === 'split' ? 2 : 1;
      if (docs.length < needed) throw badRequest(`a ${body.kind} carries ${needed === 2 ? 'at least two documents' : 'one document'} for the new entries`);
      if (body.kind === 'delegate-down' && docs.length !== 1) throw badRequest('a delegate-down carries exactly one document');
      await checkSuccessors(deps.db, code, body.kind, docs);
      const drafts = [];
      for (const doc of docs) drafts.push(await importDraft(deps.db, doc, by));
      return openChange(deps, { kind: body.kind, code, drafts, reason: body.reason, by });
    }
    default:
      throw badRequest(`kind "${String(body.kind)}" is not a change that can be requested here; add and change come from submitting a draft`);
  }
}

/** The new entries of a split or delegate-down: valid, new codes, and (delegate-down) a lower level. */
async function checkSuccessors(db: Db, code: string, kind: ChangeKind, docs: unknown[]): Promise<void> {
  const ctx = await loadContext(db);
  const problems = [];
  const levels = ['province', 'city', 'county', 'township'];
  const old = await db('implementations as i').join('departments as d', 'd.code', 'i.department_code').where('i.code', code).first<{ level: string }>('d.level');
  for (const [i, doc] of docs.entries()) {
    for (const p of await validateDocument(doc, ctx)) problems.push({ pointer: `/documents/${i}${p.pointer}`, detail: p.detail });
    const d = doc as ImplementationDocument;
    if (d?.implementation?.code === code) problems.push({ pointer: `/documents/${i}/implementation/code`, detail: `the new entry needs a code other than ${code}` });
    if (kind === 'delegate-down' && d?.implementation?.department) {
      const dept = await db('departments').where({ code: d.implementation.department }).first<{ level: string } | undefined>('level');
      if (dept && levels.indexOf(dept.level) <= levels.indexOf(old.level)) {
        problems.push({ pointer: `/documents/${i}/implementation/department`, detail: `delegating down goes to a lower level than ${old.level}` });
      }
    }
  }
  if (problems.length) throw validationFailed(problems);
}

async function openChange(deps: CatalogueDeps, c: { kind: ChangeKind; code: string; drafts: { code: string; version: number }[]; reason: string; by: string }) {
  const changeId = `chg-${crypto.randomUUID()}`;
  await deps.db.transaction(async (trx) => {
    const open = await trx('change_requests').where({ implementation_code: c.code, state: 'in_review' }).first<{ id: string } | undefined>('id');
    if (open) throw conflict('change-in-review', `${c.code} already has change ${open.id} in review`);
    for (const d of c.drafts) {
      const n = await trx('implementation_versions').where({ implementation_code: d.code, version: d.version, state: 'draft' }).update({ state: 'in_review', change_id: changeId });
      if (n !== 1) throw conflict('not-a-draft', `version ${d.version} of ${d.code} is no longer a draft`);
    }
    await trx('change_requests').insert({ id: changeId, kind: c.kind, implementation_code: c.code, drafts: JSON.stringify(c.drafts), reason: c.reason, state: 'in_review', submitted_by: c.by, submitted_at: new Date() });
  });
  try {
    await deps.client.workflow.start('catalogueChangeWorkflow', {
      workflowId: changeId,
      taskQueue: deps.taskQueue,
      args: [{ changeId, kind: c.kind, implementationCode: c.code, stages: reviewStages }],
    });
  } catch (err) {
    // No workflow, no review: undo the submission so nothing is left half-done.
    await deps.db.transaction(async (trx) => {
      for (const d of c.drafts) await trx('implementation_versions').where({ implementation_code: d.code, version: d.version, state: 'in_review' }).update({ state: 'draft' });
      await trx('change_requests').where({ id: changeId }).update({ state: 'rejected', decided_at: new Date() });
    });
    throw err;
  }
  return { changeId, kind: c.kind, drafts: c.drafts };
}

export async function getChange(db: Db, changeId: string) {
  const change = await db('change_requests').where({ id: changeId }).first<Record<string, unknown> | undefined>();
  if (!change) throw notFound(`change ${changeId}`);
  const reviews = await db('change_reviews').where({ change_id: changeId }).orderBy('position')
    .select('stage', 'department_code as department', 'role', 'status', 'decision', 'opinion', 'reviewer', 'opened_at as openedAt', 'decided_at as decidedAt');
  return {
    changeId: change.id, kind: change.kind, implementationCode: change.implementation_code, drafts: change.drafts, reason: change.reason,
    state: change.state, submittedBy: change.submitted_by, submittedAt: change.submitted_at, decidedAt: change.decided_at, reviews,
  };
}

export async function reviewInbox(db: Db, actor: { department: string; roles: string[] }) {
  return db('change_reviews as r')
    .join('change_requests as c', 'c.id', 'r.change_id')
    .where({ 'r.department_code': actor.department, 'r.status': 'open' })
    .whereIn('r.role', actor.roles)
    .orderBy('r.opened_at')
    .select('r.change_id as changeId', 'r.stage', 'c.kind', 'c.implementation_code as implementationCode', 'c.reason', 'r.opened_at as openedAt');
}

export async function review(deps: CatalogueDeps, changeId: string, req: ReviewRequest): Promise<ChangeView> {
  await getChange(deps.db, changeId);
  try {
    return await deps.client.workflow.getHandle(changeId).executeUpdate(reviewChangeUpdate, { args: [req] });
  } catch (err) {
    throw mapTemporalError(err, changeId);
  }
}

