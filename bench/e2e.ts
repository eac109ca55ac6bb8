/**
 * End-to-end case throughput: N cases of a sample item with three review steps, a fee and
 * courier delivery, each driven through its whole life over HTTP as the people and platforms
 * around it would act: the applicant files at the window (the clerk registers it), the clerk accepts at pre-check, an approver
 * per step claims and approves the task, the payer pays on the payment platform (its simulator
 * calls the API back), the courier delivers (the logistics simulator calls back), and the
 * applicant rates the service. Cases run `concurrency` at a time; the case view is the
 * read-model view every actor opens to see where the case is.
 */
import type { Db } from '../lib/db';
import { readFormFolder } from '../lib/forms';
import { Latencies, pool } from './stats';
import type { Auth } from './staff-auth';

/** The sample entry the benchmark runs: 居民身份证换领, three review steps, a 20-yuan fee, courier delivery. */
export const benchItem = { implementationCode: 'QR-330000-00010.xh-gaj', form: { key: 'resident-id-card-renewal', version: 1 } };

/** Who files the benchmark's cases, and where the courier takes the result. */
export const applicant = { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' } as const;
export const address = { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' };

/** The positive action for each kind of task, as a cooperative official would take it. */
export const positive: Record<string, { action: string; opinion: string; missingMaterialsReason?: string; claim: boolean }> = {
  precheck: { action: 'accept', opinion: '材料齐全，予以受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档', claim: false },
  review: { action: 'approve', opinion: '同意', claim: true },
  'lead-decision': { action: 'approve', opinion: '同意', claim: true },
  handover: { action: 'handover', opinion: '已发证', claim: false },
  'follow-up': { action: 'answer', opinion: '已回访', claim: false },
};

interface TaskView {
  taskId: string;
  kind: string;
  department: string;
  role: string;
  status: string;
}
export interface CaseViewBody {
  status: string;
  tasks: TaskView[];
  events: { type: string; payload: Record<string, unknown> }[];
}

export interface E2eOptions {
  baseUrl: string;
  paymentUrl: string;
  logisticsUrl: string;
  db: Db;
  auth: Auth;
  cases: number;
  concurrency: number;
  /**
   * How an actor waits for the case to move: holding the case view with `?wait=` this many
   * seconds (default 20, as the web app does), or, with 0, asking again every `pollMs`.
   */
  waitS?: number;
  /** Poll interval of an actor waiting for the case to reach a state, ms (waitS 0). */
  pollMs?: number;
  /** The clerk also reads the live view (GET /cases/{caseNo}/live) whenever the case view moves, as the web app's case page does. */
  liveReads?: boolean;
  onCaseDone?: (done: number) => void;
}

export interface E2eResult {
  cases: number;
  concurrency: number;
  /** From the first filing to the moment every case's workflow had closed, s. */
  seconds: number;
  casesPerSecond: number;
  latencies: Record<string, ReturnType<Latencies['summary']>[string]>;
  requests: number;
  errors: number;
  caseNumbers: string[];
}

class HttpError extends Error {}

export async function runE2e(o: E2eOptions): Promise<E2eResult> {
  const lat = new Latencies();
  const pollMs = o.pollMs ?? 50;
  const waitS = o.waitS ?? 20;
  const formData = readFormFolder(benchItem.form).example;
  let requests = 0;
  let errors = 0;

  // Who does each kind of task: one staff member per department and role, from the database.
  const staff = await o.db('staff_users').select<{ id: string; department_code: string; roles: string[] }[]>('id', 'department_code', 'roles');
  const headersCache = new Map<string, Record<string, string>>();
  async function actorFor(department: string, role: string): Promise<Record<string, string>> {
    const key = `${department}/${role}`;
    let h = headersCache.get(key);
    if (!h) {
      const user = staff.find((s) => s.department_code === department && s.roles.includes(role));
      if (!user) throw new Error(`no staff member of ${department} with role ${role}`);
      h = await o.auth.staff(user.id);
      headersCache.set(key, h);
    }
    return h;
  }

  async function call<T>(metric: string, url: string, method: string, body?: unknown, headers: Record<string, string> = {}, ok = [200, 201, 204]): Promise<T> {
    return (await exchange<T>(metric, url, method, body, headers, ok)).body;
  }

  /** One request; timed under `metric`, or not timed (null: a view held until the case moved). */
  async function exchange<T>(metric: string | null, url: string, method: string, body?: unknown, headers: Record<string, string> = {}, ok = [200, 201, 204]): Promise<{ status: number; etag: string | null; body: T }> {
    requests++;
    const timed = <R>(fn: () => Promise<R>) => (metric === null ? fn() : lat.time(metric, fn));
    return timed(async () => {
      const res = await fetch(url, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!ok.includes(res.status)) {
        errors++;
        throw new HttpError(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 500)}`);
      }
      return { status: res.status, etag: res.headers.get('etag'), body: (text ? JSON.parse(text) : undefined) as T };
    });
  }

  /**
   * The case view as a browser keeps it: the last answer and its ETag, sent back as
   * If-None-Match, so a poll that finds nothing new is a 304 and the view kept is used. With
   * waitS, a view asked for with the version kept (or before the case is in the read model) is
   * held by the API until the case moves: such answers are not timed, their time is the case's.
   */
  const views = new Map<string, { etag: string; body: CaseViewBody }>();
  const unprojected = new Set<string>();
  async function caseView(caseNo: string): Promise<CaseViewBody | undefined> {
    const kept = views.get(caseNo);
    const held = waitS > 0 && (kept !== undefined || unprojected.has(caseNo));
    const asked = Date.now();
    const r = await exchange<CaseViewBody>(held ? null : 'case view', api(`/cases/${caseNo}${held ? `?wait=${waitS}` : ''}`), 'GET', undefined, { ...clerk, ...(kept ? { 'if-none-match': kept.etag } : {}) }, [200, 304, 404]);
    // Not held after all (the API had too many waiting): pause as the web app does, never spin.
    if (held && r.status !== 200 && Date.now() - asked < 1_000) await new Promise((res) => setTimeout(res, 1_000));
    if (r.status === 404) unprojected.add(caseNo);
    else unprojected.delete(caseNo);
    if (r.status === 304 && kept) return kept.body;
    if (r.status === 200 && r.etag) views.set(caseNo, { etag: r.etag, body: r.body });
    // The web app's case page reads the live view again whenever the case view moves.
    if (o.liveReads && r.status === 200) await call('live view', api(`/cases/${caseNo}/live`), 'GET', undefined, clerk);
    return r.status === 200 ? r.body : undefined;
  }
  /** Waits before looking again, when the API does not hold the view (waitS 0). */
  const pause = () => (waitS > 0 ? Promise.resolve() : new Promise((res) => setTimeout(res, pollMs)));

  const api = (p: string) => `${o.baseUrl}/api${p}`;
  // The applicant comes to the window of the hall that serves the department; its clerk files and follows the case.
  const hall = await o.db('departments as d').join('implementations as i', 'i.department_code', 'd.code').where('i.code', benchItem.implementationCode).first<{ hall_code: string }>('d.hall_code');
  const clerk = await actorFor(hall.hall_code, 'clerk');


  /**
   * One case's life. Each actor looks at the case view and does what falls to them: the clerk
   * accepts, approvers claim and approve, the payer pays an open order, the courier delivers a
   * booked parcel, the applicant rates the completed case. Driven by what the case shows, not
   * by a fixed script, so a change in the order of the legal steps does not break the benchmark.
   */
  async function oneCase(): Promise<string> {
    const filingStarted = Date.now();
    let precheckSeen = false;
    const filed = await call<{ caseNo: string }>('file', api('/cases'), 'POST', { implementationCode: benchItem.implementationCode, channel: 'window', applicant, formData, delivery: { method: 'courier', address } }, clerk);
    const caseNo = filed.caseNo;
    const acted = new Set<string>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`case ${caseNo} did not finish its life within 120 s`);
      const v = await caseView(caseNo);
      if (!Array.isArray(v?.events)) {
        await pause(); // filed, not yet projected
        continue;
      }
      const task = v.tasks.find((t) => t.status === 'open' && !acted.has(t.taskId));
      if (!precheckSeen && v.tasks.some((t) => t.kind === 'precheck')) {
        // What the clerk waits for after filing (seen when the held view answers; with waitS 0, at the next poll).
        precheckSeen = true;
        lat.add('filing → pre-check task', Date.now() - filingStarted);
      }
      const ordered = v.events.find((e) => e.type === 'payment-ordered' && !acted.has(`pay:${String(e.payload.paymentId)}`));
      const booked = v.events.find((e) => e.type === 'courier-booked' && !acted.has(`deliver:${String(e.payload.waybillNo)}`));
      if (v.status === 'closed' || v.events.some((e) => e.type === 'evaluated')) {
        views.delete(caseNo);
        return caseNo;
      }
      if (v.status === 'completed') {
        await call('evaluation', api(`/cases/${caseNo}/evaluation`), 'POST', { level: 5, comment: '满意' }, await o.auth.applicant(applicant));
        views.delete(caseNo);
        return caseNo;
      }
      if (task) {
        const how = positive[task.kind];
        if (!how) throw new Error(`case ${caseNo}: no simulated actor for a ${task.kind} task`);
        acted.add(task.taskId);
        const as = await actorFor(task.department, task.role);
        if (how.claim) await call('task claim', api(`/tasks/${task.taskId}/claim`), 'POST', undefined, as);
        await call('task completion', api(`/tasks/${task.taskId}/complete`), 'POST', { action: how.action, opinion: how.opinion, ...(how.missingMaterialsReason ? { missingMaterialsReason: how.missingMaterialsReason } : {}) }, as);
      } else if (ordered && !v.events.some((e) => e.type === 'payment-received')) {
        // 收费: the payer pays on the payment platform, which calls the API back.
        const id = String(ordered.payload.paymentId);
        acted.add(`pay:${id}`);
        await call('payment (platform + callback)', `${o.paymentUrl}/_control/pay/${encodeURIComponent(id)}`, 'POST', { channel: 'unionpay' });
      } else if (booked) {
        // 送达: the courier collects and delivers; each step is a signed callback.
        const waybill = String(booked.payload.waybillNo);
        acted.add(`deliver:${waybill}`);
        await call('delivery (platform + callbacks)', `${o.logisticsUrl}/_control/advance/${encodeURIComponent(waybill)}`, 'POST', { to: 'delivered' });
      } else {
        await pause();
      }
    }
  }

  const caseNumbers: string[] = [];
  const started = Date.now();
  let done = 0;
  await pool(o.cases, o.concurrency, async () => {
    caseNumbers.push(await oneCase());
    o.onCaseDone?.(++done);
  });
  // Done when every workflow has closed (the last event after the rating).
  for (;;) {
    const [{ n }] = await o.db('cases').whereIn('case_no', caseNumbers).andWhere({ status: 'closed' }).count<{ n: string }[]>('* as n');
    if (Number(n) === caseNumbers.length) break;
    if (Date.now() - started > 600_000) throw new Error(`only ${n} of ${caseNumbers.length} cases closed`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (Date.now() - started) / 1000;
  return { cases: o.cases, concurrency: o.concurrency, seconds, casesPerSecond: o.cases / seconds, latencies: lat.summary(), requests, errors, caseNumbers };
}
