/**
 * 模拟审批 on the case engine (time-skipping test server): a construction permit filed before its
 * land certificate exists is reviewed in parallel as a simulation, converts when the e-certificate
 * platform knows the certificate (one changed field re-runs one branch only) and is issued its
 * formal certificate; another lapses at its conversion deadline.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { pinnedSample, sampleDocs } from '../test/sample-cases';
import { endWorkflow, timeSkippingSuite } from '../test/time-skipping';
import {
  caseViewQuery, completeTaskUpdate, deliveredSignal, evaluateUpdate, faceCheckResultSignal, reportPreconditionUpdate, withdrawUpdate,
  type CaseInput, type CaseView, type OpenTaskView, type PinnedImplementation,
} from './definitions';
import type { CaseResult } from './case/context';
import { journalSinks } from '../worker/journal-sink';

const PERMIT = 'XK-330000-00004';
const HOLDER = '91330106MA7G4LXR2U';
const positive: Record<string, string> = { precheck: 'accept', review: 'approve', 'lead-decision': 'approve', handover: 'handover', manual: 'retry' };
const pause = () => new Promise((r) => setTimeout(r, 25));

describe('模拟审批: a simulated construction permit (time-skipping test server)', function () {
  this.timeout(180_000);
  const suite = timeSkippingSuite();
  let counter = 0;

  async function start(fake: ReturnType<typeof fakeActivities>, over: Partial<PinnedImplementation> = {}) {
    const env = suite.env;
    const taskQueue = `simulated-${++counter}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const impl = pinnedSample(PERMIT, over);
    const input: CaseInput = {
      caseNo: `33010620261201${String(counter).padStart(8, '0')}`, implementation: impl,
      applicant: { kind: 'legal_person', name: '杭州西溪澜庭置业有限公司', idNumber: HOLDER, legalRepresentative: { idNumber: '11010519491231002X', name: '吴国栋' } },
      channel: 'window', formData: readFormFolder(sampleDocs.find((d) => d.implementation.code === impl.code)!.form).example,
      delivery: { method: 'courier', address: { name: '吴国栋', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' } },
      filedAt: new Date(await env.currentTimeMs()).toISOString(), simulation: { missing: ['land-use-right'] },
    };
    return { worker, input, taskQueue };
  }

  /** Completes every open task the positive way (and passes the face check) until `stop` holds; the tasks it completed. */
  async function driveUntil(h: WorkflowHandle, stop: (v: CaseView) => boolean): Promise<OpenTaskView[]> {
    const done: OpenTaskView[] = [];
    for (let i = 0; i < 2000; i++) {
      const view = await h.query(caseViewQuery);
      if (stop(view)) return done;
      const t = view.openTasks[0];
      if (t) {
        await h.executeUpdate(completeTaskUpdate, { args: [{ taskId: t.taskId, action: positive[t.kind] as never, opinion: '同意', actor: { userId: `${t.department}-${t.role}`, department: t.department, roles: [t.role] } }] });
        done.push(t);
        continue;
      }
      if (view.faceCheck?.status === 'pending') await h.signal(faceCheckResultSignal, { checkId: view.faceCheck.checkId, passed: true, at: new Date().toISOString() });
      else if (view.delivery?.waybillNo && !view.delivery.deliveredAt) await h.signal(deliveredSignal, { waybillNo: view.delivery.waybillNo, at: new Date().toISOString() });
      await pause();
    }
    throw new Error('the case did not get there');
  }

  it('when the land certificate appears after the simulated parallel review and the contractor changed, then only the quality-safety branch and the lead decision run again, unchanged steps carry over, and the formal certificate is issued', async () => {
    const fake = fakeActivities();
    const { worker, input, taskQueue } = await start(fake);
    await worker.runUntil(async () => {
      const h = await suite.env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [input] });
      try {
        await convertAndIssue(h, fake, input);
      } finally {
        await endWorkflow(h);
      }
    });
  });

  async function convertAndIssue(h: WorkflowHandle, fake: ReturnType<typeof fakeActivities>, input: CaseInput): Promise<void> {
    {
      // The simulated review: the same tasks, every one stamped 模拟, through the parallel step.
      const simulated = await driveUntil(h, (v) => v.status === 'awaiting_precondition');
      const reviewSteps = simulated.filter((t) => t.kind === 'review' || t.kind === 'lead-decision').map((t) => t.stepId);
      expect(reviewSteps).to.have.members(['accept-review', 'planning-check', 'muck-disposal-check', 'quality-safety-check', 'quality-safety-confirm', 'joint-review', 'decision']);
      expect(simulated.every((t) => t.simulated === true && t.stepName.startsWith('（模拟）'))).to.equal(true);
      expect(fake.opened.every((t) => t.stepName.startsWith('（模拟）'))).to.equal(true);
      let view = await h.query(caseViewQuery);
      expect(view.decision).to.equal(null);
      expect(view.simulation).to.include({ state: 'awaiting' });
      expect(view.simulation!.opinion!.text).to.include('模拟审批意见');
      expect(view.simulation!.opinion!.conditions).to.include('不动产权证书');
      expect(view.simulation!.missing).to.deep.equal(['land-use-right']);
      expect(view.clock.running).to.equal(false);
      // A simulated opinion: no certificate, no fee, no delivery; the applicant is told, stamped.
      expect(fake.certificates.size).to.equal(0);
      expect(fake.types()).to.not.include.members(['decided', 'certificate-issued', 'courier-booked']);
      expect(fake.notifications.find((n) => n.template === 'simulated-opinion-notice')?.params).to.include({ simulated: true });
      expect(fake.notifications.filter((n) => n.template === 'acceptance-notice').every((n) => n.params.simulated === true)).to.equal(true);

      // The applicant reports a change (a new project manager) before the certificate exists: still missing.
      const changed = { contractor: { ...(input.formData.contractor as object), projectManager: '陈建新' } };
      const early = await h.executeUpdate(reportPreconditionUpdate, { args: [{ formData: changed, by: HOLDER, note: '项目经理变更' }] });
      expect(early).to.deep.equal({ status: 'awaiting_precondition', missing: ['land-use-right'] });

      // The land certificate appears on the e-certificate platform; the case finds it on its daily check.
      fake.platform.certificates.set(HOLDER, [{ certificateType: '不动产权证书', certificateNo: '浙（2026）杭州市不动产权第0201234号' }]);
      await suite.env.sleep('1 day');
      for (let i = 0; i < 200 && (await h.query(caseViewQuery)).status === 'awaiting_precondition'; i++) await pause();
      view = await h.query(caseViewQuery);
      expect(view.simulation).to.include({ state: 'converting' });
      expect(view.simulation!.met.map((m) => m.how)).to.deep.equal(['电子证照 浙（2026）杭州市不动产权第0201234号']);
      expect(view.simulation!.changedFields).to.deep.equal(['contractor']);
      // The parallel step's lead decision reviews its branches: it runs again with the branch.
      expect(view.simulation!.rerun).to.have.members(['quality-safety-check', 'quality-safety-confirm', 'joint-review']);
      expect(view.simulation!.carriedOver).to.have.members(['accept-review', 'planning-check', 'muck-disposal-check', 'decision']);
      expect(view.clock.running).to.equal(true);
      expect(view.clock.usedDays).to.equal(0);

      // The formal part: only the changed branch and the lead decision, unstamped; then decision, certificate, delivery.
      const formal = await driveUntil(h, (v) => v.status === 'completed');
      expect(formal.filter((t) => t.kind === 'review' || t.kind === 'lead-decision').map((t) => t.stepId)).to.deep.equal(['quality-safety-check', 'quality-safety-confirm', 'joint-review']);
      expect(formal.some((t) => t.simulated)).to.equal(false);
      const carried = fake.events.filter((e) => e.type === 'step-carried-over').map((e) => e.payload!.stepId);
      expect(carried).to.have.members(['accept-review', 'planning-check', 'muck-disposal-check', 'decision']);
      view = await h.query(caseViewQuery);
      expect(view.decision).to.include({ outcome: 'approved' });
      expect(view.certificateNo).to.be.a('string');
      expect(view.simulation).to.include({ state: 'converted' });
      const types = fake.types();
      expect(types.indexOf('simulation-converting')).to.be.lessThan(types.indexOf('decided'));
      expect(types).to.include.members(['simulated-opinion', 'precondition-reported', 'precondition-certificate-found', 'simulation-converted', 'certificate-issued', 'simulation-certificate', 'delivered']);
      const certified = fake.events.find((e) => e.type === 'simulation-certificate')!;
      expect(certified.patch!.formalDays).to.be.a('number').and.at.least(0);
      expect(fake.events.find((e) => e.type === 'simulated-opinion')!.patch).to.include({ simulationState: 'awaiting' });
      await h.executeUpdate(evaluateUpdate, { args: [{ level: 5, comment: '满意' }] });
      const result = await h.result() as CaseResult;
      expect(result.status).to.equal('closed');
    }
  }

  it('when no precondition appears by the conversion deadline, then the simulation lapses with a notice, having asked the e-certificate platform along the way, and nothing is issued', async () => {
    const fake = fakeActivities();
    const { worker, input, taskQueue } = await start(fake);
    await worker.runUntil(async () => {
      const h = await suite.env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [input] });
      try {
      // A slow simulated review: its supervision events say they came in simulated time.
      await driveUntil(h, (v) => v.openTasks.some((t) => t.stepId === 'accept-review'));
      await suite.env.sleep('10 days');
      for (let i = 0; i < 200 && !fake.events.some((e) => e.supervision?.scope === 'case' && e.supervision.level === 'overdue'); i++) await pause();
      const raised = fake.events.filter((e) => e.supervision);
      expect(raised.length).to.be.above(0);
      expect(raised.every((e) => e.supervision!.simulated === true && e.payload!.simulated === true)).to.equal(true);
      await driveUntil(h, (v) => v.status === 'awaiting_precondition');
      const lapseAt = (await h.query(caseViewQuery)).simulation!.lapseAt!;
      await suite.env.sleep('184 days');
      for (let i = 0; i < 400 && (await h.query(caseViewQuery)).status === 'awaiting_precondition'; i++) await pause();
      const view = await h.query(caseViewQuery);
      expect(view.status).to.equal('lapsed');
      expect(view.simulation).to.include({ state: 'lapsed' });
      expect(Date.parse(lapseAt)).to.be.lessThanOrEqual(await suite.env.currentTimeMs());
      expect(fake.types()).to.include.members(['simulation-lapsed', 'lapsed']);
      expect(fake.notifications.map((n) => n.template)).to.include('lapsed-notice');
      expect(fake.asked.filter((a) => a.activity === 'findCertificates').length).to.be.at.least(100);
      expect(fake.certificates.size).to.equal(0);
      expect(view.decision).to.equal(null);
      } finally {
        await endWorkflow(h);
      }
    });
  });

  it('when the precondition is a material and the applicant supplies it with nothing else changed, then every step carries over, no review task opens again, and the formal decision follows at once', async () => {
    const fake = fakeActivities();
    const simulation = { preconditions: [{ id: 'land-file', name: '用地批准手续', materialId: 'land-certificate' }], conversionDays: 183, conditions: '取得用地批准手续后转正' };
    const { worker, input, taskQueue } = await start(fake, { simulation });
    await worker.runUntil(async () => {
      const h = await suite.env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [{ ...input, simulation: { missing: ['land-file'] } }] });
      try {
        await driveUntil(h, (v) => v.status === 'awaiting_precondition');
        const opened = fake.opened.length;
        const answer = await h.executeUpdate(reportPreconditionUpdate, { args: [{ materials: [{ materialId: 'land-certificate', fileId: 'mat_land1' }], by: HOLDER }] });
        expect(answer.missing).to.deep.equal([]);
        const view = await h.query(caseViewQuery);
        expect(view.simulation!.met).to.have.length(1);
        expect(view.simulation!.met[0]).to.include({ id: 'land-file', how: '材料 mat_land1' });
        // The precondition's own material is not a change: nothing runs again.
        expect(view.simulation!.changedMaterials).to.deep.equal([]);
        expect(view.simulation!.rerun).to.deep.equal([]);
        expect(view.simulation!.carriedOver).to.have.members(['accept-review', 'joint-review', 'planning-check', 'muck-disposal-check', 'quality-safety-check', 'quality-safety-confirm', 'decision']);
        // The e-certificate platform is not asked for a material precondition.
        expect(fake.asked.filter((a) => a.activity === 'findCertificates')).to.have.length(0);
        await driveUntil(h, (v) => v.status === 'completed');
        expect(fake.opened.slice(opened).map((t) => t.kind)).to.not.include.members(['review', 'lead-decision']);
        expect(fake.types()).to.include.members(['decided', 'certificate-issued']);
      } finally {
        await endWorkflow(h);
      }
    });
  });

  it('when the applicant withdraws while the case waits for its precondition, then the case is withdrawn, the simulation has ended, and a later report is refused', async () => {
    const fake = fakeActivities();
    const { worker, input, taskQueue } = await start(fake);
    await worker.runUntil(async () => {
      const h = await suite.env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [input] });
      try {
        await driveUntil(h, (v) => v.status === 'awaiting_precondition');
        expect(await h.executeUpdate(withdrawUpdate, { args: [{ reason: '项目取消' }] })).to.equal('withdrawn');
        const view = await h.query(caseViewQuery);
        expect(view.simulation).to.include({ state: 'ended' });
        expect(fake.events.find((e) => e.type === 'simulation-ended')!.patch).to.include({ simulationState: 'ended' });
        const late = await h.executeUpdate(reportPreconditionUpdate, { args: [{ note: '已取得', by: HOLDER }] }).then(() => 'accepted', (err: Error) => `${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`);
        expect(late).to.include('no longer waits for its preconditions');
      } finally {
        await endWorkflow(h);
      }
    });
  });
});
