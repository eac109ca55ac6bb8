/**
 * The platforms inside the case, over HTTP on the real stack (dev server, PostgreSQL, worker,
 * API, simulators): real-name and agent checks at pre-check, the face check of an advanced item
 * through the identity callback, 减材料 in the case view, a fee charged at acceptance refunded
 * on refusal, a platform refusal turned into a manual task, callback nonces shared by two API
 * processes, and the daily reconciliation with its schedule.
 */
import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCallback, type CallbackEvent } from '../adapters/callbacks';
import { IdentityClient } from '../adapters/identity';
import { LogisticsClient } from '../adapters/logistics';
import { PaymentClient } from '../adapters/payment';
import { sampleDocuments } from '../db/seed';
import { readFormFolder } from '../lib/forms';
import { PgNonceStore } from '../lib/nonce-store';
import { ensureReconciliationSchedule } from '../lib/reconciliation-schedule';
import { asClerkFor, asStaff, eventually, http, platformSecret, secretKey, sharedStack, type Stack } from '../test/harness';
import { previousChinaDay, reconciliationWorkflow } from '../workflows/reconciliation-workflow';
import { createApp } from './app';

const person = { kind: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' };
const company = { kind: 'legal_person', name: '杭州西湖区悦味轩餐饮有限公司', idNumber: '91330106MA2H3K7Q5U', legalRepresentative: { idNumber: '330106197608142018', name: '林建华' } };
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('the platforms in the case, over HTTP (dev server + database + simulators)', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
    // Reads as the province's supervisor; filing goes through the hall's clerk, tasks through their handlers.
    stack.defaultHeaders = await asStaff(stack, 'supervisor-zhao');
  });
  after(async () => {
    await stack?.stop();
  });

  async function file(implementationCode: string, formKey: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode, channel: 'window', applicant: person, formData: readFormFolder({ key: formKey, version: 1 }).example, ...extra }, await asClerkFor(stack, implementationCode));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.caseNo;
  }

  /** The case's open task of a kind, with a staff member of its department and role. */
  async function openTask(caseNo: string, kind: string) {
    return eventually(async () => {
      const t = await stack.db('tasks').where({ case_no: caseNo, status: 'open', kind }).first<{ id: string; actions: string[]; detail: { notes?: string[] }; department_code: string; role: string; step_name: string } | undefined>();
      if (!t) return undefined;
      const user = await stack.db('staff_users').where({ department_code: t.department_code }).whereRaw('? = any(roles)', [t.role]).first<{ id: string }>('id');
      return { ...t, as: await asStaff(stack, user.id) };
    }, `an open ${kind} task of ${caseNo}`, 30_000);
  }

  async function complete(t: { id: string; as: Record<string, string> }, action: string, opinion = '同意') {
    return http(stack, 'POST', `/api/tasks/${t.id}/complete`, { action, opinion, ...(action === 'accept' ? { missingMaterialsReason: '材料已当面核验，纸质件另行归档' } : {}) }, t.as);
  }

  async function caseStatus(caseNo: string, wanted: string) {
    return eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}`);
      return r.body.status === wanted && r.body;
    }, `${caseNo} to be ${wanted}`, 30_000);
  }

  async function signedPost(platform: string, event: Partial<CallbackEvent>, secret = platformSecret, baseUrl = stack.baseUrl) {
    const url = `${baseUrl}/api/callbacks/${platform}`;
    const full = { eventId: `evt-it-${Math.random()}`, subject: 'x', seq: 1, occurredAt: new Date().toISOString(), ...event } as CallbackEvent;
    const signed = signCallback(secret, { url, sender: platform, event: full });
    const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, signed };
  }

  /** Takes a test variant out of service once its case is filed, so other tests see only the sample catalogue. */
  async function retire(code: string): Promise<void> {
    await stack.db('implementation_versions').where({ implementation_code: code, state: 'published' }).update({ state: 'cancelled' });
  }

  /** Publishes a copy of a sample entry under a new item code (test set-up, as the seed loads entries). */
  async function publishVariant(sampleCode: string, itemCode: string, department: string, change: (entry: Record<string, any>) => void): Promise<string> {
    const doc = sampleDocuments().find((d) => d.implementation.code === sampleCode)!;
    const entry = structuredClone(doc.entry) as Record<string, any>;
    change(entry);
    const code = `${itemCode}.${department}`;
    await stack.db('service_items').insert({ code: itemCode, name: `${doc.item.name}（测试）`, type: doc.item.type, legal_basis: doc.item.legalBasis }).onConflict('code').ignore();
    await stack.db('implementations').insert({ code, item_code: itemCode, department_code: department, name: `${doc.implementation.name}（测试）` }).onConflict('code').ignore();
    await stack.db('implementation_versions').insert({ implementation_code: code, version: 1, state: 'published', entry: JSON.stringify(entry), published_at: stack.db.fn.now(), created_by: 'test' }).onConflict(['implementation_code', 'version']).ignore();
    return code;
  }

  it('when a legal person files through an agent, then an authorised agent can be accepted and an unauthorised one cannot', async () => {
    const identity = new IdentityClient({ baseUrl: stack.sims.urls.identity, secret: platformSecret });
    const agent = { idNumber: '330106198406182120', name: '陈秀兰' };
    await identity.authoriseAgent({ creditCode: company.idNumber, legalRepresentative: company.legalRepresentative, agent, scope: ['XK-330000-00003'], validUntil: '2099-12-31' }, `it-auth-${Date.now()}`);

    const authorised = await file('XK-330000-00003.xh-scjg', 'food-business-licence', { applicant: { ...company, agent } });
    const ok = await openTask(authorised, 'precheck');
    expect(ok.actions).to.include('accept');
    expect(ok.detail.notes ?? []).to.deep.equal([]);

    const stranger = await file('XK-330000-00003.xh-scjg', 'food-business-licence', { applicant: { ...company, agent: { idNumber: '330106199307223120', name: '徐婷婷' } } });
    const blocked = await openTask(stranger, 'precheck');
    expect(blocked.actions).to.deep.equal(['correction', 'reject']);
    expect(blocked.detail.notes?.[0]).to.contain('经办人徐婷婷未获该单位法定代表人授权');
    const accept = await complete(blocked, 'accept');
    expect(accept.status).to.equal(422);
    expect(accept.contentType).to.contain('application/problem+json');
    expect(JSON.stringify(accept.body)).to.not.contain('    at ');
    expect((await complete(blocked, 'reject', '经办人未获授权，不予受理')).status).to.equal(200);
    await caseStatus(stranger, 'not_accepted');

    const wrongRep = await file('XK-330000-00003.xh-scjg', 'food-business-licence', { applicant: { ...company, legalRepresentative: { idNumber: '330106199003073514', name: '张三' } } });
    expect((await openTask(wrongRep, 'precheck')).detail.notes).to.deep.equal(['法人核验未通过：法定代表人与法人库登记不一致']);
  });

  it('when the applicant holds e-certificates, then the materials they replace show in the case view with the certificate numbers', async () => {
    const caseNo = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
    await openTask(caseNo, 'precheck');
    const view = await http(stack, 'GET', `/api/cases/${caseNo}`);
    expect(view.body.certificateMaterials).to.have.length(1);
    expect(view.body.certificateMaterials[0]).to.include({ materialId: 'operator-id', materialName: '经营者身份证明', certificateType: '居民身份证' });
    const held = await stack.sims.certificates.control.log();
    expect(held.some((e) => e.what === 'GET /certificates')).to.equal(true);
    expect(view.body.certificateMaterials[0].certificateNo).to.match(/^XH-GAJ-\d{4}-\d{6}$/);
    expect(view.body.events.map((e: { type: string }) => e.type)).to.include.members(['identity-verified', 'materials-replaced']);
  });

  it('when an advanced item is filed, then the pre-check waits for the live face check, whose signed callback lets it open; forged, unknown and malformed results are refused', async () => {
    const caseNo = await file('XK-330000-00004.xh-zjj', 'construction-permit');
    const check = await eventually(() => stack.db('face_checks').where({ case_no: caseNo }).first<{ check_id: string; status: string }>(), 'the face check');
    expect(check.status).to.equal('pending');
    expect(await stack.db('tasks').where({ case_no: caseNo, status: 'open' })).to.have.length(0);

    const forged = await signedPost('identity', { type: 'identity.face-check', data: { checkId: check.check_id, passed: true, at: new Date().toISOString() } }, 'not-the-secret');
    expect(forged.status).to.equal(401);
    const unknown = await signedPost('identity', { type: 'identity.face-check', data: { checkId: 'face-nobody', passed: true, at: new Date().toISOString() } });
    expect(unknown.status).to.equal(404);
    const malformed = await signedPost('identity', { type: 'identity.face-check', data: { checkId: check.check_id, passed: 'yes' } });
    expect(malformed.status).to.equal(422);
    expect((await stack.db('face_checks').where({ check_id: check.check_id }).first()).status).to.equal('pending');

    const done = await stack.sims.identity.control.finishFaceCheck(check.check_id, 'pass');
    expect(done.deliveries.map((d) => d.outcome)).to.deep.equal([200]);
    const pre = await openTask(caseNo, 'precheck');
    expect(pre.actions).to.include('accept');
    expect((await stack.db('face_checks').where({ check_id: check.check_id }).first()).status).to.equal('passed');
    const live = await http(stack, 'GET', `/api/cases/${caseNo}/live`);
    expect(live.body.faceCheck).to.include({ status: 'passed', checkId: check.check_id });
  });

  it('when the face check\'s callback arrives while the case\'s workflow is stopped, then it is answered 503 case-stopped, and the platform\'s retry is applied once the case is revived', async () => {
    const caseNo = await file('XK-330000-00004.xh-zjj', 'construction-permit');
    const check = await eventually(() => stack.db('face_checks').where({ case_no: caseNo }).first<{ check_id: string; status: string }>(), 'the face check');
    await stack.client.workflow.getHandle(caseNo).terminate('an operator\'s mistake (test)');
    const done = await stack.sims.identity.control.finishFaceCheck(check.check_id, 'pass');
    expect(done.deliveries.map((d) => d.outcome)).to.deep.equal([503]);
    const earlyId = `evt-it-stopped-${Date.now()}`;
    const early = await signedPost('identity', { eventId: earlyId, type: 'identity.face-check', data: { checkId: check.check_id, passed: true, at: new Date().toISOString() } });
    expect([early.status, early.body.type]).to.deep.equal([503, 'https://onewindow.example/problems/case-stopped']);
    expect(await stack.db('callback_events').where({ event_id: earlyId })).to.have.length(0); // forgotten, so a retry of it is applied
    const revived = await http(stack, 'POST', `/api/supervision/stopped-cases/${caseNo}/revive`, { reason: '误操作终止，恢复办理' }, await asStaff(stack, 'ops-jiang'));
    expect(revived.status, JSON.stringify(revived.body)).to.equal(200);
    // The platform's retry (this test stack's simulators give up at once, so it is sent here, signed as the platform signs).
    const retried = await signedPost('identity', { eventId: earlyId, type: 'identity.face-check', data: { checkId: check.check_id, passed: true, at: new Date().toISOString() } });
    expect(retried.status, JSON.stringify(retried.body)).to.equal(200);
    await openTask(caseNo, 'precheck');
    expect((await stack.db('face_checks').where({ check_id: check.check_id }).first()).status).to.equal('passed');
  });

  it('when a fee charged at acceptance was paid and the case is refused, then the payment platform refunds it once and the read model shows it', async () => {
    const code = await publishVariant('QR-330000-00010.xh-gaj', 'QR-330000-00098', 'xh-gaj', (e) => { e.fee.when = 'acceptance'; });
    const caseNo = await file(code, 'resident-id-card-renewal', { delivery: { method: 'window' } }).finally(() => retire(code));
    expect((await complete(await openTask(caseNo, 'precheck'), 'accept')).status).to.equal(200);
    await caseStatus(caseNo, 'awaiting_payment');
    const order = await stack.db('payments').where({ case_no: caseNo }).first();
    expect(order).to.include({ stage: 'acceptance', status: 'open' });
    const paid = await stack.sims.payment.control.pay(order.id);
    expect(paid.deliveries.map((d) => d.outcome)).to.deep.equal([200]);
    const review = await openTask(caseNo, 'review');
    expect((await complete(review, 'refuse', '不符合换领条件')).status).to.equal(200);
    const refunded = await eventually(async () => {
      const p = await stack.db('payments').where({ case_no: caseNo }).first();
      return p.status === 'refunded' && p.refund_id && p;
    }, 'the refund');
    expect(refunded.refund_reason).to.contain('不符合换领条件');
    const made = (await stack.sims.payment.control.effects('refund.made')).filter((e) => e.detail.orderId === order.id);
    expect(made).to.have.length(1);
    const view = await caseStatus(caseNo, 'completed');
    expect(view.events.map((e: { type: string }) => e.type)).to.include.members(['payment-received', 'payment-refunded']);
  });

  it('when the certificate platform refuses to issue, then a manual task tells the department why; retry asks again, skip with reasons goes on to hand-over', async () => {
    // 城管 has no seal on the sample certificate platform: issuing is refused (unknown-issuer).
    const code = await publishVariant('XK-330000-00001.xh-scjg', 'XK-330000-00097', 'xh-cgj', () => undefined);
    const caseNo = await file(code, 'individual-business-registration').finally(() => retire(code));
    expect((await complete(await openTask(caseNo, 'precheck'), 'accept')).status).to.equal(200);
    expect((await complete(await openTask(caseNo, 'review'), 'approve')).status).to.equal(200);
    const manual = await openTask(caseNo, 'manual');
    expect(manual).to.include({ department_code: 'xh-cgj', role: 'head', step_name: '人工处理：电子证照签发' });
    expect(manual.detail.notes?.[0]).to.contain('xh-cgj');
    expect((await complete(manual, 'retry')).status).to.equal(200);
    const again = await eventually(async () => {
      const t = await openTask(caseNo, 'manual');
      return t.id !== manual.id && t;
    }, 'the second manual task');
    const noReason = await complete(again, 'skip', '');
    expect(noReason.status).to.equal(422);
    expect((await complete(again, 'skip', '证照库未登记本部门签章，已发放纸质决定书')).status).to.equal(200);
    await openTask(caseNo, 'handover');
    expect(await stack.db('certificates').where({ case_no: caseNo })).to.have.length(0);
    const events = (await http(stack, 'GET', `/api/cases/${caseNo}`)).body.events.map((e: { type: string }) => e.type);
    expect(events.filter((t: string) => t === 'platform-refused')).to.have.length(2);
    expect(events).to.include('manual-skipped');
  });

  it('when a signed callback is replayed to another API process, then the shared nonce table refuses it; expired nonces are cleaned up', async () => {
    const other: Server = createApp({ db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => other.once('listening', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const first = await signedPost('payment', { type: 'payment.paid', data: { paymentId: 'PO-it-nobody', amountFen: 1 } });
      expect(first.status).to.equal(404);
      const replay = await fetch(`${otherUrl}/api/callbacks/payment`, { method: 'POST', headers: first.signed.headers, body: first.signed.body });
      expect(replay.status).to.equal(401);
      expect(((await replay.json()) as { type: string }).type).to.contain('callback-replayed-nonce');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }

    const store = new PgNonceStore(stack.db, 1_000, 60_000);
    const t0 = Date.now();
    expect(await store.remember('it-sender\nn-1', t0)).to.equal(true);
    expect(await store.remember('it-sender\nn-1', t0 + 500)).to.equal(false);
    expect(await store.remember('it-sender\nn-1', t0 + 1_500)).to.equal(true); // expired, so usable again
    await store.remember('it-sender\nn-2', t0);
    expect(await store.cleanup(t0 + 5_000)).to.be.at.least(2);
    expect(await stack.db('request_nonces').whereIn('nonce', ['it-sender\nn-1', 'it-sender\nn-2'].map((n) => PgNonceStore.keyOf(n)))).to.have.length(0);
  });

  it('when the day is reconciled, then payments and waybills the platforms have and we do not are stored as mismatches; the nightly schedule runs it', async () => {
    // An order paid on the platform that onewindow never recorded, and a waybill booked behind its back.
    const payment = new PaymentClient({ baseUrl: stack.sims.urls.payment, secret: platformSecret });
    const stray = await payment.createOrder({ caseNo: 'stray', payer: { name: '张三', idNumber: person.idNumber }, amountFen: 500, description: '对账测试', expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, `it-stray-${Date.now()}`);
    await stack.sims.payment.control.pay(stray.orderId);
    const logistics = new LogisticsClient({ baseUrl: stack.sims.urls.logistics, secret: platformSecret });
    const parcel = await logistics.book({ caseNo: 'stray', sender: { name: '政务服务中心', phone: '0571-87654321', address: '西湖区' }, recipient: { name: '张三', phone: '13800138000', address: '西湖区文三路100号' }, item: '对账测试' }, `it-parcel-${Date.now()}`);

    const date = chinaToday();
    const summary = await stack.client.workflow.execute(reconciliationWorkflow, { taskQueue: stack.taskQueue, workflowId: `it-reconcile-${Date.now()}`, args: [{ date }] });
    expect(summary.date).to.equal(date);
    const stored = await stack.db('reconciliation_mismatches').where({ date }).select('source', 'ref', 'kind');
    expect(stored).to.deep.include({ source: 'payment', ref: stray.orderId, kind: 'missing-locally' });
    expect(stored).to.deep.include({ source: 'logistics', ref: parcel.waybillNo, kind: 'missing-locally' });
    const run = await stack.db('reconciliation_runs').where({ date }).first();
    expect(run.payments_mismatched + run.deliveries_mismatched).to.equal(stored.length);

    // Reconciling the same day again replaces its findings: no duplicates.
    await stack.client.workflow.execute(reconciliationWorkflow, { taskQueue: stack.taskQueue, workflowId: `it-reconcile-again-${Date.now()}`, args: [{ date }] });
    expect(await stack.db('reconciliation_mismatches').where({ date, ref: stray.orderId })).to.have.length(1);

    const scheduleId = `it-reconciliation-${process.pid}-${Date.now()}`;
    expect(await ensureReconciliationSchedule(stack.client, stack.taskQueue, scheduleId)).to.equal('created');
    expect(await ensureReconciliationSchedule(stack.client, stack.taskQueue, scheduleId)).to.equal('exists');
    const handle = stack.client.schedule.getHandle(scheduleId);
    try {
      const described = await handle.describe();
      expect(described.spec.timezone).to.equal('Asia/Shanghai');
      expect(described.spec.calendars?.[0]).to.deep.include({ hour: [{ start: 2, end: 2, step: 1 }] });
      expect(described.action).to.include({ workflowType: 'reconciliationWorkflow', taskQueue: stack.taskQueue });
      await handle.trigger();
      const yesterday = previousChinaDay(Date.now());
      await eventually(() => stack.db('reconciliation_runs').where({ date: yesterday }).first(), `the scheduled reconciliation of ${yesterday}`, 30_000);
    } finally {
      await handle.delete();
    }
  });
});
