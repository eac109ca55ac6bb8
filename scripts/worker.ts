/** `npm run worker`: one worker process (scale-out: run several). */
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { listeningPorts } from '../lib/listening-ports';
import { configureLogging, log } from '../lib/log';
import { startMetricsServer } from '../lib/metrics';
import { createPlatforms } from '../lib/platforms';
import { ensureReconciliationSchedule } from '../lib/reconciliation-schedule';
import { ensureRetentionSchedule } from '../lib/retention-schedule';
import { ensureSupervisionSweep } from '../lib/supervision-sweep';
import { connectClient } from '../lib/temporal';
import { startTracing } from '../lib/tracing';
import { openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { createWorker } from '../worker/worker';
import { SdkLogger } from '../worker/sdk-logger';
import { WebhookDispatcher } from '../lib/webhooks';
import { ExchangeDispatcher } from '../lib/exchange/dispatcher';
import { unseal } from '../api/auth/secrets';
import { startWorkerHealth } from '../worker/health';
import { ArchiveWriter } from '../api/services/archive';

runMain('worker', async () => {
  const config = loadConfig();
  configureLogging({ service: 'worker', level: config.logLevel });
  const tracing = startTracing('worker', config.otlpEndpoint);
  // The SDK's logs (its own, the core's, the workflows') through the same JSON logger; its
  // metrics on a loopback port of their own, served again on this worker's /metrics.
  const before = new Set(listeningPorts());
  Runtime.install({
    logger: new SdkLogger(),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: config.logLevel }), forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${config.temporalMetricsPort}`, countersTotalSuffix: true, useSecondsForDurations: true } },
    },
  });
  const db = await openDb(config);
  const address = temporalAddressOf(config);
  const departmentCodes = (await db('departments').pluck('code')) as string[];
  const platforms = createPlatforms({ urls: config.platformUrls, secret: config.platformSecret, departmentCodes });
  const { worker, connection } = await createWorker({ address, namespace: config.temporalNamespace, taskQueue: config.taskQueue, deps: { db, platforms }, cachedCases: config.workerCachedCases, tracing });
  const sdkPort = config.temporalMetricsPort || listeningPorts().find((p) => !before.has(p));
  const metrics = await startMetricsServer({
    host: config.metricsHost,
    port: config.workerMetricsPort,
    extra: async () => (sdkPort ? (await fetch(`http://127.0.0.1:${sdkPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text() : ''),
  });
  if (!sdkPort) log().warn('the Temporal SDK\'s metrics port could not be found; set TEMPORAL_METRICS_PORT to serve its metrics on /metrics');
  // Webhook deliveries are sent from the worker processes (several share the work by row locks).
  const webhooks = new WebhookDispatcher({ db, unsealSecret: (s) => unseal(config.secretKey, s) });
  webhooks.start();
  // 同源发布: case nodes to the provincial platform, in order per case, and the daily reconciliation.
  const exchange = new ExchangeDispatcher({ db, province: platforms.province });
  exchange.start();
  // The daily reconciliation runs on this task queue at 02:00 China time; the retention job at 03:30.
  const client = await connectClient(address, config.temporalNamespace);
  const schedule = await ensureReconciliationSchedule(client, config.taskQueue);
  const retention = await ensureRetentionSchedule(client, config.taskQueue, config.retentionDays);
  // 电子监察: the one sweep that records every published case clock's warnings and alarms.
  const sweep = await ensureSupervisionSweep(client, config.taskQueue, config.supervisionSweepMs);
  // 审批档案: each closed case's sealed package, written to the archive store (the client reads its history).
  const archive = new ArchiveWriter({ db, client, archiveDir: config.archiveDir, secretKey: config.secretKey });
  archive.start();
  // Probes: /health (alive) and /ready (polling, database answers) on WORKER_HEALTH_PORT.
  const healthServer = config.workerHealthPort === undefined ? undefined : await startWorkerHealth({ state: () => worker.getState(), db }, config.workerHealthPort, config.host);
  log().info({ taskQueue: config.taskQueue, temporal: address, metricsPort: metrics.port, temporalMetricsPort: sdkPort ?? null, healthPort: healthServer ? (healthServer.address() as { port: number }).port : null, reconciliationSchedule: schedule, retentionSchedule: retention, supervisionSweep: sweep, tracing: tracing !== undefined },
    `worker: polling task queue "${config.taskQueue}" on ${address}; metrics on http://${config.metricsHost}:${metrics.port}/metrics${healthServer ? `; health on http://${config.host}:${(healthServer.address() as { port: number }).port}/ready` : ''}`);
  await worker.run(); // returns after SIGINT / SIGTERM and a graceful shutdown
  await webhooks.stop();
  await metrics.close();
  healthServer?.close();
  await exchange.stop();
  await archive.stop();
  await client.connection.close();
  await connection.close();
  await tracing?.shutdown();
  await db.destroy();
});
