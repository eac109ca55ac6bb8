/**
 * Callbacks from the payment, logistics and department platforms, turned into signals to the
 * case. Each is checked against the read model first: an unknown id, a wrong amount or a closed
 * order is refused with a 4xx and recorded in the audit log, and no signal is sent.
 * (Signatures on these callbacks come with the platform adapters.)
 */
import { Router } from 'express';
import type { Db } from '../../lib/db';
import { AppError, conflict, notFound, validationFailed } from '../../lib/errors';
import { deliveredSignal, departmentMilestoneSignal, departmentResultSignal, paymentConfirmedSignal } from '../../workflows/definitions';
import type { CaseDeps } from '../services/cases';
import { bodyValidator } from '../validate';

const instant = { type: 'string', format: 'date-time' };
const paymentBody = bodyValidator<{ paymentId: string; amountFen: number; paidAt: string }>({
  type: 'object', additionalProperties: false, required: ['paymentId', 'amountFen', 'paidAt'],
  properties: { paymentId: { type: 'string', maxLength: 64 }, amountFen: { type: 'integer', minimum: 1 }, paidAt: instant },
});
const logisticsBody = bodyValidator<{ waybillNo: string; event: 'delivered'; at: string }>({
  type: 'object', additionalProperties: false, required: ['waybillNo', 'event', 'at'],
  properties: { waybillNo: { type: 'string', maxLength: 32 }, event: { enum: ['delivered'] }, at: instant },
});
const departmentBody = bodyValidator<{ caseNo: string; stepId: string; type: 'milestone' | 'result'; milestone?: string; outcome?: 'approved' | 'refused'; opinion?: string; at: string }>({
  type: 'object', additionalProperties: false, required: ['caseNo', 'stepId', 'type', 'at'],
  properties: {
    caseNo: { type: 'string', pattern: '^[0-9]{22}$' }, stepId: { type: 'string', maxLength: 64 }, type: { enum: ['milestone', 'result'] },
    milestone: { type: 'string', minLength: 1, maxLength: 50 }, outcome: { enum: ['approved', 'refused'] }, opinion: { type: 'string', maxLength: 2000 }, at: instant,
  },
});

async function refused(db: Db, source: string, caseNo: string | null, err: AppError): Promise<never> {
  await db('audit_log').insert({ actor: source, action: 'refused.callback', case_no: caseNo, detail: JSON.stringify({ status: err.status, reason: err.message }) });
  throw err;
}

export function callbackRoutes(deps: CaseDeps): Router {
  const r = Router();
  const { db, client } = deps;

  r.post('/callbacks/payment', async (req, res) => {
    const body = paymentBody(req.body);
    const order = await db('payments').where({ id: body.paymentId }).first<{ case_no: string; amount_fen: string; status: string } | undefined>();
    if (!order) return refused(db, 'payment', null, notFound(`payment order ${body.paymentId}`));
    if (Number(order.amount_fen) !== body.amountFen) return refused(db, 'payment', order.case_no, validationFailed([{ pointer: '/amountFen', detail: `the order is for ${order.amount_fen} fen` }]));
    if (order.status === 'paid') return res.json({ accepted: true, duplicate: true });
    if (order.status !== 'open') return refused(db, 'payment', order.case_no, conflict('order-closed', `payment order ${body.paymentId} is ${order.status}`));
    await client.workflow.getHandle(order.case_no).signal(paymentConfirmedSignal, body);
    res.json({ accepted: true });
  });

  r.post('/callbacks/logistics', async (req, res) => {
    const body = logisticsBody(req.body);
    const d = await db('deliveries').where({ waybill_no: body.waybillNo }).first<{ case_no: string; status: string } | undefined>();
    if (!d) return refused(db, 'logistics', null, notFound(`waybill ${body.waybillNo}`));
    if (d.status === 'delivered') return res.json({ accepted: true, duplicate: true });
    await db('deliveries').where({ waybill_no: body.waybillNo, status: 'booked' }).update({ status: 'delivered', delivered_at: body.at });
    await client.workflow.getHandle(d.case_no).signal(deliveredSignal, { waybillNo: body.waybillNo, at: body.at });
    res.json({ accepted: true });
  });

  r.post('/callbacks/department', async (req, res) => {
    const body = departmentBody(req.body);
    const dispatch = await db('department_dispatches').where({ case_no: body.caseNo, step_id: body.stepId }).first<{ case_no: string } | undefined>();
    if (!dispatch) return refused(db, 'department', body.caseNo, notFound(`a dispatch of case ${body.caseNo} at step ${body.stepId}`));
    const handle = client.workflow.getHandle(body.caseNo);
    if (body.type === 'milestone') {
      if (!body.milestone) return refused(db, 'department', body.caseNo, validationFailed([{ pointer: '/milestone', detail: 'a milestone is named' }]));
      await handle.signal(departmentMilestoneSignal, { stepId: body.stepId, milestone: body.milestone, at: body.at });
    } else {
      if (!body.outcome) return refused(db, 'department', body.caseNo, validationFailed([{ pointer: '/outcome', detail: 'a result is approved or refused' }]));
      await handle.signal(departmentResultSignal, { stepId: body.stepId, outcome: body.outcome, opinion: body.opinion ?? '', at: body.at });
    }
    res.json({ accepted: true });
  });

  return r;
}
