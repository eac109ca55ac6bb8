#!/usr/bin/env node
/**
 * The one change this project makes to an installed dependency, applied by `npm install`
 * (package.json's postinstall) and checked by workflows/stack-traces.workflow.test.ts.
 *
 * The Temporal TypeScript SDK (1.24.0) installs a V8 promise hook in every workflow thread. For
 * every promise a workflow creates, it compiles a function to find the workflow, builds an Error,
 * formats its stack through the bundle's source map and keeps it, so that the `__stack_trace`
 * query can show where a workflow waits. Nothing here asks that query, and it is not optional in
 * the SDK (temporalio/sdk-typescript issue 1587, open). Measured on the bench's 2-core machine
 * (README, Benchmarks, after session 16): half the workflow code's CPU when replaying the sample
 * cases (116–140 → 55–75 ms a case, `npm run bench:replay`), a fifth of the worker's CPU end to end
 * (488–528 → 375–416 ms a case) and part of its memory (peak 340–485 → 299–330 MiB).
 *
 * The patch makes the hook opt-in: a worker started with WORKER_STACK_TRACES=on installs it as
 * before (to read a stuck case's stack in Temporal's UI). Without it the query answers "Workflow
 * stack traces are not enabled on this worker"; errors thrown in workflows keep their source-mapped
 * stacks (that is a separate hook, left as it is). The hook only records stacks: with or without
 * it, a workflow makes the same decisions, so histories replay either way.
 *
 * Applying it twice changes nothing. If a new SDK version no longer has the line it patches, this
 * stops `npm install` with the reason: look at the new SDK (it may have an option of its own by
 * then), then change or remove this patch.
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const file = vmSharedPath(root);
  const before = fs.readFileSync(file, 'utf8');
  const after = patchVmShared(before);
  if (after !== before) fs.writeFileSync(file, after);
  console.log(after === before ? 'Temporal SDK: already patched (promise hook opt-in)' : 'Temporal SDK: patched (promise hook opt-in, WORKER_STACK_TRACES=on to keep it)');
}
