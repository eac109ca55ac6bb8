/**
 * Obtains and runs the real Temporal servers, reproducibly and without committing binaries:
 * - the Temporal CLI (dev server with Web UI), built once with `go install` into the cache;
 * - Temporal's Java time-skipping test server, resolved once from Maven Central into the cache
 *   and started through a small wrapper script.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigError } from './errors';

const repoRoot = path.resolve(__dirname, '..');

export function say(msg: string): void {
  process.stderr.write(`[onewindow] ${msg}\n`);
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a long command, echoing its output lines and a heartbeat so the wait is visible. */
export function runWithProgress(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tick = setInterval(() => say(`${label}: still working (${Math.round((Date.now() - started) / 1000)} s)`), 20_000);
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      if (!opts.quiet) for (const line of text.split('\n')) if (line.trim()) say(`${label}: ${line.trim()}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      clearInterval(tick);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(tick);
      if (code === 0) resolve();
      else reject(new ConfigError(`${label} failed (exit ${code}); last output:\n${tail}`));
    });
  });
}

/**
 * Path of the Temporal CLI, building it on first use. Order: TEMPORAL_CLI_PATH if given, a
 * cached build, else `go install` from the Go module proxy into the cache.
 */
export async function ensureTemporalCli(cacheDir: string, version: string, explicitPath?: string): Promise<string> {
  if (explicitPath) {
    if (!fs.existsSync(explicitPath)) throw new ConfigError(`TEMPORAL_CLI_PATH=${explicitPath} does not exist; unset it to build the CLI, or point it at a temporal binary`);
    return explicitPath;
  }
  const binDir = path.join(cacheDir, 'temporal-cli', version);
  const bin = path.join(binDir, 'temporal');
  if (fs.existsSync(bin)) return bin;
  if (!hasCommand('go')) {
    throw new ConfigError('the Temporal CLI is not built and Go is not installed; install Go (https://go.dev) or set TEMPORAL_CLI_PATH to a temporal binary');
  }
  fs.mkdirSync(binDir, { recursive: true });
  say(`building the Temporal CLI ${version} with go install (first run only; several minutes on 2 cores)…`);
  await runWithProgress('go install', 'go', ['install', `github.com/temporalio/cli/cmd/temporal@${version}`], {
    ...process.env,
    GOBIN: binDir,
    GOFLAGS: '-mod=mod',
  });
  if (!fs.existsSync(bin)) throw new ConfigError(`go install finished but ${bin} is missing`);
  say(`Temporal CLI ready: ${bin}`);
  return bin;
}

/**
 * Path of an executable that starts the Java time-skipping test server as
 * `<exe> <port> --enable-time-skipping`, resolving its jars from Maven Central on first use.
 */
export async function ensureTestServer(cacheDir: string, version: string): Promise<string> {
  const dir = path.join(cacheDir, 'temporal-test-server', version);
  const lib = path.join(dir, 'lib');
  const classes = path.join(dir, 'classes');
  const wrapper = path.join(dir, 'temporal-test-server');
  const marker = path.join(lib, `temporal-test-server-${version}.jar`);
  const launcherSource = path.join(repoRoot, 'deploy', 'test-server', 'src', 'onewindow', 'TestServerAt.java');
  const launcherClass = path.join(classes, 'onewindow', 'TestServerAt.class');
  const launcherFresh = fs.existsSync(launcherClass) && fs.statSync(launcherClass).mtimeMs >= fs.statSync(launcherSource).mtimeMs;
  if (fs.existsSync(wrapper) && fs.existsSync(marker) && launcherFresh) return wrapper;
  for (const cmd of ['java', 'javac', 'mvn']) {
    if (!hasCommand(cmd)) throw new ConfigError(`the time-skipping test server needs ${cmd}; install a JDK 17+ and Maven`);
  }
  fs.mkdirSync(lib, { recursive: true });
  if (!fs.existsSync(marker)) await resolveJars(lib, version);
  // A small launcher of our own starts the same server with its clock at a chosen instant.
  await runWithProgress('javac', 'javac', ['-d', classes, '-cp', `${lib}/*`, launcherSource], process.env);
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\n# Temporal's Java test server: <port> [--enable-time-skipping] [--start-at <instant>]\nexec java -Xss2m -cp "${classes}:${lib}/*" onewindow.TestServerAt "$@"\n`,
    { mode: 0o755 },
  );
  say(`test server ready: ${wrapper}`);
  return wrapper;
}

async function resolveJars(lib: string, version: string): Promise<void> {
  say(`resolving Temporal's Java test server ${version} from Maven Central (first run only)…`);
  await runWithProgress('maven', 'mvn', [
    '-q', '-B',
    '-f', path.join(repoRoot, 'deploy', 'test-server', 'pom.xml'),
    `-Dtemporal.version=${version}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${lib}`,
  ], process.env);
  const marker = path.join(lib, `temporal-test-server-${version}.jar`);
  if (!fs.existsSync(marker)) throw new ConfigError(`maven finished but ${marker} is missing`);
}

/** Resolves when something accepts TCP connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(host: string, port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new ConfigError(`the process meant to listen on ${host}:${port} exited with code ${child.exitCode}`);
    if (await canConnect(host, port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new ConfigError(`nothing answered on ${host}:${port} within ${Math.round(timeoutMs / 1000)} s`);
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Throws a one-line ConfigError when the port is already taken. */
export async function assertPortFree(host: string, port: number, what: string, envName: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new ConfigError(`port ${port} (${what}) is already in use; stop whatever holds it or set ${envName} to another port`)
        : err);
    });
    srv.listen({ host, port }, () => srv.close(() => resolve()));
  });
}

/** A free TCP port on loopback, for tests. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface DevServerOptions {
  cli: string;
  port: number;
  uiPort: number;
  /** SQLite file for persistence; omit for an in-memory server (tests). */
  dbFile?: string;
  searchAttributes: readonly string[];
  /** Where the server's own log goes. */
  logFile?: string;
}

/** Starts `temporal server start-dev` and resolves once its frontend accepts connections. */
export async function startDevServer(opts: DevServerOptions): Promise<ChildProcess> {
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--log-level', 'warn',
    // Eager activity dispatch: a workflow task's completion hands its new activities straight back
    // to the worker that completed it, with no trip through matching (the SDK asks for it by default).
    '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
    ...opts.searchAttributes.flatMap((sa) => ['--search-attribute', sa]),
  ];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  else args.push('--headless');
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(opts.cli, args, { stdio: ['ignore', out, out] });
  await waitForPort('127.0.0.1', opts.port, 60_000, child);
  return child;
}
