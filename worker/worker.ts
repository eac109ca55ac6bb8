/**
 * Builds the worker: the one place where real activity dependencies are wired.
 */
import { NativeConnection, Worker, type BundleOptions } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities, type ActivityDeps } from '../activities';
import { defaultWorkerCachedCases } from '../lib/config';
import { ConfigError } from '../lib/errors';
import type { Tracing } from '../lib/tracing';
import { activityInterceptors, tracingSinks } from './interceptors';
import { journalSinks, sdkFailsMarkedSinks } from './journal-sink';

export const workflowsPath = require.resolve('../workflows');

/**
 * The workflow interceptor modules in the bundle: the request id always; OpenTelemetry's only
 * when tracing is on (its spans need the worker's `exporter` sink).
 */
export function workflowInterceptorModules(tracing: boolean): string[] {
  return [require.resolve('../workflows/interceptors/request-id'), ...(tracing ? [require.resolve('../workflows/interceptors/tracing')] : [])];
}

const quiet = { log: () => undefined, info: () => undefined, warn: console.warn, error: console.error, debug: () => undefined, trace: () => undefined };

/**
 * How the workflow code is bundled, the same for the worker, the tests and the replay check.
 * `preloadModules`: the workflow modules are evaluated once, when the worker's V8 context is
 * built, and then shared (deep-frozen) by every case it runs, instead of being evaluated again
 * for each case it starts or brings back into its cache. Safe because no module under
 * `workflows/` keeps state at module scope, only functions and constants: a case's state lives in
 * its run (workflows/shared-modules.test.ts checks it). The interceptors are not
 * preloaded: request-id keeps the run's latest request id in module state.
 */
export function workflowBundleOptions(options: { tracing?: boolean; workflows?: string } = {}): BundleOptions {
  const entry = options.workflows ?? workflowsPath;
  return { workflowsPath: entry, workflowInterceptorModules: workflowInterceptorModules(options.tracing ?? false), preloadModules: [entry], logger: quiet };
}

/**
 * The workflow bundle, built by a child process (scripts/bundle-workflows.ts): webpack's memory
 * then never stays in the worker, whose resident size is what a burst of open cases costs.
 */
export function buildWorkflowBundle(options: { tracing?: boolean; workflows?: string } = {}): { codePath: string } {
  const codePath = path.join(os.tmpdir(), `onewindow-workflows-${process.pid}.js`);
  const root = path.join(__dirname, '..');
  const args = [codePath, ...(options.tracing ? ['--tracing'] : []), ...(options.workflows ? ['--workflows', options.workflows] : [])];
  execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'bundle-workflows.ts'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  process.once('exit', () => fs.rmSync(codePath, { force: true }));
  return { codePath };
}

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** maxCachedWorkflows: case workflows kept in memory (WORKER_CACHED_CASES). */
  cachedCases?: number;
  /** OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT is set: interceptors in the bundle and on activities, and the workflow spans' sink. */
  tracing?: Tracing;
}

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  if (!sdkFailsMarkedSinks()) {
    throw new ConfigError('the installed Temporal SDK lacks this project\'s patch (a failed read-model write must fail its workflow task, not be lost): run npm install, whose postinstall applies scripts/patch-temporal-sdk.mjs');
  }
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: opts.address });
  } catch (err) {
    throw new ConfigError(`cannot reach the Temporal server at ${opts.address} (${(err as Error).message.split('\n')[0]}); start it, or fix TEMPORAL_ADDRESS`);
  }
  const activities = createActivities(opts.deps);
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: buildWorkflowBundle({ tracing: opts.tracing !== undefined }),
    maxCachedWorkflows: opts.cachedCases ?? defaultWorkerCachedCases,
    activities,
    interceptors: { activity: activityInterceptors(opts.tracing) },
    sinks: { ...tracingSinks(opts.tracing), ...journalSinks(activities) },
  });
  return { worker, connection };
}
