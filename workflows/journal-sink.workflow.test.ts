/**
 * The journal sink (patch journal-sink): the worker writes a case's read-model batches between an
 * activation and its completion. A write that fails fails the activation (the SDK patch), so the
 * workflow task is retried and nothing is lost or written twice; an update's answer leaves only
 * once its batch is written.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { readFormFolder } from '../lib/forms';
import { driveToCompletion, nextTask } from '../test/drive-case';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { pinnedSample, sampleDocs } from '../test/sample-cases';
import { createTimeSkippingEnv } from '../test/time-skipping';
import { journalSinks, type ApplyBatch } from '../worker/journal-sink';
import { completeTaskUpdate, type CaseInput } from './definitions';

const root = path.join(__dirname, '..');

describe('the journal sink (time-skipping test server)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let counter = 0;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function input(itemCode: string): Promise<CaseInput> {
    counter += 1;
    const impl = pinnedSample(itemCode);
    return {
      caseNo: `33010620261201${String(counter).padStart(8, '0')}`, implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' },
      channel: 'window', formData: readFormFolder(sampleDocs.find((d) => d.implementation.code === impl.code)!.form).example,
      delivery: { method: 'courier', address: { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' } },
      filedAt: new Date(await env.currentTimeMs()).toISOString(),
    };
  }

  it('when the database refuses a write (the acceptance batch) and the sink has no time left to try again, then that workflow task fails and is retried, and the case ends with every event written exactly once, in order', async () => {
    const fake = fakeActivities();
    let refused = 0;
    const apply: ApplyBatch = async (batch) => {
      const accepting = batch.ops.some((op) => op.op === 'event' && op.ev.type === 'accepted');
      if (accepting && refused === 0) {
        refused += 1;
        throw new Error('connection terminated unexpectedly (the test stands for PostgreSQL restarting)');
      }
      await fake.activities.applyProjection(batch);
    };
    const taskQueue = `sink-${counter}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks({ applyProjection: apply }, { budgetMs: 2_000, pauseMs: 5_000 }) });
    const i = await input('QR-330000-00010');
    const history = await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: i.caseNo, args: [i] });
      await driveToCompletion(h, () => []);
      await h.result();
      return h.fetchHistory();
    });
    expect(refused).to.equal(1);
    const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    expect(failed, 'workflow tasks failed').to.have.length(1);
    expect(failed[0].workflowTaskFailedEventAttributes!.failure?.message).to.include('connection terminated unexpectedly');
    const seqs = fake.events.map((e) => e.seq);
    expect(seqs, 'events written once each, in order').to.deep.equal(seqs.map((_, k) => k + 1));
    expect(fake.types()).to.include.members(['filed', 'accepted', 'decided', 'delivered', 'evaluated', 'closed']);
    expect(fake.types().filter((t) => t === 'accepted')).to.have.length(1);
  });

  it("when the read model is slow to close a task, then the approver's answer waits for it: the task is closed in the read model when the update answers", async () => {
    const fake = fakeActivities();
    const taskQueue = `sink-${counter}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
    const i = await input('QR-330000-00010');
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: i.caseNo, args: [i] });
      const t = await nextTask(h);
      fake.slowClose.set(t.taskId, 400);
      const began = Date.now();
      await h.executeUpdate(completeTaskUpdate, { args: [{ taskId: t.taskId, action: 'accept', opinion: '同意', actor: { userId: 'u', department: t.department, roles: [t.role] } }] });
      expect(Date.now() - began, 'the answer waited for the write').to.be.at.least(380);
      expect(fake.closed.map((c) => c.taskId)).to.include(t.taskId);
      await h.terminate('enough');
    });
  });

  it('when npm install has run, then the installed SDK fails an activation whose marked sink throws (the patch is there exactly once, a second run changes nothing, and an SDK without the patched line stops the install)', async () => {
    const patcher = await import('../scripts/patch-temporal-sdk.mjs');
    const installed = fs.readFileSync(patcher.workerPath(root), 'utf8');
    expect(installed.split(patcher.sinkMarker).length - 1).to.equal(1);
    const original = installed.replace(patcher.sinkInserted, '');
    expect(original).to.not.include(patcher.sinkMarker);
    expect(patcher.patchWorker(original)).to.equal(installed);
    expect(patcher.patchWorker(installed)).to.equal(installed);
    expect(() => patcher.patchWorker('class Worker {}')).to.throw(/SDK version differs/);
  });
});
