/**
 * The engine never stalls (issue 13), on Temporal's time-skipping test server with fake
 * activities: a return re-runs a department step as a new round; two completions, a withdrawal
 * and a timeout in the same moment all get an answer; deadlines carry their provisional flag and
 * follow a calendar change; every wait on an outside party asks the party itself and then a person.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { pinnedSample, sampleDocs } from '../test/sample-cases';
import { endWorkflow, timeSkippingSuite } from '../test/time-skipping';
import {
  calendarChangedSignal,
  caseViewQuery,
  completeTaskUpdate,
  deliveredSignal,
  departmentMilestoneSignal,
  departmentResultSignal,
  paymentConfirmedSignal,
  withdrawUpdate,
  type CaseInput,
  type CaseView,
  type CompleteTaskRequest,
  type OpenTaskView,
  type PinnedImplementation,
  type ProcessStep,
  type TaskKind,
} from './definitions';
import { journalSinks } from '../worker/journal-sink';

type Fake = ReturnType<typeof fakeActivities>;
const form = readFormFolder(sampleDocs.find((d) => d.item.code === 'XK-330000-00001')!.form).example;
const actorFor = (t: OpenTaskView) => ({ userId: `${t.department}-${t.role}`, department: t.department, roles: [t.role] });
const task = (id: string, extra: Partial<Extract<ProcessStep, { type: 'task' }>> = {}): ProcessStep => ({ type: 'task', id, name: `步骤${id}`, department: 'xh-scjg', role: 'approver', actions: ['approve', 'refuse', 'return'], ...extra });
const withSteps = (steps: ProcessStep[], over: Partial<PinnedImplementation> = {}) => pinnedSample('XK-330000-00001', { process: { steps }, ...over });

/** Within `ms` of real time, or a failure naming what hung. */
async function answered<T>(p: Promise<T>, what: string, ms = 20_000): Promise<{ ok: T } | { refused: string }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} was never answered`)), ms); });
  try {
    return { ok: await Promise.race([p, hang]) };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { refused: String(err.cause?.message) };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function harness(startAt?: string) {
  // One test server per describe (each starts its clock where its cases need it); its clock only
  // moves forward, so each case is filed at the server's present.
  const suite = timeSkippingSuite(startAt);
  const ctx: { readonly env: TestWorkflowEnvironment; n: number } = { get env() { return suite.env; }, n: 0 };

  async function run<T>(impl: PinnedImplementation, body: (h: WorkflowHandle, fake: Fake) => Promise<T>, over: Partial<CaseInput> = {}, fake = fakeActivities()): Promise<T> {
    const env = ctx.env;
    const taskQueue = `stall-${process.pid}-${++ctx.n}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const caseNo = `3301062026112${String(ctx.n).padStart(9, '0')}`;
    const input: CaseInput = {
      caseNo, implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, channel: 'window',
      formData: form, delivery: { method: 'window' }, filedAt: new Date(await env.currentTimeMs()).toISOString(), ...over,
    };
    return await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: caseNo, args: [input] });
      try {
        return await body(h, fake);
      } finally {
        // Terminated only once nothing is outstanding, so the server goes on skipping time (test/time-skipping.ts).
        await endWorkflow(h);
      }
    });
  }
  return { ctx, run };
}

async function openTask(h: WorkflowHandle, kind?: TaskKind, stepId?: string): Promise<OpenTaskView> {
  for (let i = 0; i < 400; i++) {
    const t = (await h.query(caseViewQuery)).openTasks.find((x) => (!kind || x.kind === kind) && (!stepId || x.stepId === stepId));
    if (t) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no open ${kind ?? ''} task ${stepId ?? ''}`);
}

async function until(h: WorkflowHandle, ok: (v: CaseView) => boolean, what: string): Promise<CaseView> {
  for (let i = 0; i < 400; i++) {
    const v = await h.query(caseViewQuery);
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the case never reached: ${what}`);
}

const complete = (h: WorkflowHandle, t: OpenTaskView, action: CompleteTaskRequest['action'], extra: Partial<CompleteTaskRequest> = {}) =>
  h.executeUpdate(completeTaskUpdate, { args: [{ taskId: t.taskId, action, opinion: action === 'approve' || action === 'accept' ? '同意' : '理由：材料不符', actor: actorFor(t), ...extra }] });

describe('the case engine never stalls (time-skipping test server)', function () {
  this.timeout(180_000);
  const { ctx, run } = harness();

  it('when a head returns the case to a step before a department step, then the department is asked again (round 2) and its round-1 result is stale', async () => {
    const impl = withSteps([
      task('review'),
      { type: 'department', id: 'dept', name: '部门系统审查', department: 'xh-scjg', system: 'xh-scjg-system', milestones: ['受理', '审查'] },
      task('decide', { role: 'head', returnTo: ['review'] }),
    ]);
    const types = await run(impl, async (h, fake) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await complete(h, await openTask(h, 'review', 'review'), 'approve');
      await until(h, () => fake.dispatches.length === 1, 'the first dispatch');
      await h.signal(departmentResultSignal, { stepId: 'dept', outcome: 'approved', opinion: '第一轮通过', at: new Date().toISOString() });
      await complete(h, await openTask(h, 'review', 'decide'), 'return', { returnTo: 'review', opinion: '请重新审查经营范围' });
      await complete(h, await openTask(h, 'review', 'review'), 'approve');
      await until(h, () => fake.dispatches.length === 2, 'the second dispatch');
      expect(fake.dispatches.map((d) => (d as { round?: number }).round ?? 1)).to.deep.equal([1, 2]);
      // The department system repeats its first answer (round 1): stale, the case keeps waiting.
      await h.signal(departmentResultSignal, { stepId: 'dept', outcome: 'approved', opinion: '第一轮通过', at: new Date().toISOString() });
      await ctx.env.sleep('1 minute');
      const waiting = await h.query(caseViewQuery);
      expect(waiting.openTasks.filter((t) => t.stepId === 'decide')).to.deep.equal([]);
      expect(fake.types()).to.include('department-result-stale');
      await h.signal(departmentResultSignal, { stepId: 'dept', round: 2, outcome: 'approved', opinion: '第二轮复核通过', at: new Date().toISOString() });
      await complete(h, await openTask(h, 'review', 'decide'), 'approve');
      await until(h, (v) => v.decision !== null, 'the decision');
      return fake.events.filter((e) => e.type === 'department-result').map((e) => e.payload?.opinion);
    });
    expect(types).to.deep.equal(['第一轮通过', '第二轮复核通过']);
  });

  it('when two parallel branches are completed in the same moment and one refuses, then both updates are answered and the case is refused', async () => {
    const impl = withSteps([{
      type: 'parallel', id: 'joint', name: '并联审查', lead: 'xh-scjg', join: 'any-refusal-refuses',
      branches: [{ id: 'a', name: '甲', steps: [task('a1')] }, { id: 'b', name: '乙', steps: [task('b1', { department: 'xh-wjw' })] }],
    }]);
    const outcome = await run(impl, async (h, fake) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const [a, b] = [await openTask(h, 'review', 'a1'), await openTask(h, 'review', 'b1')];
      // The approval's bookkeeping is slow, so the refusal ends the parallel step while it is closing.
      fake.slowClose.set(b.taskId, 1_500);
      const both = await Promise.all([answered(complete(h, a, 'refuse'), 'the refusal'), answered(complete(h, b, 'approve'), 'the approval')]);
      expect('ok' in both[0]).to.equal(true);
      const view = await until(h, (v) => v.decision !== null, 'the decision');
      return { both, decision: view.decision?.outcome };
    });
    expect(outcome.decision).to.equal('refused');
    // The approval either took effect before the refusal ended the step, or was refused saying why.
    const second = outcome.both[1];
    if ('refused' in second) expect(second.refused).to.match(/已终止/);
  });

  it('when the applicant withdraws while a completion is in flight, then both are answered and the case ends withdrawn', async () => {
    const status = await run(withSteps([task('review'), task('approve2', { role: 'head' })]), async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const t = await openTask(h, 'review', 'review');
      const [done, withdrawn] = await Promise.all([
        answered(complete(h, t, 'approve'), 'the completion'),
        answered(h.executeUpdate(withdrawUpdate, { args: [{ reason: '不再需要' }] }), 'the withdrawal'),
      ]);
      // Either the approval took effect before the withdrawal, or it is refused saying the task ended.
      expect(done, JSON.stringify(done)).to.satisfy((r: object) => 'ok' in r || /已终止/.test((r as { refused: string }).refused));
      expect(withdrawn).to.deep.equal({ ok: 'withdrawn' });
      return (await until(h, (v) => v.status === 'withdrawn', 'withdrawn')).status;
    });
    expect(status).to.equal('withdrawn');
  });

  // A server of its own for this one: on the server shared with the tests above, the completion
  // racing the 5-day timer hung (its workflow task started and was never completed) in each of 3
  // runs, while it passed alone, after a 20-day skip, and after either of two of those tests.
  describe('at the pre-check limit, on a server of its own', () => {
    const { ctx, run } = harness();

    it('when a pre-check is completed as its 5-working-day limit runs out, then the completion is answered and the case goes on once', async () => {
      const view = await run(withSteps([task('review')]), async (h, fake) => {
        const pre = await openTask(h, 'precheck');
        await until(h, () => fake.types().includes('precheck-started'), 'pre-check started');
        const due = fake.events.find((e) => e.type === 'precheck-started')!.payload!.due as string;
        const left = Date.parse(due) - (await ctx.env.currentTimeMs());
        await ctx.env.sleep(left - 500);
        const [r] = await Promise.all([answered(complete(h, pre, 'accept'), 'the completion at the limit'), ctx.env.sleep(2_000)]);
        // Either the acceptance came first, or the 5-day rule did and the completion is refused saying so.
        expect(r, JSON.stringify(r)).to.satisfy((x: object) => 'ok' in x || /已终止/.test((x as { refused: string }).refused));
        const v = await until(h, (x) => x.status === 'in_review', 'review');
        expect(fake.types().filter((t) => t === 'accepted' || t === 'auto-accepted')).to.have.length(1);
        return v;
      });
      expect(view.openTasks.map((t) => t.stepId)).to.deep.equal(['review']);
    });
  });

  it('when two parallel branches run, then both steps are current, a skipped branch is reported as skipped, and the parallel step\'s own limit is supervised', async () => {
    const impl = withSteps([{
      type: 'parallel', id: 'joint', name: '并联审查', lead: 'xh-scjg', join: 'any-refusal-refuses', limitDays: 2,
      branches: [
        { id: 'a', name: '甲', steps: [task('a1')] },
        { id: 'b', name: '乙', steps: [task('b1', { department: 'xh-wjw' })] },
        { id: 'c', name: '丙', steps: [task('c1', { when: { '==': [{ var: 'applicant.kind' }, 'legal_person'] } })] },
      ],
    }]);
    const fake = await run(impl, async (h, f) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await openTask(h, 'review', 'a1');
      await openTask(h, 'review', 'b1');
      const lastOpened = f.events.filter((e) => e.type === 'task-opened').at(-1)!;
      expect(lastOpened.patch?.currentSteps).to.have.members(['a1', 'b1']);
      await ctx.env.sleep('5 days');
      expect(f.events.filter((e) => e.type.startsWith('supervision-') && e.payload?.stepId === 'joint').map((e) => e.type)).to.include('supervision-overdue');
      await complete(h, await openTask(h, 'review', 'a1'), 'approve');
      await complete(h, await openTask(h, 'review', 'b1'), 'approve');
      await until(h, (v) => v.decision !== null, 'the decision');
      return f;
    });
    const joined = fake.events.find((e) => e.type === 'parallel-joined')!;
    expect(joined.payload?.outcomes).to.deep.equal([{ branch: 'a', outcome: 'approved' }, { branch: 'b', outcome: 'approved' }, { branch: 'c', outcome: 'skipped' }]);
  });

  it('when a department sends a milestone its entry does not declare, then it is ignored and recorded as such', async () => {
    const impl = withSteps([{ type: 'department', id: 'dept', name: '部门系统审查', department: 'xh-scjg', system: 'xh-scjg-system', milestones: ['受理'] }]);
    const view = await run(impl, async (h, fake) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await until(h, () => fake.dispatches.length === 1, 'the dispatch');
      await h.signal(departmentMilestoneSignal, { stepId: 'dept', milestone: '受理', at: new Date().toISOString() });
      await h.signal(departmentMilestoneSignal, { stepId: 'dept', milestone: '随便什么', at: new Date().toISOString() });
      await until(h, () => fake.types().includes('department-milestone-ignored'), 'the ignored milestone');
      return h.query(caseViewQuery);
    });
    expect(view.milestones.map((m) => m.milestone)).to.deep.equal(['受理']);
  });

  it('when the payment callback never comes but the platform has the order paid, then the case asks it and goes on', async () => {
    const impl = withSteps([task('review')], { fee: { charged: true, amountFen: 5000, standard: '工本费', basis: '收费依据', paymentDays: 7 } });
    const fake = await run(impl, async (h, f) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await complete(h, await openTask(h, 'review'), 'approve');
      const v = await until(h, (x) => x.payment?.status === 'open', 'the payment order');
      f.platform.paid.set(v.payment!.paymentId, new Date(await ctx.env.currentTimeMs()).toISOString());
      await ctx.env.sleep('3 hours');
      await until(h, (x) => x.payment?.status === 'paid', 'paid');
      return f;
    });
    expect(fake.events.find((e) => e.type === 'payment-received')?.payload).to.include({ via: 'status-query' });
    expect(fake.asked.some((a) => a.activity === 'paymentOrderStatus')).to.equal(true);
  });

  it('when the paid and delivered callbacks come before the platform\'s own answer reaches the case, then both are kept and the case goes on without asking', async () => {
    const impl = withSteps([task('review')], { fee: { charged: true, amountFen: 5000, standard: '工本费', basis: '收费依据', paymentDays: 7 } });
    const courier = { delivery: { method: 'courier' as const, address: { name: '张三', phone: '13800138000', address: '杭州市西湖区文三路100号' } } };
    // As the real activities do: the order (the waybill) is written where the API finds it, the
    // platform calls back at once, and only then does the activity's answer go back to the case.
    const fake = fakeActivities();
    const { createPaymentOrder, bookCourier } = fake.activities;
    const at = async () => new Date(await ctx.env.currentTimeMs()).toISOString();
    fake.activities.createPaymentOrder = async (o) => {
      const order = await createPaymentOrder(o);
      await ctx.env.client.workflow.getHandle(o.caseNo).signal(paymentConfirmedSignal, { paymentId: order.paymentId, amountFen: o.amountFen, paidAt: await at() });
      return order;
    };
    fake.activities.bookCourier = async (b) => {
      const booked = await bookCourier(b);
      await ctx.env.client.workflow.getHandle(b.caseNo).signal(deliveredSignal, { waybillNo: booked.waybillNo, at: await at() });
      return booked;
    };
    // No time passes (queries do not skip it): a dropped callback would leave the case waiting for its follow-up query.
    const view = await run(impl, async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await complete(h, await openTask(h, 'review'), 'approve');
      return until(h, (x) => x.status === 'completed', 'completed');
    }, courier, fake);
    expect(view.payment?.status).to.equal('paid');
    expect(view.delivery?.deliveredAt).to.be.a('string');
    expect(fake.events.find((e) => e.type === 'payment-received')?.payload).to.not.have.property('via');
    expect(fake.asked.filter((a) => a.activity === 'paymentOrderStatus' || a.activity === 'trackWaybill')).to.deep.equal([]);
  });

  it('when the courier\'s delivered callback never comes, then tracking finds it; and when the courier never delivers, a person is asked after 7 days', async () => {
    const impl = withSteps([task('review')]);
    const courier = { delivery: { method: 'courier' as const, address: { name: '张三', phone: '13800138000', address: '杭州市西湖区文三路100号' } } };
    const found = await run(impl, async (h, f) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await complete(h, await openTask(h, 'review'), 'approve');
      const v = await until(h, (x) => Boolean(x.delivery?.waybillNo), 'the booking');
      f.platform.delivered.set(v.delivery!.waybillNo!, new Date(await ctx.env.currentTimeMs()).toISOString());
      await ctx.env.sleep('2 hours');
      return until(h, (x) => x.status === 'completed', 'completed');
    }, courier);
    expect(found.delivery?.deliveredAt).to.be.a('string');
    const byHand = await run(impl, async (h, f) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await complete(h, await openTask(h, 'review'), 'approve');
      await until(h, (x) => Boolean(x.delivery?.waybillNo), 'the booking');
      await ctx.env.sleep('8 days');
      const manual = await openTask(h, 'manual', 'delivery');
      expect(manual.actions).to.deep.equal(['retry', 'skip']);
      await complete(h, manual, 'skip', { opinion: '申请人电话确认已收到' });
      await until(h, (x) => x.status === 'completed', 'completed');
      return f.types();
    }, courier);
    expect(byHand).to.include('delivery-confirmed-by-hand');
  });

  it('when a department system never answers, then the case asks it, and after the step\'s limit its head enters the written result', async () => {
    const impl = withSteps([{ type: 'department', id: 'dept', name: '部门系统审查', department: 'xh-scjg', system: 'xh-scjg-system', limitDays: 3 }]);
    const types = await run(impl, async (h, f) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      await until(h, () => f.dispatches.length === 1, 'the dispatch');
      await ctx.env.sleep('8 days');
      const manual = await openTask(h, 'manual', 'dept');
      expect(manual).to.include({ department: 'xh-scjg', role: 'head' });
      expect(f.asked.filter((a) => a.activity === 'dispatchStatus').length).to.be.at.least(2);
      await complete(h, manual, 'approve', { opinion: '部门书面审查意见：同意（文号 2026-18）' });
      const v = await until(h, (x) => x.decision !== null, 'the decision');
      expect(v.decision?.outcome).to.equal('approved');
      return f.types();
    });
    expect(types).to.include('department-result-entered');
  });
});

describe('deadlines follow the calendar (time-skipping test server, December 2026)', function () {
  this.timeout(180_000);
  const { run } = harness('2026-12-10T02:00:00Z');

  it('when a 20-working-day limit reaches into 2027 before 2027 is loaded, then it is provisional; once 2027 is imported, the case recomputes and New Year\'s Day no longer counts', async () => {
    const impl = withSteps([task('review')], { statutoryLimitDays: 20, promisedLimitDays: 20 });
    const { before, after, types } = await run(impl, async (h, fake) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const b = (await until(h, (x) => x.clock.statutoryDeadline !== null, 'the clock')).clock;
      fake.setYears([{ year: 2027, days: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] }]);
      await h.signal(calendarChangedSignal, { from: '2027-01-01', reason: '导入2027年工作日历' });
      const a = (await until(h, (x) => x.clock.statutoryProvisional === false, 'recomputed')).clock;
      return { before: b, after: a, types: fake.types() };
    });
    expect(before).to.include({ statutoryProvisional: true, promisedProvisional: true });
    expect(Date.parse(after.statutoryDeadline!) - Date.parse(before.statutoryDeadline!)).to.equal(86_400_000);
    expect(types).to.include('deadlines-recomputed');
  });

  it('when the case is handed the calendar at its start (as the API does), then it counts with that one without asking for it; a later change still reaches it', async () => {
    const impl = withSteps([task('review')], { statutoryLimitDays: 20, promisedLimitDays: 20 });
    const fake = fakeActivities();
    let asked = 0;
    const { calendarSnapshot } = fake.activities;
    fake.activities.calendarSnapshot = () => { asked += 1; return calendarSnapshot(); };
    // The worker's calendar lacks 2027; the one handed in has it, with New Year's Day.
    const handed = { years: [2026, 2027], holidays: ['2027-01-01'], workdays: [] };
    const { first, afterChange } = await run(impl, async (h) => {
      await complete(h, await openTask(h, 'precheck'), 'accept');
      const clock = (await until(h, (x) => x.clock.statutoryDeadline !== null, 'the clock')).clock;
      const before = asked;
      await h.signal(calendarChangedSignal, { from: '2027-01-01', reason: '更正日历' });
      await until(h, () => asked > before, 'the calendar asked for after the change');
      return { first: { clock, asked: before }, afterChange: asked };
    }, { calendar: handed }, fake);
    expect(first.asked).to.equal(0);
    expect(first.clock).to.include({ statutoryProvisional: false, promisedProvisional: false });
    expect(afterChange).to.equal(1);
  });
});
