/**
 * Bundles the workflow code into one file (`tsx scripts/bundle-workflows.ts <out.js> [--tracing]
 * [--workflows <module>]`, `--tracing` adding OpenTelemetry's workflow interceptors, `--workflows`
 * another workflow module than the platform's, as the benchmark's floor does). The
 * worker runs this in a child process before it starts, so the bundler's memory is given back
 * to the system and the worker's own stays small.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { runMain } from '../lib/runtime';
import { workflowBundleOptions } from '../worker/worker';

runMain('bundle-workflows', async () => {
  const out = process.argv[2];
  if (!out) throw new Error('usage: bundle-workflows.ts <out.js> [--tracing] [--workflows <module>]');
  const tracing = process.argv.includes('--tracing');
  const at = process.argv.indexOf('--workflows');
  const workflows = at > 0 ? process.argv[at + 1] : undefined;
  const { code } = await bundleWorkflowCode(workflowBundleOptions({ tracing, workflows }));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.tmp`, code);
  fs.renameSync(`${out}.tmp`, out);
});
