/**
 * The system under test, started by the benchmark as separate processes so each one's CPU and
 * memory can be read from /proc: a Temporal dev server (in memory, on free ports), a fresh
 * PostgreSQL database of its own (migrated, sample catalogue loaded), the platform simulators,
 * the worker and the API, wired as `npm start` wires them (scripts/start.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { seedSampleCatalogue } from '../db/seed';
import type { Config } from '../lib/config';
import { createDb, migrate, type Db } from '../lib/db';
import { ensureTemporalCli, freePort, startDevServer, waitForPort } from '../lib/servers';
import { platformProcessEnv } from '../lib/process-env';
import { dropDatabase } from '../lib/drop-database';
import { devServerSearchAttributes } from '../workflows/search-attributes';

export const repoRoot = path.resolve(__dirname, '..');
export const resultsDir = path.join(__dirname, 'results');
const logDir = path.join(resultsDir, 'logs');

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
}

/**
 * A database of the benchmark's own on the server named by DATABASE_URL, dropped again by
 * `drop()` (bench/results.ts says how, with only `CREATEDB`); a drop that fails still closes
 * every connection and then throws, for the caller to report.
 */
export async function freshDatabase(adminUrl: string, name: string, poolMax = 4): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const admin = createDb({ url: adminUrl, poolMax: 1 });
  try {
    await dropDatabase(admin, name); // left over from a run that could not drop it
    await admin.raw(`create database ${name}`);
  } catch (err) {
    await admin.destroy();
    throw err;
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = createDb({ url, poolMax });
  return {
    db,
    url,
    async drop() {
      try {
        await db.destroy();
        await dropDatabase(admin, name);
      } finally {
        await admin.destroy();
      }
    },
  };
}

/**
 * Starts `node --import tsx <script>` from the repository root with its output in
 * bench/results/logs/<name>.log; resolves once `ready` matches a line of its stdout (or, with a
 * port, once the port answers).
 */
export async function startNode(name: string, script: string, opts: { env: NodeJS.ProcessEnv; args?: string[]; ready: RegExp | { port: number } }): Promise<Child & { firstLine?: string }> {
  fs.mkdirSync(logDir, { recursive: true });
  const log = fs.createWriteStream(path.join(logDir, `${name}.log`));
  // BENCH_CPU_PROFILE=1: each Node child writes a V8 CPU profile (open it in Chrome's DevTools) on a clean exit.
  const profile = process.env.BENCH_CPU_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(resultsDir, 'profiles', name)}`] : [];
  const proc = spawn(process.execPath, [...profile, '--import', 'tsx', script, ...(opts.args ?? [])], { cwd: repoRoot, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let matched: string | undefined;
  const ready = opts.ready;
  const lineWaiter = ready instanceof RegExp
    ? new Promise<string>((resolve, reject) => {
      let buffered = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (const line of buffered.split('\n').slice(0, -1)) if (!matched && ready.test(line)) resolve((matched = line));
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      proc.once('exit', (code) => reject(new Error(`${name} exited (code ${code}) before it was ready:\n${tail}`)));
    })
    : undefined;
  proc.stdout.on('data', (c: Buffer) => log.write(c));
  proc.stderr.on('data', (c: Buffer) => {
    log.write(c);
    tail = (tail + c.toString()).slice(-3000);
  });
  proc.once('exit', () => log.end());
  if (lineWaiter) {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} was not ready within 120 s:\n${tail}`)), 120_000).unref());
    await Promise.race([lineWaiter, timeout]);
  } else {
    await waitForPort('127.0.0.1', (ready as { port: number }).port, 120_000, proc);
  }
  return { name, proc, pid: proc.pid!, firstLine: matched };
}

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. A profiled child
 * gets a minute: writing its profiles on exit can take longer than the usual grace, and a killed
 * child writes none.
 */
export async function stopChild(c: Child, graceMs = process.env.BENCH_CPU_PROFILE === '1' ? 60_000 : 10_000): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.proc.once('exit', () => resolve()));
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Environment for a child: the parent's, with the configuration the stack decides. */
export function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = platformProcessEnv({ ...process.env, LOG_LEVEL: 'WARN', ...overrides });
  return env;
}

export interface Engine {
  address: string;
  devServer: Child;
  stop(): Promise<void>;
}

/** A Temporal dev server in memory on free ports, with the case search attributes. */
export async function startEngine(config: Config): Promise<Engine> {
  const cli = await ensureTemporalCli(config.cacheDir, config.temporalCliVersion, config.temporalCliPath);
  const port = await freePort();
  const uiPort = await freePort();
  fs.mkdirSync(logDir, { recursive: true });
  const proc = await startDevServer({ cli, port, uiPort, searchAttributes: devServerSearchAttributes, logFile: path.join(logDir, 'temporal.log') });
  const devServer: Child = { name: 'Temporal dev server', proc, pid: proc.pid! };
  return { address: `127.0.0.1:${port}`, devServer, stop: () => stopChild(devServer) };
}

export interface AppStack {
  baseUrl: string;
  apiPort: number;
  taskQueue: string;
  simulators: Child;
  simulatorUrls: Record<string, string>;
  worker: Child;
  api: Child;
  stop(): Promise<void>;
}

/**
 * A free loopback port below the kernel's ephemeral range, for the API, whose address the
 * simulators need before it starts. A port from `freePort()` lies inside that range, so another
 * process's `listen(0)` (the simulators start in between) or an outgoing connection could take it
 * before the API binds it; once the bench lost a run that way, its sign-in answered by a simulator.
 */
export async function portBelowEphemeralRange(): Promise<number> {
  let low = 32768;
  try {
    low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: the usual range
  }
  if (low - 20_000 < 1_000) return freePort(); // no room below the range: take the kernel's choice
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * (low - 20_000));
    if (await canListen(port)) return port;
  }
  return freePort();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port }, () => srv.close(() => resolve(true)));
  });
}

/** Throws unless what answers at `baseUrl` is the platform's API (its health answer), not another process on the port. */
async function confirmApi(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json().catch(() => undefined)) as { database?: unknown } | undefined;
  if (body?.database === undefined) throw new Error(`${baseUrl} is not the API (GET /api/health answered ${res.status})`);
}

/**
 * Simulators (calling back to the API), the worker and the API, each a process, against the
 * given engine and database. `workerScript` lets the supervision benchmark run its own worker.
 */
export async function startApp(opts: { config: Config; temporalAddress: string; databaseUrl: string; taskQueue: string; workerScript?: string; workerArgs?: string[]; namePrefix?: string }): Promise<AppStack> {
  const prefix = opts.namePrefix ?? '';
  const apiPort = await portBelowEphemeralRange();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const secret = opts.config.platformSecret;
  const started: Child[] = [];
  const stop = async () => {
    for (const c of [...started].reverse()) await stopChild(c);
  };
  try {
    const simulators = await startNode(`${prefix}simulators`, 'bench/sims-process.ts', { env: childEnv({}), args: [`${baseUrl}/api`, secret], ready: /^\{"urls"/ });
    started.push(simulators);
    const simulatorUrls = (JSON.parse(simulators.firstLine!) as { urls: Record<string, string> }).urls;
    const env = childEnv({
      DATABASE_URL: opts.databaseUrl,
      TEMPORAL_ADDRESS: opts.temporalAddress,
      TEMPORAL_TASK_QUEUE: opts.taskQueue,
      PLATFORM_SECRET: secret,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      ...Object.fromEntries(Object.entries(simulatorUrls).map(([p, url]) => [`${p.toUpperCase()}_URL`, url])),
    });
    // The platform's worker says it is ready on its health port (its start line is an INFO log line,
    // and the bench runs at WARN); the supervision benchmark's own worker prints a line.
    const workerHealthPort = await portBelowEphemeralRange();
    const worker = opts.workerScript
      ? await startNode(`${prefix}worker`, opts.workerScript, { env, args: opts.workerArgs, ready: /polling task queue/ })
      : await startNode(`${prefix}worker`, 'scripts/worker.ts', { env: { ...env, WORKER_HEALTH_PORT: String(workerHealthPort) }, args: opts.workerArgs, ready: { port: workerHealthPort } });
    started.push(worker);
    const api = await startNode(`${prefix}api`, 'scripts/api.ts', { env, ready: { port: apiPort } });
    started.push(api);
    await confirmApi(baseUrl);
    return { baseUrl, apiPort, taskQueue: opts.taskQueue, simulators, simulatorUrls, worker, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Migrates a fresh database and loads the sample catalogue, as `npm start` does. */
export async function prepareDatabase(db: Db, staffPassword: string): Promise<void> {
  await migrate(db);
  await seedSampleCatalogue(db, { staffPassword });
  // The benchmark's staff are robots signing in with the seeded password; no first-sign-in change.
  await db('staff_users').update({ must_change_password: false });
}
