/**
 * The live view kept in the read model (patch live-view): a case writes its view with its
 * projection batches, so the view the API serves from the case row is the one the case itself
 * would answer. Each sample item is driven to its end by people and platforms who read only the
 * stored view: a stored view that lagged behind an action would make them act on a task already
 * done (the case refuses) or wait for something already there (the drive gives up). At the end
 * the stored view is the case's own.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { driveToCompletion } from '../test/drive-case';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { pinnedSample, sampleDocs } from '../test/sample-cases';
import { endWorkflow, timeSkippingSuite } from '../test/time-skipping';
import { caseViewQuery, completeTaskUpdate, replyCorrectionUpdate, urgeSignal, type CaseInput, type CaseView } from './definitions';
import { journalSinks } from '../worker/journal-sink';

describe('the live view kept in the read model (time-skipping test server)', function () {
  this.timeout(120_000);
  const suite = timeSkippingSuite();
  let counter = 0;

  async function start(code: string) {
    const { env } = suite;
    const fake = fakeActivities();
    const taskQueue = `live-${++counter}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const doc = sampleDocs.find((d) => d.implementation.code === code)!;
    const impl = pinnedSample(code);
    const input: CaseInput = {
      caseNo: `33010620261201${String(counter).padStart(8, '0')}`, implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' },
      channel: 'window', formData: readFormFolder(doc.form).example,
      delivery: impl.delivery.includes('courier') ? { method: 'courier', address: { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' } } : { method: 'window' },
      filedAt: new Date(await env.currentTimeMs()).toISOString(), supervisedBy: 'sweep',
    };
    /** The view as the read model holds it, with the form as the API completes it (the case row's when the view has none). */
    const stored = (): CaseView => {
      const kept = fake.views.get(input.caseNo);
      if (!kept?.json) throw new Error(`case ${input.caseNo} has no stored view`);
      const view = JSON.parse(kept.json) as Omit<CaseView, 'formData'> & { formData?: Record<string, unknown> };
      return { ...view, formData: view.formData ?? input.formData };
    };
    /** A handle whose reads are the stored view's (its actions are the case's own). */
    const readingStored = (h: WorkflowHandle) => Object.assign(Object.create(h) as WorkflowHandle, {
      query: async () => {
        // Before the first batch there is nothing stored yet: the API waits for it, so does this.
        for (let i = 0; i < 200 && !fake.views.get(input.caseNo)?.json; i++) await new Promise((r) => setTimeout(r, 10));
        return stored();
      },
    });
    return { env, fake, worker, input, taskQueue, stored, readingStored };
  }

  for (const doc of sampleDocs) {
    it(`when every actor of ${doc.item.code} (${doc.implementation.code}) reads only the stored view, then the case runs to its end and the stored view is the case's own`, async () => {
      const { env, fake, worker, input, taskQueue, stored, readingStored } = await start(doc.implementation.code);
      await worker.runUntil(async () => {
        const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [input] });
        await driveToCompletion(readingStored(h), () => fake.dispatches.map((d) => d.stepId));
        await h.result();
        expect(stored()).to.deep.equal(await h.query(caseViewQuery));
      });
    });
  }

  it('when a clerk asks for a correction, the applicant corrects the form and a supervisor urges, then each shows in the stored view: the correction and the corrected form by the time their updates answer, the urge once the case has taken it', async () => {
    const { env, fake, worker, input, taskQueue, stored, readingStored } = await start('QR-330000-00010.xh-gaj');
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseNo, args: [input] });
      const reader = readingStored(h);
      let precheck = (await reader.query(caseViewQuery)).openTasks.find((t) => t.kind === 'precheck');
      for (let i = 0; i < 200 && !precheck; i++) {
        await new Promise((r) => setTimeout(r, 20));
        precheck = stored().openTasks.find((t) => t.kind === 'precheck');
      }
      expect(precheck, 'the pre-check task').to.not.equal(undefined);
      const actor = { userId: 'clerk-1', department: precheck!.department, roles: [precheck!.role] };
      await h.executeUpdate(completeTaskUpdate, { args: [{ taskId: precheck!.taskId, action: 'correction', opinion: '请补正', problems: ['联系电话有误'], actor }] });
      // Answered once recorded: the stored view already says so.
      expect(stored().status).to.equal('awaiting_correction');
      expect(stored().correction?.problems).to.deep.equal(['联系电话有误']);
      expect(stored().openTasks.map((t) => t.taskId)).to.not.include(precheck!.taskId);
      expect(JSON.parse(fake.views.get(input.caseNo)!.json!)).to.not.have.property('formData'); // the form as filed is the case row's

      await h.executeUpdate(replyCorrectionUpdate, { args: [{ note: '已更正', formData: { phone: '13900139000' } }] });
      expect(stored().formData).to.deep.equal({ ...input.formData, phone: '13900139000' });
      expect(stored().correction).to.equal(null);

      await h.signal(urgeSignal, { urgeId: 'u-1', message: '请尽快办理', replyBy: '2026-12-31', by: 'supervisor-zhao' });
      for (let i = 0; i < 200 && !stored().supervision.urges.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(stored().supervision.urges.map((u) => u.urgeId)).to.deep.equal(['u-1']);
      // The case has gone on meanwhile (a new pre-check task): once it waits, the stored view is its own.
      let own = await h.query(caseViewQuery);
      for (let i = 0; i < 100 && JSON.stringify(stored()) !== JSON.stringify(own); i++) {
        await new Promise((r) => setTimeout(r, 20));
        own = await h.query(caseViewQuery);
      }
      expect(stored()).to.deep.equal(own);
      expect(own.openTasks.map((t) => t.kind)).to.deep.equal(['precheck']);
      await endWorkflow(h);
    });
  });
});
