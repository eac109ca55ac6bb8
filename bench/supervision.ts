/**
 * Supervision latency: how long after its deadline instant a warning or overdue event is
 * recorded. Cases of an item with short limits (supervision-item.ts) are filed over HTTP and
 * accepted by the window clerk, then left alone, against a worker whose calendar is compressed
 * (supervision-worker.ts: one working day = `dayMs`), so each case's clocks pass their instants
 * within seconds: the first
 * step's warning and overdue, the case's warning (预警) and overdue (超时) against the promised
 * limit, and the statutory overdue. For every supervision event the instant is known from the
 * event's deadline and the rules; "recorded" is when its row landed in supervision_events
 * (its `recorded_at` column, defaulting to clock_timestamp()), "fired" is the event's own time
 * (the workflow's for a step; the instant itself for the case's levels, which the sweep records).
 */
import type { Db } from '../lib/db';
import { readFormFolder } from '../lib/forms';
import { warnAfterDays, type SupervisionRule } from '../workflows/supervision';
import { addSupervisionItem, supervisionItem } from './supervision-item';
import { pool, summarise, type Summary } from './stats';
import type { Auth } from './staff-auth';

interface EntryShape {
  promisedLimitDays: number;
  statutoryLimitDays: number;
  supervision?: SupervisionRule;
  process: { steps: { id: string; limitDays?: number; supervision?: SupervisionRule }[] };
}

export interface SupervisionResult {
  cases: number;
  workingDayMs: number;
  events: number;
  expected: number;
  /** Deadline instant → row in supervision_events, ms. */
  recorded: Summary;
  /** Deadline instant → the workflow's time for the event, ms. */
  fired: Summary;
  byCause: Record<string, Summary>;
  /** Events recorded more than 2 s after their instant. */
  over2s: number;
}

export async function prepareSupervision(db: Db): Promise<void> {
  await addSupervisionItem(db);
}

export async function runSupervision(o: { baseUrl: string; db: Db; auth: Auth; cases: number; concurrency: number; dayMs: number; onProgress?: (done: number, total: number) => void }): Promise<SupervisionResult> {
  const { db, dayMs } = o;
  const row = await db('implementation_versions').where({ implementation_code: supervisionItem.implementationCode, state: 'published' }).first<{ entry: EntryShape }>('entry');
  const entry = row.entry;
  const formData = readFormFolder(supervisionItem.form).example;
  const api = (p: string) => `${o.baseUrl}/api${p}`;
  const staff = await db('staff_users').select<{ id: string; department_code: string; roles: string[] }[]>('id', 'department_code', 'roles');

  async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  const hall = await db('departments as d').join('implementations as i', 'i.department_code', 'd.code').where('i.code', supervisionItem.implementationCode).first<{ hall_code: string }>('d.hall_code');
  const clerkUser = staff.find((s) => s.department_code === hall.hall_code && s.roles.includes('clerk'))!;
  const clerk = await o.auth.staff(clerkUser.id);

  // Per case: the first step's warning and overdue, the case's warning and overdue, the statutory overdue.
  const perCase = 5;
  const caseNumbers: string[] = [];
  await pool(o.cases, o.concurrency, async () => {
    const { caseNo } = await post<{ caseNo: string }>(api('/cases'), { implementationCode: supervisionItem.implementationCode, channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' }, formData, delivery: { method: 'window' } }, clerk);
    caseNumbers.push(caseNo);
    // The clerk accepts as soon as the pre-check task is in the inbox (the law accepts it anyway after five working days).
    for (let i = 0; i < 200; i++) {
      const task = await db('tasks').where({ case_no: caseNo, kind: 'precheck', status: 'open' }).first<{ id: string; department_code: string; role: string } | undefined>();
      const accepted = await db('cases').where({ case_no: caseNo }).whereNotNull('accepted_at').first<{ case_no: string } | undefined>('case_no');
      if (accepted) break;
      if (task) {
        const user = staff.find((s) => s.department_code === task.department_code && s.roles.includes(task.role))!;
        const res = await fetch(api(`/tasks/${task.id}/complete`), { method: 'POST', headers: { 'content-type': 'application/json', ...(await o.auth.staff(user.id)) }, body: JSON.stringify({ action: 'accept', opinion: '受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }) });
        await res.text();
        if (res.ok) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    o.onProgress?.(caseNumbers.length, o.cases * 2);
  });
  const expected = caseNumbers.length * perCase;
  // Wait until every event is recorded, or the last instant has long passed.
  const waitUntil = Date.now() + (entry.statutoryLimitDays + 5) * dayMs + 30_000;
  let events: { cause: string; scope: string; step_id: string | null; deadline: Date; at: Date; recorded_at: Date }[] = [];
  for (;;) {
    events = await db('supervision_events').whereIn('case_no', caseNumbers).whereIn('level', ['warning', 'overdue']).select('cause', 'scope', 'step_id', 'deadline', 'at', 'recorded_at');
    o.onProgress?.(o.cases + Math.round((events.length / expected) * o.cases), o.cases * 2);
    if (events.length >= expected || Date.now() > waitUntil) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const steps = new Map(entry.process.steps.map((s) => [s.id, s]));
  const instantOf = (e: (typeof events)[number]): number => {
    const deadline = e.deadline.getTime();
    if (e.cause === 'promised-limit-near') {
      const promised = entry.promisedLimitDays;
      return deadline - (promised - warnAfterDays(promised, entry.supervision)) * dayMs;
    }
    if (e.cause === 'step-limit-near') {
      const step = steps.get(e.step_id ?? '')!;
      const limit = step.limitDays!;
      return deadline - (limit - warnAfterDays(limit, step.supervision ?? entry.supervision)) * dayMs;
    }
    return deadline; // promised-limit-passed, statutory-limit-passed, step-limit-passed
  };
  const recorded: number[] = [];
  const fired: number[] = [];
  const byCause = new Map<string, number[]>();
  for (const e of events) {
    const instant = instantOf(e);
    const r = e.recorded_at.getTime() - instant;
    recorded.push(r);
    fired.push(e.at.getTime() - instant);
    byCause.set(e.cause, [...(byCause.get(e.cause) ?? []), r]);
  }
  return {
    cases: caseNumbers.length,
    workingDayMs: dayMs,
    events: events.length,
    expected,
    recorded: summarise(recorded),
    fired: summarise(fired),
    byCause: Object.fromEntries([...byCause].map(([k, v]) => [k, summarise(v)])),
    over2s: recorded.filter((x) => x > 2000).length,
  };
}
