/**
 * The floor's worker in a process of its own: the bare workflow and one empty activity.
 * `node --import tsx bench/floor-worker.ts <temporalAddress> <taskQueue>`; prints "polling" when ready.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { buildWorkflowBundle } from '../worker/worker';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  if (!address || !taskQueue) throw new Error('usage: floor-worker.ts <temporalAddress> <taskQueue>');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    // Bundled as the platform's worker bundles its own (in a child process, modules preloaded), so
    // the two workers' memory compares like with like.
    workflowBundle: buildWorkflowBundle({ workflows: require.resolve('./floor-workflow') }),
    activities: { async empty(): Promise<void> {} },
  });
  console.log(`floor worker: polling task queue "${taskQueue}"`);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`floor worker: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
