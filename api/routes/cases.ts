/** Case routes: file, list, read, rate, and the history from Temporal. */
import { Router, type Request, type Response } from 'express';
import { bodyValidator } from '../validate';
import { caseHistory } from '../services/history';
import {
  endSpecialProcedure, evaluate, fileCase, getCase, listCases, liveView, replyCorrection, reportPrecondition, requestExtension, withdraw,
  type CaseDeps, type CorrectionReplyBody, type FileCaseBody, type Filer, type PreconditionBody,
} from '../services/cases';
import { actorOf, principalOf, principalRef, requireStaff, type Principal } from '../auth/principal';
import { auditFullView, caseAccess, caseHandling, clerkRoles, handlerRoles, type CaseAccess } from '../services/access';
import { answeredNotModified, noneMatchHits } from '../conditional';
import { CaseWatch } from '../services/case-watch';
import { caseNoParam, instantQuery, intQuery, queryString } from '../params';
import { maskPersonalData } from '../../lib/privacy';
import { forbidden, unauthorised } from '../../lib/errors';
import type { EvaluationRequest } from '../../workflows/definitions';

/** A natural person named in an application: a legal person's legal representative, or the agent (经办人) who files. */
const namedPerson = {
  type: 'object',
  additionalProperties: false,
  required: ['idNumber', 'name'],
  properties: { idNumber: { type: 'string', pattern: '^[0-9]{17}[0-9X]$' }, name: { type: 'string', minLength: 1, maxLength: 100 } },
};

const fileCaseBody = bodyValidator<FileCaseBody>('FileCaseRequest', {
  type: 'object',
  additionalProperties: false,
  required: ['implementationCode', 'applicant', 'channel', 'formData'],
  properties: {
    implementationCode: { type: 'string', minLength: 1, maxLength: 64 },
    channel: { type: 'string', enum: ['online', 'window'] },
    applicant: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'name', 'idNumber'],
      properties: {
        kind: { type: 'string', enum: ['person', 'legal_person'] },
        name: { type: 'string', minLength: 1, maxLength: 100 },
        idNumber: { type: 'string', pattern: '^[0-9A-Z]{18}$' },
        phone: { type: 'string', pattern: '^1[3-9][0-9]{9}$' },
        legalRepresentative: namedPerson,
        agent: namedPerson,
      },
    },
    formData: { type: 'object' },
    simulated: { type: 'boolean', description: '模拟审批: file as a simulated case because a precondition of the entry is missing (refused when the entry does not allow it or nothing is missing)' },
    delivery: {
      type: 'object',
      additionalProperties: false,
      required: ['method'],
      properties: {
        method: { enum: ['window', 'courier', 'kiosk'] },
        address: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'phone', 'address'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 50 },
            phone: { type: 'string', pattern: '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$' },
            address: { type: 'string', minLength: 5, maxLength: 200 },
          },
        },
      },
    },
  },
});

const correctionBody = bodyValidator<CorrectionReplyBody>('CorrectionRequest', {
  type: 'object',
  additionalProperties: false,
  required: ['note'],
  properties: {
    note: { type: 'string', minLength: 1, maxLength: 2000 },
    formData: { type: 'object' },
    materials: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200 } },
    files: {
      type: 'array', maxItems: 50,
      description: 'files uploaded to the case (POST /cases/{caseNo}/materials), each with the index of the notice\'s problem it answers',
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'problem'],
        properties: { id: { type: 'string', pattern: '^mat_[A-Za-z0-9_-]{1,36}$' }, problem: { type: 'integer', minimum: 0, maximum: 99 } },
      },
    },
  },
});
const preconditionBody = bodyValidator<PreconditionBody>('PreconditionRequest', {
  type: 'object',
  additionalProperties: false,
  properties: {
    formData: { type: 'object', description: 'form fields changed since the review, merged over the case\'s form' },
    files: { type: 'array', maxItems: 50, uniqueItems: true, description: 'files uploaded to the case for a material (e.g. the precondition\'s)', items: { type: 'string', pattern: '^mat_[A-Za-z0-9_-]{1,36}$' } },
    note: { type: 'string', minLength: 1, maxLength: 2000 },
  },
});
export const reasonBody = bodyValidator<{ reason: string }>('ReasonRequest', {
  type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
});
const resultBody = bodyValidator<{ result: string }>('ResultRequest', {
  type: 'object', additionalProperties: false, required: ['result'], properties: { result: { type: 'string', minLength: 1, maxLength: 2000 } },
});

const evaluationBody = bodyValidator<EvaluationRequest>('EvaluationRequest', {
  type: 'object',
  additionalProperties: false,
  required: ['level'],
  properties: {
    level: { type: 'integer', minimum: 1, maximum: 5 },
    comment: { type: 'string', maxLength: 1000, default: '' },
  },
});

/** Who may file at all (checked before the body is read): a clerk, an applicant, an integrator with cases:file. */
function assertMayFile(p: Principal): void {
  if (p.kind === 'anonymous') throw unauthorised('sign in (staff or applicant) or use an API key to file a case');
  if (p.kind === 'staff' && !p.roles.some((r) => clerkRoles.includes(r))) throw forbidden('filing at a window needs the clerk role');
  if (p.kind === 'integrator' && !p.scopes.includes('cases:file')) throw forbidden('this API key lacks the scope "cases:file"');
}

/** Who files, and the assurance they bring: a clerk has seen the applicant (中级), online it is what was proved. */
function filerOf(p: Principal, body: FileCaseBody): Filer {
  assertMayFile(p);
  switch (p.kind) {
    case 'staff':
      if (body.channel !== 'window') throw forbidden('staff file cases at a window: channel must be "window"');
      return { kind: 'staff', id: p.id, hall: p.department, assurance: 'intermediate' };
    case 'applicant':
      if (body.channel !== 'online') throw forbidden('applicants file online: channel must be "online"');
      if (body.applicant.kind === 'person' && body.applicant.idNumber !== p.idNumber) throw forbidden('an applicant files for themselves (or for a company they act for)');
      return { kind: 'applicant', id: p.idNumber, name: p.name, assurance: p.assuranceLevel };
    case 'integrator':
      if (body.channel !== 'online') throw forbidden('integrators file online: channel must be "online"');
      return { kind: 'integrator', id: p.keyId, assurance: 'basic' };
    default:
      throw unauthorised('sign in to file a case');
  }
}

/** The longest a case view waits for its case to move (GET /cases/{caseNo}?wait=). */
export const maxWaitSeconds = 30;

/** Aborts once the caller hangs up (or already has): a request held for the case stops waiting. */
function hangUp(req: Request, res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  if (req.socket.destroyed) gone.abort();
  return gone.signal;
}

export function caseRoutes(deps: CaseDeps & { caseWatch?: CaseWatch }): Router {
  const r = Router();
  const { db } = deps;

  r.post('/cases', async (req, res) => {
    const p = principalOf(req);
    assertMayFile(p);
    const body = fileCaseBody(req.body);
    const filer = filerOf(p, body);
    const key = req.get('idempotency-key');
    const filed = await fileCase(deps, body, key === undefined ? undefined : `${principalRef(p)}:${key}`.slice(0, 200), filer);
    res.status(filed.created ? 201 : 200).location(`/api/cases/${filed.caseNo}`).json({ caseNo: filed.caseNo, created: filed.created });
  });

  r.get('/cases', async (req, res) => {
    const p = principalOf(req);
    if (p.kind === 'anonymous') throw unauthorised('sign in to list cases');
    if (p.kind === 'integrator' && !p.scopes.includes('cases:read')) throw forbidden('this API key lacks the scope "cases:read"');
    if (p.kind === 'staff' && !p.roles.some((role) => [...clerkRoles, ...handlerRoles, 'supervisor'].includes(role))) throw forbidden('your roles see no cases');
    res.json(await listCases(db, p, {
      status: queryString(req, 'status', { max: 32 }),
      department: queryString(req, 'department', { max: 32 }),
      itemCode: queryString(req, 'itemCode', { max: 64 }),
      supervisionState: queryString(req, 'supervisionState', { oneOf: ['normal', 'warning', 'overdue', 'statutory-overdue'] }),
      filedFrom: instantQuery(req, 'filedFrom'),
      filedTo: instantQuery(req, 'filedTo'),
      cursor: queryString(req, 'cursor', { max: 200 }),
      limit: intQuery(req, 'limit', 50, 1, 200),
    }));
  });

  /** One process's waiting case views; without a LISTEN connection they look every 3 s. */
  const watch = deps.caseWatch ?? new CaseWatch();

  r.get('/cases/:caseNo', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const p = principalOf(req);
    const reveal = req.query.reveal === 'true';
    const waitS = intQuery(req, 'wait', 0, 0, maxWaitSeconds);
    // Conditional GET: the ETag is the view's version and which view (whole, masked, revealed),
    // read with the access check, before the view itself, so the body sent is never older than its
    // tag. A poll that already holds this version gets 304 and nothing more is read, sent or
    // recorded as a full view.
    const tagOf = (a: CaseAccess) => a.scope.viewVersion === undefined ? undefined : `"v${a.scope.viewVersion}-${a.full ? 'full' : reveal ? 'revealed' : 'masked'}"`;
    // With ?wait=N the request waits (at most N s) while the caller holds the current version, or
    // while the case is filed but not yet in the read model, and is answered once that changes.
    const moved = (a: CaseAccess) => {
      const tag = tagOf(a);
      return tag !== undefined && !noneMatchHits(req.get('if-none-match'), tag);
    };
    // A caller that hangs up while its view is held stops waiting (and is sent nothing).
    const gone = hangUp(req, res);
    let access: CaseAccess;
    if (waitS > 0) {
      let last: CaseAccess | undefined;
      const heldFrom = performance.now();
      try {
        await watch.until(caseNo, principalRef(p), waitS * 1000, async () => {
          last = await caseAccess(db, p, caseNo);
          return moved(last) ? last : undefined;
        }, gone);
      } finally {
        // The request's duration metric leaves out the time it was held (api/observability.ts).
        res.locals.heldMs = performance.now() - heldFrom;
      }
      if (gone.aborted) return;
      access = last!; // until() always looks at least once
    } else {
      access = await caseAccess(db, p, caseNo);
    }
    const tag = tagOf(access);
    if (tag !== undefined && answeredNotModified(req, res, tag)) return;
    const view = await getCase(db, caseNo);
    if (access.full) {
      await auditFullView(db, p, caseNo, 'case');
      return res.json(view);
    }
    if (reveal) {
      // A supervisor may see the personal data when the case calls for it; the view is audited.
      await auditFullView(db, p, caseNo, 'case (revealed by supervisor)');
      return res.json(view);
    }
    res.json(maskPersonalData(view));
  });

  r.post('/cases/:caseNo/evaluation', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const p = principalOf(req);
    if (p.kind !== 'applicant' && p.kind !== 'integrator') throw p.kind === 'anonymous' ? unauthorised('sign in to rate a case') : forbidden('only the applicant rates a case');
    await caseHandling(db, p, caseNo);
    await evaluate(deps, caseNo, evaluationBody(req.body));
    res.status(204).end();
  });

  r.get('/cases/:caseNo/live', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const p = principalOf(req);
    const access = await caseAccess(db, p, caseNo);
    // A case filed a moment ago: its first batch (and its view) is waited for, up to 5 s, rather than asking the workflow.
    const gone = hangUp(req, res);
    const view = await liveView(deps, caseNo, (read) => watch.until(caseNo, principalRef(p), 5_000, read, gone));
    if (gone.aborted) return;
    res.json(access.full ? view : maskPersonalData(view));
  });

  /** The applicant (or the clerk at the window, or the integrator that filed) answers a correction request. */
  r.post('/cases/:caseNo/correction', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await applicantSide(req, caseNo);
    res.json({ status: await replyCorrection(deps, caseNo, correctionBody(req.body)) });
  });

  /** 模拟审批: a precondition has appeared (or the applicant brings changes): the case checks its preconditions and answers what is missing. */
  r.post('/cases/:caseNo/precondition', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await applicantSide(req, caseNo);
    res.json(await reportPrecondition(deps, caseNo, preconditionBody(req.body), principalRef(principalOf(req))));
  });

  r.post('/cases/:caseNo/withdrawal', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await applicantSide(req, caseNo);
    res.json({ status: await withdraw(deps, caseNo, reasonBody(req.body).reason) });
  });

  r.post('/cases/:caseNo/extension', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const staff = requireStaff(req, handlerRoles);
    await caseHandling(db, staff, caseNo);
    res.status(202).json(await requestExtension(deps, caseNo, actorOf(staff), reasonBody(req.body).reason));
  });

  r.post('/cases/:caseNo/special-procedure/end', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const staff = requireStaff(req, handlerRoles);
    await caseHandling(db, staff, caseNo);
    res.json({ status: await endSpecialProcedure(deps, caseNo, actorOf(staff), resultBody(req.body).result) });
  });

  /** The readable timeline for everyone who may see the case; the raw Temporal history for staff only. */
  r.get('/cases/:caseNo/history', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const p = principalOf(req);
    const access = await caseAccess(db, p, caseNo);
    const format = queryString(req, 'format', { oneOf: ['timeline', 'raw'] }) ?? 'timeline';
    if (format === 'raw' && p.kind !== 'staff') throw forbidden('the raw history is for staff');
    const { raw, timeline } = await caseHistory(deps.client, caseNo);
    if (format === 'raw') {
      await auditFullView(db, p, caseNo, 'raw history');
      return res.json({ caseNo, events: raw });
    }
    res.json({ caseNo, timeline: access.full ? timeline : maskPersonalData(timeline) });
  });

  async function applicantSide(req: Request, caseNo: string) {
    const p = principalOf(req);
    if (p.kind === 'staff' && !p.roles.some((role) => clerkRoles.includes(role))) throw forbidden('a correction reply or withdrawal is made by the applicant or at the window');
    await caseHandling(db, p, caseNo);
  }

  return r;
}
