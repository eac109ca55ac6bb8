/**
 * The read-only views of `api/routes/web-views.ts`: the inbox with each case's supervision level
 * and the counts per level, the staff's paged case search, and the departments.
 */
import type { Db } from '../../lib/db';
import type { Knex } from 'knex';
import { escapeLike, whereLike } from '../../lib/like';
import { jurisdictionPrefix, type StaffPrincipal } from '../auth/principal';
import { clerkRoles, handlerRoles } from './access';

export const pageSize = 20;

/** Every department with its name and level. */
export async function departmentList(db: Db) {
  return db('departments').orderBy('code').select('code', 'name', 'level');
}

/**
 * A page of the staff member's open tasks (by level and text) with the counts per level over all
 * of them, both read from one snapshot (a task opened, or a level the supervision sweep raised,
 * between the two reads would otherwise make the counts disagree with the page).
 */
export async function inboxView(db: Db, actor: StaffPrincipal, f: { level?: string; q?: string; page: number }) {
  return db.transaction((trx) => inboxOf(trx, actor, f), { isolationLevel: 'repeatable read', readOnly: true });
}

async function inboxOf(db: Knex.Transaction, actor: StaffPrincipal, f: { level?: string; q?: string; page: number }) {
  const { level, q, page } = f;
  const base = () => {
    const b = db('tasks as t').join('cases as c', 'c.case_no', 't.case_no')
      .where('t.department_code', actor.department).whereIn('t.role', actor.roles).andWhere('t.status', 'open');
    if (q) void b.where((w) => { for (const column of ['c.item_name', 't.case_no', 't.step_name']) void whereLike(w, column, q, { caseInsensitive: true, or: true }); });
    return b;
  };
  const countRows = await base().groupBy('c.supervision_state').select('c.supervision_state as level').count<{ level: string; count: string }[]>('* as count');
  const counts: Record<string, number> = { normal: 0, warning: 0, overdue: 0 };
  for (const c of countRows) counts[c.level] = Number(c.count);
  const listed = base();
  if (level) void listed.where('c.supervision_state', level);
  const rows = await listed.leftJoin('staff_users as s', 's.id', 't.assignee')
    .orderByRaw('coalesce(t.due_at, c.promised_deadline) asc nulls last, t.created_at asc')
    .limit(pageSize).offset((page - 1) * pageSize)
    .select('t.id as taskId', 't.case_no as caseNo', 't.kind', 't.step_id as stepId', 't.step_name as stepName', 't.role', 't.assignee', 's.name as assigneeName', 't.actions',
      't.due_at as dueAt', 't.created_at as createdAt', 'c.item_name as itemName', 'c.status', 'c.supervision_state as supervisionState',
      'c.promised_deadline as promisedDeadline', 'c.deadline_provisional as deadlineProvisional', db.raw("json_build_object('name', c.applicant->>'name') as applicant"));
  const total = level ? counts[level] : counts.normal + counts.warning + counts.overdue;
  return { tasks: rows, counts, page, pageSize, total };
}

/** A page of the cases the staff member may list, newest first, with the total. */
export async function caseSearch(db: Db, p: StaffPrincipal, f: {
  q?: string; department?: string; status?: string; level?: string;
  applicant?: string; itemCode?: string; filedFrom?: string; filedTo?: string; page: number;
}) {
  const { q, department, status, level, applicant, itemCode, filedFrom, filedTo, page } = f;
  // The same cases the staff member may list through GET /api/cases: their department (and the
  // hall's for clerks), and a supervisor's jurisdiction.
  const b = db('cases as c').join('departments as d', 'd.code', 'c.department_code').where((w) => {
    void w.whereRaw('false');
    if (p.roles.some((r) => clerkRoles.includes(r))) void w.orWhere('c.department_code', p.department).orWhere('d.hall_code', p.department);
    if (p.roles.some((r) => handlerRoles.includes(r))) void w.orWhere('c.department_code', p.department);
    if (p.roles.includes('supervisor')) void w.orWhere('d.region_code', 'like', `${jurisdictionPrefix(p)}%`);
  });
  if (q) {
    // A case number is matched by its leading digits (only when the text has any), the item by name.
    const digits = q.replace(/[^0-9]/g, '');
    void b.where((w) => {
      if (digits) void whereLike(w, 'c.case_no', digits, { mode: 'prefix' });
      void whereLike(w, 'c.item_name', q, { caseInsensitive: true, or: true });
    });
  }
  if (department) void b.where('c.department_code', department);
  if (status) void b.where('c.status', status);
  if (level) void b.where('c.supervision_state', level);
  // The applicant by ID number (exactly) or by name (any part of it).
  if (applicant) void b.where((w) => { void w.whereRaw(`c.applicant->>'idNumber' = ?`, [applicant.toUpperCase()]); void w.orWhereRaw(`c.applicant->>'name' like ? escape '\\'`, [`%${escapeLike(applicant)}%`]); });
  if (itemCode) void b.where((w) => void w.where('c.item_code', itemCode).orWhere('c.implementation_code', itemCode));
  // Days are China days: from 00:00 of filedFrom to 24:00 of filedTo, Asia/Shanghai.
  if (filedFrom) void b.where('c.filed_at', '>=', new Date(`${filedFrom}T00:00:00+08:00`));
  if (filedTo) void b.where('c.filed_at', '<', new Date(new Date(`${filedTo}T00:00:00+08:00`).getTime() + 86_400_000));
  const [{ count }] = await b.clone().count<{ count: string }[]>('* as count');
  const rows = await b.orderBy('c.filed_at', 'desc').limit(pageSize).offset((page - 1) * pageSize)
    .select('c.case_no as caseNo', 'c.item_name as itemName', 'c.department_code as department', 'c.status', 'c.channel', 'c.supervision_state as supervisionState',
      'c.filed_at as filedAt', 'c.accepted_at as acceptedAt', 'c.promised_deadline as promisedDeadline', 'c.deadline_provisional as deadlineProvisional', 'c.decided_at as decidedAt', 'c.decision',
      db.raw("json_build_object('name', c.applicant->>'name') as applicant"));
  return { cases: rows, page, pageSize, total: Number(count) };
}
