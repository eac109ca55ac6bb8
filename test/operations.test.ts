/**
 * What an operator sees of one case, on real processes: `npm run api` and `npm run worker` as
 * child processes (against the run's PostgreSQL and Temporal dev server, the platforms'
 * simulators in this process), an OTLP/HTTP receiver here on port 0, and one case filed over HTTP
 * and driven to its certificate. Then:
 * - both /metrics listeners answer with every family the README lists, the case counted once per
 *   stage and its platform calls counted, and the Temporal SDK's own worker metrics;
 * - the JSON log lines of both processes follow the case by its request id and case number from
 *   the filing request to the certificate, with no unmasked ID number or phone anywhere;
 * - one trace runs from the filing request through the workflow and its first activity to the
 *   identity platform's HTTP call, whose request carried that trace's `traceparent`.
 */
import { expect } from 'chai';
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../lib/db';
import { temporalSdkMetrics } from '../lib/metrics';
import { startAllSimulators, type AllSimulators } from '../simulators/run-all';
import { readFormFolder } from '../lib/forms';
import { caseViewQuery } from '../workflows/definitions';
import { ctx } from './context';
import { driveToCompletion } from './drive-case';
import { asClerkFor, asStaff, http as call, platformSecret, restoreSampleCatalogue, secretKey, type Stack } from './harness';

const repoRoot = path.resolve(__dirname, '..');
const implementationCode = 'XK-330000-00001.xh-scjg';
const person = { kind: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' };

interface LogLine { service: string; level: string; msg: string; requestId?: string; caseNo?: string; operation?: string; actor?: string; [k: string]: unknown }

/** A child process whose stdout is JSON lines, kept parsed. */
class Proc {
  readonly lines: LogLine[] = [];
  raw = '';
  stderr = '';
  private rest = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (c: Buffer) => {
      const text = this.rest + c.toString();
      this.raw += c.toString();
      const parts = text.split('\n');
      this.rest = parts.pop() ?? '';
      for (const p of parts) {
        if (!p.trim()) continue;
        try {
          this.lines.push(JSON.parse(p) as LogLine);
        } catch {
          this.lines.push({ service: '?', level: 'unparsed', msg: p });
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => { this.stderr += c.toString(); });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  async waitFor(test: (l: LogLine) => boolean, what: string, ms = 150_000): Promise<LogLine> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const found = this.lines.find(test);
      if (found) return found;
      if (this.child.exitCode !== null) throw new Error(`${what}: the process exited (${this.child.exitCode}): ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: { key: string; value: { stringValue?: string } }[] }
interface OtlpBody { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[] }

/** The value of one sample line `name{labels} value` (every label given must match). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const braces = /^[^{ ]+(?:\{(.*)\})? (\S+)/.exec(line);
    if (!braces) continue;
    const have = Object.fromEntries([...(braces[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(braces[2]);
  }
  return undefined;
}

/** Sum of every sample of `name` whose labels match. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe('operating one case: metrics, logs and traces of the API and worker processes', function () {
  this.timeout(300_000);
  let db: Db;
  let sims: AllSimulators;
  let api: Proc;
  let worker: Proc;
  let apiBase: string;
  let apiMetrics: string;
  let workerMetrics: string;
  let caseNo: string;
  const requestId = `it-ops-${crypto.randomUUID()}`;
  const otlp: OtlpBody[] = [];
  const identityHeaders: http.IncomingHttpHeaders[] = [];
  const servers: http.Server[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-ops-'));

  before(async () => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
    // The OTLP/HTTP receiver: JSON bodies of POST /v1/traces.
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        if (req.url === '/v1/traces') otlp.push(JSON.parse(body) as OtlpBody);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    servers.push(receiver);
    const otlpPort = await listen(receiver);
    sims = await startAllSimulators({ secret: platformSecret, callbackRetry: { giveUpAfterMs: 0 } });
    // The identity platform behind a relay that keeps each request's headers (the traceparent).
    const identity = new URL(sims.urls.identity);
    const relay = http.createServer((req, res) => {
      identityHeaders.push(req.headers);
      const up = http.request({ host: identity.hostname, port: identity.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    servers.push(relay);
    const relayPort = await listen(relay);
    const env = {
      ...process.env,
      DATABASE_URL: ctx.databaseUrl,
      TEMPORAL_ADDRESS: ctx.temporalAddress,
      TEMPORAL_TASK_QUEUE: `it-ops-${process.pid}`,
      PLATFORM_SECRET: platformSecret,
      SECRET_KEY: secretKey,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      // Callers' addresses from X-Forwarded-For: this suite's sign-ins count against an address of
      // its own, not the loopback address every other suite's failed sign-ins have slowed down.
      TRUST_PROXY: 'loopback',
      PORT: '0',
      METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'INFO',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      ...Object.fromEntries(Object.entries(sims.urls).map(([p, url]) => [`${p.toUpperCase()}_URL`, url])),
      IDENTITY_URL: `http://127.0.0.1:${relayPort}`,
    };
    const start = (script: string) => new Proc(spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    worker = start('scripts/worker.ts');
    api = start('scripts/api.ts');
    const [listening, metricsLine, polling] = await Promise.all([
      api.waitFor((l) => l.msg.startsWith('api: listening'), 'the API to listen'),
      api.waitFor((l) => l.msg.startsWith('api: metrics on'), 'the API\'s metrics listener'),
      worker.waitFor((l) => l.msg.startsWith('worker: polling task queue'), 'the worker to poll'),
    ]);
    apiBase = `http://127.0.0.1:${String(listening.port)}`;
    apiMetrics = `http://127.0.0.1:${String(metricsLine.metricsPort)}/metrics`;
    workerMetrics = `http://127.0.0.1:${String(polling.metricsPort)}/metrics`;

    // One case: filed over HTTP with our request id, driven to its certificate and evaluation.
    const stack = { baseUrl: apiBase, defaultHeaders: { 'x-forwarded-for': `2001:db8::${process.pid.toString(16)}:${crypto.randomBytes(2).toString('hex')}` }, db } as unknown as Stack;
    await restoreSampleCatalogue(stack, [implementationCode]);
    const filed = await call(stack, 'POST', '/api/cases', { implementationCode, channel: 'window', applicant: person, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example },
      { ...(await asClerkFor(stack, implementationCode)), 'x-request-id': requestId });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    expect(filed.headers['x-request-id']).to.equal(requestId);
    caseNo = (filed.body as { caseNo: string }).caseNo;
    // A failed sign-in, then the same account and address until the limit refuses (429).
    const stranger = `nobody-${process.pid}`;
    const refusals: number[] = [];
    for (let i = 0; i < 8; i++) refusals.push((await call(stack, 'POST', '/api/auth/login', { username: stranger, password: 'wrong-password-1' })).status);
    expect(refusals.slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
    expect(refusals).to.include(429);
    await asStaff(stack, 'supervisor-zhao');

    const connection = await Connection.connect({ address: ctx.temporalAddress });
    try {
      const handle = new Client({ connection }).workflow.getHandle(caseNo);
      const dispatched = async () => (await db('case_events').where({ case_no: caseNo, type: 'department-dispatched' }).select<{ payload: { stepId: string } }[]>('payload')).map((r) => r.payload.stepId);
      let steps: string[] = [];
      const poll = setInterval(() => { void dispatched().then((s) => { steps = s; }, () => undefined); }, 200);
      try {
        const view = await driveToCompletion(handle, () => steps);
        expect(view.status).to.be.oneOf(['completed', 'closed']);
      } finally {
        clearInterval(poll);
      }
      expect((await handle.query(caseViewQuery)).status).to.be.oneOf(['completed', 'closed']);
    } finally {
      await connection.close();
    }
    // The projection has written the evaluation; the worker's spans have been exported (1 s batches).
    await new Promise((r) => setTimeout(r, 2_500));
  });

  after(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await sims?.close();
    for (const s of servers) await new Promise((r) => s.close(r));
    await db?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when /metrics of the API and of the worker are scraped after one case, then every family is there with plausible values: the case counted once per stage, its platform calls counted', async () => {
    const fromApi = await (await fetch(apiMetrics)).text();
    const fromWorker = await (await fetch(workerMetrics)).text();
    // Not on the API's own port (that is the public app).
    expect((await fetch(`${apiBase}/metrics`)).status).to.equal(404);

    // API: requests by OpenAPI operation id and status, sign-in failures, 429s, read-model gauges.
    expect(sample(fromApi, 'onewindow_http_requests_total', { operation: 'postCases', method: 'POST', status: '201' })).to.equal(1);
    expect(sample(fromApi, 'onewindow_http_request_duration_seconds_count', { operation: 'postCases', status: '201' })).to.equal(1);
    expect(sample(fromApi, 'onewindow_http_requests_total', { operation: 'postAuthLogin', status: '401' })).to.be.at.least(5);
    expect(fromApi).not.to.match(/onewindow_http_requests_total\{[^}]*operation="\/api/);
    expect(sample(fromApi, 'onewindow_sign_in_failures_total', { kind: 'staff' })).to.be.at.least(5);
    expect(sample(fromApi, 'onewindow_rate_limit_refusals_total', { limit: 'sign-in' })).to.be.at.least(1);
    expect(fromApi).to.contain('# TYPE onewindow_open_tasks gauge');
    expect(sample(fromApi, 'onewindow_webhook_backlog')).to.be.a('number').and.at.least(0);
    expect(sample(fromApi, 'onewindow_webhook_oldest_pending_seconds')).to.be.a('number').and.at.least(0);
    // The supervision sweep keeps up (this worker runs one), and the notices waiting are counted.
    expect(sample(fromApi, 'onewindow_supervision_sweep_behind_seconds')).to.be.a('number').and.below(60);
    expect(sample(fromApi, 'onewindow_notices_unsent')).to.be.a('number').and.at.least(0);
    expect(sample(fromApi, 'onewindow_supervision_clocks_unrecordable', { clock: 'case' })).to.equal(0);
    expect(sample(fromApi, 'onewindow_supervision_clocks_unrecordable', { clock: 'step' })).to.equal(0);
    expect(sample(fromApi, 'process_resident_memory_bytes')).to.be.greaterThan(0);

    // Worker: the case once per stage, by item and department.
    const item = 'XK-330000-00001';
    const department = 'xh-scjg';
    for (const stage of ['filed', 'accepted', 'decided', 'completed']) {
      expect(sample(fromWorker, 'onewindow_cases_total', { stage, item, department }), stage).to.equal(1);
    }
    expect(total(fromWorker, 'onewindow_cases_total', { stage: 'filed' })).to.equal(1);
    // Its platform calls: the real-name check at pre-check, the certificate.
    expect(sample(fromWorker, 'onewindow_platform_call_duration_seconds_count', { platform: 'identity', outcome: 'ok' })).to.be.at.least(1);
    expect(sample(fromWorker, 'onewindow_platform_call_duration_seconds_count', { platform: 'certificates', outcome: 'ok' })).to.be.at.least(1);
    const events = Number(await db('case_events').where({ case_no: caseNo }).count<{ c: string }>('* as c').first().then((r) => r?.c));
    expect(sample(fromWorker, 'onewindow_projection_lag_seconds_count')).to.equal(events);
    expect(sample(fromWorker, 'onewindow_projection_batches_total', { outcome: 'written' })).to.be.at.least(3);
    const tasks = Number(await db('tasks').where({ case_no: caseNo }).count<{ c: string }>('* as c').first().then((r) => r?.c));
    expect(total(fromWorker, 'onewindow_tasks_opened_total')).to.equal(tasks);
    for (const family of ['onewindow_supervision_events_total', 'onewindow_supervision_lag_seconds', 'onewindow_webhook_attempts_total']) {
      expect(fromWorker, family).to.contain(`# TYPE ${family} `);
    }
    // The Temporal SDK's own worker metrics, served on the same /metrics.
    for (const h of temporalSdkMetrics.histograms) expect(total(fromWorker, `${h}_count`), h).to.be.greaterThan(0);
    for (const name of temporalSdkMetrics.series) expect(fromWorker, name).to.match(new RegExp(`^${name}\\{`, 'm'));
    expect(total(fromWorker, 'temporal_workflow_completed_total')).to.be.at.least(1);
  });

  it('when the logs of both processes are collected, then the case is followed by request id and case number from the filing request to the certificate, with no unmasked ID number or phone', () => {
    const all = [...api.lines, ...worker.lines];
    expect(all.filter((l) => l.level === 'unparsed'), 'every stdout line is JSON').to.deep.equal([]);
    for (const l of all) expect(l).to.include.keys('time', 'level', 'service', 'msg');

    const filing = api.lines.find((l) => l.msg === 'request' && l.requestId === requestId);
    expect(filing, 'the filing request\'s access line').to.include({ service: 'api', operation: 'postCases', caseNo, status: 201, method: 'POST' });
    expect(filing?.actor).to.match(/^staff:/);
    // The request id went into the workflow and on to its activities in the worker.
    const followed = worker.lines.filter((l) => l.requestId === requestId);
    expect(followed.length).to.be.greaterThan(0);
    expect(followed.every((l) => l.caseNo === caseNo)).to.equal(true);
    expect(followed.some((l) => l.msg === 'platform call' && l.platform === 'identity')).to.equal(true);
    // By case number to the certificate.
    const ofCase = worker.lines.filter((l) => l.caseNo === caseNo);
    expect(ofCase.some((l) => l.msg === 'platform call' && l.platform === 'certificates')).to.equal(true);
    expect(ofCase.some((l) => l.msg === 'activity done' && l.operation === 'issueCertificate')).to.equal(true);

    const everything = api.raw + worker.raw + api.stderr + worker.stderr;
    expect(everything).not.to.contain(person.idNumber);
    expect(everything).not.to.contain(person.phone);
    expect(everything).not.to.match(/(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9X](?![0-9A-Za-z])/);
    expect(everything).not.to.match(/(?<![0-9])1[3-9][0-9]{9}(?![0-9])/);
  });

  it('when traces are exported to an OTLP receiver, then one trace runs from the filing request through the workflow and its first activity to the identity platform\'s HTTP call, which carried its traceparent', () => {
    const spans: (OtlpSpan & { service: string })[] = otlp.flatMap((b) => (b.resourceSpans ?? []).flatMap((rs) => {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => ({ ...s, service })));
    }));
    const root = spans.find((s) => s.service === 'onewindow-api' && s.name === 'POST postCases' && s.attributes?.some((a) => a.key === 'onewindow.request_id' && a.value.stringValue === requestId));
    expect(root, spans.map((s) => `${s.service} ${s.name}`).join('\n')).to.not.equal(undefined);
    const trace = spans.filter((s) => s.traceId === root!.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const chain = (s: OtlpSpan): string[] => {
      const names: string[] = [];
      for (let at: OtlpSpan | undefined = s; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) names.push(at.name);
      return names;
    };
    const names = trace.map((s) => s.name);
    expect(names).to.include('StartWorkflow:caseWorkflow');
    expect(names).to.include('RunWorkflow:caseWorkflow');
    const call = trace.find((s) => s.service === 'onewindow-worker' && s.name.startsWith('identity '));
    expect(call, names.join('\n')).to.not.equal(undefined);
    // identity call ← its activity ← the workflow's StartActivity ← the workflow ← the client's start ← the request.
    const path = chain(call!);
    expect(path[0]).to.match(/^identity /);
    expect(path[1]).to.match(/^RunActivity:/);
    expect(path).to.include('RunWorkflow:caseWorkflow');
    expect(path).to.include('StartWorkflow:caseWorkflow');
    expect(path[path.length - 1]).to.equal('POST postCases');
    // The platform got the call's context.
    const carried = identityHeaders.map((h) => String(h.traceparent ?? ''));
    expect(carried.some((tp) => tp.split('-')[1] === root!.traceId && tp.split('-')[2] === call!.spanId), carried.join('\n')).to.equal(true);
  });
});
