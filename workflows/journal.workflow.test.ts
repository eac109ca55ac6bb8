/**
 * The journal's view (patch live-view), on its own: a view that changed is written with the
 * batch that goes anyway, alone when nothing else is queued (also before an update answers), and
 * not at all when it did not change.
 */
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { expect } from 'chai';
import path from 'node:path';
import type { ProjectionOp } from '../activities/projection';
import { silent } from '../test/harness';
import { timeSkippingSuite } from '../test/time-skipping';
import { changeSignal, endSignal, setViewUpdate, type JournalActivities } from '../test/workflows/journal-workflow';

describe('the journal carries the case view (time-skipping test server)', function () {
  this.timeout(60_000);
  const suite = timeSkippingSuite();
  let bundle: WorkflowBundleWithSourceMap;
  before(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'test', 'workflows', 'journal-workflow.ts'), logger: silent });
  });

  it('when the view changes with a change to write, alone, or not at all, then it is written with that batch, in a batch of its own, or not again', async () => {
    const { env } = suite;
    const batches: ProjectionOp[][] = [];
    const activities: JournalActivities = { write: (ops) => { batches.push(ops); return Promise.resolve(); } };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'journal', workflowBundle: bundle, activities });
    const shape = () => batches.map((b) => b.map((op) => (op.op === 'view' ? `view ${op.seq}:${op.json}` : op.op)));
    const until = async (n: number) => {
      for (let i = 0; i < 200 && batches.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      expect(batches.length, JSON.stringify(shape())).to.equal(n);
    };
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start('journalWorkflow', { taskQueue: 'journal', workflowId: 'journal-1' });
      await until(1); // the first view, alone
      await h.signal(changeSignal, { view: 1, op: true });
      await until(2); // with the change to write
      await h.signal(changeSignal, { view: 2 });
      await until(3); // alone: nothing else to write
      await h.signal(changeSignal, { view: 2, op: true });
      await until(4); // the change, and no view: it did not change
      // An update that changes the view and nothing else answers once its view is written.
      expect(await h.executeUpdate(setViewUpdate, { args: [7] })).to.equal(7);
      expect(shape()[4]).to.deep.equal(['view 4:{"view":7}']);
      await h.signal(changeSignal, { view: 7 });
      await h.signal(endSignal);
      await h.result();
    });
    expect(shape()).to.deep.equal([
      ['view 1:{"view":0}'],
      ['task-assign', 'view 2:{"view":1}'],
      ['view 3:{"view":2}'],
      ['task-assign'],
      ['view 4:{"view":7}'],
    ]);
  });
});
