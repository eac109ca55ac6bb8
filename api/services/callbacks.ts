/**
 * The platforms' callbacks after the route has them: verify the signed envelope, remember its
 * event id (a repeat is acknowledged and changes nothing), then apply it per platform (read the
 * order, waybill, dispatch or face check it names, update its row, signal the case). Refusals are
 * written to the audit log. Used by `api/routes/callbacks.ts`.
 */
import { verifyCallbackShared, type CallbackEvent } from '../../adapters/callbacks';
import type { Db } from '../../lib/db';
import { PgNonceStore } from '../../lib/nonce-store';
import { AppError, notFound, validationFailed } from '../../lib/errors';
import { deliveredSignal, departmentMilestoneSignal, departmentResultSignal, faceCheckResultSignal, paymentConfirmedSignal, type CaseInput, type ProcessStep } from '../../workflows/definitions';
import { fileCase, type CaseDeps, type FileCaseBody } from './cases';
import { stoppedRefusal } from './stopped';
import { WorkflowNotFoundError } from '@temporalio/client';
import { provincialFilingPrefix } from '../../lib/exchange/outbox';

export type CallbackPlatform = 'payment' | 'logistics' | 'department' | 'identity' | 'province';

/** What the route hands over: the request as received (the raw body is what was signed). */
export interface ReceivedCallback {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function refused(db: Db, source: string, caseNo: string | null, err: AppError): Promise<never> {
  await db('audit_log').insert({ actor: source, action: 'refused.callback', case_no: caseNo, detail: JSON.stringify({ status: err.status, reason: err.message }) });
  throw err;
}

/**
 * The fields an event's data must carry, by type of value; a signed event without them is refused
 * (422, audited) before anything is looked up, never a 500.
 */
async function requireData(db: Db, platform: string, data: unknown, fields: Record<string, 'string' | 'integer' | 'instant' | 'string?' | 'instant?'>): Promise<void> {
  const d = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  const problems = Object.entries(fields).flatMap(([name, kind]) => {
    const v = d[name];
    if (kind.endsWith('?') && v === undefined) return [];
    const ok = kind.startsWith('string') ? typeof v === 'string' && v.length > 0 && v.length <= 200
      : kind.startsWith('instant') ? typeof v === 'string' && !Number.isNaN(Date.parse(v))
        : Number.isInteger(v);
    return ok ? [] : [{ pointer: `/data/${name}`, detail: `${name} must be ${kind.startsWith('string') ? 'a text of 1 to 200 characters' : kind.startsWith('instant') ? 'an ISO 8601 instant' : 'a whole number'}` }];
  });
  if (problems.length) await refused(db, platform, null, validationFailed(problems));
}

type Handler = (event: CallbackEvent<Record<string, unknown>>) => Promise<Record<string, unknown>>;

/** Receives the platforms' callbacks: `receive(platform, request)` answers with what the route sends back (200), or throws the refusal. */
export function callbackService(deps: CaseDeps, secret: string) {
  const { db, client } = deps;
  const nonces = new PgNonceStore(db);
  const handlers = {} as Record<CallbackPlatform, Handler>;

  const on = (platform: CallbackPlatform, handle: Handler) => { handlers[platform] = handle; };
  /**
   * Cases of the first engine get their payments, deliveries and face checks written here, as
   * they always did; a case of the second engine writes them itself (one writer), so a callback
   * only verifies and signals.
   */
  const firstEngine = async (caseNo: string) => (await db('cases').where({ case_no: caseNo }).first<{ engine: number } | undefined>('engine'))?.engine !== 2;

  on('payment', async (e) => {
    await requireData(db, 'payment', e.data, { paymentId: 'string', amountFen: 'integer', paidAt: 'instant?', refundedAt: 'instant?' });
    const d = e.data as { paymentId: string; amountFen: number; paidAt?: string; refundedAt?: string };
    const order = await db('payments').where({ id: d.paymentId }).first<{ case_no: string; amount_fen: string; status: string } | undefined>();
    if (!order) return refused(db, 'payment', null, notFound(`payment order ${d.paymentId}`));
    if (Number(order.amount_fen) !== d.amountFen) return refused(db, 'payment', order.case_no, validationFailed([{ pointer: '/data/amountFen', detail: `the order is for ${order.amount_fen} fen` }]));
    if (e.type === 'payment.refunded') {
      if (await firstEngine(order.case_no)) await db('payments').where({ id: d.paymentId }).update({ status: 'refunded', refunded_at: db.raw('coalesce(refunded_at, ?)', [d.refundedAt ?? e.occurredAt]) });
      return {};
    }
    if (e.type !== 'payment.paid') return { ignored: e.type };
    if (order.status !== 'open') return { ignored: `order is ${order.status}` };
    await client.workflow.getHandle(order.case_no).signal(paymentConfirmedSignal, { paymentId: d.paymentId, amountFen: d.amountFen, paidAt: d.paidAt ?? e.occurredAt });
    return {};
  });

  on('logistics', async (e) => {
    await requireData(db, 'logistics', e.data, { waybillNo: 'string', event: 'string', at: 'instant' });
    const d = e.data as { waybillNo: string; event: string; at: string };
    const delivery = await db('deliveries').where({ waybill_no: d.waybillNo }).first<{ case_no: string; status: string } | undefined>();
    if (!delivery) return refused(db, 'logistics', null, notFound(`waybill ${d.waybillNo}`));
    if (e.type !== 'logistics.delivered') {
      if (delivery.status === 'booked' && (await firstEngine(delivery.case_no))) await db('deliveries').where({ waybill_no: d.waybillNo, status: 'booked' }).update({ status: d.event === 'in_transit' ? 'in_transit' : 'booked' });
      return {};
    }
    if (await firstEngine(delivery.case_no)) await db('deliveries').where({ waybill_no: d.waybillNo }).whereNot({ status: 'delivered' }).update({ status: 'delivered', delivered_at: d.at });
    await client.workflow.getHandle(delivery.case_no).signal(deliveredSignal, { waybillNo: d.waybillNo, at: d.at });
    return {};
  });

  on('department', async (e) => {
    await requireData(db, 'department', e.data, { caseNo: 'string', stepId: 'string', type: 'string', milestone: 'string?', opinion: 'string?', at: 'instant' });
    const d = e.data as { caseNo: string; stepId: string; round?: unknown; type: 'milestone' | 'result'; milestone?: string; outcome?: 'approved' | 'refused'; opinion?: string; at: string };
    if (d.round !== undefined && !(Number.isInteger(d.round) && (d.round as number) >= 1)) {
      return refused(db, 'department', null, validationFailed([{ pointer: '/data/round', detail: 'round is a whole number from 1' }]));
    }
    const round = (d.round as number | undefined) ?? 1;
    const dispatch = await db('department_dispatches').where({ case_no: d.caseNo, step_id: d.stepId, round }).first<{ case_no: string } | undefined>();
    if (!dispatch) return refused(db, 'department', null, notFound(`a dispatch of case ${d.caseNo} at step ${d.stepId} (round ${round})`));
    const handle = client.workflow.getHandle(d.caseNo);
    if (d.type === 'milestone' && d.milestone) {
      // Only the milestones the case's pinned entry declares for that step.
      const declared = await declaredMilestones(db, d.caseNo, d.stepId);
      if (!declared.includes(d.milestone)) {
        return refused(db, 'department', d.caseNo, validationFailed([{ pointer: '/data/milestone', detail: `step ${d.stepId} declares the milestones ${declared.join('、') || '(none)'}` }]));
      }
      await handle.signal(departmentMilestoneSignal, { stepId: d.stepId, ...(round > 1 ? { round } : {}), milestone: d.milestone, at: d.at });
    } else if (d.type === 'result' && d.outcome) {
      await handle.signal(departmentResultSignal, { stepId: d.stepId, ...(round > 1 ? { round } : {}), outcome: d.outcome, opinion: d.opinion ?? '', at: d.at });
    } else {
      return refused(db, 'department', d.caseNo, validationFailed([{ pointer: '/data', detail: 'a milestone names itself; a result is approved or refused' }]));
    }
    return {};
  });

  on('identity', async (e) => {
    if (e.type !== 'identity.face-check') return { ignored: e.type };
    const d = e.data as { checkId?: unknown; passed?: unknown; reason?: unknown; at?: unknown };
    if (typeof d.checkId !== 'string' || typeof d.passed !== 'boolean' || typeof d.at !== 'string' || Number.isNaN(Date.parse(d.at)) || (d.reason != null && typeof d.reason !== 'string')) {
      return refused(db, 'identity', null, validationFailed([{ pointer: '/data', detail: 'a face check result names its checkId, passed (true or false) and at (an instant)' }]));
    }
    const check = await db('face_checks').where({ check_id: d.checkId }).first<{ case_no: string; status: string } | undefined>('case_no', 'status');
    if (!check) return refused(db, 'identity', null, notFound(`face check ${d.checkId}`));
    const reason = typeof d.reason === 'string' ? d.reason : undefined;
    if (await firstEngine(check.case_no)) await db('face_checks').where({ check_id: d.checkId, status: 'pending' }).update({ status: d.passed ? 'passed' : 'failed', reason: reason ?? null, completed_at: d.at });
    await client.workflow.getHandle(check.case_no).signal(faceCheckResultSignal, { checkId: d.checkId, passed: d.passed, reason, at: d.at });
    return {};
  });

  /**
   * 同源发布, the other way: a case filed on the provincial portal is filed here as an online case
   * (the provincial case number is its idempotency key, so a repeated push files it once) and its
   * nodes go back through the exchange outbox with that number. Refusals (an entry not in
   * service here, form data this entry's form refuses) are audited and answered 4xx.
   */
  on('province', async (e) => {
    if (e.type !== 'province.case-filed') return { ignored: e.type };
    await requireData(db, 'province', e.data, { provincialCaseNo: 'string', implementationCode: 'string' });
    const d = e.data as { provincialCaseNo: string; implementationCode: string; applicant?: unknown; formData?: unknown; delivery?: unknown };
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    const a = isObject(d.applicant) ? d.applicant : undefined;
    const problems = [
      ...(!/^[A-Za-z0-9-]{1,40}$/.test(d.provincialCaseNo) ? [{ pointer: '/data/provincialCaseNo', detail: 'letters, digits and hyphens, at most 40' }] : []),
      ...(!a || (a.kind !== 'person' && a.kind !== 'legal_person') || typeof a.name !== 'string' || typeof a.idNumber !== 'string' ? [{ pointer: '/data/applicant', detail: 'the applicant names kind (person or legal_person), name and idNumber' }] : []),
      ...(!isObject(d.formData) ? [{ pointer: '/data/formData', detail: 'the form data is an object' }] : []),
      ...(d.delivery !== undefined && !isObject(d.delivery) ? [{ pointer: '/data/delivery', detail: 'the delivery choice is an object' }] : []),
    ];
    if (problems.length) return refused(db, 'province', null, validationFailed(problems));
    const body: FileCaseBody = {
      implementationCode: d.implementationCode, channel: 'online', formData: d.formData as Record<string, unknown>,
      applicant: { kind: a!.kind as 'person' | 'legal_person', name: a!.name as string, idNumber: a!.idNumber as string, ...(typeof a!.phone === 'string' ? { phone: a!.phone } : {}) },
      ...(d.delivery ? { delivery: d.delivery as FileCaseBody['delivery'] } : {}),
    };
    try {
      // The provincial portal proved the applicant's identity (real-name, intermediate) before filing.
      const filed = await fileCase(deps, body, `${provincialFilingPrefix}${d.provincialCaseNo}`, { kind: 'integrator', id: 'province', assurance: 'intermediate' });
      return { caseNo: filed.caseNo, created: filed.created };
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return refused(db, 'province', null, err);
      throw err;
    }
  });

  /** Verifies, de-duplicates by event id, then hands the event to the platform's handler. */
  async function receive(platform: CallbackPlatform, request: ReceivedCallback): Promise<Record<string, unknown>> {
    const check = await verifyCallbackShared<Record<string, unknown>>(request, { secret, nonces });
    if (!check.ok) return refused(db, platform, null, new AppError(check.status, `callback-${check.reason}`, 'The callback was refused', check.message));
    const e = check.event;
    const first = await db('callback_events').insert({ event_id: e.eventId, platform, type: e.type, subject: e.subject, seq: e.seq, occurred_at: e.occurredAt }).onConflict('event_id').ignore().returning('event_id');
    if (first.length === 0) return { accepted: true, duplicate: true };
    try {
      return { accepted: true, ...(await handlers[platform](e)) };
    } catch (err) {
      // Not applied: forget the event id so the platform's retry can be applied later.
      await db('callback_events').where({ event_id: e.eventId }).delete();
      // A case whose workflow has stopped takes it once revived: 503, so the platform sends it again later (not a 500).
      const why = err instanceof WorkflowNotFoundError && err.workflowId ? await stoppedRefusal(client, err.workflowId, err) : null;
      if (why) throw new AppError(503, why.code, 'The case is stopped', `${why.message}; send the callback again later`);
      throw err;
    }
  }

  return { receive };
}

/** The milestones the case's pinned process declares for a department step (branches included). */
async function declaredMilestones(db: Db, caseNo: string, stepId: string): Promise<string[]> {
  const filing = await db('case_filings').where({ case_no: caseNo }).first<{ input: CaseInput } | undefined>('input');
  const find = (steps: ProcessStep[]): ProcessStep | undefined => {
    for (const s of steps) {
      if (s.id === stepId) return s;
      const inner = s.type === 'parallel' ? find(s.branches.flatMap((b) => b.steps)) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const step = filing ? find(filing.input.implementation.process.steps) : undefined;
  return step?.type === 'department' ? step.milestones ?? [] : [];
}
