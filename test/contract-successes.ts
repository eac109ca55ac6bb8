/**
 * The contract test's second half: requests that a generator cannot make up, so that every
 * operation answers a success at least once and that success's body is checked against its
 * schema. Each scenario puts real things into the state the operation needs (a case awaiting
 * correction, a task in review, an urge, a paid order's callback, a change under review, an SMS
 * code) through the same HTTP routes a user would, and then sends the operation through the
 * contract test's `send`, which checks the answer.
 */
import { expect } from 'chai';
import { signCallback, type CallbackEvent } from '../adapters/callbacks';
import { sampleDocuments, withFormContent } from '../db/seed';
import { readFormFolder } from '../lib/forms';
import { asClerkFor, asStaff, eventually, http, platformSecret, smsCodeOf, type HttpResult, type Stack } from './harness';
import { china, clearHallDays, hallApi, sampleHall } from './hall';
import { hashPassword } from '../api/auth/secrets';
import { operations, type Operation } from '../api/openapi';

export interface SuccessCaller {
  name: string;
  headers: (method: string, path: string, body?: unknown) => Record<string, string>;
  sign?: (path: string, body: unknown) => { body: unknown; headers: Record<string, string> };
}

export interface SuccessContext {
  stack: Stack;
  callers: Record<string, SuccessCaller>;
  /** The contract test's send: checks the answer against the document and counts it. */
  send(op: Operation, caller: SuccessCaller, path: string, query: Record<string, string>, body: unknown, what: string, on?: Stack): Promise<HttpResult>;
  applicant: { idNumber: string; name: string; phone: string };
}

const opOf = (method: string, path: string): Operation => {
  const op = operations.find((o) => o.method === method && o.path === path);
  if (!op) throw new Error(`no operation ${method} ${path}`);
  return op;
};

const address = { name: '黄丽娟', phone: '13588036752', address: '浙江省杭州市西湖区文三路100号' };

/** Drives the scenarios; every `call(...)` is a success the contract test checked against its schema. */
export async function driveSuccesses(c: SuccessContext): Promise<void> {
  const { stack, callers } = c;
  const db = stack.db;
  const bearer = (h: Record<string, string>, name: string): SuccessCaller => ({ name, headers: () => h });
  const staff = async (id: string) => bearer(await asStaff(stack, id), id);
  /** Sends through the contract's check and requires a success. */
  const call = async (method: string, template: string, real: string, caller: SuccessCaller, body?: unknown, on?: Stack) => {
    const res = await c.send(opOf(method, template), caller, real, {}, body, 'a real success', on);
    expect(res.status, `${method.toUpperCase()} ${real}: ${String(JSON.stringify(res.body)).slice(0, 400)}`).to.be.lessThan(300);
    return res;
  };

  /** Files a case at the window of the item's hall. */
  const file = async (code: string, formKey: string, extra: Record<string, unknown> = {}) => {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode: code, channel: 'window', applicant: { kind: 'person', ...c.applicant }, formData: readFormFolder({ key: formKey, version: 1 }).example, ...extra }, await asClerkFor(stack, code));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.caseNo as string;
  };
  /** The case's open task (of a step or kind), and a staff member of its department and role. */
  const openTask = (caseNo: string, step?: string) => eventually(async () => {
    const q = db('tasks').where({ case_no: caseNo, status: 'open' });
    if (step) q.where((w) => void w.where('step_id', step).orWhere('kind', step));
    const t = await q.first<{ id: string; kind: string; department_code: string; role: string } | undefined>();
    if (!t) return undefined;
    const user = await db('staff_users').where({ department_code: t.department_code }).whereRaw('? = any(roles)', [t.role]).orderBy('id').first<{ id: string }>('id');
    return { id: t.id, kind: t.kind, as: await staff(user.id) };
  }, `an open task${step ? ` ${step}` : ''} of ${caseNo}`, 30_000);
  const complete = async (caseNo: string, step: string | undefined, body: Record<string, unknown>) => {
    const t = await openTask(caseNo, step);
    const action = body.action ?? (t.kind === 'precheck' ? 'accept' : 'approve');
    return call('post', '/tasks/{taskId}/complete', `/tasks/${t.id}/complete`, t.as, { opinion: '同意', ...(action === 'accept' ? { missingMaterialsReason: '材料已当面核验，纸质件另行归档' } : {}), ...body, action });
  };
  const status = (caseNo: string, wanted: string) => eventually(async () => (await db('cases').where({ case_no: caseNo, status: wanted }).first('case_no')) !== undefined, `${caseNo} to be ${wanted}`, 30_000);

  // A case asked for a correction, then corrected at the window.
  const corrected = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
  await complete(corrected, 'precheck', { action: 'correction', opinion: '请补正', problems: ['经营场所证明缺失'] });
  await status(corrected, 'awaiting_correction');
  await call('post', '/cases/{caseNo}/correction', `/cases/${corrected}/correction`, callers.clerk, { note: '已补充经营场所证明', materials: ['场所租赁合同'] });
  // Its correction notice, issued (numbered) and then downloaded as a PDF.
  await call('post', '/cases/{caseNo}/documents/{kind}', `/cases/${corrected}/documents/correction`, callers.clerk);
  await call('get', '/cases/{caseNo}/documents/{kind}/pdf', `/cases/${corrected}/documents/correction/pdf`, callers.clerk);

  // 模拟审批: a construction permit filed before its land certificate exists, reviewed as a simulation, then reported on.
  const simulatedFiling = { implementationCode: 'XK-330000-00004.xh-zjj', channel: 'window', simulated: true, formData: readFormFolder({ key: 'construction-permit', version: 1 }).example,
    applicant: { kind: 'legal_person', name: '杭州顺通达物流有限公司', idNumber: '91330106MA2J1PQE65', legalRepresentative: { idNumber: '330102197103254035', name: '何志刚' } } };
  const permitClerk = bearer(await asClerkFor(stack, 'XK-330000-00004.xh-zjj'), 'the permit hall\'s clerk');
  const simulatedCase = (await call('post', '/cases', '/cases', permitClerk, simulatedFiling)).body.caseNo as string;
  // A face check is finished once: its row stays pending until the workflow has recorded the result, which on a busy machine can take longer than one poll.
  const finishedFaceChecks = new Set<string>();
  await eventually(async () => {
    if ((await db('cases').where({ case_no: simulatedCase, status: 'awaiting_precondition' }).first('case_no')) !== undefined) return true;
    const face = await db('face_checks').where({ case_no: simulatedCase, status: 'pending' }).first<{ check_id: string } | undefined>('check_id');
    if (face && !finishedFaceChecks.has(face.check_id)) {
      await stack.sims.identity.control.finishFaceCheck(face.check_id, 'pass');
      finishedFaceChecks.add(face.check_id);
    }
    if (await db('tasks').where({ case_no: simulatedCase, status: 'open' }).first('id')) await complete(simulatedCase, undefined, {});
    return false;
  }, `${simulatedCase} to give its simulated opinion`, 60_000);
  await call('post', '/cases/{caseNo}/precondition', `/cases/${simulatedCase}/precondition`, permitClerk, { note: '已申请不动产权证书，尚在办理' });

  // A case whose workflow an operator terminated by mistake, revived by a platform administrator.
  const stopped = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
  await openTask(stopped, 'precheck');
  await stack.client.workflow.getHandle(stopped).terminate('contract test: a stopped case');
  await call('post', '/supervision/stopped-cases/{caseNo}/revive', `/supervision/stopped-cases/${stopped}/revive`, await staff('ops-jiang'), { reason: '误操作终止，恢复办理' });

  // The clerk records a material's state on the checklist.
  await call('put', '/cases/{caseNo}/checklist/{materialId}', `/cases/${corrected}/checklist/application`, callers.clerk, { state: 'paper' });

  // A case in review: reassigned, urged and the urge answered, extended, then decided, handed over and rated by its applicant.
  const reviewed = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
  await complete(reviewed, 'precheck', {});
  const review = await openTask(reviewed, 'review');
  await call('post', '/tasks/{taskId}/reassign', `/tasks/${review.id}/reassign`, await staff('head-zhou'), { to: 'approver-li' });
  const urge = await call('post', '/cases/{caseNo}/urges', `/cases/${reviewed}/urges`, callers.supervisor, { message: '请尽快办理', replyBy: new Date(Date.now() + 86_400_000).toISOString() });
  await eventually(async () => (await db('case_events').where({ case_no: reviewed, type: 'urged' }).first()) !== undefined, 'the urge in the read model');
  await call('post', '/cases/{caseNo}/urges/{urgeId}/answer', `/cases/${reviewed}/urges/${urge.body.urgeId as string}/answer`, await staff('approver-li'), { answer: '已安排专人办理' });
  await call('post', '/cases/{caseNo}/extension', `/cases/${reviewed}/extension`, await staff('approver-li'), { reason: '需补充调查核实经营场所' });
  await complete(reviewed, 'review', { action: 'approve' });
  await complete(reviewed, 'handover', { action: 'handover' });
  await status(reviewed, 'completed');
  await call('post', '/cases/{caseNo}/evaluation', `/cases/${reviewed}/evaluation`, callers.applicant, { level: 5, comment: '办理很快' });
  // Rated, the case closes and its sealed package goes to the archive: downloaded and verified.
  await eventually(async () => (await db('archive_packages').where({ case_no: reviewed }).first('case_no')) !== undefined, 'the case\'s archive package', 60_000);
  await call('get', '/archive/{caseNo}', `/archive/${reviewed}`, callers.supervisor);
  expect((await call('get', '/archive/{caseNo}/verify', `/archive/${reviewed}/verify`, callers.supervisor)).body.verdict).to.equal('intact');
  // A rating sent again once the case has closed (its first answer lost, say) is told the case is closed: 409, not 404.
  const again = await c.send(opOf('post', '/cases/{caseNo}/evaluation'), callers.applicant, `/cases/${reviewed}/evaluation`, {}, { level: 5, comment: '办理很快' }, 'a rating after the close');
  expect([again.status, again.body.type]).to.deep.equal([409, 'https://onewindow.example/problems/case-closed']);

  // A food licence at its site inspection, suspended for a special procedure and resumed.
  const inspected = await file('XK-330000-00003.xh-scjg', 'food-business-licence');
  await complete(inspected, 'precheck', {});
  await complete(inspected, 'accept-review', { action: 'approve' });
  await complete(inspected, 'site-inspection', { action: 'suspend', procedure: { type: 'inspection', reason: '需现场核查', expectedDays: 5 } });
  await status(inspected, 'special_procedure');
  await call('post', '/cases/{caseNo}/special-procedure/end', `/cases/${inspected}/special-procedure/end`, await staff('reviewer-sun'), { result: '现场核查完毕，符合要求' });

  // A fee and courier case: the payment platform's and the courier's callbacks, then the certificate verified.
  const paid = await file('QR-330000-00010.xh-gaj', 'resident-id-card-renewal', { delivery: { method: 'courier', address } });
  // Each review in turn until the case asks for its fee.
  for (let i = 0; i < 10; i++) {
    const next = await eventually(async () => (await db('payments').where({ case_no: paid }).first('id')) ? 'fee' : (await db('tasks').where({ case_no: paid, status: 'open' }).first('id')) ? 'task' : undefined, `the fee or the next task of ${paid}`, 30_000);
    if (next === 'fee') break;
    await complete(paid, undefined, {});
  }
  const order = await eventually(() => db('payments').where({ case_no: paid, status: 'open' }).first<{ id: string; amount_fen: string } | undefined>(), 'the payment order');
  const signed = (platform: string, event: Record<string, unknown>): SuccessCaller => ({
    name: 'platform',
    headers: () => ({}),
    sign: (path) => {
      const full = { eventId: `evt-contract-${platform}-${Date.now()}-${Math.random()}`, subject: 'contract', seq: 1, occurredAt: new Date().toISOString(), ...event } as CallbackEvent;
      const s = signCallback(platformSecret, { url: `http://api.invalid${path}`, sender: platform, event: full });
      return { body: s.body, headers: s.headers };
    },
  });
  await call('post', '/callbacks/payment', '/callbacks/payment', signed('payment', { type: 'payment.paid', data: { paymentId: order.id, amountFen: Number(order.amount_fen) } }), {});
  const delivery = await eventually(() => db('deliveries').where({ case_no: paid }).whereNotNull('waybill_no').first<{ waybill_no: string } | undefined>(), 'the courier booking', 30_000);
  await call('post', '/callbacks/logistics', '/callbacks/logistics', signed('logistics', { type: 'logistics.delivered', data: { waybillNo: delivery.waybill_no, event: 'delivered', at: new Date().toISOString() } }), {});
  await status(paid, 'completed');
  const certificate = await db('certificates').where({ case_no: paid }).first<{ number: string }>('number');
  await call('get', '/certificates/{number}/verify', `/certificates/${encodeURIComponent(certificate.number)}/verify`, callers.anonymous);

  // A department's own system reports its result.
  const freight = await file('XK-330000-00007.hz-jtys', 'road-freight-licence', { delivery: { method: 'window' } });
  await complete(freight, 'precheck', {});
  const dispatch = await eventually(() => db('department_dispatches').where({ case_no: freight }).first<{ step_id: string } | undefined>(), 'the dispatch', 30_000);
  await call('post', '/callbacks/department', '/callbacks/department', signed('department', { type: 'department.result', data: { caseNo: freight, stepId: dispatch.step_id, type: 'result', outcome: 'approved', opinion: '符合条件', at: new Date().toISOString() } }), {});

  // The window's drafts: one saved, read, changed and deleted.
  const draftBody = { implementationCode: 'XK-330000-00001.xh-scjg', applicant: { kind: 'person', name: c.applicant.name }, formData: {} };
  const draft = await call('post', '/drafts', '/drafts', callers.clerk, draftBody);
  const draftId = draft.body.id as string;
  await call('get', '/drafts/{id}', `/drafts/${draftId}`, callers.clerk);
  await call('put', '/drafts/{id}', `/drafts/${draftId}`, callers.clerk, { ...draftBody, formData: { businessName: '黄记小吃店' } });
  await call('delete', '/drafts/{id}', `/drafts/${draftId}`, callers.clerk);

  // An entry of the contract's own (so no other suite's sample changes): imported, read, edited, submitted, reviewed, discarded.
  const serial = String(Date.now() % 90_000 + 10_000);
  const code = `XK-330000-${serial}.xh-scjg`;
  const doc = structuredClone(withFormContent(sampleDocuments()[0])) as Record<string, any>;
  doc.item = { ...doc.item, code: `XK-330000-${serial}`, name: '契约测试事项' };
  doc.implementation = { code, name: '契约测试事项（西湖区）', department: 'xh-scjg' };
  const admin = callers.catalogueAdmin;
  await call('post', '/catalogue/import', '/catalogue/import', admin, doc);
  const version = await call('get', '/implementations/{code}/versions/{version}', `/implementations/${code}/versions/1`, admin);
  await call('put', '/implementations/{code}/versions/{version}', `/implementations/${code}/versions/1`, admin, { entry: version.body.entry });
  const submitted = await call('post', '/implementations/{code}/versions/{version}/submit', `/implementations/${code}/versions/1/submit`, admin, { reason: '契约测试新增事项' });
  const changeId = submitted.body.changeId as string;
  await eventually(async () => (await http(stack, 'GET', `/api/changes/${changeId}`, undefined, admin.headers('GET', ''))).body.reviews?.length === 1, 'the first review');
  await call('get', '/changes/{id}', `/changes/${changeId}`, admin);
  await call('post', '/changes/{id}/reviews', `/changes/${changeId}/reviews`, callers.reviewer, { stage: 'classification', decision: 'reject', opinion: '契约测试：退回' });
  await call('delete', '/implementations/{code}/versions/{version}', `/implementations/${code}/versions/1`, admin);

  // An integrator's key, issued and revoked.
  const issued = await call('post', '/admin/api-keys', '/admin/api-keys', callers.admin, { name: '契约测试接入方', scopes: ['cases:read'] });
  await call('post', '/admin/api-keys/{id}/revoke', `/admin/api-keys/${issued.body.id as string}/revoke`, callers.admin);

  // An applicant signs in with the code the SMS brought.
  const sms = await call('post', '/auth/applicant/sms', '/auth/applicant/sms', callers.anonymous, { idNumber: c.applicant.idNumber, name: c.applicant.name, phone: c.applicant.phone });
  await call('post', '/auth/applicant/login', '/auth/applicant/login', callers.anonymous, { requestId: sms.body.requestId, code: await smsCodeOf(stack, sms.body.requestId as string) });

  // The applicant raises the session to 中级 by a face check done on the phone.
  const started = await call('post', '/auth/applicant/face-check', '/auth/applicant/face-check', callers.applicant);
  const checkId = started.body.checkId as string;
  expect((await call('get', '/auth/applicant/face-check/{checkId}', `/auth/applicant/face-check/${checkId}`, callers.applicant)).body.status).to.equal('pending');
  await stack.sims.identity.control.finishFaceCheck(checkId, 'pass');
  expect((await call('get', '/auth/applicant/face-check/{checkId}', `/auth/applicant/face-check/${checkId}`, callers.applicant)).body).to.deep.equal({ status: 'passed', assuranceLevel: 'intermediate' });

  await hallSuccesses(c, { call, file, complete, openTask, staff }, corrected);

  // A staff member of the contract's own changes their password.
  const userId = `contract-${serial}`;
  await db('staff_users').insert({ id: userId, name: '契约测试人员', department_code: 'xh-scjg', roles: ['approver'], password_hash: await hashPassword('contract-pass-Plain-2026'), must_change_password: false });
  const login = await http(stack, 'POST', '/api/auth/login', { username: userId, password: 'contract-pass-Plain-2026' });
  expect(login.status, JSON.stringify(login.body)).to.equal(200);
  await call('post', '/auth/password', '/auth/password', bearer({ authorization: `Bearer ${login.body.token as string}` }, userId), { currentPassword: 'contract-pass-Plain-2026', newPassword: '契约测试换一个更长的口令-2026' });
}

/** The scenario's steps that the hall's scenario uses too. */
interface Steps {
  /** Sends through the contract's check and requires a success. */
  call: (method: string, template: string, real: string, caller: SuccessCaller, body?: unknown, on?: Stack) => Promise<HttpResult>;
  /** Files a case at the window of the item's hall. */
  file: (code: string, formKey: string, extra?: Record<string, unknown>) => Promise<string>;
  /** Completes the case's open task (of a step or kind) as a staff member who may. */
  complete: (caseNo: string, step: string | undefined, body: Record<string, unknown>) => Promise<HttpResult>;
  openTask: (caseNo: string, step?: string) => Promise<{ id: string }>;
  staff: (id: string) => Promise<SuccessCaller>;
}

/**
 * The service hall, through an API of its own whose hall clock stands at 10:00 on a working day
 * (so the scenario does not depend on the hour the run happens at): an appointment booked and
 * cancelled; a ticket issued, called, recalled, transferred, tied to a case, finished and rated;
 * another that did not come; and a certificate collected at the kiosk, which completes its case.
 */
async function hallSuccesses(c: SuccessContext, { call, file, complete, openTask, staff }: Steps, someCase: string): Promise<void> {
  const { stack, callers } = c;
  const hall = sampleHall;
  const day = '2026-12-15';
  await clearHallDays(stack, [day]);
  const api = await hallApi(stack, () => china(day, '10:00'));
  const { on } = api;
  try {
    const booked = await call('post', '/hall/appointments', '/hall/appointments', callers.applicant, { hall, category: 'A', implementationCode: 'XK-330000-00001.xh-scjg', slotStart: china(day, '11:00').toISOString(), phone: c.applicant.phone }, on);
    await call('post', '/hall/appointments/{id}/cancel', `/hall/appointments/${booked.body.id as string}/cancel`, callers.applicant, undefined, on);

    const clerk = callers.clerk;
    const first = await call('post', '/hall/tickets', '/hall/tickets', clerk, { hall, category: 'A', source: 'desk', priority: 'none' }, on);
    const ticket = first.body.id as string;
    await call('get', '/hall/tickets/{id}', `/hall/tickets/${ticket}`, callers.anonymous, undefined, on);
    expect((await call('post', '/hall/halls/{hall}/windows/{window}/call', `/hall/halls/${hall}/windows/1/call`, clerk, undefined, on)).body.ticket.id).to.equal(ticket);
    await call('post', '/hall/tickets/{id}/recall', `/hall/tickets/${ticket}/recall`, clerk, undefined, on);
    await call('post', '/hall/tickets/{id}/transfer', `/hall/tickets/${ticket}/transfer`, clerk, { window: 2 }, on);
    expect((await call('post', '/hall/halls/{hall}/windows/{window}/call', `/hall/halls/${hall}/windows/2/call`, clerk, undefined, on)).body.ticket.id).to.equal(ticket);
    await call('post', '/hall/tickets/{id}/case', `/hall/tickets/${ticket}/case`, clerk, { caseNo: someCase }, on);
    await call('post', '/hall/tickets/{id}/finish', `/hall/tickets/${ticket}/finish`, clerk, undefined, on);
    await call('post', '/hall/tickets/{id}/evaluation', `/hall/tickets/${ticket}/evaluation`, callers.anonymous, { level: 5, comment: '服务热情' }, on);
    const second = await call('post', '/hall/tickets', '/hall/tickets', clerk, { hall, category: 'A', source: 'desk', priority: 'none' }, on);
    expect((await call('post', '/hall/halls/{hall}/windows/{window}/call', `/hall/halls/${hall}/windows/1/call`, clerk, undefined, on)).body.ticket.id).to.equal(second.body.id);
    await call('post', '/hall/tickets/{id}/no-show', `/hall/tickets/${second.body.id as string}/no-show`, clerk, undefined, on);

    // A certificate waiting at the kiosk: the applicant's pick-up code, the kiosk reads the ID card and hands it over.
    const kioskCase = await file('XK-330000-00001.xh-scjg', 'individual-business-registration', { delivery: { method: 'kiosk' } });
    await complete(kioskCase, 'precheck', {});
    await complete(kioskCase, 'review', { action: 'approve' });
    await openTask(kioskCase, 'handover');
    const code = await call('post', '/cases/{caseNo}/pickup-code', `/cases/${kioskCase}/pickup-code`, callers.applicant, undefined, on);
    const kiosk = await staff('kiosk-xh-1');
    await call('post', '/hall/kiosk/track', '/hall/kiosk/track', kiosk, { caseNo: kioskCase, idNumber: c.applicant.idNumber }, on);
    await call('post', '/hall/kiosk/pickups', '/hall/kiosk/pickups', kiosk, { code: code.body.code, idNumber: c.applicant.idNumber }, on);
  } finally {
    await api.close();
  }
}
