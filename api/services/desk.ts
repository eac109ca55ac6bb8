/**
 * The working lists and drafts of `api/routes/desk.ts`: 已办 (tasks I completed), 办结 (finished
 * cases of my department or hall), 我的办件 (an applicant's cases) and 草稿箱 (window
 * applications saved before filing, seen only by the clerk who saved them).
 */
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { whereLike } from '../../lib/like';
import type { StaffPrincipal } from '../auth/principal';
import { clerkRoles } from './access';

export const pageSize = 20;
const finishedStatuses = ['completed', 'closed', 'not_accepted', 'withdrawn', 'voided', 'lapsed'];

/** A page of the tasks the staff member completed, newest first, with the total. */
export async function handledTasks(db: Db, me: StaffPrincipal, f: { q?: string; page: number }) {
  const { q, page } = f;
  const b = db('tasks as t').join('cases as c', 'c.case_no', 't.case_no').where({ 't.assignee': me.id, 't.status': 'done' });
  if (q) void b.where((w) => { for (const column of ['c.item_name', 't.case_no', 't.step_name']) void whereLike(w, column, q, { caseInsensitive: true, or: true }); });
  const [{ count }] = await b.clone().count<{ count: string }[]>('* as count');
  const tasks = await b.orderBy('t.closed_at', 'desc').limit(pageSize).offset((page - 1) * pageSize)
    .select('t.id as taskId', 't.case_no as caseNo', 't.kind', 't.step_name as stepName', 't.role', db.raw("t.outcome->>'action' as action"), db.raw("t.outcome->>'opinion' as opinion"),
      't.closed_at as closedAt', 'c.item_name as itemName', 'c.status', db.raw("json_build_object('name', c.applicant->>'name') as applicant"));
  return { tasks, page, pageSize, total: Number(count) };
}

/** A page of the finished cases of the staff member's department (or hall, for clerks), latest first. */
export async function finishedCases(db: Db, me: StaffPrincipal, f: { q?: string; page: number }) {
  const { q, page } = f;
  const b = db('cases as c').join('departments as d', 'd.code', 'c.department_code').whereIn('c.status', finishedStatuses).where((w) => {
    void w.where('c.department_code', me.department);
    if (me.roles.some((x) => clerkRoles.includes(x))) void w.orWhere('d.hall_code', me.department);
  });
  if (q) void b.where((w) => { for (const column of ['c.item_name', 'c.case_no']) void whereLike(w, column, q, { caseInsensitive: true, or: true }); });
  const [{ count }] = await b.clone().count<{ count: string }[]>('* as count');
  const cases = await b.orderByRaw('coalesce(c.completed_at, c.updated_at) desc').limit(pageSize).offset((page - 1) * pageSize)
    .select('c.case_no as caseNo', 'c.item_name as itemName', 'c.department_code as department', 'c.status', 'c.decision', 'c.channel',
      'c.filed_at as filedAt', 'c.decided_at as decidedAt', 'c.completed_at as completedAt', db.raw("json_build_object('name', c.applicant->>'name') as applicant"));
  return { cases, page, pageSize, total: Number(count) };
}

/** A page of the applicant's cases (own, filed by them, or of the company they represent), newest first. */
export async function applicantCases(db: Db, idNumber: string, page: number) {
  const b = db('cases as c').leftJoin('evaluations as e', 'e.case_no', 'c.case_no').where((w) => void w.whereRaw(`c.applicant->>'idNumber' = ?`, [idNumber])
    .orWhereRaw(`c.applicant->'legalRepresentative'->>'idNumber' = ?`, [idNumber])
    .orWhereIn('c.case_no', db('case_filings').where({ filed_by_kind: 'applicant', filed_by: idNumber }).select('case_no')));
  const [{ count }] = await b.clone().count<{ count: string }[]>('* as count');
  const rows = await b.orderBy('c.filed_at', 'desc').limit(pageSize).offset((page - 1) * pageSize)
    .select<{ caseNo: string; itemName: string; status: string; channel: string; filedAt: Date; promisedDeadline: Date | null; decision: string | null; rated: boolean }[]>(
      'c.case_no as caseNo', 'c.item_name as itemName', 'c.status', 'c.channel', 'c.filed_at as filedAt', 'c.promised_deadline as promisedDeadline', 'c.decision',
      db.raw('(e.case_no is not null) as rated'));
  return { rows, total: Number(count) };
}

// ---- 草稿箱

export interface DraftBody {
  implementationCode: string;
  applicant: { kind?: 'person' | 'legal_person'; name?: string; idNumber?: string; phone?: string };
  formData: Record<string, unknown>;
}

type DraftRow = Record<string, unknown>;

export const draftView = (row: DraftRow) => ({
  id: row.id, implementationCode: row.implementation_code, itemName: row.item_name, applicant: row.applicant, formData: row.form_data,
  createdAt: row.created_at, updatedAt: row.updated_at,
});

/** The clerk's own draft, or undefined. */
export async function ownDraftRow(db: Db, staffId: string, id: string): Promise<DraftRow | undefined> {
  return db('window_drafts').where({ id, staff_id: staffId }).first<DraftRow | undefined>();
}

/** The item name of an implementation entry, or undefined when there is none. */
export async function draftItemName(db: Db, code: string): Promise<string | undefined> {
  const item = await db('implementations as i').join('service_items as s', 's.code', 'i.item_code').where('i.code', code).first<{ name: string } | undefined>('s.name');
  return item?.name;
}

/** The clerk's drafts, newest first, at most `limit`. */
export async function listDrafts(db: Db, staffId: string, limit: number) {
  return db('window_drafts').where({ staff_id: staffId }).orderBy('updated_at', 'desc').limit(limit)
    .select('id', 'implementation_code as implementationCode', 'item_name as itemName', db.raw("applicant->>'name' as \"applicantName\""), 'created_at as createdAt', 'updated_at as updatedAt');
}

export async function countDrafts(db: Db, staffId: string): Promise<number> {
  const [{ count }] = await db('window_drafts').where({ staff_id: staffId }).count<{ count: string }[]>('* as count');
  return Number(count);
}

export async function insertDraft(db: Db, me: StaffPrincipal, body: DraftBody, itemName: string): Promise<DraftRow> {
  const inserted = await db('window_drafts').insert({
    id: crypto.randomUUID(), staff_id: me.id, department_code: me.department, implementation_code: body.implementationCode, item_name: itemName,
    applicant: JSON.stringify(body.applicant), form_data: JSON.stringify(body.formData),
  }).returning<DraftRow[]>('*');
  return inserted[0];
}

export async function updateDraft(db: Db, staffId: string, id: string, body: DraftBody, itemName: string): Promise<DraftRow> {
  const updated = await db('window_drafts').where({ id, staff_id: staffId }).update({
    implementation_code: body.implementationCode, item_name: itemName, applicant: JSON.stringify(body.applicant), form_data: JSON.stringify(body.formData), updated_at: db.fn.now(),
  }).returning<DraftRow[]>('*');
  return updated[0];
}

export async function deleteDraft(db: Db, staffId: string, id: string): Promise<void> {
  await db('window_drafts').where({ id, staff_id: staffId }).del();
}
