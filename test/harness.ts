/**
 * Integration harness: the real stack in this process against the run's real servers. A worker
 * with real activities on its own task queue, the API app on a free port, spoken to over HTTP.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Server } from 'node:http';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { createDb, type Db } from '../lib/db';
import { createPlatforms } from '../lib/platforms';
import { freePort } from '../lib/servers';
import { startAllSimulators, type AllSimulators } from '../simulators/run-all';
import { workflowsPath } from '../worker/worker';
import { ctx } from './context';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Workflow code bundled once per run and shared by every test worker. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: { log: () => undefined, info: () => undefined, warn: () => undefined, error: console.error, debug: () => undefined, trace: () => undefined } });
  return bundle;
}

export interface Stack {
  baseUrl: string;
  db: Db;
  client: Client;
  taskQueue: string;
  sims: AllSimulators;
  stop(): Promise<void>;
}

let counter = 0;

export const platformSecret = 'test-platform-secret';

/**
 * The platform simulators (calling back to the API's port), the API, then a worker whose
 * activities reach the simulators over HTTP.
 */
export async function startStack(): Promise<Stack> {
  const db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
  const taskQueue = `it-${process.pid}-${++counter}`;
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  const client = new Client({ connection });
  // The simulators call back to the API, so the API's port is chosen first.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const sims = await startAllSimulators({ secret: platformSecret, callbackBaseUrl: `${baseUrl}/api` });
  const departmentCodes = (await db('departments').pluck('code')) as string[];
  const platforms = createPlatforms({ urls: sims.urls, secret: platformSecret, departmentCodes, timeoutMs: 5_000, retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 } });
  const server: Server = createApp({ db, client, taskQueue, platformSecret, certificates: platforms.certificates }).listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const nativeConnection = await NativeConnection.connect({ address: ctx.temporalAddress });
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: createActivities({ db, platforms }) });
  const running = worker.run();
  return {
    baseUrl,
    db,
    client,
    taskQueue,
    sims,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      worker.shutdown();
      await running;
      await sims.close();
      await nativeConnection.close();
      await connection.close();
      await db.destroy();
    },
  };
}

export interface HttpResult<T = any> {  
  status: number;
  contentType: string;
  body: T;
}

/** A JSON request over real HTTP. `body` may be a string to send it unparsed. */
export async function http<T = any>(stack: Stack, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {  
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed as T };
}

/** Polls until `probe` returns a value, for read-model projections that land asynchronously. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
