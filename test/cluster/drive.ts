/**
 * Cases driven over HTTP through nginx the way the benchmark drives them (bench/e2e.ts), by
 * people who try again when the platform is briefly away: a request that gets no answer, or
 * 502/503/504 from nginx or the API while a process is being restarted, is sent again after a
 * pause. Filing carries an Idempotency-Key, so a filing sent twice files one case; a task action
 * answered 409 on a second try had already been taken by the first.
 */
import { readFormFolder } from '../../lib/forms';
import type { Db } from '../../lib/db';
import { address, applicant, benchItem, positive, type CaseViewBody } from '../../bench/e2e';
import type { Auth } from '../../bench/staff-auth';
import { pool } from '../../bench/stats';

export interface DriveOptions {
  baseUrl: string;
  paymentUrl: string;
  logisticsUrl: string;
  db: Db;
  auth: Auth;
  cases: number;
  concurrency: number;
  /** How long one case may take, ms. */
  caseTimeoutMs: number;
  onCaseDone?: (done: number) => void;
}

export interface DriveResult {
  caseNumbers: string[];
  /** Requests sent again after no answer or a 502/503/504. */
  retried: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function driveCases(o: DriveOptions): Promise<DriveResult> {
  const formData = readFormFolder(benchItem.form).example;
  let retried = 0;
  const staff = await o.db('staff_users').select<{ id: string; department_code: string; roles: string[] }[]>('id', 'department_code', 'roles');
  const headersCache = new Map<string, Promise<Record<string, string>>>();
  const actorFor = (department: string, role: string) => {
    const key = `${department}/${role}`;
    let h = headersCache.get(key);
    if (!h) {
      const user = staff.find((s) => s.department_code === department && s.roles.includes(role));
      if (!user) throw new Error(`no staff member of ${department} with role ${role}`);
      h = withRetry(() => o.auth.staff(user.id));
      headersCache.set(key, h);
    }
    return h;
  };

  async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof Transient) && !(err instanceof TypeError) && !/HTTP 50[234]/.test(String(err))) throw err;
        // A key still in progress waits out the API's release of an abandoned one (api/idempotency.ts: 120 s).
        const patient = err instanceof Transient && err.inProgress ? Date.now() - started < 150_000 : attempt < 60;
        if (!patient) throw err;
        retried++;
        await pause(500);
      }
    }
  }

  async function call<T>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}, ok = [200, 201, 204]): Promise<{ status: number; body: T }> {
    return withRetry(async () => {
      const res = await fetch(url, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if ([502, 503, 504].includes(res.status)) throw new Transient(`${method} ${url}: HTTP ${res.status}`);
      // The API asks for the same request again: its Idempotency-Key is still being handled (or
      // was, by an API process killed meanwhile, and is released after a while).
      if (res.status === 409 && /\/request-in-progress"/.test(text)) throw new Transient(`${method} ${url}: HTTP 409 request in progress`, true);
      if (!ok.includes(res.status)) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 500)}`);
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    });
  }

  const api = (p: string) => `${o.baseUrl}/api${p}`;
  const hall = await o.db('departments as d').join('implementations as i', 'i.department_code', 'd.code').where('i.code', benchItem.implementationCode).first<{ hall_code: string }>('d.hall_code');

  async function oneCase(n: number): Promise<string> {
    const clerk = await actorFor(hall.hall_code, 'clerk');
    const filed = await call<{ caseNo: string }>(api('/cases'), 'POST', { implementationCode: benchItem.implementationCode, channel: 'window', applicant, formData, delivery: { method: 'courier', address } }, { ...clerk, 'idempotency-key': `cluster-test-${process.pid}-${n}` });
    const caseNo = filed.body.caseNo;
    const acted = new Set<string>();
    const recentlyRefused = new Set<string>();
    const deadline = Date.now() + o.caseTimeoutMs;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`case ${caseNo} did not finish its life within ${o.caseTimeoutMs / 1000} s`);
      const v = (await call<CaseViewBody>(api(`/cases/${caseNo}`), 'GET', undefined, clerk, [200, 404])).body;
      if (!Array.isArray(v?.events)) {
        await pause(200);
        continue;
      }
      // Done once the rating is in (the workflow closes right after it).
      if (v.status === 'closed' || v.events.some((e) => e.type === 'evaluated')) return caseNo;
      if (v.status === 'completed') {
        // Sent again until the case shows it: a 409 (a state the workflow had not reached yet, a
        // request still in progress) or a 404 (a repeat after the first closed the workflow, whose
        // answer was lost with a killed API) is not taken as success; the case view decides.
        const r = await call(api(`/cases/${caseNo}/evaluation`), 'POST', { level: 5, comment: '满意' }, await withRetry(() => o.auth.applicant(applicant)), [200, 201, 204, 404, 409]);
        if (r.status === 409 || r.status === 404) await pause(500);
        continue;
      }
      // An open task is acted on until the case shows it done: a 409 on a second try means the
      // first was taken, and the case view then shows the task closed.
      const task = v.tasks.find((t) => t.status === 'open' && !recentlyRefused.has(t.taskId));
      recentlyRefused.clear();
      const ordered = v.events.find((e) => e.type === 'payment-ordered' && !acted.has(`pay:${String(e.payload.paymentId)}`));
      const booked = v.events.find((e) => e.type === 'courier-booked' && !acted.has(`deliver:${String(e.payload.waybillNo)}`));
      if (task) {
        const how = positive[task.kind];
        if (!how) throw new Error(`case ${caseNo}: no simulated actor for a ${task.kind} task`);
        const as = await actorFor(task.department, task.role);
        if (how.claim) await call(api(`/tasks/${task.taskId}/claim`), 'POST', undefined, as, [200, 201, 204, 409]);
        const r = await call(api(`/tasks/${task.taskId}/complete`), 'POST', { action: how.action, opinion: how.opinion, ...(how.missingMaterialsReason ? { missingMaterialsReason: how.missingMaterialsReason } : {}) }, as, [200, 201, 204, 409]);
        if (r.status === 409) {
          recentlyRefused.add(task.taskId);
          await pause(500);
        }
      } else if (ordered && !v.events.some((e) => e.type === 'payment-received')) {
        const id = String(ordered.payload.paymentId);
        await call(`${o.paymentUrl}/_control/pay/${encodeURIComponent(id)}`, 'POST', { channel: 'unionpay' });
        acted.add(`pay:${id}`);
      } else if (booked) {
        const waybill = String(booked.payload.waybillNo);
        await call(`${o.logisticsUrl}/_control/advance/${encodeURIComponent(waybill)}`, 'POST', { to: 'delivered' });
        acted.add(`deliver:${waybill}`);
      } else {
        await pause(200);
      }
    }
  }

  const caseNumbers: string[] = [];
  let done = 0;
  await pool(o.cases, o.concurrency, async (n) => {
    caseNumbers.push(await oneCase(n));
    o.onCaseDone?.(++done);
  });
  return { caseNumbers, retried };
}

/** A request to send again: 502/503/504 from nginx or the API, or (inProgress) its Idempotency-Key still being handled. */
class Transient extends Error {
  constructor(message: string, readonly inProgress = false) {
    super(message);
  }
}
