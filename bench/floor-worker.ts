/**
 * The floor's worker in a process of its own: the bare workflow and one empty activity.
 * `node --import tsx bench/floor-worker.ts <temporalAddress> <taskQueue>`; prints "polling" when ready.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  if (!address || !taskQueue) throw new Error('usage: floor-worker.ts <temporalAddress> <taskQueue>');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./floor-workflow'),
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
