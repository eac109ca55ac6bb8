/**
 * The case workflow's use of the platforms, on Temporal's time-skipping test server with fake
 * activities: real-name and agent checks before pre-check, the face check of advanced items,
 * 减材料, a fee charged at acceptance and its refund, and manual tasks when a platform refuses.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { sampleDocuments } from '../db/seed';
import { readFormFolder } from '../lib/forms';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { endWorkflow, timeSkippingSuite } from '../test/time-skipping';
import { pinnedSample } from '../test/sample-cases';
import {
  caseViewQuery,
  completeTaskUpdate,
  faceCheckResultSignal,
  paymentConfirmedSignal,
  withdrawUpdate,
  type CaseInput,
  type CaseView,
  type CompleteTaskRequest,
  type OpenTaskView,
  type PinnedImplementation,
  type TaskKind,
} from './definitions';
import { journalSinks } from '../worker/journal-sink';

const docs = sampleDocuments();
type Fake = ReturnType<typeof fakeActivities>;
type Handle = WorkflowHandle;

const actorFor = (t: OpenTaskView) => ({ userId: `${t.department}-${t.role}`, department: t.department, roles: [t.role] });

/** 居民身份证换领 with its fee charged at acceptance. */
const feeAtAcceptance = (): PinnedImplementation => {
  const base = pinnedSample('QR-330000-00010');
  if (!base.fee.charged) throw new Error('the sample charges a fee');
  return { ...base, fee: { ...base.fee, when: 'acceptance' } };
};

describe('caseWorkflow and the platforms (time-skipping test server)', function () {
  this.timeout(120_000);
  let counter = 0;

  // One test server for the file; each case is filed at the server's present, wherever the
  // earlier tests left its clock.
  const suite = timeSkippingSuite();
  let env: TestWorkflowEnvironment;
  before(() => {
    env = suite.env;
  });

  async function run<T>(impl: PinnedImplementation, body: (h: Handle, fake: Fake) => Promise<T>, over: Partial<CaseInput> = {}, prepare?: (fake: Fake) => void): Promise<{ result: T; fake: Fake }> {
    const fake = fakeActivities();
    prepare?.(fake);
    const taskQueue = `wfa-${++counter}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const caseNo = `33010620261122${String(counter).padStart(8, '0')}`;
    const doc = docs.find((d) => d.implementation.code === impl.code)!;
    const input: CaseInput = {
      caseNo, implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' }, channel: 'window',
      formData: readFormFolder(doc.form).example, delivery: { method: 'window' }, filedAt: new Date(await env.currentTimeMs()).toISOString(), ...over,
    };
    const result = await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: caseNo, args: [input] });
      try {
        return await body(h, fake);
      } finally {
        await endWorkflow(h);
      }
    });
    return { result, fake };
  }

  async function until(h: Handle, probe: (v: CaseView) => boolean, what: string): Promise<CaseView> {
    for (let i = 0; i < 300; i++) {
      const view = await h.query(caseViewQuery);
      if (probe(view)) return view;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const openTask = async (h: Handle, kind: TaskKind) => (await until(h, (v) => v.openTasks.some((t) => t.kind === kind), `an open ${kind} task`)).openTasks.find((t) => t.kind === kind)!;

  const complete = (h: Handle, t: OpenTaskView, action: CompleteTaskRequest['action'], extra: Partial<CompleteTaskRequest> = {}) =>
    h.executeUpdate(completeTaskUpdate, { args: [{ taskId: t.taskId, action, opinion: '同意', actor: actorFor(t), ...extra }] });

  async function refusal(p: Promise<unknown>): Promise<string | undefined> {
    try {
      await p;
    } catch (err) {
      expect(err).to.be.instanceOf(WorkflowUpdateFailedError);
      return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type ?? undefined;
    }
    throw new Error('update was accepted');
  }

  /** Approves review tasks until the case is decided (or stops at `stopAt`). */
  async function approveAll(h: Handle): Promise<CaseView> {
    for (;;) {
      const view = await h.query(caseViewQuery);
      if (view.decision) return view;
      const t = view.openTasks.find((x) => x.kind === 'review');
      if (t) await complete(h, t, 'approve');
      else await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('when the applicant fails the real-name check, then the pre-check task shows why and cannot accept; refusing to accept ends the case with the reasons', async () => {
    const { result, fake } = await run(pinnedSample('XK-330000-00001'), async (h) => {
      const pre = await openTask(h, 'precheck');
      expect(pre.actions).to.deep.equal(['correction', 'reject']);
      expect(pre.notes).to.deep.equal(['申请人实名核验未通过：姓名与公民身份号码不一致']);
      expect((await h.query(caseViewQuery)).identity).to.include({ ok: false });
      expect(await refusal(complete(h, pre, 'accept'))).to.equal('ActionNotAllowed');
      await complete(h, pre, 'reject', { opinion: '申请人身份信息与人口库不一致，不予受理' });
      return h.query(caseViewQuery);
    }, { applicant: { kind: 'person', name: '冒名张三', idNumber: '11010519491231002X' } });
    expect(result.status).to.equal('not_accepted');
    expect(fake.types()).to.include('identity-check-failed');
    expect(fake.opened.find((t) => t.kind === 'precheck')?.notes).to.deep.equal(['申请人实名核验未通过：姓名与公民身份号码不一致']);
  });

  it('when a legal person files through an agent without authorisation, then the clerk sees it and the check runs again after the correction', async () => {
    const applicant = { kind: 'legal_person' as const, name: '杭州西湖区悦味轩餐饮有限公司', idNumber: '91330106MA2H3K7Q5U', legalRepresentative: { idNumber: '330106197608142018', name: '林建华' }, agent: { idNumber: '330106198406182120', name: '未授权陈秀兰' } };
    const { fake } = await run(pinnedSample('XK-330000-00001'), async (h) => {
      const pre = await openTask(h, 'precheck');
      expect(pre.notes?.[0]).to.contain('未获该单位法定代表人授权');
      await complete(h, pre, 'correction', { problems: ['请提交法定代表人对经办人的授权'] });
      await until(h, (v) => v.status === 'awaiting_correction', 'the correction');
      await h.executeUpdate('replyCorrection', { args: [{ note: '已授权' }] });
      const again = await openTask(h, 'precheck');
      expect(again.taskId).to.not.equal(pre.taskId);
      await endWorkflow(h); // terminated once nothing is outstanding (test/time-skipping.ts)
    }, { applicant });
    expect(fake.types().filter((t) => t === 'identity-check-failed')).to.have.length(2);
    // Materials are looked up once per case, for the company and its legal representative.
    expect(fake.types().filter((t) => t === 'materials-replaced')).to.have.length(1);
  });

  it('when an instant item\'s applicant fails the real-name check, then the case is not accepted with the reason', async () => {
    const { result, fake } = await run(pinnedSample('GG-330000-00002'), (h) => h.result() as Promise<{ status: string }>, { applicant: { kind: 'person', name: '冒名李四', idNumber: '11010519491231002X' } });
    expect(result.status).to.equal('closed');
    expect(fake.types()).to.include('not-accepted');
    const ended = fake.events.find((e) => e.type === 'not-accepted');
    expect(ended?.payload?.reason).to.contain('实名核验未通过');
    expect(fake.types()).to.not.include('accepted');
  });

  it('when e-certificates the applicant holds replace materials, then the case view says which certificate replaced which material', async () => {
    const { result } = await run(pinnedSample('XK-330000-00001'), async (h) => {
      await openTask(h, 'precheck');
      return h.query(caseViewQuery);
    });
    expect(result.materials).to.deep.equal([{ materialId: 'operator-id', materialName: '经营者身份证明', certificateNo: 'XH-GAJ-11010519491231002X', certificateType: '居民身份证' }]);
  });

  it('when an advanced item\'s applicant passes the live face check, then the pre-check opens and can accept', async () => {
    const { result, fake } = await run(pinnedSample('XK-330000-00004'), async (h) => {
      const pending = await until(h, (v) => v.faceCheck?.status === 'pending', 'the face check');
      expect(pending.openTasks).to.deep.equal([]);
      // A result for another check changes nothing.
      await h.signal(faceCheckResultSignal, { checkId: 'face-other', passed: true, at: new Date().toISOString() });
      await h.signal(faceCheckResultSignal, { checkId: pending.faceCheck!.checkId, passed: true, at: new Date().toISOString() });
      const pre = await openTask(h, 'precheck');
      expect(pre.actions).to.include('accept');
      return h.query(caseViewQuery);
    });
    expect(result.faceCheck).to.include({ status: 'passed', attempt: 1 });
    expect(fake.faceChecks).to.have.length(1);
    expect(fake.faceChecks[0].person).to.deep.equal({ idNumber: '11010519491231002X', name: '张三' });
    expect(fake.types()).to.include.members(['face-check-requested', 'face-check-passed']);
  });

  it('when the face check times out and then fails, then the clerk asks again, and finally confirms the person at the window with a note', async () => {
    const { result, fake } = await run(pinnedSample('XK-330000-00004'), async (h) => {
      await until(h, (v) => v.faceCheck?.status === 'pending', 'the face check');
      await env.sleep('25 hours');
      const first = await openTask(h, 'face-check');
      expect(first).to.include({ department: 'xh-zwfw', role: 'clerk' });
      expect(first.actions).to.deep.equal(['retry', 'approve', 'reject']);
      expect(first.notes).to.deep.equal(['申请人未在规定时间内完成人脸核验']);
      await complete(h, first, 'retry');
      const second = await until(h, (v) => v.faceCheck?.attempt === 2 && v.faceCheck.status === 'pending', 'the second face check');
      await h.signal(faceCheckResultSignal, { checkId: second.faceCheck!.checkId, passed: false, reason: '活体检测未通过', at: new Date().toISOString() });
      const task = await openTask(h, 'face-check');
      expect(task.notes).to.deep.equal(['人脸核验未通过：活体检测未通过']);
      expect(await refusal(complete(h, task, 'approve', { opinion: ' ' }))).to.equal('InvalidInput');
      await complete(h, task, 'approve', { opinion: '申请人到窗口现场，已核对身份证原件与本人一致' });
      await openTask(h, 'precheck');
      return h.query(caseViewQuery);
    });
    expect(result.faceCheck).to.include({ status: 'confirmed-at-window', attempt: 2 });
    expect(fake.types()).to.include.members(['face-check-timed-out', 'face-check-failed', 'face-check-confirmed-at-window']);
  });

  it('when a fee is charged at acceptance and the case is later refused, then the paid fee is refunded', async () => {
    const { result, fake } = await run(feeAtAcceptance(), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const awaiting = await until(h, (v) => v.status === 'awaiting_payment', 'the payment order');
      expect(awaiting.payment).to.include({ stage: 'acceptance', status: 'open' });
      expect(awaiting.clock.running).to.equal(false);
      await h.signal(paymentConfirmedSignal, { paymentId: awaiting.payment!.paymentId, amountFen: awaiting.payment!.amountFen, paidAt: new Date().toISOString() });
      const review = await openTask(h, 'review');
      expect((await h.query(caseViewQuery)).clock.running).to.equal(true);
      await complete(h, review, 'refuse', { opinion: '不符合换领条件' });
      return until(h, (v) => v.status === 'completed', 'completion');
    });
    expect(result.decision?.outcome).to.equal('refused');
    expect(result.payment).to.include({ status: 'refunded' });
    expect(fake.refunds).to.have.length(1);
    expect(fake.refunds[0].reason).to.contain('不符合换领条件');
    expect(fake.types()).to.include.members(['payment-ordered', 'payment-received', 'review-started', 'payment-refunded']);
  });

  it('when a case the supervision sweep watches pauses its clock for a fee at acceptance, then the paused clock is published before the case waits on the payment platform', async () => {
    const { fake } = await run(feeAtAcceptance(), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await until(h, (v) => v.status === 'awaiting_payment', 'the payment order');
    }, { supervisedBy: 'sweep' });
    const clockOps = fake.batches.flatMap((b, i) => b.filter((op) => op.op === 'clock').map((op) => ({ i, op })));
    expect(clockOps.map((x) => (x.op as { clock: { clockRunning?: boolean } }).clock.clockRunning)).to.deep.equal([false]);
    const ordered = fake.batches.findIndex((b) => b.some((op) => op.op === 'event' && op.ev.type === 'payment-ordered'));
    expect(clockOps[0].i).to.be.below(ordered);
    // Accepted with a running clock first (in the acceptance's own event).
    expect(fake.events.find((e) => e.type === 'accepted')!.patch).to.include({ clockRunning: true });
  });

  it('when a fee paid at acceptance is followed by approval, then no second fee is charged; a withdrawal after paying refunds it', async () => {
    const { result: approved, fake } = await run(feeAtAcceptance(), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const awaiting = await until(h, (v) => v.status === 'awaiting_payment', 'the payment order');
      await h.signal(paymentConfirmedSignal, { paymentId: awaiting.payment!.paymentId, amountFen: awaiting.payment!.amountFen, paidAt: new Date().toISOString() });
      await approveAll(h);
      await openTask(h, 'handover');
      return h.query(caseViewQuery);
    });
    expect(approved.status).to.equal('delivering');
    expect(fake.types().filter((t) => t === 'payment-ordered')).to.have.length(1);
    expect(fake.refunds).to.have.length(0);

    const { result: withdrawn, fake: second } = await run(feeAtAcceptance(), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const awaiting = await until(h, (v) => v.status === 'awaiting_payment', 'the payment order');
      await h.signal(paymentConfirmedSignal, { paymentId: awaiting.payment!.paymentId, amountFen: awaiting.payment!.amountFen, paidAt: new Date().toISOString() });
      await openTask(h, 'review');
      expect(await h.executeUpdate(withdrawUpdate, { args: [{ reason: '不再需要' }] })).to.equal('withdrawn');
      return until(h, (v) => v.payment?.status === 'refunded', 'the refund');
    });
    expect(withdrawn.status).to.equal('withdrawn');
    expect(second.refunds.map((r) => r.reason)).to.deep.equal(['撤回申请：不再需要']);
  });

  it('when the applicant withdraws while the acceptance fee is unpaid, then the order is cancelled and nothing is refunded', async () => {
    const { result, fake } = await run(feeAtAcceptance(), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await until(h, (v) => v.status === 'awaiting_payment', 'the payment order');
      expect(await h.executeUpdate(withdrawUpdate, { args: [{ reason: '改日再办' }] })).to.equal('withdrawn');
      return h.query(caseViewQuery);
    });
    expect(result.payment).to.include({ status: 'expired' });
    expect(fake.types()).to.include('payment-cancelled');
    expect(fake.refunds).to.have.length(0);
  });

  it('when the certificate platform refuses, then a manual task opens for the department with the reason, and retrying issues the certificate', async () => {
    const { result, fake } = await run(pinnedSample('XK-330000-00001'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await approveAll(h);
      const manual = await openTask(h, 'manual');
      expect(manual).to.include({ department: 'xh-scjg', role: 'head', stepName: '人工处理：电子证照签发' });
      expect(manual.actions).to.deep.equal(['retry', 'skip']);
      expect(manual.notes).to.deep.equal(['平台拒绝了 issueCertificate（模拟）']);
      expect(await refusal(complete(h, manual, 'skip', { opinion: '' }))).to.equal('InvalidInput');
      await complete(h, manual, 'retry');
      await openTask(h, 'handover');
      return h.query(caseViewQuery);
    }, {}, (fake) => { fake.refuseNext.issueCertificate = 1; });
    expect(result.certificateNo).to.be.a('string');
    expect(fake.types()).to.include.members(['platform-refused', 'manual-retried', 'certificate-issued']);
  });

  it('when the courier platform refuses and the manual task skips it with reasons, then the result is handed over at the window', async () => {
    const { result, fake } = await run(pinnedSample('QR-330000-00010'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await approveAll(h);
      const order = await until(h, (v) => v.payment?.status === 'open', 'the payment order');
      await h.signal(paymentConfirmedSignal, { paymentId: order.payment!.paymentId, amountFen: order.payment!.amountFen, paidAt: new Date().toISOString() });
      const manual = await openTask(h, 'manual');
      expect(manual.stepName).to.equal('人工处理：物流寄递下单');
      await complete(h, manual, 'skip', { opinion: '寄递地址不在服务范围，改为窗口领取，已电话告知申请人' });
      await openTask(h, 'handover');
      return h.query(caseViewQuery);
    }, { delivery: { method: 'courier', address: { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' } } }, (fake) => { fake.refuseNext.bookCourier = 1; });
    expect(result.delivery).to.include({ method: 'window', waybillNo: null });
    expect(fake.types()).to.include('manual-skipped');
  });

  it('when a department system refuses the dispatch, then the manual task allows only a retry, which dispatches the case', async () => {
    const { fake } = await run(pinnedSample('XK-330000-00007'), async (h, f) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const manual = await openTask(h, 'manual');
      expect(manual).to.include({ department: 'hz-jtys', role: 'head' });
      expect(manual.actions).to.deep.equal(['retry']);
      expect(await refusal(complete(h, manual, 'skip', { opinion: '跳过' }))).to.equal('ActionNotAllowed');
      await complete(h, manual, 'retry');
      await until(h, () => f.dispatches.length === 1, 'the dispatch');
      await endWorkflow(h); // terminated once nothing is outstanding (test/time-skipping.ts)
    }, {}, (fake) => { fake.refuseNext.dispatchToDepartment = 1; });
    expect(fake.dispatches).to.have.length(1);
  });
});
