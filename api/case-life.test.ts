/**
 * Whole case lives over HTTP on the real dev server and database: fee paid and couriered through
 * the payment and logistics callbacks, a department system's milestones and result, correction
 * and withdrawal by the applicant. Forged or unknown callbacks are refused and audited.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { signCallback, type CallbackEvent } from '../adapters/callbacks';
import { asClerkFor, asStaff, eventually, http, platformSecret, sharedStack, type Stack } from '../test/harness';

const applicant = { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' };
const address = { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' };

describe('case life over HTTP (dev server + database)', function () {
  this.timeout(90_000);
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
    // Reads as the province's supervisor (every case in Zhejiang); filing and the applicant's side go through the hall's clerk.
    stack.defaultHeaders = await asStaff(stack, 'supervisor-zhao');
  });
  after(async () => {
    await stack?.stop();
  });

  async function file(implementationCode: string, formKey: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode, channel: 'window', applicant, formData: readFormFolder({ key: formKey, version: 1 }).example, ...extra }, await asClerkFor(stack, implementationCode));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.caseNo;
  }

  /** The case's open task, and a staff member of its department and role who can do it. */
  async function nextTask(caseNo: string) {
    return eventually(async () => {
      const open = await stack.db('tasks').where({ case_no: caseNo, status: 'open' }).first<{ id: string; kind: string; department_code: string; role: string } | undefined>();
      if (!open) return undefined;
      const user = await stack.db('staff_users').where({ department_code: open.department_code }).whereRaw('? = any(roles)', [open.role]).first<{ id: string }>('id');
      return { taskId: open.id, kind: open.kind, as: await asStaff(stack, user.id) };
    }, `an open task of ${caseNo}`);
  }

  async function status(caseNo: string, wanted: string) {
    return eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}`);
      return r.body.status === wanted && r.body;
    }, `${caseNo} to be ${wanted}`);
  }

  async function approveUntil(caseNo: string, wanted: string) {
    for (let i = 0; i < 20; i++) {
      const live = await http(stack, "GET", `/api/cases/${caseNo}/live`);
      if (live.status !== 200) throw new Error(JSON.stringify(live.body));
      if (live.body.status === wanted) return live.body;
      if (live.body.openTasks.length) {
        const t = await nextTask(caseNo);
        const action = t.kind === 'precheck' ? 'accept' : 'approve';
        const r = await http(stack, 'POST', `/api/tasks/${t.taskId}/complete`, { action, opinion: '同意', ...(action === 'accept' ? { missingMaterialsReason: '材料已当面核验，纸质件另行归档' } : {}) }, t.as);
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
      } else {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    throw new Error(`${caseNo} never reached ${wanted}`);
  }

  /** A callback signed like the platform signs it, to test what the API does with forgeries. */
  async function signedPost(platform: string, event: Record<string, unknown>, secret = platformSecret) {
    const url = `${stack.baseUrl}/api/callbacks/${platform}`;
    const full = { eventId: `evt-test-${Math.random()}`, subject: 'x', seq: 1, occurredAt: new Date().toISOString(), ...event } as CallbackEvent;
    const signed = signCallback(secret, { url, sender: platform, event: full });
    const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, signed, url };
  }

  it('when the payment platform reports the fee paid and the courier delivers, then the signed callbacks move the case to completion; forged ones are refused', async () => {
    const caseNo = await file('QR-330000-00010.xh-gaj', 'resident-id-card-renewal', { delivery: { method: 'courier', address } });
    const live = await approveUntil(caseNo, 'awaiting_payment');
    const payment = await stack.db('payments').where({ case_no: caseNo }).first();
    expect(payment).to.include({ status: 'open', id: live.payment.paymentId });
    expect(Number(payment.amount_fen)).to.equal(2000);
    // The order was created on the payment platform exactly once.
    expect(await stack.sims.payment.control.effects()).to.have.length.at.least(1);
    expect((await stack.sims.payment.control.effects()).filter((e) => JSON.stringify(e).includes(payment.id))).to.have.length(1);

    const unsigned = await http(stack, 'POST', '/api/callbacks/payment', { eventId: 'e1', type: 'payment.paid', subject: payment.id, seq: 1, occurredAt: new Date().toISOString(), data: { paymentId: payment.id, amountFen: 2000 } });
    expect(unsigned.status).to.equal(401);
    const forged = await signedPost('payment', { type: 'payment.paid', data: { paymentId: payment.id, amountFen: 2000 } }, 'not-the-secret');
    expect(forged.status).to.equal(401);
    const unknown = await signedPost('payment', { type: 'payment.paid', data: { paymentId: 'PO-nobody', amountFen: 2000 } });
    expect(unknown.status).to.equal(404);
    const wrongAmount = await signedPost('payment', { type: 'payment.paid', data: { paymentId: payment.id, amountFen: 1 } });
    expect(wrongAmount.status).to.equal(422);
    const replay = await fetch(wrongAmount.url, { method: 'POST', headers: wrongAmount.signed.headers, body: wrongAmount.signed.body });
    expect(replay.status).to.equal(401);

    await stack.sims.payment.control.setFaults({ duplicateCallbacks: true });
    const paid = await stack.sims.payment.control.pay(payment.id);
    // Sent twice: applied once (200), then acknowledged as a duplicate (200).
    expect(paid.deliveries.map((d) => d.outcome), JSON.stringify(await stack.db('audit_log').where({ action: 'refused.callback' }).orderBy('id', 'desc').limit(3))).to.deep.equal([200, 200]);
    await stack.sims.payment.control.reset();

    await status(caseNo, 'delivering');
    const delivery = await stack.db('deliveries').where({ case_no: caseNo }).first();
    expect(delivery.address).to.deep.equal(address);
    const advanced = await stack.sims.logistics.control.advance(delivery.waybill_no, 'delivered');
    expect(advanced.tracking.status).to.equal('delivered');
    await status(caseNo, 'completed');
    expect(await stack.db('payments').where({ case_no: caseNo }).first()).to.include({ status: 'paid' });
    expect(await stack.db('certificates').where({ case_no: caseNo }).count<{ c: string }[]>('* as c')).to.deep.equal([{ c: '1' }]);
    const cert = await stack.db('certificates').where({ case_no: caseNo }).first();
    expect(cert.fields.seal).to.be.an('object');
    const refusedCallbacks = await stack.db('audit_log').where({ action: 'refused.callback' }).count<{ c: string }[]>('* as c');
    expect(Number(refusedCallbacks[0].c)).to.be.at.least(5);
  });

  it('when a department system reports a milestone and its result, then the case goes on to the next step', async () => {
    const caseNo = await file('XK-330000-00007.hz-jtys', 'road-freight-licence', { delivery: { method: 'window' } });
    const pre = await nextTask(caseNo);
    await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, pre.as);
    const dispatch = await eventually(() => stack.db('department_dispatches').where({ case_no: caseNo }).first(), 'the dispatch');
    expect(dispatch).to.include({ department_code: 'hz-jtys', system: 'hz-transport-system' });
    const stranger = await signedPost('department', { type: 'department.result', data: { caseNo, stepId: 'nope', type: 'result', outcome: 'approved', at: new Date().toISOString() } });
    expect(stranger.status).to.equal(404);
    await stack.sims.departments.control.milestone({ department: 'hz-jtys', caseNo, stepId: dispatch.step_id, milestone: '受理' });
    await stack.sims.departments.control.result({ department: 'hz-jtys', caseNo, stepId: dispatch.step_id, outcome: 'approved', opinion: '符合条件' });
    const next = await nextTask(caseNo);
    expect(next.kind).to.equal('review');
    const events = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}`);
      const types = r.body.events.map((e: { type: string }) => e.type);
      return types.includes('department-result') && types;
    }, 'the department result event');
    expect(events).to.include('department-milestone');
  });

  it('when the applicant corrects and then withdraws, then a bad correction is refused whole and the withdrawal ends the case', async () => {
    const caseNo = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
    const pre = await nextTask(caseNo);
    const asked = await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, { action: 'correction', opinion: '请补正', problems: ['经营场所证明缺失', '经营范围不规范'] }, pre.as);
    expect(asked.body.status).to.equal('awaiting_correction');
    const bad = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '补正', formData: { capital: -5 } }, await asStaff(stack, 'clerk-wang'));
    expect(bad.status).to.equal(422);
    expect(bad.body.errors[0].pointer).to.equal('/formData/capital');
    const ok = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '已补充证明', formData: { businessScope: '小吃服务' }, materials: ['场所租赁合同'] }, await asStaff(stack, 'clerk-wang'));
    expect(ok.body).to.deep.equal({ status: 'prechecking' });
    const late = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '再补' }, await asStaff(stack, 'clerk-wang'));
    expect(late.status).to.equal(409);
    const w = await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, { reason: '暂不开业' }, await asStaff(stack, 'clerk-wang'));
    expect(w.body).to.deep.equal({ status: 'withdrawn' });
    expect((await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, { reason: 'again' }, await asStaff(stack, 'clerk-wang'))).status).to.equal(409);
    const row = await status(caseNo, 'withdrawn');
    expect(row.tasks.every((t: { status: string }) => t.status !== 'open')).to.equal(true);
  });
});
