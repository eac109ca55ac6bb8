/** Case routes: file, list, read, rate, and the history from Temporal. */
import { Router } from 'express';
import { badRequest } from '../../lib/errors';
import { bodyValidator } from '../validate';
import { caseHistory } from '../services/history';
import {
  assertFiled, endSpecialProcedure, evaluate, fileCase, getCase, listCases, liveView, replyCorrection, requestExtension, withdraw,
  type CaseDeps, type FileCaseBody,
} from '../services/cases';
import { requireStaff } from '../staff';
import type { CorrectionReply, EvaluationRequest } from '../../workflows/definitions';

const caseNoPattern = /^[0-9]{22}$/;

const fileCaseBody = bodyValidator<FileCaseBody>({
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
      },
    },
    formData: { type: 'object' },
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

const correctionBody = bodyValidator<CorrectionReply>({
  type: 'object',
  additionalProperties: false,
  required: ['note'],
  properties: {
    note: { type: 'string', minLength: 1, maxLength: 2000 },
    formData: { type: 'object' },
    materials: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200 } },
  },
});
const reasonBody = bodyValidator<{ reason: string }>({
  type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
});
const resultBody = bodyValidator<{ result: string }>({
  type: 'object', additionalProperties: false, required: ['result'], properties: { result: { type: 'string', minLength: 1, maxLength: 2000 } },
});

const evaluationBody = bodyValidator<EvaluationRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['level'],
  properties: {
    level: { type: 'integer', minimum: 1, maximum: 5 },
    comment: { type: 'string', maxLength: 1000, default: '' },
  },
});

function caseNoParam(raw: string): string {
  if (!caseNoPattern.test(raw)) throw badRequest('a case number is 22 digits');
  return raw;
}

function limitParam(raw: unknown): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw badRequest('limit must be an integer from 1 to 200');
  return n;
}

export function caseRoutes(deps: CaseDeps): Router {
  const r = Router();

  r.post('/cases', async (req, res) => {
    const body = fileCaseBody(req.body);
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length < 1 || key.length > 200)) throw badRequest('Idempotency-Key must be 1 to 200 characters');
    const filed = await fileCase(deps, body, key);
    res.status(filed.created ? 201 : 200).location(`/api/cases/${filed.caseNo}`).json({ caseNo: filed.caseNo, created: filed.created });
  });

  r.get('/cases', async (req, res) => {
    const status = typeof req.query.status === 'string' ? req.query.status : undefined;
    const department = typeof req.query.department === 'string' ? req.query.department : undefined;
    res.json({ cases: await listCases(deps.db, { status, department, limit: limitParam(req.query.limit) }) });
  });

  r.get('/cases/:caseNo', async (req, res) => {
    res.json(await getCase(deps.db, caseNoParam(req.params.caseNo)));
  });

  r.post('/cases/:caseNo/evaluation', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await evaluate(deps, caseNo, evaluationBody(req.body));
    res.status(204).end();
  });

  r.get('/cases/:caseNo/live', async (req, res) => {
    res.json(await liveView(deps, caseNoParam(req.params.caseNo)));
  });

  r.post('/cases/:caseNo/correction', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    res.json({ status: await replyCorrection(deps, caseNo, correctionBody(req.body)) });
  });

  r.post('/cases/:caseNo/withdrawal', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    res.json({ status: await withdraw(deps, caseNo, reasonBody(req.body).reason) });
  });

  r.post('/cases/:caseNo/extension', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const actor = await requireStaff(deps.db, req);
    res.status(202).json(await requestExtension(deps, caseNo, actor, reasonBody(req.body).reason));
  });

  r.post('/cases/:caseNo/special-procedure/end', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const actor = await requireStaff(deps.db, req);
    res.json({ status: await endSpecialProcedure(deps, caseNo, actor, resultBody(req.body).result) });
  });

  r.get('/cases/:caseNo/history', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await assertFiled(deps.db, caseNo);
    const { raw, timeline } = await caseHistory(deps.client, caseNo);
    res.json(req.query.format === 'raw' ? { caseNo, events: raw } : { caseNo, timeline });
  });

  return r;
}
