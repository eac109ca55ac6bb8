/**
 * The daily reconciliation tells a waiting case what its lost callback would have: on the real
 * stack (dev server, PostgreSQL, worker, API, simulators), a case waits for its fee, the payer pays
 * while the API cannot be reached and the platform gives up calling back; reconciling the day
 * signals the case, which goes on. Later its parcel is delivered the same way, and reconciling
 * again completes it. A case already closed is recorded as such.
 */
import { expect } from 'chai';
import { PaymentClient } from '../adapters/payment';
import { sampleDocuments } from '../db/seed';
import { readFormFolder } from '../lib/forms';
import type { SimulatorControl } from '../simulators/control-client';
import { asClerkFor, asStaff, eventually, http, platformSecret, sharedStack, type Stack } from '../test/harness';
import { reconciliationWorkflow } from '../workflows/reconciliation-workflow';

const person = { kind: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' };
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('reconciliation signals the cases that missed a platform callback (real stack)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let code: string;

  before(async () => {
    stack = await sharedStack();
    stack.defaultHeaders = await asStaff(stack, 'supervisor-zhao');
    // 居民身份证换领 with its fee charged at acceptance: the case waits for payment right after pre-check.
    const doc = sampleDocuments().find((d) => d.implementation.code === 'QR-330000-00010.xh-gaj')!;
    const entry = structuredClone(doc.entry) as Record<string, any>;
    entry.fee.when = 'acceptance';
    const itemCode = 'QR-330000-00096';
    code = `${itemCode}.xh-gaj`;
    await stack.db('service_items').insert({ code: itemCode, name: `${doc.item.name}（对账测试）`, type: doc.item.type, legal_basis: doc.item.legalBasis }).onConflict('code').ignore();
    await stack.db('implementations').insert({ code, item_code: itemCode, department_code: 'xh-gaj', name: `${doc.implementation.name}（对账测试）` }).onConflict('code').ignore();
    await stack.db('implementation_versions').insert({ implementation_code: code, version: 1, state: 'published', entry: JSON.stringify(entry), published_at: stack.db.fn.now(), created_by: 'test' }).onConflict(['implementation_code', 'version']).ignore();
  });
  after(async () => {
    // Out of service again, so other tests see only the sample catalogue.
    await stack?.db('implementation_versions').where({ implementation_code: code, state: 'published' }).update({ state: 'cancelled' });
    await stack?.stop();
  });

  async function file(delivery: Record<string, unknown> = { method: 'window' }): Promise<string> {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode: code, channel: 'window', applicant: person, formData: readFormFolder({ key: 'resident-id-card-renewal', version: 1 }).example, delivery }, await asClerkFor(stack, code));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.caseNo;
  }

  async function completeTask(caseNo: string, kind: string, action: string, opinion: string): Promise<void> {
    const t = await eventually(() => stack.db('tasks').where({ case_no: caseNo, status: 'open', kind }).first<{ id: string; department_code: string; role: string } | undefined>(), `the ${kind} task of ${caseNo}`, 30_000);
    const user = await stack.db('staff_users').where({ department_code: t.department_code }).whereRaw('? = any(roles)', [t.role]).first<{ id: string }>('id');
    // The materials are taken as received at the window (this test is about the fee and the parcel).
    const body = action === 'accept' ? { action, opinion, missingMaterialsReason: '纸质材料已当面收取' } : { action, opinion };
    const r = await http(stack, 'POST', `/api/tasks/${t.id}/complete`, body, await asStaff(stack, user.id));
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
  }

  async function statusOf(caseNo: string): Promise<string> {
    return (await http(stack, 'GET', `/api/cases/${caseNo}`)).body.status;
  }

  /** Something happens on a platform while onewindow cannot be reached, and the platform gives up calling back. */
  async function whileApiDown<T>(control: SimulatorControl, act: () => Promise<T>): Promise<T> {
    const { callbackUrl } = await control.config();
    await control.configure({ callbackUrl: 'http://127.0.0.1:1/api/callbacks/lost' });
    try {
      return await act();
    } finally {
      await control.reset(); // nothing left to send later, whatever the retry policy
      await control.configure({ callbackUrl: callbackUrl ?? undefined });
    }
  }

  async function payWhileApiDown(orderId: string): Promise<void> {
    const paid = await whileApiDown(stack.sims.payment.control, () => stack.sims.payment.control.pay(orderId));
    // The stack's simulators give up after their quick tries (test/harness.ts): this callback is lost.
    expect(paid.deliveries[0]).to.include({ outcome: 'failed' }).and.not.have.property('retrying');
  }

  it('when a case waits for a fee the platform has paid, then for a parcel the courier has delivered, neither reported, then reconciling the day signals it each time and it completes; a closed case is recorded, not an error', async () => {
    const waiting = await file({ method: 'courier', address: { name: '张三', phone: '13800138000', address: '杭州市西湖区文三路100号' } });
    await completeTask(waiting, 'precheck', 'accept', '材料齐全');
    await eventually(async () => (await statusOf(waiting)) === 'awaiting_payment', `${waiting} to await payment`, 30_000);
    const order = await eventually(() => stack.db('payments').where({ case_no: waiting }).first<{ id: string; status: string } | undefined>(), 'the payment order');
    await payWhileApiDown(order.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOf(waiting)).to.equal('awaiting_payment');
    expect((await stack.db('payments').where({ id: order.id }).first()).status).to.equal('open');

    // A closed case whose order the platform has paid while our row stayed open.
    const closed = await file();
    await completeTask(closed, 'precheck', 'reject', '不符合受理条件');
    await eventually(async () => (await statusOf(closed)) === 'not_accepted', `${closed} to be closed`, 30_000);
    // A refused case's workflow stays open a while for the applicant's rating; its end is hastened here.
    await stack.client.workflow.getHandle(closed).terminate('test: the case has ended');
    const payment = new PaymentClient({ baseUrl: stack.sims.urls.payment, secret: platformSecret });
    const stray = await payment.createOrder({ caseNo: closed, payer: { name: person.name, idNumber: person.idNumber }, amountFen: 1_000, description: '对账测试', expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, `${closed}/fee`);
    await stack.db('payments').insert({ id: stray.orderId, case_no: closed, amount_fen: 1_000, payment_code: stray.paymentCode, status: 'open', created_at: stray.createdAt, expires_at: stray.expiresAt });
    await payWhileApiDown(stray.orderId);

    const date = chinaToday();
    const summary = await stack.client.workflow.execute(reconciliationWorkflow, { taskQueue: stack.taskQueue, workflowId: `it-reconcile-signal-${Date.now()}`, args: [{ date }] });
    expect(summary.mismatches.find((m) => m.ref === order.id)).to.include({ kind: 'missing-locally', caseNo: waiting, caseSignal: 'signalled' });
    expect(summary.mismatches.find((m) => m.ref === stray.orderId)).to.include({ caseNo: closed, caseSignal: 'case-closed' });
    const stored = await stack.db('reconciliation_mismatches').where({ date }).whereIn('ref', [order.id, stray.orderId]).select<{ ref: string; case_signal: string; case_signalled_at: Date | null }[]>('ref', 'case_signal', 'case_signalled_at');
    expect(Object.fromEntries(stored.map((m) => [m.ref, m.case_signal]))).to.deep.equal({ [order.id]: 'signalled', [stray.orderId]: 'case-closed' });
    expect(stored.every((m) => m.case_signalled_at instanceof Date)).to.equal(true);

    // The waiting case heard of its payment: recorded as paid, and on to review.
    await eventually(async () => (await stack.db('payments').where({ id: order.id }).first()).status === 'paid', 'the payment recorded as paid', 30_000);
    await eventually(async () => (await statusOf(waiting)) !== 'awaiting_payment', `${waiting} to go on`, 30_000);
    const events = (await http(stack, 'GET', `/api/cases/${waiting}`)).body.events.map((e: { type: string }) => e.type);
    expect(events).to.include('payment-received');

    // Approved, certificate issued, result couriered: the parcel is delivered while onewindow cannot be reached.
    await eventually(async () => {
      if ((await statusOf(waiting)) === 'delivering') return true;
      const open = await stack.db('tasks').where({ case_no: waiting, status: 'open' }).first<{ kind: string } | undefined>('kind');
      if (open) await completeTask(waiting, open.kind, 'approve', '同意');
      return false;
    }, `${waiting} to be approved and delivering`, 60_000);
    const delivery = await eventually(() => stack.db('deliveries').where({ case_no: waiting }).first<{ waybill_no: string; status: string } | undefined>(), 'the courier booking');
    const advanced = await whileApiDown(stack.sims.logistics.control, () => stack.sims.logistics.control.advance(delivery.waybill_no, 'delivered'));
    expect(advanced.deliveries.map((d) => d.outcome)).to.deep.equal(['failed', 'failed', 'failed']);
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOf(waiting)).to.equal('delivering');

    // Reconciling again: the payment now matches; the delivery is recorded, and the case told.
    const again = await stack.client.workflow.execute(reconciliationWorkflow, { taskQueue: stack.taskQueue, workflowId: `it-reconcile-signal-again-${Date.now()}`, args: [{ date }] });
    expect(again.mismatches.some((m) => m.ref === order.id)).to.equal(false);
    expect(again.mismatches.find((m) => m.ref === delivery.waybill_no), JSON.stringify(again.mismatches)).to.include({ kind: 'status-differs', caseNo: waiting, caseSignal: 'signalled' });
    const deliveredAt = advanced.tracking.events.at(-1)!.at;
    // The case records the delivery itself (one writer), once the signal's workflow task has run.
    const row = await eventually(() => stack.db('deliveries').where({ case_no: waiting }).whereNotNull('delivered_at').first<{ status: string; delivered_at: Date } | undefined>(), 'the delivery recorded by the case', 30_000);
    expect([row.status, row.delivered_at.toISOString()]).to.deep.equal(['delivered', deliveredAt]);
    await eventually(async () => (await statusOf(waiting)) === 'completed', `${waiting} to complete`, 30_000);
    const delivered = (await http(stack, 'GET', `/api/cases/${waiting}`)).body.events.find((e: { type: string }) => e.type === 'delivered');
    expect(delivered.payload).to.deep.equal({ waybillNo: delivery.waybill_no, at: deliveredAt });
  });
});
