/**
 * Supervision clocks in the case workflow, on the time-skipping test server started at chosen
 * instants in 2026, over the real State Council calendars: exact deadlines and the exact
 * instants at which warnings and overdue alarms are recorded.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { expect } from 'chai';
import { sampleDocuments } from '../db/seed';
import { officialYears } from '../lib/calendar/official';
import { WorkingCalendar } from '../lib/calendar/working-days';
import { readFormFolder } from '../lib/forms';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { createTimeSkippingEnv } from '../test/time-skipping';
import { pinnedSample } from '../test/sample-cases';
import {
  caseViewQuery,
  completeTaskUpdate,
  departmentResultSignal,
  endSpecialProcedureUpdate,
  replyCorrectionUpdate,
  requestExtensionUpdate,
  type CaseInput,
  type CompleteTaskRequest,
  type OpenTaskView,
  type PinnedImplementation,
  type TaskKind,
} from './definitions';
import { journalSinks } from '../worker/journal-sink';

const calendar = new WorkingCalendar(officialYears());
const docs = sampleDocuments();
const CHINA_1000_ON_18_SEP = '2026-09-18T02:00:00.000Z';

const pinned = pinnedSample;

/** 个体工商户设立登记 with a 20-working-day limit, promised and statutory, warning one day before. */
const twentyDays = () => pinned('XK-330000-00001', { statutoryLimitDays: 20, promisedLimitDays: 20, supervision: { warnDaysLeft: 1 } });

const actorFor = (t: OpenTaskView) => ({ userId: `${t.department}-${t.role}`, department: t.department, roles: [t.role] });

describe('supervision clocks (time-skipping test server at 2026 instants)', function () {
  this.timeout(120_000);
  // A test server per test, unlike the other workflow files: every test starts its case at the same
  // instant (10:00 on 18 September 2026) and checks deadlines to the day across that autumn's
  // holidays, and a test server's clock cannot be set back.
  let env: TestWorkflowEnvironment;
  afterEach(async () => {
    await env?.teardown();
  });

  async function run(startAt: string, impl: PinnedImplementation, body: (h: WorkflowHandle, fake: ReturnType<typeof fakeActivities>) => Promise<void>, extra: Partial<CaseInput> = {}) {
    env = await createTimeSkippingEnv(startAt);
    const fake = fakeActivities();
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'sup', workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const input: CaseInput = {
      caseNo: '3301062026091800000001', implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, channel: 'window',
      formData: readFormFolder(docs.find((d) => d.item.code === impl.itemCode)!.form).example, delivery: { method: 'window' },
      filedAt: new Date(await env.currentTimeMs()).toISOString(), ...extra,
    };
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue: 'sup', workflowId: input.caseNo, args: [input] });
      await body(h, fake);
      await h.terminate('test over');
    });
    return fake;
  }

  async function openTask(h: WorkflowHandle, kind: TaskKind): Promise<OpenTaskView> {
    for (let i = 0; i < 200; i++) {
      const t = (await h.query(caseViewQuery)).openTasks.find((x) => x.kind === kind);
      if (t) return t;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no open ${kind} task`);
  }

  const complete = (h: WorkflowHandle, t: OpenTaskView, action: CompleteTaskRequest['action'], extra: Partial<CompleteTaskRequest> = {}) =>
    h.executeUpdate(completeTaskUpdate, { args: [{ taskId: t.taskId, action, opinion: '同意', actor: actorFor(t), ...extra }] });

  /** Accepts at the window at the server's start, 10:00 China time on 18 September 2026. */
  async function acceptNow(h: WorkflowHandle) {
    await complete(h, await openTask(h, 'precheck'), 'accept');
    return h.query(caseViewQuery);
  }

  it('when a 20-working-day limit starts on 18 September 2026, then it crosses 中秋 and 国庆 with their make-up days, warns at the end of 21 October and is overdue at the end of 22 October', async () => {
    const fake = await run(CHINA_1000_ON_18_SEP, twentyDays(), async (h) => {
      const view = await acceptNow(h);
      expect(Date.parse(view.clock.acceptedAt!) - Date.parse(CHINA_1000_ON_18_SEP)).to.be.below(60_000);
      expect(view.clock.statutoryDeadline).to.equal('2026-10-22T16:00:00.000Z'); // 23 Oct 00:00 China time
      expect(view.clock.promisedDeadline).to.equal('2026-10-22T16:00:00.000Z');
      expect(view.clock.warningAt).to.equal('2026-10-21T16:00:00.000Z');
      await env.sleep('35 days'); // 23 October, 10:00 China time
      expect((await h.query(caseViewQuery)).supervision).to.deep.include({ level: 'overdue', statutoryOverdue: true });
    });
    const sup = fake.events.filter((e) => e.type.startsWith('supervision-'));
    expect(sup.map((e) => [e.type, e.payload?.cause])).to.deep.equal([
      ['supervision-warning', 'promised-limit-near'],
      ['supervision-overdue', 'promised-limit-passed'],
      ['supervision-overdue', 'statutory-limit-passed'],
    ]);
    const at = sup.map((e) => Date.parse(e.at));
    expect(at[0] - Date.parse('2026-10-21T16:00:00.000Z')).to.be.within(0, 5_000);
    expect(at[1] - Date.parse('2026-10-22T16:00:00.000Z')).to.be.within(0, 5_000);
    expect(sup[0].supervision).to.deep.include({ scope: 'case', level: 'warning', department: 'xh-scjg' });
    const told = fake.notifications.filter((n) => n.template === 'supervision-warning');
    expect(told.map((n) => (n as { recipient?: string }).recipient)).to.deep.equal(['xh-scjg:handler', 'xh-scjg:head']);
  });

  it('when the supervision sweep watches the case, then the case publishes its clock at every change (start, pause, resume) and records no case-level level itself', async () => {
    const fake = await run(CHINA_1000_ON_18_SEP, pinned('XK-330000-00005', { statutoryLimitDays: 20, promisedLimitDays: 20, supervision: { warnDaysLeft: 1 } }), async (h) => {
      await acceptNow(h);
      let t = await openTask(h, 'review');
      while (!t.actions.includes('suspend')) {
        await complete(h, t, 'approve');
        t = await openTask(h, 'review');
      }
      await env.sleep('2 days');
      await complete(h, t, 'suspend', { procedure: { type: 'inspection', reason: '卫生检测', expectedDays: 7 } });
      await env.sleep('10 days');
      await h.executeUpdate(endSpecialProcedureUpdate, { args: [{ result: '检测合格', actor: actorFor(t) }] });
      await env.sleep('40 days'); // past every instant of the new clock
    }, { supervisedBy: 'sweep' });
    const patchOf = (type: string) => fake.events.find((e) => e.type === type)!.patch!;
    expect(patchOf('accepted')).to.deep.include({
      warningAt: '2026-10-21T16:00:00.000Z', promisedDeadline: '2026-10-22T16:00:00.000Z', statutoryDeadline: '2026-10-22T16:00:00.000Z',
      clockRunning: true, supervisionState: 'normal', statutoryOverdue: false,
    });
    expect(patchOf('special-procedure-started')).to.deep.include({ clockRunning: false });
    expect(patchOf('special-procedure-ended')).to.deep.include({ clockRunning: true, statutoryDeadline: '2026-11-03T16:00:00.000Z', warningAt: '2026-11-02T16:00:00.000Z' });
    expect(patchOf('special-procedure-ended')).to.not.have.property('supervisionState'); // a resumed clock keeps the levels the sweep recorded
    expect(fake.events.filter((e) => e.supervision?.scope === 'case')).to.deep.equal([]);
    expect(fake.events[0].create).to.include({ supervisedBy: 'sweep' });
  });

  it('when the case waits on a special procedure, then the paused working days do not count and the deadline moves to 3 November', async () => {
    await run(CHINA_1000_ON_18_SEP, pinned('XK-330000-00005', { statutoryLimitDays: 20, promisedLimitDays: 20, supervision: { warnDaysLeft: 1 } }), async (h) => {
      await acceptNow(h);
      let t = await openTask(h, 'review');
      while (!t.actions.includes('suspend')) {
        await complete(h, t, 'approve');
        t = await openTask(h, 'review');
      }
      await env.sleep('2 days'); // Sunday 20 September, 10:00: a make-up workday, not yet ended
      await complete(h, t, 'suspend', { procedure: { type: 'inspection', reason: '卫生检测', expectedDays: 7 } });
      await env.sleep('10 days'); // Wednesday 30 September, 10:00
      await h.executeUpdate(endSpecialProcedureUpdate, { args: [{ result: '检测合格', actor: actorFor(t) }] });
      const clock = (await h.query(caseViewQuery)).clock;
      // 18 Sep (start day, not counted) … 20 Sep not ended at the pause: nothing used.
      expect(clock.usedDays).to.equal(0);
      // From 30 Sep: 1–7 Oct off, 8–9 Oct, Sat 10 Oct (make-up), 12–16, 19–23, 26–30 Oct, 2–3 Nov.
      expect(clock.statutoryDeadline).to.equal('2026-11-03T16:00:00.000Z');
      expect(clock.statutoryDeadline).to.equal(calendar.addWorkingDays(new Date('2026-09-30T02:00:00.000Z'), 20).value.toISOString());
    });
  });

  it('when the window asks for a correction during review, then the time waiting on the applicant is excluded', async () => {
    await run(CHINA_1000_ON_18_SEP, pinned('XK-330000-00003', { statutoryLimitDays: 20, promisedLimitDays: 20, supervision: { warnDaysLeft: 1 } }), async (h) => {
      await acceptNow(h);
      const t = await openTask(h, 'review');
      await env.sleep('6 days'); // Thursday 24 September, 10:00: 20, 21, 22, 23 Sep have ended
      await complete(h, t, 'correction', { problems: ['补充冷链设施说明'] });
      await env.sleep('14 days'); // 8 October, 10:00
      await h.executeUpdate(replyCorrectionUpdate, { args: [{ note: '已补充' }] });
      const clock = (await h.query(caseViewQuery)).clock;
      expect(clock.usedDays).to.equal(4);
      expect(clock.statutoryDeadline).to.equal(calendar.addWorkingDays(new Date('2026-10-08T02:00:00.000Z'), 16).value.toISOString());
      expect(clock.statutoryDeadline).to.equal('2026-10-29T16:00:00.000Z'); // 9, 10 (Sat, make-up), 12–16, 19–23, 26–29 Oct
    });
  });

  it('when an extension is approved, then the statutory and promised deadlines move 10 working days, to 5 November', async () => {
    const fake = await run(CHINA_1000_ON_18_SEP, twentyDays(), async (h) => {
      await acceptNow(h);
      const review = await openTask(h, 'review');
      const ext = await h.executeUpdate(requestExtensionUpdate, { args: [{ reason: '需实地核查', actor: actorFor(review) }] });
      await complete(h, ext, 'approve', { opinion: '同意延期' });
      const clock = (await h.query(caseViewQuery)).clock;
      expect(clock.statutoryDeadline).to.equal('2026-11-05T16:00:00.000Z');
      expect(clock.promisedDeadline).to.equal('2026-11-05T16:00:00.000Z');
      expect(clock.warningAt).to.equal('2026-11-04T16:00:00.000Z');
      await env.sleep('35 days'); // 23 October: past the old deadline, before the new one
      expect((await h.query(caseViewQuery)).supervision.level).to.equal('normal');
    });
    expect(fake.events.filter((e) => e.type.startsWith('supervision-'))).to.deep.equal([]);
  });

  it('when a department reports its result late but timestamped before the step deadline, then the step alarm is corrected to its true time', async () => {
    const fake = await run(CHINA_1000_ON_18_SEP, pinned('XK-330000-00007'), async (h, f) => {
      await acceptNow(h);
      while (!f.events.some((e) => e.type === 'department-dispatched')) await new Promise((r) => setTimeout(r, 50));
      const stepId = f.dispatches[0].stepId;
      const step = pinned('XK-330000-00007').process.steps.find((s) => s.id === stepId) as { limitDays: number };
      const dispatchedAt = new Date(Date.parse(f.events.find((e) => e.type === 'department-dispatched')!.at));
      const due = calendar.addWorkingDays(dispatchedAt, step.limitDays).value;
      await env.sleep(`${Math.ceil((due.getTime() - dispatchedAt.getTime()) / 86_400_000) + 2} days`);
      expect((await h.query(caseViewQuery)).supervision.steps[stepId]).to.equal('overdue');
      // The result happened the day before it was due; the department system sent it only now.
      const trueTime = new Date(due.getTime() - 86_400_000 - 6 * 3_600_000).toISOString();
      await h.signal(departmentResultSignal, { stepId, outcome: 'approved', opinion: '准予', at: trueTime });
      await openTask(h, 'review');
      const view = await h.query(caseViewQuery);
      expect(view.supervision.steps[stepId]).to.be.oneOf(['normal', 'warning']);
    });
    const types = fake.events.filter((e) => e.type.startsWith('supervision-') && e.payload?.scope === 'step').map((e) => e.type);
    expect(types).to.include.members(['supervision-overdue', 'supervision-corrected']);
  });
});
