/** `npm run worker`: one worker process (scale-out: run several). */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createPlatforms } from '../lib/platforms';
import { ensureReconciliationSchedule } from '../lib/reconciliation-schedule';
import { connectClient } from '../lib/temporal';
import { openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { createWorker } from '../worker/worker';
import { WebhookDispatcher } from '../lib/webhooks';
import { unseal } from '../api/auth/secrets';
import { startWorkerHealth } from '../worker/health';

runMain('worker', async () => {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  const db = await openDb(config);
  const address = temporalAddressOf(config);
  const departmentCodes = (await db('departments').pluck('code')) as string[];
  const platforms = createPlatforms({ urls: config.platformUrls, secret: config.platformSecret, departmentCodes });
  const { worker, connection } = await createWorker({ address, namespace: config.temporalNamespace, taskQueue: config.taskQueue, deps: { db, platforms }, cachedCases: config.workerCachedCases });
  // Webhook deliveries are sent from the worker processes (several share the work by row locks).
  const webhooks = new WebhookDispatcher({ db, unsealSecret: (s) => unseal(config.secretKey, s) });
  webhooks.start();
  // The daily reconciliation runs on this task queue at 02:00 China time.
  const client = await connectClient(address, config.temporalNamespace);
  const schedule = await ensureReconciliationSchedule(client, config.taskQueue);
  await client.connection.close();
  // Probes: /health (alive) and /ready (polling, database answers) on WORKER_HEALTH_PORT.
  const healthServer = config.workerHealthPort === undefined ? undefined : await startWorkerHealth({ state: () => worker.getState(), db }, config.workerHealthPort, config.host);
  if (healthServer) console.log(`worker: health on http://${config.host}:${(healthServer.address() as { port: number }).port}/ready`);
  console.log(`worker: polling task queue "${config.taskQueue}" on ${address}; daily reconciliation schedule ${schedule === 'created' ? 'created' : 'in place'}`);
  await worker.run(); // returns after SIGINT / SIGTERM and a graceful shutdown
  await webhooks.stop();
  healthServer?.close();
  await connection.close();
  await db.destroy();
});
