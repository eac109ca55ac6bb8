/**
 * What the second engine (workflows/case/) promises beyond the case's legal path: few round
 * trips (the projection written in batches by local activities, deadlines counted in the
 * workflow), and an update that answers once its own effect is recorded, not after the platform
 * calls that follow it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { driveToCompletion, nextTask } from '../test/drive-case';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { pinnedSample, sampleDocs } from '../test/sample-cases';
import { createTimeSkippingEnv } from '../test/time-skipping';
import { completeTaskUpdate, type CaseInput } from './definitions';
import { journalSinks } from '../worker/journal-sink';

describe('the second engine (time-skipping test server)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let counter = 0;
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
  });
  afterEach(async () => {
    await env?.teardown();
  });

  async function start(itemCode: string, fake: ReturnType<typeof fakeActivities>, over: Partial<CaseInput> = {}) {
    const taskQueue = `second-${++counter}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const impl = pinnedSample(itemCode);
    const input: CaseInput = {
      caseNo: `33010620261130${String(counter).padStart(8, '0')}`, implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' },
      channel: 'window', formData: readFormFolder(sampleDocs.find((d) => d.implementation.code === impl.code)!.form).example,
      delivery: { method: 'courier', address: { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' } },
      filedAt: new Date(await env.currentTimeMs()).toISOString(), ...over,
    };
    return { worker, input, taskQueue };
  }

  it("when the bench's case (pre-check, three reviews, fee, certificate, courier, rating) runs its life, then it takes at most 20 workflow tasks, calls activities only for the platforms, and writes its read model once per workflow task at most", async () => {
    const fake = fakeActivities();
    const { worker, input, taskQueue } = await start('QR-330000-00010', fake);
    const history = await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [input] });
      await driveToCompletion(h, () => []);
      await h.result();
      return h.fetchHistory();
    });
    const events = history.events ?? [];
    const workflowTasks = events.filter((e) => e.workflowTaskCompletedEventAttributes).length;
    expect(workflowTasks, 'workflow tasks').to.be.within(1, 20);
    // Activities are the platforms' calls only: no projection write, no deadline arithmetic.
    const remote = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(remote).to.have.members(['verifyApplicant', 'replaceMaterials', 'createPaymentOrder', 'issueCertificate', 'bookCourier'].filter((n) => remote.includes(n)));
    expect(remote).to.include.members(['verifyApplicant', 'createPaymentOrder', 'issueCertificate', 'bookCourier']);
    expect(remote.filter((n) => /record|Task$|WorkingDays|workingDays|Evaluation/.test(n!))).to.deep.equal([]);
    expect(fake.types()).to.include.members(['filed', 'accepted', 'decided', 'payment-received', 'certificate-issued', 'delivered', 'evaluated', 'closed']);
    // The journal's batches are the worker's sink's (patch journal-sink), not local activities:
    // the only local activities left are the calendar at the start and the messages.
    const locals = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').map((e) => {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data ?? new Uint8Array();
      return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type;
    });
    expect(locals).to.include('calendarSnapshot');
    expect(locals.filter((t) => t !== 'calendarSnapshot' && t !== 'notify'), 'local activities besides the calendar and messages').to.deep.equal([]);
    // One write per workflow task at most (each takes everything that task changed), far fewer than events.
    expect(fake.batches.length, 'projection batches').to.be.at.most(workflowTasks);
    expect(fake.batches.length, 'projection batches').to.be.lessThan(fake.events.length * 0.7);
  });

  it('when the last review approves, then the approver is answered with the decision recorded while the payment platform has not yet answered', async () => {
    const fake = fakeActivities();
    let open!: () => void;
    fake.gates.createPaymentOrder = new Promise<void>((r) => { open = r; });
    const { worker, input, taskQueue } = await start('QR-330000-00010', fake);
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [input] });
      for (;;) {
        const t = await nextTask(h);
        const action = t.kind === 'precheck' ? 'accept' : 'approve';
        const answer = await h.executeUpdate(completeTaskUpdate, { args: [{ taskId: t.taskId, action, opinion: '同意', actor: { userId: 'u', department: t.department, roles: [t.role] } }] });
        if (fake.types().includes('decided')) {
          // Answered before the fee's order exists: the platform call is still held.
          expect(answer.status).to.equal('in_review');
          expect(fake.payments.size).to.equal(0);
          expect(fake.types()).to.not.include('payment-ordered');
          break;
        }
      }
      open();
      for (let i = 0; i < 200 && !fake.types().includes('payment-ordered'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(fake.types()).to.include('payment-ordered');
      await h.terminate('enough');
    });
  });
});
