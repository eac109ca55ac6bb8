/**
 * Whole case lives over HTTP on the real dev server and database: fee paid and couriered through
 * the payment and logistics callbacks, a department system's milestones and result, correction
 * and withdrawal by the applicant. Forged or unknown callbacks are refused and audited.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { eventually, http, startStack, type Stack } from '../test/harness';

const applicant = { kind: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' };
const address = { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' };

describe('case life over HTTP (dev server + database)', function () {
  this.timeout(90_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.stop();
  });

  async function file(implementationCode: string, formKey: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode, channel: 'window', applicant, formData: readFormFolder({ key: formKey, version: 1 }).example, ...extra });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.caseNo;
  }

  /** The case's open task, and a staff member of its department and role who can do it. */
  async function nextTask(caseNo: string) {
    return eventually(async () => {
      const open = await stack.db('tasks').where({ case_no: caseNo, status: 'open' }).first<{ id: string; kind: string; department_code: string; role: string } | undefined>();
      if (!open) return undefined;
      const user = await stack.db('staff_users').where({ department_code: open.department_code }).whereRaw('? = any(roles)', [open.role]).first<{ id: string }>('id');
      return { taskId: open.id, kind: open.kind, as: { 'x-staff-user': user.id } };
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
        const r = await http(stack, 'POST', `/api/tasks/${t.taskId}/complete`, { action, opinion: '同意' }, t.as);
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
      } else {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    throw new Error(`${caseNo} never reached ${wanted}`);
  }

  it('when the fee is paid and the courier delivers, then the callbacks move the case to completion; forged ones are refused', async () => {
    const caseNo = await file('QR-330000-00010.xh-gaj', 'resident-id-card-renewal', { delivery: { method: 'courier', address } });
    const live = await approveUntil(caseNo, 'awaiting_payment');
    const payment = await stack.db('payments').where({ case_no: caseNo }).first();
    expect(payment).to.include({ status: 'open', id: live.payment.paymentId });
    expect(Number(payment.amount_fen)).to.equal(2000);

    const unknown = await http(stack, 'POST', '/api/callbacks/payment', { paymentId: 'pay-nobody', amountFen: 2000, paidAt: new Date().toISOString() });
    expect(unknown.status).to.equal(404);
    const wrongAmount = await http(stack, 'POST', '/api/callbacks/payment', { paymentId: payment.id, amountFen: 1, paidAt: new Date().toISOString() });
    expect(wrongAmount.status).to.equal(422);
    const malformed = await http(stack, 'POST', '/api/callbacks/payment', { paymentId: payment.id, amountFen: 2000, paidAt: 'yesterday' });
    expect(malformed.status).to.equal(400);
    const paid = await http(stack, 'POST', '/api/callbacks/payment', { paymentId: payment.id, amountFen: 2000, paidAt: new Date().toISOString() });
    expect(paid.status).to.equal(200);

    await status(caseNo, 'delivering');
    const delivery = await stack.db('deliveries').where({ case_no: caseNo }).first();
    expect(delivery.address).to.deep.equal(address);
    expect((await http(stack, 'POST', '/api/callbacks/logistics', { waybillNo: 'EMS0000000000', event: 'delivered', at: new Date().toISOString() })).status).to.equal(404);
    expect((await http(stack, 'POST', '/api/callbacks/logistics', { waybillNo: delivery.waybill_no, event: 'delivered', at: new Date().toISOString() })).status).to.equal(200);
    const again = await http(stack, 'POST', '/api/callbacks/logistics', { waybillNo: delivery.waybill_no, event: 'delivered', at: new Date().toISOString() });
    expect(again.body).to.deep.equal({ accepted: true, duplicate: true });
    await status(caseNo, 'completed');
    expect(await stack.db('payments').where({ case_no: caseNo }).first()).to.include({ status: 'paid' });
    expect(await stack.db('certificates').where({ case_no: caseNo }).count<{ c: string }[]>('* as c')).to.deep.equal([{ c: '1' }]);
    const refused = await stack.db('audit_log').where({ action: 'refused.callback' }).count<{ c: string }[]>('* as c');
    expect(Number(refused[0].c)).to.be.at.least(3);
  });

  it('when a department system reports a milestone and its result, then the case goes on to the next step', async () => {
    const caseNo = await file('XK-330000-00007.hz-jtys', 'road-freight-licence', { delivery: { method: 'window' } });
    const pre = await nextTask(caseNo);
    await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, { action: 'accept', opinion: '' }, pre.as);
    const dispatch = await eventually(() => stack.db('department_dispatches').where({ case_no: caseNo }).first(), 'the dispatch');
    expect(dispatch).to.include({ department_code: 'hz-jtys', system: 'hz-transport-system' });
    const stranger = await http(stack, 'POST', '/api/callbacks/department', { caseNo, stepId: 'nope', type: 'result', outcome: 'approved', at: new Date().toISOString() });
    expect(stranger.status).to.equal(404);
    const m = await http(stack, 'POST', '/api/callbacks/department', { caseNo, stepId: dispatch.step_id, type: 'milestone', milestone: '受理', at: '2026-11-21T01:00:00.000Z' });
    expect(m.status).to.equal(200);
    await http(stack, 'POST', '/api/callbacks/department', { caseNo, stepId: dispatch.step_id, type: 'result', outcome: 'approved', opinion: '符合条件', at: new Date().toISOString() });
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
    const bad = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '补正', formData: { capital: -5 } });
    expect(bad.status).to.equal(422);
    expect(bad.body.errors[0].pointer).to.equal('/formData/capital');
    const ok = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '已补充证明', formData: { businessScope: '小吃服务' }, materials: ['场所租赁合同'] });
    expect(ok.body).to.deep.equal({ status: 'prechecking' });
    const late = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '再补' });
    expect(late.status).to.equal(409);
    const w = await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, { reason: '暂不开业' });
    expect(w.body).to.deep.equal({ status: 'withdrawn' });
    expect((await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, { reason: 'again' })).status).to.equal(409);
    const row = await status(caseNo, 'withdrawn');
    expect(row.tasks.every((t: { status: string }) => t.status !== 'open')).to.equal(true);
  });
});
