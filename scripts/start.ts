/**
 * `npm start`: everything on one machine from one command. Starts (as needed) the embedded
 * database, the Temporal dev server with its Web UI, then the worker and the API + web app as
 * child processes, restarts the worker or the API when one dies (`lib/supervisor.ts`), and stops
 * them all cleanly on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { seedSampleCatalogue } from '../db/seed';
import { loadConfig, platformNames } from '../lib/config';
import { startAllSimulators, type AllSimulators } from '../simulators/run-all';
import { migrate } from '../lib/db';
import { ConfigError } from '../lib/errors';
import { startEmbeddedDb, type EmbeddedDb } from '../lib/pglite-server';
import { platformProcessEnv } from '../lib/process-env';
import { databaseOf, openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { assertPortFree, ensureTemporalCli, startDevServer, waitForPort } from '../lib/servers';
import { devServerSearchAttributes } from '../workflows/search-attributes';
import { ensureWebBuilt } from '../web/build';
import { Supervisor } from '../lib/supervisor';

const repoRoot = path.resolve(__dirname, '..');

runMain('start', async () => {
  const config = loadConfig();
  const children: { name: string; proc: ChildProcess }[] = [];
  let embedded: EmbeddedDb | undefined;
  let simulators: AllSimulators | undefined;
  let stopping = false;

  // The worker and the API are restarted when they die (with backoff), the rest keep serving.
  const supervisor = new Supervisor({ log: (line) => process.stderr.write(`${line}\n`) });

  async function stopAll(code: number): Promise<never> {
    stopping = true;
    await supervisor.stop((name) => console.log(`start: stopping ${name}…`));
    for (const { name, proc } of [...children].reverse()) {
      if (proc.exitCode !== null) continue;
      console.log(`start: stopping ${name}…`);
      proc.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 15_000);
        proc.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
    if (simulators) await simulators.close();
    if (embedded) await embedded.stop();
    process.exit(code);
  }
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  // Fail fast, before building or starting anything, on the ports we will need.
  await assertPortFree(config.host, config.port, 'API and web app', 'PORT');
  if (!config.temporalAddress) {
    await assertPortFree('127.0.0.1', config.devServerPort, 'Temporal dev server', 'TEMPORAL_DEV_PORT');
    await assertPortFree('127.0.0.1', config.devServerUiPort, 'Temporal Web UI', 'TEMPORAL_DEV_UI_PORT');
  }
  const database = databaseOf(config);
  if (database.embedded) await assertPortFree('127.0.0.1', config.pglitePort, 'embedded database', 'PGLITE_PORT');

  fs.mkdirSync(config.dataDir, { recursive: true });
  // The browser app is served from web/dist; built here when missing or older than its sources.
  await ensureWebBuilt((line) => console.log(`start: ${line}`));
  const cli = config.temporalAddress ? undefined : await ensureTemporalCli(config.cacheDir, config.temporalCliVersion, config.temporalCliPath);

  if (database.embedded) {
    console.log(`start: no DATABASE_URL; starting the embedded PGlite database under ${path.join(config.dataDir, 'pglite')}`);
    embedded = await startEmbeddedDb(path.join(config.dataDir, 'pglite'), config.pglitePort);
  }
  const db = await openDb(config);
  const applied = await migrate(db);
  await seedSampleCatalogue(db, { staffPassword: config.demoStaffPassword });
  await db.destroy();
  console.log(`start: database ready${applied.length ? ` (applied ${applied.join(', ')})` : ''}; sample catalogue loaded`);

  if (cli) {
    console.log('start: starting the Temporal dev server…');
    const proc = await startDevServer({
      cli,
      port: config.devServerPort,
      uiPort: config.devServerUiPort,
      dbFile: path.join(config.dataDir, 'temporal.sqlite'),
      searchAttributes: devServerSearchAttributes,
      logFile: path.join(config.dataDir, 'temporal.log'),
    });
    children.push({ name: 'Temporal dev server', proc });
  }

  // Platforms without a configured URL are served by this repo's simulators, on loopback.
  const childEnv: NodeJS.ProcessEnv = platformProcessEnv(process.env);
  const missing = platformNames.filter((p) => !config.platformUrls[p]);
  if (missing.length) {
    simulators = await startAllSimulators({ secret: config.platformSecret, callbackBaseUrl: `http://${config.host}:${config.port}/api`, dataDir: config.dataDir });
    for (const p of missing) childEnv[`${p.toUpperCase()}_URL`] = simulators.urls[p];
    console.log(`start: simulators for ${missing.join(', ')} on loopback`);
  }

  // The Temporal dev server is not restarted: without it nothing works, so its exit stops everything.
  for (const { name, proc } of children) {
    proc.once('exit', (code) => {
      if (stopping) return;
      process.stderr.write(`start: ${name} exited (code ${code}); stopping everything\n`);
      void stopAll(1);
    });
  }
  for (const [name, script] of [['worker', 'scripts/worker.ts'], ['api', 'scripts/api.ts']] as const) {
    supervisor.add(name, () => spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: 'inherit', env: childEnv }));
  }

  // An API that cannot start at all (a busy port, a bad setting) stops everything rather than looping.
  try {
    await waitForPort(config.host, config.port, 60_000, supervisor.current('api'));
  } catch (err) {
    if (err instanceof ConfigError) process.stderr.write(`start: ${err.message}\n`);
    return stopAll(1);
  }
  console.log([
    '',
    'onewindow is running:',
    `  ${'web app and API'.padEnd(24)}http://${config.host}:${config.port}/  (API under /api)`,
    cli ? `  ${'Temporal Web UI'.padEnd(24)}http://127.0.0.1:${config.devServerUiPort}/` : `  ${'Temporal'.padEnd(24)}${temporalAddressOf(config)}`,
    `  ${'database'.padEnd(24)}${database.embedded ? `embedded PGlite on 127.0.0.1:${config.pglitePort}` : 'DATABASE_URL'}`,
    ...(simulators ? missing.map((p) => `  ${`${p} simulator`.padEnd(24)}${simulators.urls[p]}`) : []),
    `  ${'metrics'.padEnd(24)}http://${config.metricsHost}:${config.metricsPort}/metrics (API), http://${config.metricsHost}:${config.workerMetricsPort}/metrics (worker)`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'));
});
