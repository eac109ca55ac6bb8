/**
 * `npm run cluster`: the platform on Temporal's production server, on this machine. Builds
 * temporal-server and temporal-sql-tool once into the cache; creates the `temporal` and
 * `temporal_visibility` databases on the PostgreSQL server of DATABASE_URL and applies their
 * schemas; starts frontend, history, matching and the internal worker as separate processes
 * (deploy/cluster/config), with history and visibility archived under DATA_DIR/cluster/archive;
 * registers the namespace and the search attributes; migrates the app's database; starts the
 * simulators, two workers, two API processes and nginx in front of them; prints the URLs.
 * Ctrl-C stops everything.
 *
 * Options: --port N (nginx, default PORT), --port-base N (first of the cluster's ports, default
 * 7233: frontend gRPC), --history N (history processes, default 1), --workers N, --apis N.
 */
import fs from 'node:fs';
import path from 'node:path';
import { prepareAppDatabase, portsNeeded, startCluster, type Cluster } from '../lib/cluster';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { ConfigError } from '../lib/errors';
import { runMain } from '../lib/runtime';
import { ensureWebBuilt } from '../web/build';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`--${name} wants a whole number from 1 to 65535`);
  return n;
}

runMain('cluster', async () => {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError('the cluster needs DATABASE_URL: a PostgreSQL server whose role may create databases (e.g. postgres://onewindow:onewindow@127.0.0.1:5432/onewindow)');
  const started = Date.now();
  const opts = { historyProcesses: option('history', 1), workers: option('workers', 2), apis: option('apis', 2) };
  const portBase = option('port-base', 7233);
  const httpPort = option('port', config.port);
  const runDir = path.join(config.dataDir, 'cluster');
  fs.mkdirSync(runDir, { recursive: true });
  const log = (line: string) => console.log(`cluster: ${line}`);

  const current: { cluster?: Cluster } = {};
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('cluster: stopping every process…');
    await current.cluster?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  await ensureWebBuilt(log);
  const db = createDb({ url: config.databaseUrl, poolMax: 2, auditKey: config.auditKey });
  try {
    const applied = await prepareAppDatabase(db, config.demoStaffPassword);
    log(`app database ready${applied.length ? ` (applied ${applied.join(', ')})` : ''}; sample catalogue loaded`);
  } finally {
    await db.destroy();
  }
  const cluster = await startCluster({
    config,
    databaseUrl: config.databaseUrl,
    temporalDb: 'temporal',
    visibilityDb: 'temporal_visibility',
    runDir,
    portBase,
    httpPort,
    ...opts,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    log,
  });
  current.cluster = cluster;
  if (stopping) return;
  const pad = (s: string) => s.padEnd(30);
  console.log([
    '',
    `onewindow is running on a Temporal cluster (ready in ${Math.round((Date.now() - started) / 1000)} s):`,
    `  ${pad('web app and API (nginx)')}${cluster.baseUrl}/  (API under /api)`,
    ...cluster.apiUrls.map((u, i) => `  ${pad(`API process ${i + 1}`)}${u}/api/health`),
    ...cluster.workerHealthUrls.map((u, i) => `  ${pad(`worker ${i + 1} health`)}${u}/ready`),
    `  ${pad('Temporal frontend (gRPC)')}${cluster.frontendAddress}  (namespace ${config.temporalNamespace}; \`temporal --address ${cluster.frontendAddress} workflow list\`)`,
    `  ${pad('archive (history, visibility)')}${cluster.archiveDir}`,
    `  ${pad('logs')}${path.join(runDir, 'logs')}`,
    ...Object.entries(cluster.simulatorUrls).map(([p, u]) => `  ${pad(`${p} simulator`)}${u}`),
    `  (${portsNeeded(opts)} ports from ${portBase} are the cluster's)`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'));
});
