/**
 * Mocha global fixtures: prepare the real servers once per run. A Temporal dev server (in
 * memory, free ports) for integration tests; a fresh database, either a new database on the
 * PostgreSQL server named by DATABASE_URL (dropped afterwards) or an in-memory PGlite; the
 * path of the Java time-skipping test server for workflow tests.
 */
import type { ChildProcess } from 'node:child_process';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { seedSampleCatalogue } from '../db/seed';
import { loadConfig } from '../lib/config';
import { createDb, checkDb, migrate } from '../lib/db';
import { dropDatabase as dropOwnDatabase } from '../lib/drop-database';
import { startEmbeddedDbThread, type EmbeddedDb } from '../lib/pglite-server';
import { ensureTemporalCli, ensureTestServer, freePort, startDevServer } from '../lib/servers';
import { devServerSearchAttributes } from '../workflows/search-attributes';
import { ctx, starts, teardowns, testStaffPassword } from './context';

let devServer: ChildProcess | undefined;
let embedded: EmbeddedDb | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  // The SDK's own INFO lines (worker state changes, bundling) would drown the test report.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = loadConfig();
  const started = Date.now();
  const [cli, testServer] = await Promise.all([
    ensureTemporalCli(config.cacheDir, config.temporalCliVersion, config.temporalCliPath),
    ensureTestServer(config.cacheDir, config.testServerVersion),
  ]);
  ctx.testServerPath = testServer;

  const port = await freePort();
  devServer = await startDevServer({ cli, port, uiPort: await freePort(), searchAttributes: devServerSearchAttributes });
  // Even when the run is cut short, the dev server goes with it.
  process.once('exit', () => devServer?.kill('SIGKILL'));
  ctx.temporalAddress = `127.0.0.1:${port}`;

  if (config.databaseUrl) {
    const admin = createDb({ url: config.databaseUrl, poolMax: 1 });
    await checkDb(admin, config.databaseUrl);
    const name = `onewindow_test_${process.pid}_${Date.now()}`;
    await admin.raw(`create database ${name}`);
    const url = new URL(config.databaseUrl);
    url.pathname = `/${name}`;
    ctx.databaseUrl = url.toString();
    dropDatabase = async () => {
      await dropOwnDatabase(admin, name);
      await admin.destroy();
    };
  } else {
    // On a thread of its own, so that a test blocking this thread (spawnSync of a command using the database) does not block the database.
    embedded = await startEmbeddedDbThread('memory://', 0);
    ctx.databaseUrl = embedded.url;
    ctx.embeddedDb = true;
  }
  const db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
  await migrate(db);
  await seedSampleCatalogue(db, { staffPassword: testStaffPassword });
  // The tests sign in as the seeded staff throughout; the first-sign-in password change is tested on its own (api/security.test.ts).
  await db('staff_users').update({ must_change_password: false });
  await db.destroy();
  process.stderr.write(
    `[onewindow] test fixtures ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Temporal dev server ${ctx.temporalAddress}, ` +
      `database ${ctx.embeddedDb ? 'embedded PGlite (no DATABASE_URL)' : 'PostgreSQL (DATABASE_URL)'}\n`,
  );
}

export async function mochaGlobalTeardown(): Promise<void> {
  // Each within a minute: a stop that hangs is reported and the run still ends.
  for (const stop of teardowns.splice(0).reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('did not finish within 60 s')), 60_000); });
    await Promise.race([stop(), hung]).catch((err: unknown) => process.stderr.write(`[onewindow] teardown: ${String(err)}\n`)).finally(() => clearTimeout(timer));
  }
  process.stderr.write(`[onewindow] started in this run: ${starts.stacks} stack(s), ${starts.suiteApis} suite API(s) on the shared stack, ${starts.testServers} time-skipping test server(s)` +
    (starts.leakedLocks ? `, ${starts.leakedLocks} leaked time-skipping lock(s) given back` : '') + '\n');
  devServer?.kill('SIGTERM');
  await embedded?.stop();
  await dropDatabase?.();
}
