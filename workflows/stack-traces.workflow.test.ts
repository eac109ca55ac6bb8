/**
 * The one patch this project makes to the Temporal SDK (scripts/patch-temporal-sdk.mjs, applied
 * by npm install): the workflow threads' promise hook, which records a stack for every promise a
 * workflow makes, is off unless the worker starts with WORKER_STACK_TRACES=on.
 */
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { silent } from '../test/harness';
import { timeSkippingSuite } from '../test/time-skipping';
import { endSignal, type JournalActivities } from '../test/workflows/journal-workflow';

const root = path.join(__dirname, '..');

describe('the Temporal SDK patch: workflow stack traces only when asked for', function () {
  this.timeout(60_000);
  const suite = timeSkippingSuite();
  let bundle: WorkflowBundleWithSourceMap;
  let patcher: typeof import('../scripts/patch-temporal-sdk.mjs', { with: { 'resolution-mode': 'import' } });
  before(async () => {
    patcher = await import('../scripts/patch-temporal-sdk.mjs');
    bundle = await bundleWorkflowCode({ workflowsPath: path.join(root, 'test', 'workflows', 'journal-workflow.ts'), logger: silent });
  });

  it('when npm install has run, then the installed SDK carries the patch exactly once, a second run changes nothing, and an SDK without the patched line stops the install with the reason', () => {
    const installed = fs.readFileSync(patcher.vmSharedPath(root), 'utf8');
    expect(installed.split(patcher.marker).length - 1).to.equal(1);
    const original = installed.replace(patcher.inserted, '');
    expect(original).to.not.include(patcher.marker);
    expect(patcher.patchVmShared(original)).to.equal(installed);
    expect(patcher.patchVmShared(installed)).to.equal(installed);
    expect(() => patcher.patchVmShared('class GlobalHandlers {}')).to.throw(/SDK version differs/);
  });

  it('when a worker starts without WORKER_STACK_TRACES, then __stack_trace answers that stack traces are off; with WORKER_STACK_TRACES=on, it answers where the workflow waits', async () => {
    const { env } = suite;
    const activities: JournalActivities = { write: () => Promise.resolve() };
    const ask = async (workflowId: string, taskQueue: string): Promise<{ answer?: string; error?: string }> => {
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
      return worker.runUntil(async () => {
        const h = await env.client.workflow.start('journalWorkflow', { taskQueue, workflowId });
        let out: { answer?: string; error?: string };
        try {
          out = { answer: await h.query<string>('__stack_trace') };
        } catch (err) {
          const e = err as Error & { cause?: Error };
          out = { error: `${e.message}: ${e.cause?.message ?? ''}` };
        }
        await h.signal(endSignal);
        await h.result();
        return out;
      });
    };
    const saved = process.env.WORKER_STACK_TRACES;
    try {
      delete process.env.WORKER_STACK_TRACES;
      const off = await ask('stack-off', 'stack-off');
      expect(off.answer).to.equal(undefined);
      expect(off.error).to.match(/stack traces are not enabled/);
      // A new worker's threads take the environment as it is when they start.
      process.env.WORKER_STACK_TRACES = 'on';
      const on = await ask('stack-on', 'stack-on');
      expect(on.error).to.equal(undefined);
      expect(on.answer).to.match(/journal-workflow\.ts/);
    } finally {
      if (saved === undefined) delete process.env.WORKER_STACK_TRACES;
      else process.env.WORKER_STACK_TRACES = saved;
    }
  });
});
