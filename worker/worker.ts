/**
 * Builds the worker: the one place where real activity dependencies are wired.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { ConfigError } from '../lib/errors';

export const workflowsPath = require.resolve('../workflows');

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
}

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: opts.address });
  } catch (err) {
    throw new ConfigError(`cannot reach the Temporal server at ${opts.address} (${(err as Error).message.split('\n')[0]}); start it, or fix TEMPORAL_ADDRESS`);
  }
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath,
    activities: createActivities(opts.deps),
  });
  return { worker, connection };
}
