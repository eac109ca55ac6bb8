/**
 * The working lists beside the inbox, and the documents of a case:
 * - 已办 `GET /views/handled`: tasks the staff member completed, newest first;
 * - 办结 `GET /views/finished`: finished cases of the staff member's department (or hall);
 * - 我的办件 `GET /views/my-cases`: an applicant's cases with their status and next step;
 * - 草稿箱 `/drafts`: window applications saved before filing, resumable by the clerk who saved them;
 * - 文书 `/cases/{caseNo}/documents`: numbered documents of the case (api/services/documents.ts).
 * Drafts and document numbers are the only writes here; a case itself changes only through its workflow.
 */
import { Router, type Request } from 'express';
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { AppError, badRequest, conflict, notFound } from '../../lib/errors';
import { whereLike } from '../../lib/like';
import { principalOf, requireApplicant, requireStaff } from '../auth/principal';
import { caseNoParam } from '../params';
import { actorName, caseAccess, clerkRoles } from '../services/access';
import { documentKinds, issueDocument, issuedDocuments, type DocumentKind } from '../services/documents';
import { bodyValidator } from '../validate';

const pageSize = 20;
/** A clerk keeps at most this many drafts; older ones are filed or deleted first. */
export const maxDraftsPerClerk = 50;
const finishedStatuses = ['completed', 'closed', 'not_accepted', 'withdrawn', 'voided'];

function pageParam(req: Request): number {
  const raw = req.query.page;
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw badRequest('page must be a positive integer', [{ pointer: '/query/page', detail: 'must be >= 1' }]);
  return n;
}

function textParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 100) throw badRequest(`${name} is not a valid filter`, [{ pointer: `/query/${name}`, detail: 'must NOT have more than 100 characters' }]);
  return v;
}

interface DraftBody {
  implementationCode: string;
  applicant: { kind?: 'person' | 'legal_person'; name?: string; idNumber?: string; phone?: string };
  formData: Record<string, unknown>;
}

const draftBody = bodyValidator<DraftBody>('DraftRequest', {
  type: 'object', additionalProperties: false, required: ['implementationCode', 'applicant', 'formData'],
  properties: {
    implementationCode: { type: 'string', minLength: 1, maxLength: 64 },
    applicant: {
      type: 'object', additionalProperties: false,
      properties: { kind: { enum: ['person', 'legal_person'] }, name: { type: 'string', maxLength: 100 }, idNumber: { type: 'string', maxLength: 18 }, phone: { type: 'string', maxLength: 20 } },
    },
    formData: { type: 'object' },
  },
});

/** What an applicant does next, by the case's status (the web app words it). */
export function nextStepOf(status: string, rated: boolean): string {
  switch (status) {
    case 'awaiting_correction': return 'correct';
    case 'awaiting_payment': return 'pay';
    case 'delivering': return 'receive';
    case 'completed': return rated ? 'none' : 'rate';
    case 'closed': case 'not_accepted': case 'withdrawn': case 'voided': return 'none';
    default: return 'wait';
  }
}

export function deskRoutes(db: Db): Router {
  const r = Router();

  /** 已办: tasks I completed, newest first. */
  r.get('/views/handled', async (req, res) => {
    const me = requireStaff(req);
    const q = textParam(req, 'q');
    const page = pageParam(req);
    const b = db('tasks as t').join('cases as c', 'c.case_no', 't.case_no').where({ 't.assignee': me.id, 't.status': 'done' });
    if (q) void b.where((w) => { for (const column of ['c.item_name', 't.case_no', 't.step_name']) void whereLike(w, column, q, { caseInsensitive: true, or: true }); });
    const [{ count }] = await b.clone().count<{ count: string }[]>('* as count');
    const tasks = await b.orderBy('t.closed_at', 'desc').limit(pageSize).offset((page - 1) * pageSize)
      .select('t.id as taskId', 't.case_no as caseNo', 't.kind', 't.step_name as stepName', 't.role', db.raw("t.outcome->>'action' as action"), db.raw("t.outcome->>'opinion' as opinion"),
        't.closed_at as closedAt', 'c.item_name as itemName', 'c.status', db.raw("json_build_object('name', c.applicant->>'name') as applicant"));
    res.json({ tasks, page, pageSize, total: Number(count) });
  });

  /** 办结: finished cases of my department, or of my hall for clerks. */
  r.get('/views/finished', async (req, res) => {
    const me = requireStaff(req);
    const q = textParam(req, 'q');
    const page = pageParam(req);
    const b = db('cases as c').join('departments as d', 'd.code', 'c.department_code').whereIn('c.status', finishedStatuses).where((w) => {
      void w.where('c.department_code', me.department);
      if (me.roles.some((x) => clerkRoles.includes(x))) void w.orWhere('d.hall_code', me.department);
    });
    if (q) void b.where((w) => { for (const column of ['c.item_name', 'c.case_no']) void whereLike(w, column, q, { caseInsensitive: true, or: true }); });
    const [{ count }] = await b.clone().count<{ count: string }[]>('* as count');
    const cases = await b.orderByRaw('coalesce(c.completed_at, c.updated_at) desc').limit(pageSize).offset((page - 1) * pageSize)
      .select('c.case_no as caseNo', 'c.item_name as itemName', 'c.department_code as department', 'c.status', 'c.decision', 'c.channel',
        'c.filed_at as filedAt', 'c.decided_at as decidedAt', 'c.completed_at as completedAt', db.raw("json_build_object('name', c.applicant->>'name') as applicant"));
    res.json({ cases, page, pageSize, total: Number(count) });
  });

  /** 我的办件: the applicant's cases (own, filed by them, or of the company they represent), newest first. */
  r.get('/views/my-cases', async (req, res) => {
    const me = requireApplicant(req);
    const page = pageParam(req);
    const b = db('cases as c').leftJoin('evaluations as e', 'e.case_no', 'c.case_no').where((w) => void w.whereRaw(`c.applicant->>'idNumber' = ?`, [me.idNumber])
      .orWhereRaw(`c.applicant->'legalRepresentative'->>'idNumber' = ?`, [me.idNumber])
      .orWhereIn('c.case_no', db('case_filings').where({ filed_by_kind: 'applicant', filed_by: me.idNumber }).select('case_no')));
    const [{ count }] = await b.clone().count<{ count: string }[]>('* as count');
    const rows = await b.orderBy('c.filed_at', 'desc').limit(pageSize).offset((page - 1) * pageSize)
      .select<{ caseNo: string; itemName: string; status: string; channel: string; filedAt: Date; promisedDeadline: Date | null; decision: string | null; rated: boolean }[]>(
        'c.case_no as caseNo', 'c.item_name as itemName', 'c.status', 'c.channel', 'c.filed_at as filedAt', 'c.promised_deadline as promisedDeadline', 'c.decision',
        db.raw('(e.case_no is not null) as rated'));
    res.json({ cases: rows.map((c) => ({ ...c, nextStep: nextStepOf(c.status, c.rated) })), page, pageSize, total: Number(count) });
  });

  // ---- 草稿箱
  const ownDraft = async (req: Request) => {
    const me = requireStaff(req, clerkRoles);
    const id = req.params.id;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw notFound(`draft ${String(id).slice(0, 40)}`);
    const row = await db('window_drafts').where({ id, staff_id: me.id }).first<Record<string, unknown> | undefined>();
    if (!row) throw notFound(`draft ${id}`);
    return { me, row };
  };
  const draftView = (row: Record<string, unknown>) => ({
    id: row.id, implementationCode: row.implementation_code, itemName: row.item_name, applicant: row.applicant, formData: row.form_data,
    createdAt: row.created_at, updatedAt: row.updated_at,
  });
  const itemOf = async (code: string) => {
    const item = await db('implementations as i').join('service_items as s', 's.code', 'i.item_code').where('i.code', code).first<{ name: string } | undefined>('s.name');
    if (!item) throw new AppError(422, 'validation-failed', 'The submitted data is not valid', `no implementation entry ${code}`, [{ pointer: '/implementationCode', detail: 'no such implementation entry' }]);
    return item.name;
  };

  r.get('/drafts', async (req, res) => {
    const me = requireStaff(req, clerkRoles);
    const rows = await db('window_drafts').where({ staff_id: me.id }).orderBy('updated_at', 'desc').limit(maxDraftsPerClerk)
      .select('id', 'implementation_code as implementationCode', 'item_name as itemName', db.raw("applicant->>'name' as \"applicantName\""), 'created_at as createdAt', 'updated_at as updatedAt');
    res.json({ drafts: rows });
  });

  r.post('/drafts', async (req, res) => {
    const me = requireStaff(req, clerkRoles);
    const body = draftBody(req.body);
    const itemName = await itemOf(body.implementationCode);
    const [{ count }] = await db('window_drafts').where({ staff_id: me.id }).count<{ count: string }[]>('* as count');
    if (Number(count) >= maxDraftsPerClerk) throw conflict('too-many-drafts', `a clerk keeps at most ${maxDraftsPerClerk} drafts; file or delete one first`);
    const inserted: Record<string, unknown>[] = await db('window_drafts').insert({
      id: crypto.randomUUID(), staff_id: me.id, department_code: me.department, implementation_code: body.implementationCode, item_name: itemName,
      applicant: JSON.stringify(body.applicant), form_data: JSON.stringify(body.formData),
    }).returning<Record<string, unknown>[]>('*');
    res.status(201).json(draftView(inserted[0]));
  });

  r.get('/drafts/:id', async (req, res) => {
    const { row } = await ownDraft(req);
    res.json(draftView(row));
  });

  r.put('/drafts/:id', async (req, res) => {
    const { me, row } = await ownDraft(req);
    const body = draftBody(req.body);
    const itemName = await itemOf(body.implementationCode);
    const updated: Record<string, unknown>[] = await db('window_drafts').where({ id: row.id, staff_id: me.id }).update({
      implementation_code: body.implementationCode, item_name: itemName, applicant: JSON.stringify(body.applicant), form_data: JSON.stringify(body.formData), updated_at: db.fn.now(),
    }).returning<Record<string, unknown>[]>('*');
    res.json(draftView(updated[0]));
  });

  r.delete('/drafts/:id', async (req, res) => {
    const { me, row } = await ownDraft(req);
    await db('window_drafts').where({ id: row.id, staff_id: me.id }).del();
    res.status(204).end();
  });

  // ---- 文书
  r.get('/cases/:caseNo/documents', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, principalOf(req), caseNo);
    res.json({ documents: await issuedDocuments(db, caseNo) });
  });

  r.post('/cases/:caseNo/documents/:kind', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const kind = req.params.kind;
    if (!(documentKinds as readonly string[]).includes(kind)) throw notFound(`document kind ${kind.slice(0, 40)}`);
    const p = principalOf(req);
    const access = await caseAccess(db, p, caseNo);
    res.json(await issueDocument(db, access, caseNo, kind as DocumentKind, actorName(p)));
  });

  return r;
}
