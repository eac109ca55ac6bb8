/**
 * The platform on Temporal's production server, on one machine (`npm run cluster`,
 * `npm run test:cluster`): the Temporal services frontend, history (one or more), matching and
 * the internal worker as separate processes on PostgreSQL (databases `temporal` and
 * `temporal_visibility`, schemas applied with temporal-sql-tool), with history and visibility
 * archived to files; then the platform's simulators, workers and API processes, and nginx in
 * front of the APIs. Every process but the simulators is kept running by a Supervisor (a
 * process that dies is started again), and `stop()` ends them all.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { seedSampleCatalogue } from '../db/seed';
import { devServerSearchAttributes } from '../workflows/search-attributes';
import type { Config } from './config';
import { createDb, migrate, type Db } from './db';
import { dropDatabase } from './drop-database';
import { ConfigError } from './errors';
import { platformProcessEnv } from './process-env';
import { canConnect, ensureTemporalCli, runWithProgress, say } from './servers';
import { Supervisor } from './supervisor';

const repoRoot = path.resolve(__dirname, '..');
export const temporalServerVersion = 'v1.29.1';
export const clusterConfigRoot = path.join(repoRoot, 'deploy', 'cluster');
/** Temporal keeps each service's membership port in a smallint column (cluster_membership.rpc_port). */
export const maxClusterPort = 32_767;
/** Local namespaces cannot keep closed workflows for less than an hour (namespace.MinRetentionLocal). */
export const minimumRetention = '1h';

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  /** The module's folder (schemas) in the Go module cache. */
  moduleDir: string;
}

/** temporal-server and temporal-sql-tool, built once with `go install` into the cache. */
export async function ensureClusterBinaries(cacheDir: string): Promise<ClusterBinaries> {
  const binDir = path.join(cacheDir, 'temporal-server', temporalServerVersion);
  const server = path.join(binDir, 'server');
  const sqlTool = path.join(binDir, 'sql');
  const hasGo = spawnSync('sh', ['-c', 'command -v go'], { stdio: 'ignore' }).status === 0;
  if (!hasGo) {
    if (fs.existsSync(server) && fs.existsSync(sqlTool) && fs.existsSync(path.join(binDir, 'schema'))) {
      return { server, sqlTool, moduleDir: binDir };
    }
    throw new ConfigError('the Temporal server is not built and Go is not installed; install Go (https://go.dev)');
  }
  if (!fs.existsSync(server) || !fs.existsSync(sqlTool)) {
    fs.mkdirSync(binDir, { recursive: true });
    say(`building temporal-server and temporal-sql-tool ${temporalServerVersion} with go install (first run only; several minutes on 2 cores)…`);
    await runWithProgress('go install', 'go', ['install', `go.temporal.io/server/cmd/server@${temporalServerVersion}`, `go.temporal.io/server/cmd/tools/sql@${temporalServerVersion}`], {
      ...process.env,
      GOBIN: binDir,
      GOFLAGS: '-mod=mod',
    });
    if (!fs.existsSync(server) || !fs.existsSync(sqlTool)) throw new ConfigError(`go install finished but ${server} or ${sqlTool} is missing`);
    say(`Temporal server ready: ${binDir}`);
  }
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const moduleDir = path.join(modCache, 'go.temporal.io', `server@${temporalServerVersion}`);
  if (!fs.existsSync(path.join(moduleDir, 'schema'))) {
    // Built, but the module cache was cleaned since: fetch the module (its schemas) again.
    await runWithProgress('go mod download', 'go', ['mod', 'download', `go.temporal.io/server@${temporalServerVersion}`], { ...process.env, GOFLAGS: '-mod=mod' });
  }
  return { server, sqlTool, moduleDir };
}

interface DbTarget {
  host: string;
  port: string;
  user: string;
  password: string;
}

function dbTarget(databaseUrl: string): DbTarget {
  const u = new URL(databaseUrl);
  return { host: u.hostname || '127.0.0.1', port: u.port || '5432', user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

function urlFor(databaseUrl: string, name: string): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creates the two Temporal databases on the server of `databaseUrl` (its role needs CREATEDB)
 * when missing, and brings their schemas to the module's newest version with temporal-sql-tool.
 */
export async function prepareTemporalDatabases(bin: ClusterBinaries, databaseUrl: string, names: { temporal: string; visibility: string }, log: (line: string) => void): Promise<void> {
  const admin = createDb({ url: databaseUrl, poolMax: 1 });
  const t = dbTarget(databaseUrl);
  try {
    for (const [name, schema] of [[names.temporal, 'temporal'], [names.visibility, 'visibility']] as const) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new ConfigError(`database name ${name} has characters other than a-z, 0-9 and _`);
      const exists = (await admin('pg_database').where({ datname: name }).first<{ datname: string } | undefined>('datname')) !== undefined;
      if (!exists) {
        await admin.raw(`create database ${name}`);
        log(`created database ${name}`);
      }
      const db = createDb({ url: urlFor(databaseUrl, name), poolMax: 1 });
      let versioned: boolean;
      try {
        versioned = await db.schema.hasTable('schema_version');
      } finally {
        await db.destroy();
      }
      const tool = (args: string[]) => runWithProgress(`temporal-sql-tool ${name}`, bin.sqlTool, [
        '--plugin', 'postgres12', '--endpoint', t.host, '--port', t.port, '--user', t.user, '--database', name, ...args,
      ], { ...process.env, SQL_PASSWORD: t.password }, { quiet: true });
      if (!versioned) await tool(['setup-schema', '-v', '0.0']);
      await tool(['update-schema', '-d', path.join(bin.moduleDir, 'schema', 'postgresql', 'v12', schema, 'versioned')]);
    }
  } finally {
    await admin.destroy();
  }
}

/** Drops the two Temporal databases (tests). */
export async function dropTemporalDatabases(databaseUrl: string, names: string[]): Promise<void> {
  const admin = createDb({ url: databaseUrl, poolMax: 1 });
  try {
    // Not `with (force)` alone: it may not stop an autovacuum worker busy in a database (dropDatabase says why).
    for (const n of names) await dropDatabase(admin, n);
  } finally {
    await admin.destroy();
  }
}

export type TemporalService = 'frontend' | 'history' | 'matching' | 'worker';

/** Ports of one Temporal service process: gRPC, membership (ringpop), metrics; frontend also HTTP. */
interface ServicePorts {
  grpc: number;
  membership: number;
  metrics: number;
  http?: number;
}

export interface ClusterOptions {
  config: Config;
  /** The PostgreSQL server (its role needs CREATEDB); the app's database is this URL's. */
  databaseUrl: string;
  temporalDb: string;
  visibilityDb: string;
  /** Logs, archive, nginx files, the APIs' data folders. */
  runDir: string;
  /** First of the ports the cluster takes, one after the other: see `portsNeeded`. */
  portBase: number;
  /** nginx's port: the platform's address. */
  httpPort: number;
  historyProcesses?: number;
  workers?: number;
  apis?: number;
  namespace: string;
  taskQueue: string;
  /** Extra environment for the workers and the APIs. */
  appEnv?: Record<string, string>;
  log: (line: string) => void;
}

/** How many consecutive ports from `portBase` the cluster uses. */
export function portsNeeded(o: { historyProcesses?: number; workers?: number; apis?: number }): number {
  return 3 * (3 + (o.historyProcesses ?? 1)) + 1 + (o.workers ?? 2) + (o.apis ?? 2);
}

export interface Cluster {
  frontendAddress: string;
  /** nginx in front of the API processes. */
  baseUrl: string;
  apiUrls: string[];
  workerHealthUrls: string[];
  simulatorUrls: Record<string, string>;
  archiveDir: string;
  supervisor: Supervisor;
  /** Names of the supervised processes: `temporal history 1`, `worker 2`, `api 1`, `nginx`, … */
  names: string[];
  cli: string;
  stop(): Promise<void>;
}

function openLog(dir: string, name: string): number {
  return fs.openSync(path.join(dir, `${name.replace(/\s+/g, '-')}.log`), 'a');
}

/** Runs `temporal <args>` (the CLI) and returns its stdout; throws with its stderr. */
function cliRun(cli: string, args: string[]): string {
  const r = spawnSync(cli, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`temporal ${args.join(' ')}: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  return r.stdout;
}

async function retry<T>(what: string, timeoutMs: number, fn: () => T | Promise<T>, fatal?: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      fatal?.();
      last = err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  throw new ConfigError(`${what} did not succeed within ${Math.round(timeoutMs / 1000)} s: ${last instanceof Error ? last.message : String(last)}`);
}

/** Registers the namespace (archival on, minimum retention) and the case search attributes, when missing. */
export async function registerNamespace(cli: string, address: string, namespace: string, archiveDir: string): Promise<void> {
  const base = ['--address', address];
  await retry(`registering namespace ${namespace}`, 120_000, () => {
    const found = spawnSync(cli, ['operator', 'namespace', 'describe', ...base, '--namespace', namespace], { encoding: 'utf8', timeout: 30_000 });
    if (found.status === 0) return;
    cliRun(cli, ['operator', 'namespace', 'create', ...base, '--namespace', namespace, '--retention', minimumRetention,
      '--history-archival-state', 'enabled', '--history-uri', `file://${archiveDir}/history`,
      '--visibility-archival-state', 'enabled', '--visibility-uri', `file://${archiveDir}/visibility`]);
  });
  await retry(`registering search attributes on ${namespace}`, 120_000, () => {
    const listed = cliRun(cli, ['operator', 'search-attribute', 'list', ...base, '--namespace', namespace, '--output', 'json']);
    for (const sa of devServerSearchAttributes) {
      const [name, type] = sa.split('=');
      if (listed.includes(`"${name}"`)) continue;
      cliRun(cli, ['operator', 'search-attribute', 'create', ...base, '--namespace', namespace, '--name', name, '--type', type]);
    }
  });
  // Every service's namespace registry refreshes within seconds; the frontend answering a list is the sign.
  await retry(`listing workflows on ${namespace}`, 60_000, () => cliRun(cli, ['workflow', 'count', ...base, '--namespace', namespace]));
}

/** nginx in front of the API processes: round robin, a failed API retried on the other for idempotent requests. */
export function nginxConf(o: { port: number; apiPorts: number[]; prefix: string }): string {
  return `# Written by lib/cluster.ts for this run.
worker_processes 1;
pid ${o.prefix}/nginx.pid;
error_log ${o.prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${o.prefix}/client_body;
  proxy_temp_path ${o.prefix}/proxy;
  fastcgi_temp_path ${o.prefix}/fastcgi;
  uwsgi_temp_path ${o.prefix}/uwsgi;
  scgi_temp_path ${o.prefix}/scgi;
  client_max_body_size 1m;
  upstream onewindow_api {
${o.apiPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${o.port};
    location / {
      proxy_pass http://onewindow_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
    }
  }
}
`;
}

/** Migrates the app's database and loads the sample catalogue, as `npm start` does. */
export async function prepareAppDatabase(db: Db, staffPassword: string): Promise<string[]> {
  const applied = await migrate(db);
  await seedSampleCatalogue(db, { staffPassword });
  return applied;
}

/** Starts the whole cluster; on failure, stops what it started and throws. */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const historyN = o.historyProcesses ?? 1;
  const workerN = o.workers ?? 2;
  const apiN = o.apis ?? 2;
  const logDir = path.join(o.runDir, 'logs');
  const archiveDir = path.join(o.runDir, 'archive');
  fs.mkdirSync(logDir, { recursive: true });
  fs.mkdirSync(archiveDir, { recursive: true });

  if (o.portBase + portsNeeded(o) - 1 > maxClusterPort) throw new ConfigError(`the cluster's ports (${o.portBase}–${o.portBase + portsNeeded(o) - 1}) must stay at or below ${maxClusterPort}: Temporal stores membership ports as a smallint; choose a lower --port-base`);
  const free = [];
  for (let p = o.portBase; p < o.portBase + portsNeeded(o); p++) if (await canConnect('127.0.0.1', p)) free.push(p);
  if (free.length) throw new ConfigError(`port(s) ${free.join(', ')} are already in use; stop whatever holds them or choose other ports (--port-base)`);
  if (await canConnect('127.0.0.1', o.httpPort)) throw new ConfigError(`port ${o.httpPort} (nginx) is already in use; stop whatever holds it or choose another (--port)`);
  if (spawnSync('sh', ['-c', 'command -v nginx'], { stdio: 'ignore' }).status !== 0) throw new ConfigError('nginx is not installed; install it (Debian: apt-get install -y nginx)');

  const bin = await ensureClusterBinaries(o.config.cacheDir);
  const cli = await ensureTemporalCli(o.config.cacheDir, o.config.temporalCliVersion, o.config.temporalCliPath);
  await prepareTemporalDatabases(bin, o.databaseUrl, { temporal: o.temporalDb, visibility: o.visibilityDb }, o.log);

  let next = o.portBase;
  const take = () => next++;
  const svc = (http = false): ServicePorts => ({ grpc: take(), membership: take(), metrics: take(), ...(http ? { http: 0 } : {}) });
  const frontend = svc(true);
  const matching = svc();
  const internalWorker = svc();
  const histories = Array.from({ length: historyN }, () => svc());
  frontend.http = take();
  const workerHealthPorts = Array.from({ length: workerN }, take);
  const apiPorts = Array.from({ length: apiN }, take);

  const t = dbTarget(o.databaseUrl);
  const temporalEnv = (own: { service: TemporalService; ports: ServicePorts }): NodeJS.ProcessEnv => {
    const of = (s: TemporalService, p: ServicePorts) => (own.service === s ? own.ports : p);
    const f = of('frontend', frontend);
    const h = of('history', histories[0]);
    const m = of('matching', matching);
    const w = of('worker', internalWorker);
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_DB: o.temporalDb,
      TEMPORAL_VISIBILITY_DB: o.visibilityDb,
      TEMPORAL_DB_HOST: t.host,
      TEMPORAL_DB_PORT: t.port,
      TEMPORAL_DB_USER: t.user,
      TEMPORAL_DB_PASSWORD: t.password,
      TEMPORAL_ARCHIVE_DIR: archiveDir,
      TEMPORAL_DYNAMIC_CONFIG: path.join(clusterConfigRoot, 'config', 'dynamicconfig.yaml'),
      TEMPORAL_METRICS_PORT: String(own.ports.metrics),
      FRONTEND_GRPC_PORT: String(frontend.grpc),
      FRONTEND_MEMBERSHIP_PORT: String(f.membership),
      FRONTEND_HTTP_PORT: String(frontend.http),
      HISTORY_GRPC_PORT: String(h.grpc),
      HISTORY_MEMBERSHIP_PORT: String(h.membership),
      MATCHING_GRPC_PORT: String(m.grpc),
      MATCHING_MEMBERSHIP_PORT: String(m.membership),
      WORKER_GRPC_PORT: String(w.grpc),
      WORKER_MEMBERSHIP_PORT: String(w.membership),
    };
  };

  const supervisor = new Supervisor({ log: (line) => o.log(line.replace(/^cluster: /, '')), label: 'cluster', stopGraceMs: 20_000 });
  const names: string[] = [];
  let simulators: ChildProcess | undefined;
  // However this process ends (an uncaught error, process.exit from a signal handler), no
  // child outlives it: the last resort is SIGKILL from the 'exit' event.
  const killAll = () => {
    for (const n of names) supervisor.current(n)?.kill('SIGKILL');
    simulators?.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async () => {
    await supervisor.stop();
    process.removeListener('exit', killAll);
    if (simulators && simulators.exitCode === null && simulators.signalCode === null) {
      const sims = simulators;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { sims.kill('SIGKILL'); resolve(); }, 10_000);
        sims.once('exit', () => { clearTimeout(timer); resolve(); });
        sims.kill('SIGTERM');
      });
    }
  };
  const add = (name: string, start: () => ChildProcess) => {
    names.push(name);
    return supervisor.add(name, start);
  };

  try {
    const temporal: { name: string; service: TemporalService; ports: ServicePorts }[] = [
      { name: 'temporal frontend', service: 'frontend', ports: frontend },
      ...histories.map((ports, i) => ({ name: `temporal history ${i + 1}`, service: 'history' as const, ports })),
      { name: 'temporal matching', service: 'matching', ports: matching },
      { name: 'temporal worker', service: 'worker', ports: internalWorker },
    ];
    for (const s of temporal) {
      add(s.name, () => {
        const out = openLog(logDir, s.name);
        const child = spawn(bin.server, ['--root', clusterConfigRoot, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start', '--service', s.service], {
          env: temporalEnv(s), stdio: ['ignore', out, out],
        });
        fs.closeSync(out);
        return child;
      });
    }
    const frontendAddress = `127.0.0.1:${frontend.grpc}`;
    // A service that keeps exiting while the cluster comes up has a configuration problem: say which, with its log.
    const crashing = () => {
      const bad = temporal.find((s) => supervisor.restarts(s.name) >= 2);
      if (!bad) return;
      const log = path.join(logDir, `${bad.name.replace(/\s+/g, '-')}.log`);
      const tail = fs.readFileSync(log, 'utf8').split('\n').filter((l) => /"level":"(fatal|error)"|^[^{]/.test(l)).slice(-3).join('\n').slice(0, 1500);
      throw new ConfigError(`${bad.name} keeps exiting while the cluster starts; see ${log}:\n${tail}`);
    };
    await retry('the Temporal frontend accepting connections', 120_000, async () => {
      crashing();
      if (!(await canConnect('127.0.0.1', frontend.grpc))) throw new Error(`nothing on ${frontendAddress} yet`);
    }, crashing);
    await retry('the cluster answering SERVING', 120_000, () => {
      crashing();
      const out = cliRun(cli, ['operator', 'cluster', 'health', '--address', frontendAddress]);
      if (!out.includes('SERVING')) throw new Error(out.trim());
    });
    await registerNamespace(cli, frontendAddress, o.namespace, archiveDir);
    o.log(`Temporal cluster serving on ${frontendAddress} (namespace ${o.namespace}, retention ${minimumRetention}, archive ${archiveDir})`);

    const baseUrl = `http://127.0.0.1:${o.httpPort}`;
    const simsOut = openLog(logDir, 'simulators');
    simulators = spawn(process.execPath, ['--import', 'tsx', 'bench/sims-process.ts', `${baseUrl}/api`, o.config.platformSecret], { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', simsOut] });
    fs.closeSync(simsOut);
    const sims = simulators;
    const simulatorUrls = await new Promise<Record<string, string>>((resolve, reject) => {
      let buf = '';
      sims.stdout!.on('data', (c: Buffer) => {
        buf += c.toString();
        const line = buf.split('\n').find((l) => l.startsWith('{"urls"'));
        if (line) resolve((JSON.parse(line) as { urls: Record<string, string> }).urls);
      });
      sims.once('exit', (code) => reject(new ConfigError(`the simulators exited (code ${code}); see ${logDir}/simulators.log`)));
    });

    // The parent's environment without NODE_ENV (a web build in this process sets it to production);
    // the children are in production mode exactly when the configuration is.
    const { NODE_ENV: _nodeEnv, ...inherited } = process.env;
    const appEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => platformProcessEnv({
      ...inherited,
      ...(o.config.production ? { NODE_ENV: 'production' } : {}),
      LOG_LEVEL: 'WARN',
      DATABASE_URL: o.databaseUrl,
      TEMPORAL_ADDRESS: frontendAddress,
      TEMPORAL_NAMESPACE: o.namespace,
      TEMPORAL_TASK_QUEUE: o.taskQueue,
      PLATFORM_SECRET: o.config.platformSecret,
      HOST: '127.0.0.1',
      TRUST_PROXY: 'loopback',
      // Several workers and APIs on one host: each /metrics listener on a port the system picks (logged at start).
      METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      ...Object.fromEntries(Object.entries(simulatorUrls).map(([p, url]) => [`${p.toUpperCase()}_URL`, url])),
      ...o.appEnv,
      ...extra,
    });
    const node = (name: string, script: string, env: NodeJS.ProcessEnv) => () => {
      const out = openLog(logDir, name);
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env, stdio: ['ignore', out, out] });
      fs.closeSync(out);
      return child;
    };
    for (let i = 0; i < workerN; i++) {
      const name = `worker ${i + 1}`;
      add(name, node(name, 'scripts/worker.ts', appEnv({ WORKER_HEALTH_PORT: String(workerHealthPorts[i]), DATA_DIR: path.join(o.runDir, `worker-${i + 1}`) })));
    }
    for (let i = 0; i < apiN; i++) {
      const name = `api ${i + 1}`;
      add(name, node(name, 'scripts/api.ts', appEnv({ PORT: String(apiPorts[i]), DATA_DIR: path.join(o.runDir, `api-${i + 1}`) })));
    }
    const prefix = path.join(o.runDir, 'nginx');
    fs.mkdirSync(prefix, { recursive: true });
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), nginxConf({ port: o.httpPort, apiPorts, prefix }));
    add('nginx', () => {
      const out = openLog(logDir, 'nginx');
      const child = spawn('nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', out, out] });
      fs.closeSync(out);
      return child;
    });
    for (let i = 0; i < workerN; i++) await waitForReady(`http://127.0.0.1:${workerHealthPorts[i]}/ready`, 180_000, `worker ${i + 1}`, logDir);
    for (let i = 0; i < apiN; i++) await waitForReady(`http://127.0.0.1:${apiPorts[i]}/api/health`, 120_000, `api ${i + 1}`, logDir);
    await waitForReady(`${baseUrl}/api/health`, 30_000, 'nginx', logDir);
    return {
      frontendAddress,
      baseUrl,
      apiUrls: apiPorts.map((p) => `http://127.0.0.1:${p}`),
      workerHealthUrls: workerHealthPorts.map((p) => `http://127.0.0.1:${p}`),
      simulatorUrls,
      archiveDir,
      supervisor,
      names,
      cli,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves once `url` answers 200. */
export async function waitForReady(url: string, timeoutMs: number, what: string, logDir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new ConfigError(`${what} was not ready within ${Math.round(timeoutMs / 1000)} s (${url}); see ${logDir}`);
}

export const helmVersion = 'v3.22.0';

/** helm, built once with `go install` into the cache (to lint and render deploy/helm/onewindow). */
export async function ensureHelm(cacheDir: string): Promise<string> {
  const binDir = path.join(cacheDir, 'helm', helmVersion);
  const bin = path.join(binDir, 'helm');
  if (fs.existsSync(bin)) return bin;
  if (spawnSync('sh', ['-c', 'command -v go'], { stdio: 'ignore' }).status !== 0) throw new ConfigError('helm is not built and Go is not installed; install Go (https://go.dev)');
  fs.mkdirSync(binDir, { recursive: true });
  say(`building helm ${helmVersion} with go install (first run only; a few minutes on 2 cores)…`);
  await runWithProgress('go install', 'go', ['install', `helm.sh/helm/v3/cmd/helm@${helmVersion}`], { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' });
  if (!fs.existsSync(bin)) throw new ConfigError(`go install finished but ${bin} is missing`);
  return bin;
}

/**
 * The first of `count` consecutive ports nothing listens on, from a random start (tests and the
 * benchmark; the cluster's ports are fixed in its configuration since membership needs them known).
 */
export async function freePortRun(count: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * (maxClusterPort - 20_000 - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (!(await Promise.all(ports.map((p) => canConnect('127.0.0.1', p)))).some(Boolean)) return base;
  }
  throw new ConfigError(`found no ${count} free consecutive ports between 20000 and ${maxClusterPort}`);
}
