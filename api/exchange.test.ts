/**
 * 同源发布 over the real stack: a case driven to its end over HTTP has every main node held once,
 * in order, by the provincial platform's simulator, with its faults on too; the reconciliation
 * finds a node the provincial side lost and sends it again; a case filed on the provincial portal
 * is filed here and its nodes go back with the provincial case number.
 */
import { expect } from 'chai';
import { ProvincialExchangeClient } from '../adapters/province';
import { reconcileExchange } from '../lib/exchange/dispatcher';
import { readFormFolder } from '../lib/forms';
import type { HeldNode } from '../simulators/province';
import { asApplicant, asClerkFor, asStaff, eventually, http, platformSecret, sharedStack, type Stack } from '../test/harness';

const person = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };
const applicant = { kind: 'person', ...person };
const address = { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' };
const feeItem = 'QR-330000-00010.xh-gaj';

describe('case data exchange with the provincial platform (同源发布)', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
    stack.defaultHeaders = await asStaff(stack, 'supervisor-zhao');
    await stack.sims.province.control.reset();
  });
  after(async () => {
    await stack.sims.province.control.reset();
    await stack?.stop();
  });

  async function nextTask(caseNo: string) {
    return eventually(async () => {
      const open = await stack.db('tasks').where({ case_no: caseNo, status: 'open' }).first<{ id: string; kind: string; department_code: string; role: string } | undefined>();
      if (!open) return undefined;
      const user = await stack.db('staff_users').where({ department_code: open.department_code }).whereRaw('? = any(roles)', [open.role]).first<{ id: string }>('id');
      return { taskId: open.id, kind: open.kind, as: await asStaff(stack, user.id) };
    }, `an open task of ${caseNo}`);
  }

  async function live(caseNo: string) {
    const r = await http(stack, 'GET', `/api/cases/${caseNo}/live`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  }

  async function until(caseNo: string, wanted: string) {
    return eventually(async () => (await live(caseNo)).status === wanted, `${caseNo} to be ${wanted}`, 30_000);
  }

  /** Completes every open task positively until the case reaches `wanted`. */
  async function approveUntil(caseNo: string, wanted: string) {
    for (let i = 0; i < 40; i++) {
      const view = await live(caseNo);
      if (view.status === wanted) return;
      if (view.openTasks.length) {
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

  /** Files the fee-paying, couriered item and drives it to its rating: every kind of node. */
  async function driveToTheEnd(between: { afterFiling?: () => Promise<void>; afterReview?: () => Promise<void> } = {}): Promise<string> {
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: feeItem, channel: 'window', applicant, formData: readFormFolder({ key: 'resident-id-card-renewal', version: 1 }).example, delivery: { method: 'courier', address } }, await asClerkFor(stack, feeItem));
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const caseNo = filed.body.caseNo as string;
    await between.afterFiling?.();
    await approveUntil(caseNo, 'awaiting_payment');
    await between.afterReview?.();
    const payment = await eventually(() => stack.db('payments').where({ case_no: caseNo, status: 'open' }).first(), 'the payment order');
    await stack.sims.payment.control.pay(payment.id);
    await until(caseNo, 'delivering');
    const delivery = await eventually(() => stack.db('deliveries').where({ case_no: caseNo }).first(), 'the waybill');
    await stack.sims.logistics.control.advance(delivery.waybill_no, 'delivered');
    await until(caseNo, 'completed');
    const rated = await http(stack, 'POST', `/api/cases/${caseNo}/evaluation`, { level: 5, comment: '办理很快' }, await asApplicant(stack, person));
    expect(rated.status, JSON.stringify(rated.body)).to.equal(204);
    await until(caseNo, 'closed');
    return caseNo;
  }

  /** Once every node of the case queued here is delivered: what the provincial side holds of it. */
  async function heldOnceDelivered(caseNo: string): Promise<{ local: { node_id: string; node: string; seq: number }[]; held: HeldNode[] }> {
    const local = await eventually(async () => {
      const rows = await stack.db('exchange_outbox').where({ case_no: caseNo }).orderBy('seq').select<{ node_id: string; node: string; seq: number; state: string }[]>('node_id', 'node', 'seq', 'state');
      return rows.length > 0 && rows.every((r) => r.state === 'delivered') && rows.some((r) => r.node === 'evaluated') && rows;
    }, `every node of ${caseNo} delivered`, 60_000);
    return { local, held: await stack.sims.province.control.nodes(caseNo) };
  }

  function expectEveryNodeOnceInOrder(local: { node_id: string; node: string; seq: number }[], held: HeldNode[]) {
    expect(held.map((n) => n.nodeId), 'held once each, in the order of the case').to.deep.equal(local.map((r) => r.node_id));
    const seqs = held.map((n) => n.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    const nodes = held.map((n) => n.node);
    expect(nodes[0]).to.equal('filed');
    expect(nodes[1]).to.equal('accepted');
    expect(nodes).to.include('review');
    const tail = nodes.slice(nodes.indexOf('decided'));
    expect(tail).to.deep.equal(['decided', 'fee-paid', 'certificate-issued', 'delivered', 'completed', 'evaluated']);
  }

  let firstCase = '';

  it('when a case is driven to its end over HTTP, then the provincial platform holds each main node once, in order, with the exchange fields and no personal data in clear', async () => {
    firstCase = await driveToTheEnd();
    const { local, held } = await heldOnceDelivered(firstCase);
    expectEveryNodeOnceInOrder(local, held);
    const first = held[0];
    const row = await stack.db('cases').where({ case_no: firstCase }).first();
    expect(first).to.include({ caseNo: firstCase, provincialCaseNo: null, itemCode: row.item_code, implementationCode: feeItem, departmentCode: 'xh-gaj', applicantType: '自然人', applicantName: '张*', applicantIdNumber: '3301**********3514', nodeName: '申请' });
    expect(first.divisionCode).to.match(/^[0-9]{6}$/);
    expect(first.promisedLimitDays).to.be.a('number');
    expect(first.statutoryLimitDays).to.be.a('number');
    const decided = held.find((n) => n.node === 'decided')!;
    expect(decided).to.include({ result: 'approved', nodeName: '决定' });
    const review = held.find((n) => n.node === 'review')!;
    expect(review).to.include({ result: 'approve', opinion: '同意' });
    expect(review.handlerDepartmentCode).to.be.a('string');
    expect(JSON.stringify(held)).to.not.include(person.idNumber).and.not.include(person.phone).and.not.include(person.name);
  });

  it('when the provincial platform fails requests and loses answers, then each node is still held once, in order', async () => {
    const before = (await stack.sims.province.control.log()).length;
    const caseNo = await driveToTheEnd({
      afterFiling: async () => { await stack.sims.province.control.setFaults({ failNext: 4 }); },
      afterReview: async () => { await stack.sims.province.control.setFaults({ timeoutNext: 1 }); },
    });
    const { local, held } = await heldOnceDelivered(caseNo);
    expectEveryNodeOnceInOrder(local, held);
    const faults = (await stack.sims.province.control.log()).slice(before).filter((e) => e.kind === 'request' && e.detail.fault).map((e) => e.detail.fault);
    expect(faults.filter((f) => f === 'fail')).to.have.length(4);
    expect(faults).to.include('timeout');
    // The push whose answer was lost was sent again with its key and answered as a repeat.
    const replayed = (await stack.sims.province.control.log()).slice(before).filter((e) => e.kind === 'request' && e.what === 'POST /exchange/nodes' && e.detail.status === 200);
    expect(replayed.length).to.be.at.least(1);
    await stack.sims.province.control.setFaults({ failNext: 0, timeoutNext: 0 });
  });

  it('when the provincial side loses a node, then the day\'s reconciliation names it and it is sent again', async () => {
    const held = await stack.sims.province.control.nodes(firstCase);
    const lost = held.find((n) => n.node === 'accepted')!;
    await stack.sims.province.control.deleteNode(lost.nodeId);
    const day = new Date(Date.parse(lost.at) + 8 * 3_600_000).toISOString().slice(0, 10);
    const province = new ProvincialExchangeClient({ baseUrl: stack.sims.urls.province, secret: platformSecret });
    const result = await reconcileExchange(stack.db, province, day);
    expect(result.missing).to.include(lost.nodeId);
    expect(result.localCount).to.be.greaterThan(result.remoteCount - 1);
    const kept = await stack.db('exchange_reconciliations').where({ day }).first();
    expect(kept.missing).to.include(lost.nodeId);
    await eventually(async () => (await stack.sims.province.control.nodes(firstCase)).some((n) => n.nodeId === lost.nodeId), 'the lost node sent again');
    // The platform holds the node a moment before the dispatcher marks its row delivered.
    const row = await eventually(async () => {
      const r = await stack.db('exchange_outbox').where({ node_id: lost.nodeId }).first<{ state: string } | undefined>();
      return r?.state === 'delivered' ? r : undefined;
    }, 'the lost node\'s row delivered');
    expect(row).to.include({ state: 'delivered', resent: 1 });
    // Supervisors see the day's reconciliation with what was missing.
    const status = await http(stack, 'GET', '/api/exchange');
    expect(status.status, JSON.stringify(status.body)).to.equal(200);
    expect(status.body.reconciliations.find((r: { day: string }) => r.day === day).missing).to.include(lost.nodeId);
    expect(status.body.outbox.delivered).to.be.greaterThan(0);
    // Reconciled again, nothing of this case is missing.
    expect((await reconcileExchange(stack.db, province, day)).missing.filter((id) => id.startsWith(firstCase))).to.deep.equal([]);
  });

  it('when a case is filed on the provincial portal, then it is filed here once and its nodes go back with the provincial case number', async () => {
    await stack.sims.province.control.setFaults({ duplicateCallbacks: true });
    const pushed = await stack.sims.province.control.fileOnPortal({
      implementationCode: 'XK-330000-00001.xh-scjg', applicant: { kind: 'person', ...person }, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example,
    });
    await stack.sims.province.control.setFaults({ duplicateCallbacks: false });
    expect(pushed.deliveries.map((d) => d.outcome)).to.deep.equal([200, 200]);
    const filings = await stack.db('case_filings').where({ idempotency_key: `province:${pushed.provincialCaseNo}` }).select('case_no', 'filed_by_kind', 'filed_by');
    expect(filings).to.have.length(1);
    const caseNo = filings[0].case_no as string;
    expect(filings[0]).to.include({ filed_by_kind: 'integrator', filed_by: 'province' });
    const pre = await nextTask(caseNo);
    expect(pre.kind).to.equal('precheck');
    const accepted = await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, { action: 'accept', opinion: '同意', missingMaterialsReason: '省平台已核验电子材料' }, pre.as);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    const back = await eventually(async () => {
      const nodes = await stack.sims.province.control.nodes(caseNo);
      return nodes.some((n) => n.node === 'accepted') && nodes;
    }, 'the nodes of the pushed case back on the provincial side');
    expect(back.map((n) => n.node).slice(0, 2)).to.deep.equal(['filed', 'accepted']);
    for (const n of back) expect(n).to.include({ provincialCaseNo: pushed.provincialCaseNo, channel: 'province' });

    // A push the entry's form refuses is answered 422 and files nothing.
    const bad = await stack.sims.province.control.fileOnPortal({ implementationCode: 'XK-330000-00001.xh-scjg', applicant: { kind: 'person', ...person }, formData: {} });
    expect(bad.deliveries.map((d) => d.outcome)).to.deep.equal([422]);
    expect(await stack.db('case_filings').where({ idempotency_key: `province:${bad.provincialCaseNo}` }).first()).to.equal(undefined);
  });
});
