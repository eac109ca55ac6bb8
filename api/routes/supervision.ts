/**
 * Supervision routes (电子监察): warning and overdue lists, supervision events, urging, correction
 * orders and complaints, performance indicators, and Temporal's own list queries on the cases.
 * Supervisors read and urge; they change nothing else about a case.
 */
import { Router, type Request } from 'express';
import crypto from 'node:crypto';
import { badRequest, conflict, notProjectedYet } from '../../lib/errors';
import { answerUrgeUpdate, urgeSignal } from '../../workflows/definitions';
import { currentView, updateCase, type CaseDeps } from '../services/cases';
import { caseAccess, caseHandling } from '../services/access';
import { actorOf, requireStaff } from '../auth/principal';
import { caseNoParam, instantQuery, intQuery, queryString } from '../params';
import { bodyValidator } from '../validate';
import { findStuckCases } from '../services/stuck';
import { findStoppedCases, reviveCase } from '../services/stopped';
import { reasonBody } from './cases';
import { listCaseWorkflows, type WorkflowFilters } from '../services/workflow-list';
import { auditRefusal, indicators, isProjected, jurisdictionDepartments, markUrgeAnswered, ordersOf, recordOrder, recordUrge, simulationIndicators, supervisedCases, supervisionEvents } from '../services/supervision';

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

const finished = ['completed', 'not_accepted', 'withdrawn', 'voided', 'closed', 'lapsed'];

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
  const departmentFilter = (req: Request) => (typeof req.query.department === 'string' ? req.query.department : undefined);

  r.get('/supervision/cases', async (req, res) => {
    const sup = requireSupervisor(req);
    const state = req.query.state ?? 'overdue';
    if (state !== 'warning' && state !== 'overdue') throw badRequest('state must be "warning" or "overdue"');
    res.json({ cases: await supervisedCases(db, sup, state, departmentFilter(req)) });
  });

  r.get('/supervision/events', async (req, res) => {
    const sup = requireSupervisor(req);
    const p = period(req);
    res.json({ events: await supervisionEvents(db, sup, p, departmentFilter(req)) });
  });

  r.get('/supervision/indicators', async (req, res) => {
    const sup = requireSupervisor(req);
    const by = req.query.by ?? 'department';
    const p = period(req);
    if (by !== 'department' && by !== 'item' && by !== 'step' && by !== 'handler') throw badRequest('by must be department, item, step or handler');
    res.json({ by, from: p.from, to: p.to, rows: await indicators(db, sup, by, p) });
  });

  /** 模拟审批: conversion rates, simulated and formal days, and time saved, by item. */
  r.get('/supervision/simulation', async (req, res) => {
    const sup = requireSupervisor(req);
    const p = period(req);
    res.json({ from: p.from, to: p.to, rows: await simulationIndicators(db, sup, p) });
  });

  /**
   * Temporal's own visibility query over the same cases (search attributes, never personal data);
   * with archived=include also the closed runs retention has removed from the cluster, from the
   * visibility archive, within the jurisdiction as the read model says (api/services/workflow-list.ts).
   */
  r.get('/supervision/workflows', async (req, res) => {
    const sup = requireSupervisor(req);
    const mine = await jurisdictionDepartments(db, sup);
    const filters: WorkflowFilters = {};
    for (const param of ['state', 'department', 'item', 'status'] as const) {
      const v = req.query[param];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(v)) throw badRequest(`${param} has letters, digits, dots, hyphens and underscores only`);
      if (param === 'state' && !['normal', 'warning', 'overdue'].includes(v)) throw badRequest('state must be "normal", "warning" or "overdue"');
      filters[param] = v;
    }
    const closedAfter = instantQuery(req, 'closedAfter');
    const closedBefore = instantQuery(req, 'closedBefore');
    if (closedAfter) filters.closedAfter = new Date(closedAfter);
    if (closedBefore) filters.closedBefore = new Date(closedBefore);
    if (closedAfter && closedBefore && closedAfter > closedBefore) throw badRequest('closedAfter must not be after closedBefore');
    const archived = queryString(req, 'archived', { oneOf: ['exclude', 'include'] as const }) ?? 'exclude';
    res.json(await listCaseWorkflows(db, client, mine, filters, archived as 'exclude' | 'include'));
  });

  /** Cases whose engine keeps failing (a workflow task retried again and again): they need an operator. */
  r.get('/supervision/stuck-cases', async (req, res) => {
    const sup = requireSupervisor(req);
    const mine = await jurisdictionDepartments(db, sup);
    const scan = intQuery(req, 'scan', 500, 1, 5000);
    res.json(await findStuckCases(client, mine, scan));
  });

  /** Cases whose workflow stopped (terminated, failed) while the case had not ended: a platform administrator revives them. */
  r.get('/supervision/stopped-cases', async (req, res) => {
    const who = requireStaff(req, ['supervisor', 'platform-admin']);
    const departments = who.roles.includes('platform-admin') ? null : await jurisdictionDepartments(db, who);
    const scan = intQuery(req, 'scan', 500, 1, 5000);
    res.json(await findStoppedCases(db, client, departments, scan));
  });

  r.post('/supervision/stopped-cases/:caseNo/revive', async (req, res) => {
    const admin = requireStaff(req, ['platform-admin']);
    const caseNo = caseNoParam(req.params.caseNo);
    const { reason } = reasonBody(req.body);
    res.json(await reviveCase(db, client, caseNo, admin.id, reason));
  });

  r.post('/cases/:caseNo/urges', async (req, res) => {
    const sup = requireSupervisor(req);
    const actor = actorOf(sup);
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, sup, caseNo);
    const body = urgeBody(req.body);
    if (Date.parse(body.replyBy) <= Date.now()) throw badRequest('replyBy must be in the future');
    const handle = client.workflow.getHandle(caseNo);
    const view = await currentView(deps, caseNo);
    if (finished.includes(view.status)) {
      const err = conflict('case-finished', `case ${caseNo} is ${view.status}; only a running case can be urged`);
      await auditRefusal(db, actor.userId, 'refused.urge', caseNo, err.message);
      throw err;
    }
    if (!await isProjected(db, caseNo)) throw notProjectedYet(caseNo);
    const urgeId = `urge-${crypto.randomUUID()}`;
    // A case whose workflow has stopped (or closed since the query) refuses the urge as any action (409), not with a 500.
    await updateCase(deps, caseNo, actor.userId, 'urge', () => handle.signal(urgeSignal, { urgeId, message: body.message, replyBy: new Date(body.replyBy).toISOString(), by: actor.userId }));
    await recordUrge(db, { id: urgeId, caseNo, message: body.message, by: actor.userId, department: actor.department });
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
    await markUrgeAnswered(db, req.params.urgeId);
    res.json(urge);
  });

  r.post('/cases/:caseNo/orders', async (req, res) => {
    const sup = requireSupervisor(req);
    const actor = actorOf(sup);
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, sup, caseNo);
    const body = orderBody(req.body);
    if (!await isProjected(db, caseNo)) throw notProjectedYet(caseNo);
    const id = `${body.kind}-${crypto.randomUUID()}`;
    await recordOrder(db, { id, caseNo, kind: body.kind, content: body.content, by: actor.userId, department: actor.department });
    res.status(201).json({ id, kind: body.kind });
  });

  r.get('/cases/:caseNo/orders', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, requireStaff(req), caseNo);
    res.json({ orders: await ordersOf(db, caseNo) });
  });

  return r;
}
