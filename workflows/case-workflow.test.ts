/**
 * The case workflow on Temporal's Java time-skipping test server, with fake activities that
 * record what it projected, over the sample catalogue's process definitions.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { sampleDocuments } from '../db/seed';
import { readFormFolder } from '../lib/forms';
import { officialYears } from '../lib/calendar/official';
import { WorkingCalendar } from '../lib/calendar/working-days';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { endWorkflow, timeSkippingSuite } from '../test/time-skipping';
import { pinnedSample } from '../test/sample-cases';
import { driveToCompletion } from '../test/drive-case';
import type { CaseResult } from './case-workflow';
import {
  assignTaskUpdate,
  caseViewQuery,
  completeTaskUpdate,
  deliveredSignal,
  departmentMilestoneSignal,
  departmentResultSignal,
  endSpecialProcedureUpdate,
  evaluateUpdate,
  paymentConfirmedSignal,
  replyCorrectionUpdate,
  requestExtensionUpdate,
  withdrawUpdate,
  type CaseInput,
  type CompleteTaskRequest,
  type OpenTaskView,
  type PinnedImplementation,
  type TaskKind,
} from './definitions';
import { journalSinks } from '../worker/journal-sink';

const calendar = new WorkingCalendar(officialYears());
const docs = sampleDocuments();
const doc = (prefix: string) => docs.find((d) => d.implementation.code.startsWith(prefix))!;

const pinned = pinnedSample;

const actorFor = (t: OpenTaskView, userId = `${t.department}-${t.role}`) => ({ userId, department: t.department, roles: [t.role] });
type Handle = WorkflowHandle;

describe('caseWorkflow (time-skipping test server)', function () {
  this.timeout(120_000);
  let counter = 0;

  // One test server for the file. Its clock only moves forward: each case is filed at the
  // server's present (env.currentTimeMs()), wherever the earlier tests left it.
  const suite = timeSkippingSuite();
  let env: TestWorkflowEnvironment;
  before(() => {
    env = suite.env;
  });

  async function run<T>(impl: PinnedImplementation, body: (h: Handle, fake: ReturnType<typeof fakeActivities>, input: CaseInput) => Promise<T>, over: Partial<CaseInput> = {}): Promise<{ result: T; fake: ReturnType<typeof fakeActivities> }> {
    const fake = fakeActivities();
    const taskQueue = `wf-${++counter}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const caseNo = `33010620261121${String(counter).padStart(8, '0')}`;
    const form = readFormFolder((doc(impl.itemCode) ?? doc('XK-330000-00001')).form).example;
    const input: CaseInput = {
      caseNo, implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, channel: 'window',
      formData: form, delivery: { method: 'window' }, filedAt: new Date(await env.currentTimeMs()).toISOString(), ...over,
    };
    const result = await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: caseNo, args: [input] });
      try {
        return await body(h, fake, input);
      } finally {
        await endWorkflow(h);
      }
    });
    return { result, fake };
  }

  async function openTask(h: Handle, kind?: TaskKind, stepId?: string): Promise<OpenTaskView> {
    for (let i = 0; i < 200; i++) {
      const view = await h.query(caseViewQuery);
      const t = view.openTasks.find((x) => (!kind || x.kind === kind) && (!stepId || x.stepId === stepId));
      if (t) return t;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no open ${kind ?? ''} task ${stepId ?? ''}`);
  }

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

  /** Pre-check accepted, then every review task approved in turn, until the case is decided. */
  async function acceptAndApproveAll(h: Handle): Promise<void> {
    await complete(h, await openTask(h, 'precheck'), 'accept');
    for (;;) {
      const view = await h.query(caseViewQuery);
      if (view.decision) return;
      const t = view.openTasks.find((x) => x.kind === 'review' || x.kind === 'lead-decision');
      if (t) await complete(h, t, 'approve');
      else await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('when 个体工商户设立登记 is accepted and approved, then the certificate is issued, handed over, rated, and the 30-day window closes the case', async () => {
    const { result, fake } = await run(pinned('XK-330000-00001'), async (h) => {
      await acceptAndApproveAll(h);
      const handover = await openTask(h, 'handover');
      expect(handover).to.include({ department: 'xh-zwfw', role: 'clerk' });
      await complete(h, handover, 'handover');
      await h.executeUpdate(evaluateUpdate, { args: [{ level: 5, comment: '一次办好' }] });
      return (await h.result()) as CaseResult;
    });
    expect(result).to.deep.include({ status: 'closed' });
    expect(result.decision?.outcome).to.equal('approved');
    expect(fake.types()).to.deep.equal([
      'filed', 'identity-verified', 'materials-replaced', 'task-opened', 'precheck-started', 'task-completed', 'accepted', 'task-opened', 'task-completed', 'decided',
      'issuing', 'certificate-issued', 'awaiting-pickup', 'task-opened', 'task-completed', 'delivered', 'completed', 'evaluated', 'closed',
    ]);
    expect([...fake.certificates.keys()]).to.have.length(1);
    expect(fake.evaluations).to.have.length(1);
    const accepted = fake.events.find((e) => e.type === 'accepted')!;
    const expected = calendar.addWorkingDays(new Date(accepted.at), 15).value.toISOString();
    expect(accepted.patch?.statutoryDeadline).to.equal(expected);
  });

  for (const d of docs) {
    it(`when a case of ${d.item.name} goes the happy way, then it is approved, completed and closed after its rating`, async () => {
      const impl = pinned(d.item.code);
      const courier = impl.delivery.includes('courier');
      const { result, fake } = await run(impl, async (h, f) => {
        await driveToCompletion(h, () => f.dispatches.map((x) => x.stepId));
        return (await h.result()) as CaseResult;
      }, courier ? { delivery: { method: 'courier', address: { name: '张三', phone: '13800138000', address: '杭州市西湖区文三路100号' } } } : {});
      expect(result).to.deep.include({ status: 'closed', evaluation: result.evaluation });
      expect(result.decision?.outcome).to.equal('approved');
      expect(result.evaluation?.level).to.equal(5);
      expect(fake.types()).to.include.members(['filed', 'decided', 'delivered', 'completed', 'evaluated', 'closed']);
      expect(fake.certificates.size).to.equal(impl.result.type === 'certificate' ? 1 : 0);
      expect([...fake.payments.values()].map((p) => p.status)).to.deep.equal(impl.fee.charged ? ['paid'] : []);
    });
  }

  it('when the window asks for a correction, then the applicant replies and the case comes back to pre-check', async () => {
    const { fake } = await run(pinned('XK-330000-00001'), async (h) => {
      const pre = await openTask(h, 'precheck');
      expect(await refusal(complete(h, pre, 'correction', { problems: [] }))).to.equal('InvalidInput');
      await complete(h, pre, 'correction', { problems: ['缺少经营场所使用证明', '经营范围表述不规范'] });
      const waiting = await h.query(caseViewQuery);
      expect(waiting.status).to.equal('awaiting_correction');
      expect(waiting.correction?.problems).to.have.length(2);
      expect(await h.executeUpdate(replyCorrectionUpdate, { args: [{ note: '已补充', formData: { businessScope: '餐饮服务' }, materials: ['场所证明'] }] })).to.equal('prechecking');
      const again = await openTask(h, 'precheck');
      expect(again.taskId).to.match(/precheck-precheck-2$/);
      expect((await h.query(caseViewQuery)).formData.businessScope).to.equal('餐饮服务');
      await complete(h, again, 'reject', { opinion: '经营场所不符合规定' });
      return h.query(caseViewQuery);
    });
    expect(fake.types()).to.include.members(['correction-requested', 'correction-replied', 'not-accepted']);
    expect(fake.notifications.map((n) => n.template)).to.include.members(['correction-notice', 'not-accepted-notice']);
  });

  it('when nobody pre-checks within 5 working days, then the case counts as accepted from the day the materials arrived', async () => {
    const { fake, result } = await run(pinned('XK-330000-00001'), async (h, _f, input) => {
      const pre = await openTask(h, 'precheck');
      await env.sleep('8 days');
      const view = await h.query(caseViewQuery);
      expect(view.status).to.equal('in_review');
      expect(view.clock.acceptedAt).to.equal(input.filedAt);
      expect(view.openTasks.map((t) => t.kind)).to.deep.equal(['review']);
      return { pre, input };
    });
    const auto = fake.events.find((e) => e.type === 'auto-accepted')!;
    const due = calendar.addWorkingDays(new Date(result.input.filedAt), 5).value.getTime();
    expect(Date.parse(auto.at)).to.be.at.least(due);
    expect(Date.parse(auto.at) - due).to.be.below(60_000);
    expect(fake.closed.find((c) => c.taskId === result.pre.taskId)?.status).to.equal('cancelled');
  });

  it('when the approval step returns the case, then it goes back to the earlier step and runs forward again', async () => {
    const impl = pinned('XK-330000-00003');
    const { fake } = await run(impl, async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const first = await openTask(h, 'review');
      await complete(h, first, 'approve');
      let t = await openTask(h, 'review');
      while (!t.actions.includes('return')) {
        await complete(h, t, 'approve');
        t = await openTask(h, 'review');
      }
      expect(await refusal(complete(h, t, 'return', { returnTo: 'nowhere', opinion: '退回' }))).to.equal('InvalidInput');
      await complete(h, t, 'return', { returnTo: t.returnTo![0], opinion: '材料需重新审查' });
      const back = await openTask(h, 'review', t.returnTo![0]);
      expect(back.taskId).to.match(/-2$/);
      await endWorkflow(h); // terminated once nothing is outstanding (test/time-skipping.ts)
    });
    expect(fake.types()).to.include('returned');
  });

  it('when a branch of a lead-decides parallel approval refuses, then the lead department weighs it and refuses the case', async () => {
    // The sample entry is advanced (face check); this test is about the parallel step.
    const { fake, result } = await run(pinned('XK-330000-00004', { authLevel: 'intermediate' }), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await complete(h, await openTask(h, 'review'), 'approve');
      // Every branch's first task is open at once.
      let view = await h.query(caseViewQuery);
      for (let i = 0; i < 100 && view.openTasks.length < 2; i++) view = await h.query(caseViewQuery);
      expect(new Set(view.openTasks.map((t) => t.department)).size).to.be.at.least(2);
      const [refusing, ...others] = view.openTasks;
      await complete(h, refusing, 'refuse', { opinion: '规划条件不符' });
      for (const o of others) await complete(h, o, 'approve');
      for (;;) {
        view = await h.query(caseViewQuery);
        const lead = view.openTasks.find((t) => t.kind === 'lead-decision');
        if (lead) {
          expect(lead).to.include({ department: 'xh-zjj', role: 'head' });
          await complete(h, lead, 'refuse', { opinion: '综合各部门意见，不予许可' });
          break;
        }
        const next = view.openTasks.find((t) => t.kind === 'review');
        if (next) await complete(h, next, 'approve');
      }
      return h.query(caseViewQuery);
    });
    expect(result.decision?.outcome).to.equal('refused');
    expect(fake.types()).to.include.members(['parallel-started', 'parallel-joined']);
  });

  it('when a branch of an any-refusal-refuses parallel step refuses, then the other branches are cancelled and the case is refused', async () => {
    const base = pinned('XK-330000-00004', { authLevel: 'intermediate' });
    const par = base.process.steps.find((s) => s.type === 'parallel')!;
    const impl = { ...base, process: { steps: [{ ...par, join: 'any-refusal-refuses' as const }] } };
    const { fake, result } = await run(impl, async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      let view = await h.query(caseViewQuery);
      while (view.openTasks.length < 2) view = await h.query(caseViewQuery);
      await complete(h, view.openTasks[0], 'refuse', { opinion: '不符合' });
      while (!(view = await h.query(caseViewQuery)).decision) await new Promise((r) => setTimeout(r, 50));
      return view;
    });
    expect(result.decision?.outcome).to.equal('refused');
    expect(result.openTasks).to.deep.equal([]);
    expect(fake.closed.filter((c) => c.status === 'cancelled').length).to.be.at.least(1);
  });

  it('when a department system reports milestones out of order and then its result, then the case takes the result and keeps the milestones in time order', async () => {
    const { fake, result } = await run(pinned('XK-330000-00007'), async (h, f) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      while (f.dispatches.length === 0) await new Promise((r) => setTimeout(r, 50));
      const stepId = f.dispatches[0].stepId;
      await h.signal(departmentMilestoneSignal, { stepId, milestone: '审查', at: '2026-11-21T08:00:00.000Z' });
      await h.signal(departmentMilestoneSignal, { stepId, milestone: '受理', at: '2026-11-21T02:00:00.000Z' });
      await h.signal(departmentResultSignal, { stepId, outcome: 'approved', opinion: '准予许可', at: '2026-11-21T09:00:00.000Z' });
      await h.signal(departmentResultSignal, { stepId, outcome: 'refused', opinion: 'duplicate, ignored', at: '2026-11-21T09:00:00.000Z' });
      await complete(h, await openTask(h, 'review'), 'approve');
      return h.query(caseViewQuery);
    });
    expect(fake.dispatches[0]).to.include({ department: 'hz-jtys', system: 'hz-transport-system' });
    expect(result.milestones.map((m) => m.milestone)).to.deep.equal(['受理', '审查']);
    expect(result.decision?.outcome).to.equal('approved');
  });

  it('when a step suspends for an inspection, then the clock stops, and the deadline moves by the working days it took', async () => {
    const { fake } = await run(pinned('XK-330000-00005'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      let t = await openTask(h, 'review');
      while (!t.actions.includes('suspend')) {
        await complete(h, t, 'approve');
        t = await openTask(h, 'review');
      }
      const before = (await h.query(caseViewQuery)).clock;
      await complete(h, t, 'suspend', { procedure: { type: 'inspection', reason: '委托检测机构进行卫生检测', expectedDays: 10 } });
      expect((await h.query(caseViewQuery)).status).to.equal('special_procedure');
      await env.sleep('14 days');
      const wrong = { userId: 'x', department: 'xh-scjg', roles: [t.role] };
      expect(await refusal(h.executeUpdate(endSpecialProcedureUpdate, { args: [{ result: '检测合格', actor: wrong }] }))).to.equal('NotAuthorised');
      expect(await h.executeUpdate(endSpecialProcedureUpdate, { args: [{ result: '检测合格', actor: actorFor(t) }] })).to.equal('in_review');
      const after = (await h.query(caseViewQuery)).clock;
      expect(Date.parse(after.statutoryDeadline!)).to.be.greaterThan(Date.parse(before.statutoryDeadline!) + 9 * 86_400_000);
      await endWorkflow(h); // terminated once nothing is outstanding (test/time-skipping.ts)
    });
    expect(fake.types()).to.include.members(['special-procedure-started', 'special-procedure-ended']);
    expect(fake.notifications.map((n) => n.template)).to.include('special-procedure-notice');
  });

  it('when an extension is approved, then the statutory deadline moves by 10 working days; a second request is refused', async () => {
    await run(pinned('XK-330000-00001'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const review = await openTask(h, 'review');
      const before = (await h.query(caseViewQuery)).clock.statutoryDeadline!;
      const stranger = { userId: 'x', department: 'xh-gaj', roles: ['approver'] };
      expect(await refusal(h.executeUpdate(requestExtensionUpdate, { args: [{ reason: '情况复杂', actor: stranger }] }))).to.equal('NotAuthorised');
      const ext = await h.executeUpdate(requestExtensionUpdate, { args: [{ reason: '情况复杂，需进一步核实', actor: actorFor(review) }] });
      expect(ext).to.include({ kind: 'extension', department: 'xh-scjg', role: 'head' });
      expect(await refusal(h.executeUpdate(requestExtensionUpdate, { args: [{ reason: '再次', actor: actorFor(review) }] }))).to.equal('WrongState');
      await complete(h, ext, 'approve', { opinion: '同意延长十个工作日' });
      const after = (await h.query(caseViewQuery)).clock;
      expect(after.extended).to.equal(true);
      // `before` is 00:00 of the day after the old last day: ten more working days from that last day.
      const expected = calendar.addWorkingDays(new Date(Date.parse(before) - 1), 10).value.toISOString();
      expect(after.statutoryDeadline).to.equal(expected);
      await endWorkflow(h); // terminated once nothing is outstanding (test/time-skipping.ts)
    });
  });

  it('when an extension is denied, then the deadline stays', async () => {
    await run(pinned('XK-330000-00001'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const review = await openTask(h, 'review');
      const before = (await h.query(caseViewQuery)).clock.statutoryDeadline;
      const ext = await h.executeUpdate(requestExtensionUpdate, { args: [{ reason: '需补充调查', actor: actorFor(review) }] });
      await complete(h, ext, 'refuse', { opinion: '理由不充分' });
      const view = await h.query(caseViewQuery);
      expect(view.clock).to.include({ extended: false, statutoryDeadline: before });
      await endWorkflow(h); // terminated once nothing is outstanding (test/time-skipping.ts)
    });
  });

  it('when the applicant withdraws during review, then open tasks close and the case ends withdrawn; later updates are refused', async () => {
    const { fake, result } = await run(pinned('XK-330000-00001'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const review = await openTask(h, 'review');
      expect(await h.executeUpdate(withdrawUpdate, { args: [{ reason: '不再经营' }] })).to.equal('withdrawn');
      expect(await refusal(h.executeUpdate(withdrawUpdate, { args: [{ reason: 'again' }] }))).to.equal('WrongState');
      expect(await refusal(complete(h, review, 'approve'))).to.equal('TaskNotOpen');
      return h.query(caseViewQuery);
    });
    expect(result.status).to.equal('withdrawn');
    expect(fake.closed.at(-1)?.status).to.equal('cancelled');
  });

  it('when the fee is paid, then the certificate is issued and couriered to the applicant; a stray payment is ignored', async () => {
    const address = { name: '张三', phone: '13800138000', address: '杭州市西湖区文三路100号' };
    const { fake, result } = await run(pinned('QR-330000-00010'), async (h) => {
      await acceptAndApproveAll(h);
      let view = await h.query(caseViewQuery);
      while (!view.payment) view = await h.query(caseViewQuery);
      expect(view).to.deep.include({ status: 'awaiting_payment' });
      await h.signal(paymentConfirmedSignal, { paymentId: 'pay-other', amountFen: 2000, paidAt: new Date().toISOString() });
      await h.signal(paymentConfirmedSignal, { paymentId: view.payment.paymentId, amountFen: 1, paidAt: new Date().toISOString() });
      expect((await h.query(caseViewQuery)).payment?.status).to.equal('open');
      await h.signal(paymentConfirmedSignal, { paymentId: view.payment.paymentId, amountFen: 2000, paidAt: new Date().toISOString() });
      while (!(view = await h.query(caseViewQuery)).delivery?.waybillNo) await new Promise((r) => setTimeout(r, 50));
      await h.signal(deliveredSignal, { waybillNo: view.delivery.waybillNo, at: new Date().toISOString() });
      while ((view = await h.query(caseViewQuery)).status !== 'completed') await new Promise((r) => setTimeout(r, 50));
      return view;
    }, { delivery: { method: 'courier', address } });
    expect(result.payment?.status).to.equal('paid');
    expect(result.certificateNo).to.be.a('string');
    expect(result.delivery?.deliveredAt).to.be.a('string');
    expect(fake.types()).to.include.members(['payment-ordered', 'payment-received', 'certificate-issued', 'courier-booked', 'delivered', 'completed']);
  });

  it('when the fee is not paid, then the applicant is reminded half-way and the order expires after 7 days without a certificate', async () => {
    const { fake, result } = await run(pinned('QR-330000-00010'), async (h) => {
      await acceptAndApproveAll(h);
      let view = await h.query(caseViewQuery);
      while (!view.payment) view = await h.query(caseViewQuery);
      await env.sleep('8 days');
      view = await h.query(caseViewQuery);
      return view;
    });
    expect(result.payment?.status).to.equal('expired');
    expect(result.certificateNo).to.equal(null);
    expect(fake.types()).to.include.members(['payment-reminded', 'payment-expired']);
    expect(fake.notifications.map((n) => n.template)).to.include('payment-reminder');
  });

  it('when the applicant gives a bad rating, then the department must answer a follow-up before the case closes', async () => {
    const { fake } = await run(pinned('XK-330000-00001'), async (h) => {
      await acceptAndApproveAll(h);
      await complete(h, await openTask(h, 'handover'), 'handover');
      expect(await refusal(h.executeUpdate(evaluateUpdate, { args: [{ level: 0 as never, comment: '' }] }))).to.equal('InvalidInput');
      await h.executeUpdate(evaluateUpdate, { args: [{ level: 1, comment: '多次跑腿' }] });
      expect(await refusal(h.executeUpdate(evaluateUpdate, { args: [{ level: 5, comment: '' }] }))).to.equal('WrongState');
      await env.sleep('31 days');
      const follow = await openTask(h, 'follow-up');
      expect(follow).to.include({ department: 'xh-scjg', role: 'head' });
      expect(await refusal(complete(h, follow, 'answer', { opinion: '' }))).to.equal('InvalidInput');
      await complete(h, follow, 'answer', { opinion: '已回访，优化材料清单' });
      return h.result();
    });
    expect(fake.types().slice(-2)).to.deep.equal(['follow-up-answered', 'closed']);
  });

  it('when a task is claimed, then only the claimant may complete it until it is released', async () => {
    await run(pinned('XK-330000-00001'), async (h) => {
      const pre = await openTask(h, 'precheck');
      const wang = actorFor(pre, 'clerk-wang');
      const zhang = actorFor(pre, 'clerk-zhang');
      expect((await h.executeUpdate(assignTaskUpdate, { args: [{ taskId: pre.taskId, op: 'claim', actor: wang }] })).assignee).to.equal('clerk-wang');
      expect(await refusal(h.executeUpdate(assignTaskUpdate, { args: [{ taskId: pre.taskId, op: 'claim', actor: zhang }] }))).to.equal('WrongState');
      expect(await refusal(h.executeUpdate(completeTaskUpdate, { args: [{ taskId: pre.taskId, action: 'accept', opinion: '', actor: zhang }] }))).to.equal('NotAuthorised');
      await h.executeUpdate(assignTaskUpdate, { args: [{ taskId: pre.taskId, op: 'release', actor: wang }] });
      await h.executeUpdate(completeTaskUpdate, { args: [{ taskId: pre.taskId, action: 'accept', opinion: '', actor: zhang }] });
      await endWorkflow(h); // terminated once nothing is outstanding (test/time-skipping.ts)
    });
  });

  it('when the correction reply comes after its deadline, then it is refused and the application counts as withdrawn', async () => {
    const { result } = await run(pinned('XK-330000-00001'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'correction', { problems: ['缺少身份证明'] });
      await env.sleep('30 days');
      expect(await refusal(h.executeUpdate(replyCorrectionUpdate, { args: [{ note: '迟到的补正' }] }))).to.equal('WrongState');
      return h.query(caseViewQuery);
    });
    expect(result.status).to.equal('withdrawn');
  });

  it('when an instant item is handled at the window, then acceptance and decision are one step', async () => {
    const { fake, result } = await run(pinned('GG-330000-00002'), async (h) => {
      const t = await openTask(h, 'review');
      await complete(h, t, 'approve', { opinion: '当场办结' });
      const handover = await openTask(h, 'handover');
      await complete(h, handover, 'handover');
      return h.query(caseViewQuery);
    });
    expect(result.status).to.equal('completed');
    expect(fake.types().slice(0, 5)).to.deep.equal(['filed', 'identity-verified', 'materials-replaced', 'accepted', 'task-opened']);
  });

  it('when an identity service step fails its check, then the case is refused with the reason', async () => {
    const { result } = await run(pinned('QR-330000-00009'), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      let view = await h.query(caseViewQuery);
      while (!view.decision) view = await h.query(caseViewQuery);
      return view;
    }, { applicant: { kind: 'person', name: '李四', idNumber: '110105194912310021' } });
    expect(result.decision?.outcome).to.equal('refused');
    expect(result.decision?.opinion).to.contain('校验码不正确');
  });
});
