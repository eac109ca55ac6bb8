/** `npm run worker`: one worker process (scale-out: run several). */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { createPlatforms } from '../lib/platforms';
import { ensureReconciliationSchedule } from '../lib/reconciliation-schedule';
import { connectClient } from '../lib/temporal';
import { openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { createWorker } from '../worker/worker';
import { WebhookDispatcher } from '../lib/webhooks';
import { ExchangeDispatcher } from '../lib/exchange/dispatcher';
import { unseal } from '../api/auth/secrets';
import { ArchiveWriter } from '../api/services/archive';

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
  // 同源发布: case nodes to the provincial platform, in order per case, and the daily reconciliation.
  const exchange = new ExchangeDispatcher({ db, province: platforms.province });
  exchange.start();
  // The daily reconciliation runs on this task queue at 02:00 China time.
  const client = await connectClient(address, config.temporalNamespace);
  const schedule = await ensureReconciliationSchedule(client, config.taskQueue);
  // 审批档案: each closed case's sealed package, written to the archive store (the client reads its history).
  const archive = new ArchiveWriter({ db, client, archiveDir: config.archiveDir, secretKey: config.secretKey });
  archive.start();
  console.log(`worker: polling task queue "${config.taskQueue}" on ${address}; daily reconciliation schedule ${schedule === 'created' ? 'created' : 'in place'}`);
  await worker.run(); // returns after SIGINT / SIGTERM and a graceful shutdown
  await webhooks.stop();
  await exchange.stop();
  await archive.stop();
  await client.connection.close();
  await connection.close();
  await db.destroy();
});
