/**
 * Integration harness: the real stack in this process against the run's real servers. A worker
 * with real activities on its own task queue, the API app on a free port, spoken to over HTTP.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createServer, type Server } from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArchiveWriter } from '../api/services/archive';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { closeGracefully } from '../lib/graceful-close';
import { CaseWatch, listenConnectionOf } from '../api/services/case-watch';
import { answerClientErrors } from '../api/problem';
import { createDb, type Db } from '../lib/db';
import { createPlatforms } from '../lib/platforms';
import type { CallbackRetry } from '../simulators/kit';
import { startAllSimulators, type AllSimulators } from '../simulators/run-all';
import { workflowBundleOptions } from '../worker/worker';
import { ensureSupervisionSweep, supervisionSweepId } from '../lib/supervision-sweep';
import { ctx, starts, teardowns, testStaffPassword } from './context';
import { RateLimiter } from '../api/auth/rate-limit';
import { unseal } from '../api/auth/secrets';
import { WebhookDispatcher } from '../lib/webhooks';
import { ExchangeDispatcher } from '../lib/exchange/dispatcher';
import { signRequest, type NewApiKey } from '../api/auth/api-keys';
import { journalSinks } from '../worker/journal-sink';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The bundler's logger in tests: errors only. */
export const silent = { log: () => undefined, info: () => undefined, warn: () => undefined, error: console.error, debug: () => undefined, trace: () => undefined };

/** Workflow code bundled once per run and shared by every test worker. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...workflowBundleOptions(), logger: silent });
  return bundle;
}

/** What a stack is made of, kept on it so that the shared stack can open an API app per suite. */
const partsOf = Symbol('stack parts');

export interface Stack {
  baseUrl: string;
  secretKey: string;
  /** Sent with every `http()` call unless the call names its own; set by a test file for its usual caller. */
  defaultHeaders: Record<string, string>;
  db: Db;
  client: Client;
  taskQueue: string;
  sims: AllSimulators;
  /** The approval archive's store of this stack (a temporary folder, removed when the stack stops). */
  archiveDir: string;
  /** The API app's case watch (the waits of GET /api/cases/{caseNo}?wait=). */
  caseWatch: CaseWatch;
  /** Stops a stack of its own; on the shared stack, closes the suite's API app only. */
  stop(): Promise<void>;
  [partsOf]?: StackParts;
}

let counter = 0;

export const platformSecret = 'test-platform-secret';
export const secretKey = 'test-secret-key';

/**
 * The platform simulators (calling back to the API's port), the API, then a worker whose
 * activities reach the simulators over HTTP.
 */
export interface StackOptions {
  /** The database the API and the worker use (e.g. through a proxy a test can stop); the run's test database otherwise. */
  databaseUrl?: string;
  /** How soon a case first asks a platform itself when a callback is late. */
  followUpFirstAskMs?: number;
  /**
   * How the simulators retry callbacks the API did not take. Default here: the quick tries only,
   * then they give up (a lost callback stays lost, so a test sees the case find out by itself);
   * pass e.g. `{ initialDelayMs: 200 }` for the platforms' realistic retries from the outbox.
   */
  callbackRetry?: Partial<CallbackRetry>;
}

interface StackParts {
  db: Db;
  client: Client;
  taskQueue: string;
  sims: AllSimulators;
  platforms: ReturnType<typeof createPlatforms>;
  followUpFirstAskMs?: number;
  archiveDir: string;
  /** The database's URL, for the case watch's LISTEN connection. */
  databaseUrl: string;
}

/**
 * A server listening on a port the system chose (port 0), before it has an app: the port is held
 * from the start, so nothing else (an outgoing connection, another suite's listener) can take it
 * between choosing and listening, which a port chosen by `freePort()` and opened later could lose.
 */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('the test API server has no port');
  return { server, port: addr.port };
}

/** An API app over the stack's parts, with its own rate limiter (sign-in delays, integrator buckets), on a held port or a new one. */
async function openApi(parts: StackParts, held?: { server: Server; port: number }): Promise<{ baseUrl: string; caseWatch: CaseWatch; close(): Promise<void> }> {
  const { server, port } = held ?? await holdPort();
  const caseWatch = new CaseWatch({ connection: listenConnectionOf(parts.databaseUrl, ctx.embeddedDb) });
  const app = createApp({
    db: parts.db, client: parts.client, taskQueue: parts.taskQueue, platformSecret, secretKey, certificates: parts.platforms.certificates, identity: parts.platforms.identity, notifier: parts.platforms.notifier,
    limiter: new RateLimiter(), followUpFirstAskMs: parts.followUpFirstAskMs, paymentCashierUrl: `${parts.sims.urls.payment}/cashier`, archiveDir: parts.archiveDir, caseWatch,
  });
  server.on('request', app);
  return { baseUrl: `http://127.0.0.1:${port}`, caseWatch, close: async () => {
    await caseWatch.stop();
    // Kept-alive connections (a browser page left open) are closed too, so no request of this
    // suite's API reaches the shared stack's Temporal client after the stack has closed it.
    await closeGracefully(server, 1_000);
  } };
}

/**
 * A stack of its own. Most suites take the shared one (`sharedStack()`); this is for a suite that
 * needs what the shared stack cannot give: its own database path (to stop it), its own options,
 * or to stop the worker or the API. It runs alone: the shared stack, if up, is stopped first (the
 * next suite that asks starts it again), so no other worker touches the database meanwhile (the
 * embedded PGlite serves one session, and a suite of faults wants a quiet engine).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  await stopSharedStack();
  return buildStack(options);
}

async function buildStack(options: StackOptions): Promise<Stack> {
  starts.stacks += 1;
  const db = createDb({ url: options.databaseUrl ?? ctx.databaseUrl, embedded: ctx.embeddedDb });
  const taskQueue = `it-${process.pid}-${++counter}`;
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  // Calls in flight (an API request's query for a page just closed) are waited for before the
  // worker and the connection close: a call cut by the close is retried by the client on a timer,
  // which then throws into whatever test runs next. Every call of the workflow service is counted.
  const inFlight = new Set<Promise<unknown>>();
  let lastCall = 0;
  const service = connection.workflowService;
  Object.defineProperty(connection, 'workflowService', {
    value: new Proxy(service, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const out = (v as (...a: unknown[]) => unknown).apply(target, args);
          if (!(out instanceof Promise)) return out;
          inFlight.add(out);
          lastCall = Date.now();
          void out.catch(() => undefined).finally(() => {
            inFlight.delete(out);
            lastCall = Date.now();
          });
          return out;
        };
      },
    }),
  });
  const client = new Client({ connection });
  /** Until no call has been in flight for 300 ms (a handler may still be on its way to one), 15 s at most. */
  const callsSettled = async () => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (inFlight.size > 0 || Date.now() - lastCall < 300)) await new Promise((r) => setTimeout(r, 50));
  };
  // The simulators call back to the API, so the API's port is taken first (its app comes later).
  const held = await holdPort();
  const baseUrl = `http://127.0.0.1:${held.port}`;
  const sims = await startAllSimulators({ secret: platformSecret, callbackBaseUrl: `${baseUrl}/api`, callbackRetry: options.callbackRetry ?? { giveUpAfterMs: 0 } });
  const departmentCodes = (await db('departments').pluck('code')) as string[];
  const platforms = createPlatforms({ urls: sims.urls, secret: platformSecret, departmentCodes, timeoutMs: 5_000, retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 } });
  const archiveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-archive-'));
  const parts: StackParts = { db, client, taskQueue, sims, platforms, followUpFirstAskMs: options.followUpFirstAskMs, archiveDir, databaseUrl: options.databaseUrl ?? ctx.databaseUrl };
  const api = await openApi(parts, held);
  const nativeConnection = await NativeConnection.connect({ address: ctx.temporalAddress });
  const activities = createActivities({ db, platforms });
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities, sinks: journalSinks(activities) });
  const running = worker.run();
  // 电子监察's sweep, as the worker process ensures it (sweeping every half second here).
  await ensureSupervisionSweep(client, taskQueue, 500);
  const webhooks = new WebhookDispatcher({ db, unsealSecret: (v) => unseal(secretKey, v), pollMs: 100, baseDelayMs: 200 });
  webhooks.start();
  // 同源发布 as the worker process runs it (the daily reconciliation is left to the tests that want it).
  const exchange = new ExchangeDispatcher({ db, province: platforms.province, pollMs: 100, baseDelayMs: 100, maxDelayMs: 1_000, dailyReconciliation: false });
  exchange.start();
  // 审批档案: closed cases get their sealed packages, as in the worker process.
  const archive = new ArchiveWriter({ db, client, archiveDir, secretKey, pollMs: 200 });
  archive.start();
  return {
    baseUrl,
    secretKey,
    defaultHeaders: {},
    db,
    client,
    taskQueue,
    sims,
    async stop() {
      await api.close();
      await webhooks.stop();
      await exchange.stop();
      await archive.stop();
      await callsSettled();
      await client.workflow.getHandle(supervisionSweepId(taskQueue)).terminate('test stack stopped').catch(() => undefined);
      worker.shutdown();
      await running;
      await sims.close();
      await nativeConnection.close();
      await connection.close();
      await db.destroy();
      fs.rmSync(archiveDir, { recursive: true, force: true });
    },
    archiveDir,
    caseWatch: api.caseWatch,
    [partsOf]: parts,
  };
}

let shared: Promise<Stack> | undefined;

/**
 * The stack shared by the HTTP suites of this mocha process: its worker, simulators, database
 * pool and Temporal client are started by the first suite that asks and stopped at the end of the
 * run (test/global-fixtures.ts), or when a suite starts a stack of its own. Each call gives the suite its own API app on its own port (own
 * rate limiter and sign-in delays, own `defaultHeaders`), closed by the suite's `stack.stop()`.
 * Suites keep apart by their data: their own case numbers, applicants, items and keys.
 *
 * ```ts
 * before(async () => { stack = await sharedStack(); });
 * after(async () => { await stack?.stop(); });
 * ```
 */
export async function sharedStack(): Promise<Stack> {
  if (!shared) {
    const started = buildStack({});
    shared = started;
    started.catch(() => { if (shared === started) shared = undefined; });
  }
  const base = await shared;
  starts.suiteApis += 1;
  const api = await openApi(base[partsOf]!);
  return { ...base, baseUrl: api.baseUrl, caseWatch: api.caseWatch, defaultHeaders: {}, stop: () => api.close(), [partsOf]: undefined };
}

/** Stops the shared stack if it is up (at the end of the run, or before a stack of its own starts). */
async function stopSharedStack(): Promise<void> {
  const s = shared;
  shared = undefined;
  const stack = await s?.catch(() => undefined);
  await stack?.stop();
}
teardowns.push(stopSharedStack);

export interface HttpResult<T = any> {  
  status: number;
  headers: Record<string, string>;
  contentType: string;
  body: T;
}

/**
 * A JSON request over real HTTP. `body` may be a string to send it unparsed. A header given as
 * '' is left out (so `{ authorization: '' }` calls anonymously despite the stack's default).
 */
export async function http<T = any>(stack: Stack, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {  
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: Object.fromEntries(Object.entries({ ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...stack.defaultHeaders, ...headers }).filter(([, v]) => v !== '')),
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), contentType: res.headers.get('content-type') ?? '', body: parsed as T };
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

const staffTokens = new Map<string, string>();

/** Forgets the staff sessions `asStaff` keeps for a stack: after a test has signed them out, the next call signs in again. */
export function forgetStaffSessions(stack: Stack): void {
  for (const key of [...staffTokens.keys()]) if (key.startsWith(`${stack.baseUrl}|`)) staffTokens.delete(key);
}

/** Headers of a signed-in staff member (one session per user per run, over the real login route). */
export async function asStaff(stack: Stack, userId: string): Promise<Record<string, string>> {
  const cacheKey = `${stack.baseUrl}|${userId}`;
  let token = staffTokens.get(cacheKey);
  if (!token) {
    const res = await http<{ token: string }>(stack, 'POST', '/api/auth/login', { username: userId, password: testStaffPassword });
    if (res.status !== 200) throw new Error(`sign-in of ${userId} failed: ${res.status} ${JSON.stringify(res.body)}`);
    token = res.body.token;
    staffTokens.set(cacheKey, token);
  }
  return { authorization: `Bearer ${token}` };
}

/**
 * Headers of a signed-in applicant, through the real SMS sign-in: the identity simulator's log
 * shows the code it "sent", as the phone would.
 */
export async function asApplicant(stack: Stack, person: { idNumber: string; name: string; phone: string }): Promise<Record<string, string>> {
  const sent = await http<{ requestId: string }>(stack, 'POST', '/api/auth/applicant/sms', person);
  if (sent.status !== 201) throw new Error(`SMS sign-in of ${person.name} failed: ${sent.status} ${JSON.stringify(sent.body)}`);
  const code = await smsCodeOf(stack, sent.body.requestId);
  const res = await http<{ token: string }>(stack, 'POST', '/api/auth/applicant/login', { requestId: sent.body.requestId, code });
  if (res.status !== 200) throw new Error(`SMS code of ${person.name} refused: ${res.status} ${JSON.stringify(res.body)}`);
  return { authorization: `Bearer ${res.body.token}` };
}

/** The code the identity simulator sent for an SMS request, from its effect log. */
export async function smsCodeOf(stack: Stack, requestId: string): Promise<string> {
  const res = await fetch(`${stack.sims.urls.identity}/_control/log`);
  const { entries } = (await res.json()) as { entries: { kind: string; what: string; detail: { requestId?: string; code?: string } }[] };
  const sent = entries.find((e) => e.kind === 'effect' && e.what === 'sms-code.sent' && e.detail.requestId === requestId);
  if (!sent?.detail.code) throw new Error(`no SMS code was sent for ${requestId}`);
  return sent.detail.code;
}

/** Issues an integrator key through the admin route. */
export async function newApiKey(stack: Stack, scopes: string[], ratePerMinute?: number): Promise<NewApiKey> {
  const res = await http<NewApiKey>(stack, 'POST', '/api/admin/api-keys', { name: `test key ${++counter}`, scopes, ...(ratePerMinute ? { ratePerMinute } : {}) }, await asStaff(stack, 'ops-jiang'));
  if (res.status !== 201) throw new Error(`issuing an API key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A request signed with an integrator key. */
export function asIntegrator(key: NewApiKey, method: string, path: string, body?: unknown): Record<string, string> {
  return signRequest(key, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
}

/** Headers of a clerk at the hall that accepts `implementationCode` (its department's hall). */
export async function asClerkFor(stack: Stack, implementationCode: string): Promise<Record<string, string>> {
  const hall = await stack.db('implementations as i').join('departments as d', 'd.code', 'i.department_code')
    .where('i.code', implementationCode).first<{ hall: string } | undefined>(stack.db.raw('coalesce(d.hall_code, d.code) as hall'));
  if (!hall) throw new Error(`no implementation ${implementationCode}`);
  const clerk = await stack.db('staff_users').where({ department_code: hall.hall }).whereRaw(`'clerk' = any(roles)`).first<{ id: string } | undefined>('id');
  if (!clerk) throw new Error(`no clerk at hall ${hall.hall}`);
  return asStaff(stack, clerk.id);
}

/**
 * Puts every sample entry back in service: suites on the shared database (the contract test's
 * generated requests, the catalogue tests) may have suspended or cancelled one, or left it
 * without a published version. A suite that files every sample item calls this first.
 */
export async function restoreSampleCatalogue(stack: Stack, codes: string[]): Promise<void> {
  for (const code of codes) {
    const published = await stack.db('implementation_versions').where({ implementation_code: code, state: 'published' }).first<{ version: number } | undefined>('version');
    if (published) continue;
    const latest = await stack.db('implementation_versions').where({ implementation_code: code }).whereNot({ state: 'draft' }).max<{ v: number | null }[]>('version as v');
    const v = latest[0]?.v;
    if (v != null) await stack.db('implementation_versions').where({ implementation_code: code, version: v }).update({ state: 'published' });
  }
}
