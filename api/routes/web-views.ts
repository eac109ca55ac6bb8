/**
 * Read-only views the web app needs and the other routes do not give in one call: the inbox
 * with each case's supervision level and counts, a paginated case search, the departments,
 * and the certificates an applicant already holds (to replace materials, 减材料).
 * Reads only: every change still goes through the case and catalogue routes.
 */
import { Router, type Request } from 'express';
import type { CertificatePlatform } from '../../adapters/certificates';
import type { Db } from '../../lib/db';
import { badRequest } from '../../lib/errors';
import { escapeLike, whereLike } from '../../lib/like';
import { jurisdictionPrefix, requireStaff } from '../auth/principal';
import { clerkRoles, handlerRoles } from '../services/access';

const pageSize = 20;
const levels = ['normal', 'warning', 'overdue'];

function pageParam(req: Request): number {
  const raw = req.query.page;
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw badRequest('page must be a positive integer');
  return n;
}

/** A calendar day, YYYY-MM-DD, that exists. */
function dayParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  const ok = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
  if (!ok) throw badRequest(`${name} must be a date (YYYY-MM-DD)`, [{ pointer: `/query/${name}`, detail: 'must match format "date"' }]);
  return v;
}

function shortText(req: Request, name: string, pattern?: RegExp): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 100 || (pattern && !pattern.test(v))) throw badRequest(`${name} is not a valid filter`);
  return v;
}


export function webViewRoutes(db: Db, certificates?: CertificatePlatform): Router {
  const r = Router();

  r.get('/views/departments', async (_req, res) => {
    res.json({ departments: await db('departments').orderBy('code').select('code', 'name', 'level') });
  });

  /** The caller's open tasks with the case's supervision level; counts per level over all of them. */
  r.get('/views/inbox', async (req, res) => {
    const actor = requireStaff(req);
    const level = shortText(req, 'level');
    if (level && !levels.includes(level)) throw badRequest(`level must be one of ${levels.join(', ')}`);
    const q = shortText(req, 'q');
    const page = pageParam(req);
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
    const rows = await listed
      .orderByRaw('coalesce(t.due_at, c.promised_deadline) asc nulls last, t.created_at asc')
      .limit(pageSize).offset((page - 1) * pageSize)
      .select('t.id as taskId', 't.case_no as caseNo', 't.kind', 't.step_id as stepId', 't.step_name as stepName', 't.role', 't.assignee', 't.actions',
        't.due_at as dueAt', 't.created_at as createdAt', 'c.item_name as itemName', 'c.status', 'c.supervision_state as supervisionState',
        'c.promised_deadline as promisedDeadline', 'c.deadline_provisional as deadlineProvisional', db.raw("json_build_object('name', c.applicant->>'name') as applicant"));
    const total = level ? counts[level] : counts.normal + counts.warning + counts.overdue;
    res.json({ tasks: rows, counts, page, pageSize, total });
  });

  /** Cases by number, item, applicant, filing day, department, status or supervision level, newest first, a page at a time. */
  r.get('/views/cases', async (req, res) => {
    const p = requireStaff(req, [...clerkRoles, ...handlerRoles, 'supervisor']);
    const q = shortText(req, 'q');
    const department = shortText(req, 'department', /^[A-Za-z0-9_-]+$/);
    const status = shortText(req, 'status', /^[a-z_]+$/);
    const level = shortText(req, 'level');
    if (level && !levels.includes(level)) throw badRequest(`level must be one of ${levels.join(', ')}`);
    const applicant = shortText(req, 'applicant');
    const itemCode = shortText(req, 'itemCode', /^[A-Za-z0-9._-]+$/);
    const filedFrom = dayParam(req, 'filedFrom');
    const filedTo = dayParam(req, 'filedTo');
    if (filedFrom && filedTo && filedFrom > filedTo) throw badRequest('filedFrom is after filedTo', [{ pointer: '/query/filedFrom', detail: 'must not be after filedTo' }]);
    const page = pageParam(req);
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
    res.json({ cases: rows, page, pageSize, total: Number(count) });
  });

  /** Certificates the applicant already holds, for the window's "use the certificate instead". */
  r.get('/views/certificates', async (req, res) => {
    requireStaff(req, clerkRoles);
    const holder = shortText(req, 'holder', /^[0-9A-Z]{18}$/);
    if (!holder) throw badRequest('holder must be an 18-character ID number or credit code');
    if (!certificates) return res.json({ certificates: [], available: false });
    const list = await certificates.listByHolder(holder);
    res.json({
      available: true,
      certificates: list.map((c) => ({ number: c.number, type: c.type, holderName: c.holder.name, issuer: c.issuer.name, validFrom: c.validFrom, validUntil: c.validUntil })),
    });
  });

  return r;
}
