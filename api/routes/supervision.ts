/**
 * Supervision routes (电子监察): warning and overdue lists, supervision events, urging, correction
 * orders and complaints, performance indicators, and Temporal's own list queries on the cases.
 * Supervisors read and urge; they change nothing else about a case.
 */
import { Router, type Request } from 'express';
import crypto from 'node:crypto';
import { caseIndicators, taskIndicators } from '../../lib/supervision/indicators';
import { badRequest, conflict, notProjectedYet } from '../../lib/errors';
import { answerUrgeUpdate, caseViewQuery, urgeSignal } from '../../workflows/definitions';
import { updateCase, type CaseDeps } from '../services/cases';
import { caseAccess, caseHandling } from '../services/access';
import { actorOf, jurisdictionPrefix, requireStaff, type StaffPrincipal } from '../auth/principal';
import { caseNoParam } from '../params';
import { mapTemporalError } from '../services/temporal-errors';
import { bodyValidator } from '../validate';
import { findStuckCases } from '../services/stuck';
import { departmentIn } from '../../workflows/search-attributes';

const urgeBody = bodyValidator<{ message: string; replyBy: string }>('UrgeRequest', {
  type: 'object', additionalProperties: false, required: ['message', 'replyBy'],
  properties: { message: { type: 'string', minLength: 1, maxLength: 1000 }, replyBy: { type: 'string', format: 'date-time' } },
});
const answerBody = bodyValidator<{ answer: string }>('AnswerRequest', {
  type: 'object', additionalProperties: false, required: ['answer'], properties: { answer: { type: 'string', minLength: 1, maxLength: 2000 } },
});
const orderBody = bodyValidator<{ kind: 'correction' | 'complaint'; content: string }>('OrderRequest', {
  type: 'object', additionalProperties: false, required: ['kind', 'content'],
  properties: { kind: { enum: ['correction', 'complaint'] }, content: { type: 'string', minLength: 1, maxLength: 4000 } },
});

const finished = ['completed', 'not_accepted', 'withdrawn', 'voided', 'closed'];

function period(req: Request): { from: Date; to: Date } {
  const parse = (name: string, fallback: Date) => {
    const raw = req.query[name];
    if (raw === undefined) return fallback;
    const d = typeof raw === 'string' ? new Date(raw) : new Date(NaN);
    if (Number.isNaN(d.getTime())) throw badRequest(`${name} must be an ISO 8601 date or instant`);
    return d;
  };
  const to = parse('to', new Date());
  const from = parse('from', new Date(to.getTime() - 30 * 86_400_000));
  if (from >= to) throw badRequest('from must be before to');
  return { from, to };
}

export function supervisionRoutes(deps: CaseDeps): Router {
  const r = Router();
  const { db, client } = deps;

  const requireSupervisor = (req: Request) => requireStaff(req, ['supervisor']);
  /** Limits a query on a table with `department_code` to the supervisor's jurisdiction. */
  const inRegion = (p: StaffPrincipal) => db('departments').where('region_code', 'like', `${jurisdictionPrefix(p)}%`).select('code');

  r.get('/supervision/cases', async (req, res) => {
    const sup = requireSupervisor(req);
    const state = req.query.state ?? 'overdue';
    if (state !== 'warning' && state !== 'overdue') throw badRequest('state must be "warning" or "overdue"');
    const q = db('cases').where({ supervision_state: state }).whereNull('decided_at').orderBy('promised_deadline').limit(200)
      .whereIn('department_code', inRegion(sup))
      .select('case_no as caseNo', 'item_name as itemName', 'department_code as department', 'status', 'supervision_state as supervisionState', 'promised_deadline as promisedDeadline', 'statutory_deadline as statutoryDeadline', 'deadline_provisional as deadlineProvisional');
    if (typeof req.query.department === 'string') void q.where('department_code', req.query.department);
    res.json({ cases: await q });
  });

  r.get('/supervision/events', async (req, res) => {
    const sup = requireSupervisor(req);
    const p = period(req);
    const q = db('supervision_events').whereIn('department_code', inRegion(sup)).where('at', '>=', p.from).andWhere('at', '<', p.to).orderBy('at', 'desc').limit(500)
      .select('case_no as caseNo', 'scope', 'step_id as stepId', 'level', 'cause', 'department_code as department', 'deadline', 'at');
    if (typeof req.query.department === 'string') void q.where('department_code', req.query.department);
    res.json({ events: await q });
  });

  r.get('/supervision/indicators', async (req, res) => {
    const sup = requireSupervisor(req);
    const by = req.query.by ?? 'department';
    const p = period(req);
    // Departments, steps and handlers outside the supervisor's jurisdiction are left out; items
    // are province-wide codes whose figures span the departments that run them.
    const mine = new Set<string>(await inRegion(sup).pluck('code'));
    if (by === 'department' || by === 'item') {
      const rows = await caseIndicators(db, by, p);
      return res.json({ by, from: p.from, to: p.to, rows: by === 'department' ? rows.filter((r) => mine.has(String(r.department))) : rows });
    }
    if (by === 'step' || by === 'handler') {
      const rows = await taskIndicators(db, by, p);
      const staffDept = by === 'handler' ? new Map<string, string>((await db('staff_users').select('id', 'department_code')).map((u: { id: string; department_code: string }) => [u.id, u.department_code])) : undefined;
      const inside = (r: Record<string, unknown>) => by === 'step' ? mine.has(String(r.step).split('/')[0]) : mine.has(staffDept?.get(String(r.handler)) ?? '');
      return res.json({ by, from: p.from, to: p.to, rows: rows.filter(inside) });
    }
    throw badRequest('by must be department, item, step or handler');
  });

  /** Temporal's own visibility query over the same cases (search attributes, never personal data). */
  r.get('/supervision/workflows', async (req, res) => {
    const sup = requireSupervisor(req);
    const mine = (await inRegion(sup).pluck('code')) as string[];
    const clauses = [`WorkflowType = 'caseWorkflow'`, departmentIn(mine)];
    const filters: [string, string][] = [['SupervisionState', 'state'], ['Department', 'department'], ['ItemCode', 'item'], ['CaseStatus', 'status']];
    for (const [attr, param] of filters) {
      const v = req.query[param];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(v)) throw badRequest(`${param} has letters, digits, dots, hyphens and underscores only`);
      clauses.push(`${attr} = '${v}'`);
    }
    const query = clauses.join(' AND ');
    const found: { caseNo: string; status: string; startTime: Date }[] = [];
    for await (const wf of client.workflow.list({ query, pageSize: 100 })) {
      found.push({ caseNo: wf.workflowId, status: wf.status.name, startTime: wf.startTime });
      if (found.length >= 200) break;
    }
    res.json({ query, workflows: found });
  });

  /** Cases whose engine keeps failing (a workflow task retried again and again): they need an operator. */
  r.get('/supervision/stuck-cases', async (req, res) => {
    const sup = requireSupervisor(req);
    const mine = (await inRegion(sup).pluck('code')) as string[];
    const scan = req.query.scan === undefined ? 500 : Number(req.query.scan);
    res.json(await findStuckCases(client, mine, scan));
  });

  r.post('/cases/:caseNo/urges', async (req, res) => {
    const sup = requireSupervisor(req);
    const actor = actorOf(sup);
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, sup, caseNo);
    const body = urgeBody(req.body);
    if (Date.parse(body.replyBy) <= Date.now()) throw badRequest('replyBy must be in the future');
    const handle = client.workflow.getHandle(caseNo);
    const view = await handle.query(caseViewQuery).catch((err: unknown) => { throw mapTemporalError(err, caseNo); });
    if (finished.includes(view.status)) {
      const err = conflict('case-finished', `case ${caseNo} is ${view.status}; only a running case can be urged`);
      await db('audit_log').insert({ actor: actor.userId, action: 'refused.urge', case_no: caseNo, detail: JSON.stringify({ reason: err.message }) });
      throw err;
    }
    const projected = await db('cases').where({ case_no: caseNo }).first<{ case_no: string } | undefined>('case_no');
    if (!projected) throw notProjectedYet(caseNo);
    const urgeId = `urge-${crypto.randomUUID()}`;
    await handle.signal(urgeSignal, { urgeId, message: body.message, replyBy: new Date(body.replyBy).toISOString(), by: actor.userId });
    await db('supervision_orders').insert({ id: urgeId, case_no: caseNo, kind: 'urge', content: body.message, by: actor.userId, department_code: actor.department });
    res.status(202).json({ urgeId });
  });

  r.post('/cases/:caseNo/urges/:urgeId/answer', async (req, res) => {
    const staff = requireStaff(req);
    const actor = actorOf(staff);
    const caseNo = caseNoParam(req.params.caseNo);
    await caseHandling(db, staff, caseNo);
    const { answer } = answerBody(req.body);
    const urge = await updateCase(deps, caseNo, actor.userId, 'answerUrge', () =>
      client.workflow.getHandle(caseNo).executeUpdate(answerUrgeUpdate, { args: [{ urgeId: req.params.urgeId, answer, actor }] }));
    await db('supervision_orders').where({ id: req.params.urgeId }).update({ status: 'answered' });
    res.json(urge);
  });

  r.post('/cases/:caseNo/orders', async (req, res) => {
    const sup = requireSupervisor(req);
    const actor = actorOf(sup);
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, sup, caseNo);
    const body = orderBody(req.body);
    const exists = await db('cases').where({ case_no: caseNo }).first<{ case_no: string } | undefined>('case_no');
    if (!exists) throw notProjectedYet(caseNo);
    const id = `${body.kind}-${crypto.randomUUID()}`;
    await db.transaction(async (trx) => {
      await trx('supervision_orders').insert({ id, case_no: caseNo, kind: body.kind, content: body.content, by: actor.userId, department_code: actor.department });
      await trx('audit_log').insert({ actor: actor.userId, action: `supervision.${body.kind}`, case_no: caseNo, detail: JSON.stringify({ id, content: body.content }) });
    });
    res.status(201).json({ id, kind: body.kind });
  });

  r.get('/cases/:caseNo/orders', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, requireStaff(req), caseNo);
    res.json({ orders: await db('supervision_orders').where({ case_no: caseNo }).orderBy('created_at').select('id', 'kind', 'content', 'by', 'status', 'created_at as createdAt') });
  });

  return r;
}
