#!/usr/bin/env node
/**
 * The two changes this project makes to an installed dependency, applied by `npm install`
 * (package.json's postinstall) and checked by workflows/stack-traces.workflow.test.ts and
 * workflows/journal-sink.workflow.test.ts.
 *
 * 1. The promise hook is opt-in (@temporalio/worker/lib/workflow/vm-shared.js). The Temporal
 * TypeScript SDK (1.24.0) installs a V8 promise hook in every workflow thread. For every promise a
 * workflow creates, it compiles a function to find the workflow, builds an Error, formats its
 * stack through the bundle's source map and keeps it, so that the `__stack_trace` query can show
 * where a workflow waits. Nothing here asks that query, and it is not optional in the SDK
 * (temporalio/sdk-typescript issue 1587, open). Measured on the bench's 2-core machine (README,
 * Benchmarks, after session 16): half the workflow code's CPU when replaying the sample cases
 * (116–140 → 55–75 ms a case, `npm run bench:replay`), a fifth of the worker's CPU end to end
 * (488–528 → 375–416 ms a case) and part of its memory (peak 340–485 → 299–330 MiB). A worker
 * started with WORKER_STACK_TRACES=on installs the hook as before (to read a stuck case's stack in
 * Temporal's UI). Without it the query answers "Workflow stack traces are not enabled on this
 * worker"; errors thrown in workflows keep their source-mapped stacks (a separate hook, left as it
 * is). The hook only records stacks: with or without it, a workflow makes the same decisions.
 *
 * 2. A sink can fail its activation (@temporalio/worker/lib/worker.js, processSinkCalls). The SDK
 * awaits a workflow's sink calls after its activation and before the activation's completion goes
 * to the server, but only logs a sink that throws. The journal sink (worker/journal-sink.ts) writes
 * the case's read model there, and a write that failed must not be forgotten: a sink function
 * marked `failActivation: true` throws on, so the activation fails and its workflow task is
 * retried (the workflow is evicted, replayed, and makes the batch again). Sinks without the mark
 * (the logger's, the tracing exporter's) are only logged, as before.
 *
 * Applying the patches twice changes nothing. If a new SDK version no longer has a line a patch
 * anchors on, this stops `npm install` with the reason: look at the new SDK (it may have an option
 * of its own by then), then change or remove that patch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const marker = 'onewindow: the promise hook is opt-in (scripts/patch-temporal-sdk.mjs)';
const anchor = '    setPromiseHook() {\n';
/** The lines the patch puts after the anchor. */
export const inserted = `        // ${marker}\n        if (process.env.WORKER_STACK_TRACES !== 'on') return;\n`;

/** The patched text of @temporalio/worker/lib/workflow/vm-shared.js; throws if it cannot be patched. */
export function patchVmShared(text) {
  if (text.includes(marker)) return text;
  const at = text.indexOf(anchor);
  if (at < 0 || text.indexOf(anchor, at + 1) >= 0) {
    throw new Error('@temporalio/worker/lib/workflow/vm-shared.js has no single "setPromiseHook() {" line: this SDK version differs from the one the patch was written for; see scripts/patch-temporal-sdk.mjs');
  }
  return text.slice(0, at + anchor.length) + inserted + text.slice(at + anchor.length);
}

export function vmSharedPath(root) {
  return path.join(root, 'node_modules', '@temporalio', 'worker', 'lib', 'workflow', 'vm-shared.js');
}

export const sinkMarker = 'onewindow: a sink marked failActivation fails the activation (scripts/patch-temporal-sdk.mjs)';
const sinkAnchor = "            catch (error) {\n                this.logger.error('External sink function threw an error', {\n";
const sinkAt = '            catch (error) {\n';
/** The lines the second patch puts into processSinkCalls' catch. */
export const sinkInserted = `                // ${sinkMarker}\n                if (sink?.failActivation)\n                    throw error;\n`;

/** The patched text of @temporalio/worker/lib/worker.js; throws if it cannot be patched. */
export function patchWorker(text) {
  if (text.includes(sinkMarker)) return text;
  const at = text.indexOf(sinkAnchor);
  if (at < 0 || text.indexOf(sinkAnchor, at + 1) >= 0) {
    throw new Error("@temporalio/worker/lib/worker.js has no single catch of 'External sink function threw an error': this SDK version differs from the one the patch was written for; see scripts/patch-temporal-sdk.mjs");
  }
  const after = at + sinkAt.length;
  return text.slice(0, after) + sinkInserted + text.slice(after);
}

export function workerPath(root) {
  return path.join(root, 'node_modules', '@temporalio', 'worker', 'lib', 'worker.js');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const apply = (file, patch, what) => {
    const before = fs.readFileSync(file, 'utf8');
    const after = patch(before);
    if (after !== before) fs.writeFileSync(file, after);
    console.log(`Temporal SDK: ${after === before ? 'already patched' : 'patched'} (${what})`);
  };
  apply(vmSharedPath(root), patchVmShared, 'promise hook opt-in, WORKER_STACK_TRACES=on to keep it');
  apply(workerPath(root), patchWorker, 'a sink marked failActivation fails its activation');
}
