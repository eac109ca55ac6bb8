import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { LogisticsClient } from '../adapters/logistics';
import { PaymentClient } from '../adapters/payment';
import { createDb, type Db } from '../lib/db';
import { createPlatforms } from '../lib/platforms';
import { startDepartmentSimulator, type DepartmentControl } from '../simulators/departments';
import type { RunningSimulator } from '../simulators/kit';
import { startLogisticsSimulator, type LogisticsControl } from '../simulators/logistics';
import { startPaymentSimulator, type PaymentControl } from '../simulators/payment';
import { ctx } from '../test/context';
import { createFollowUpActivities } from './follow-up';

const secret = 'follow-up-secret';
const fast = { timeoutMs: 600, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 } };
// No receiver for callbacks: the platforms' news reaches onewindow only when it asks.
const nowhere = 'http://127.0.0.1:1/callbacks';
const noRetry = { quickAttempts: 1, initialDelayMs: 60_000 };
const caseNo = `33010620261129${String(Date.now() % 100_000_000).padStart(8, '0')}`; // 22 digits, as the API numbers cases

describe('follow-up queries: the case asks the payment, courier and department platforms itself, over HTTP against the simulators', () => {
  let db: Db;
  let payment: RunningSimulator<PaymentControl>;
  let logistics: RunningSimulator<LogisticsControl>;
  let departments: RunningSimulator<DepartmentControl>;
  let acts: ReturnType<typeof createFollowUpActivities>;

  before(async () => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
    payment = await startPaymentSimulator({ secret, callbackUrl: `${nowhere}/payment`, callbackRetry: noRetry });
    logistics = await startLogisticsSimulator({ secret, callbackUrl: `${nowhere}/logistics`, callbackRetry: noRetry });
    departments = await startDepartmentSimulator({ secret, callbackUrl: `${nowhere}/department`, callbackRetry: noRetry });
    const unused = 'http://127.0.0.1:1';
    const platforms = createPlatforms({
      urls: { payment: payment.url, logistics: logistics.url, departments: departments.url, identity: unused, certificates: unused, messaging: unused, province: unused },
      secret, departmentCodes: ['hz-jtys'], ...fast,
    });
    acts = createFollowUpActivities(db, platforms);
    await db('cases').insert({
      case_no: caseNo, implementation_code: 'test', implementation_version: 1, item_code: 'test', item_name: '跟进查询测试', department_code: 'xh-scjg',
      status: 'delivering', channel: 'window', applicant: JSON.stringify({ kind: 'person', name: '张三', idNumber: '11010519491231002X' }), form_data: '{}', filed_at: new Date(), updated_at: new Date(),
    });
  });
  after(async () => {
    await Promise.all([payment, logistics, departments].map((s) => s?.close()));
    await db?.destroy();
  });

  it('when the payer paid but the callback was lost, then the order status says paid with amount and time; open, expired and unknown orders say so', async () => {
    const client = new PaymentClient({ baseUrl: payment.url, secret });
    const base = { caseNo, payer: { name: '张三', idNumber: '11010519491231002X' }, amountFen: 2_000, description: '工本费' };
    const order = await client.createOrder({ ...base, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, `${caseNo}/fee`);
    expect(await acts.paymentOrderStatus({ paymentId: order.orderId })).to.deep.equal({ status: 'open', amountFen: 2_000, paidAt: null });

    const paid = await payment.control.pay(order.orderId);
    expect(paid.deliveries.map((d) => d.outcome)).to.deep.equal(['failed']);
    expect(await acts.paymentOrderStatus({ paymentId: order.orderId })).to.deep.equal({ status: 'paid', amountFen: 2_000, paidAt: paid.order.paidAt });

    const soon = await client.createOrder({ ...base, expiresAt: new Date(Date.now() + 300).toISOString() }, `${caseNo}/fee-soon`);
    await new Promise((r) => setTimeout(r, 400));
    expect((await acts.paymentOrderStatus({ paymentId: soon.orderId })).status).to.equal('expired');

    expect(await acts.paymentOrderStatus({ paymentId: 'PO-nobody-knows' })).to.deep.equal({ status: 'unknown', amountFen: null, paidAt: null });
  });

  it('when the payment platform fails for a while, then the query throws a transient error for Temporal to retry; a bad signature fails for good', async () => {
    await payment.control.setFaults({ failNext: 2 });
    expect(await acts.paymentOrderStatus({ paymentId: 'PO-x' }).catch((e: unknown) => e)).to.have.property('name', 'TransientAdapterError');
    await payment.control.reset();
    const unused = 'http://127.0.0.1:1';
    const wrong = createFollowUpActivities(db, createPlatforms({
      urls: { payment: payment.url, logistics: logistics.url, departments: departments.url, identity: unused, certificates: unused, messaging: unused, province: unused },
      secret: 'not-the-secret', departmentCodes: ['hz-jtys'], ...fast,
    }));
    const err = await wrong.paymentOrderStatus({ paymentId: 'PO-x' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApplicationFailure).and.include({ type: 'PlatformRefusal:payment:bad-signature', nonRetryable: true });
  });

  it('when the parcel was delivered but the callback was lost, then tracking says delivered and when, and our delivery row is brought up to date', async () => {
    const client = new LogisticsClient({ baseUrl: logistics.url, secret });
    const booking = await client.book({ caseNo, sender: { name: '政务服务中心', phone: '0571-87654321', address: '西湖区' }, recipient: { name: '张三', phone: '13800138000', address: '西湖区文三路100号' }, item: '营业执照' }, `${caseNo}/delivery`);
    await db('deliveries').insert({ case_no: caseNo, method: 'courier', waybill_no: booking.waybillNo, status: 'booked', booked_at: booking.bookedAt });
    await logistics.control.advance(booking.waybillNo, 'in_transit');
    expect(await acts.trackWaybill({ waybillNo: booking.waybillNo })).to.deep.equal({ delivered: false, at: null, status: 'in_transit' });

    const { tracking } = await logistics.control.advance(booking.waybillNo);
    const at = tracking.events.at(-1)!.at;
    expect(await acts.trackWaybill({ waybillNo: booking.waybillNo })).to.deep.equal({ delivered: true, at, status: 'delivered' });
    const row = await db('deliveries').where({ case_no: caseNo }).first<{ status: string; delivered_at: Date }>();
    expect(row.status).to.equal('delivered');
    expect(row.delivered_at.toISOString()).to.equal(at);

    expect(await acts.trackWaybill({ waybillNo: 'EA000000000CN' })).to.deep.equal({ delivered: false, at: null, status: 'unknown' });
  });

  it('when the department gave its result but the callback was lost, then the dispatch status has the result and milestones; a dispatch never received is not known', async () => {
    const step = { caseNo, stepId: 'transport-system', department: 'hz-jtys', system: '道路运输管理系统' };
    expect(await acts.dispatchStatus(step)).to.deep.equal({ known: false, result: null, milestones: [] });
    const platforms = createPlatforms({ urls: { payment: payment.url, logistics: logistics.url, departments: departments.url, identity: 'http://127.0.0.1:1', certificates: 'http://127.0.0.1:1', messaging: 'http://127.0.0.1:1', province: 'http://127.0.0.1:1' }, secret, departmentCodes: ['hz-jtys'], ...fast });
    await platforms.departments.pushCase('hz-jtys', {
      caseNo, stepId: step.stepId, itemCode: 'XK-330000-00007', acceptedAt: new Date().toISOString(),
      applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, formData: {},
    });
    expect(await acts.dispatchStatus(step)).to.deep.equal({ known: true, result: null, milestones: [] });

    await departments.control.milestone({ department: 'hz-jtys', caseNo, stepId: step.stepId, milestone: '受理' });
    await departments.control.result({ department: 'hz-jtys', caseNo, stepId: step.stepId, outcome: 'approved', opinion: '符合条件' });
    const status = await acts.dispatchStatus(step);
    expect(status.known).to.equal(true);
    expect(status.milestones.map((m) => m.milestone)).to.deep.equal(['受理']);
    expect(status.result).to.include({ outcome: 'approved', opinion: '符合条件' });

    // The step is returned to and dispatched again: round 2 has no result yet.
    await platforms.departments.pushCase('hz-jtys', {
      caseNo, stepId: step.stepId, round: 2, itemCode: 'XK-330000-00007', acceptedAt: new Date().toISOString(),
      applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, formData: {},
    });
    expect(await acts.dispatchStatus({ ...step, round: 2 })).to.deep.equal({ known: true, result: null, milestones: [] });
    expect(await acts.dispatchStatus({ ...step, round: 3 })).to.deep.equal({ known: false, result: null, milestones: [] });

    const err = await acts.dispatchStatus({ ...step, department: 'xh-nobody' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApplicationFailure).and.include({ type: 'PlatformRefusal:departments:unknown-department' });
  });
});
