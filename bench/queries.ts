/**
 * Query speed at scale: seeds a million cases (and their tasks, supervision events and ratings)
 * into a database of its own with bulk SQL, then times the read-model queries the platform
 * serves most: indicators, the overdue list, the inbox and case search with filters. Needs
 * DATABASE_URL (a PostgreSQL server; the role needs CREATEDB). Run by `npm run bench` (run.ts);
 * alone: `npm run bench:queries [cases]`, which prints a table and writes bench/results/queries.json.
 */
import os from 'node:os';
import path from 'node:path';
import type { Principal } from '../api/auth/principal';
import { listCases, inbox } from '../api/services/cases';
import { loadConfig } from '../lib/config';
import { migrate, type Db } from '../lib/db';
import { ConfigError } from '../lib/errors';
import { runMain } from '../lib/runtime';
import { caseIndicators, taskIndicators } from '../lib/supervision/indicators';
import { backfillCaseRollups, backfillTaskRollups } from '../db/migrations/012_daily_rollups';
import { positiveIntegerArg } from './args';
import { machineAtStart, RunRecord, tearDown, type TeardownProblem } from './results';
import { freshDatabase, resultsDir } from './stack';
import { summarise } from './stats';

const RUNS = 30;

export interface QueryResult {
  query: string;
  runs: number;
  p50ms: number;
  p95ms: number;
}

export interface QueriesResult {
  cases: number;
  seedSeconds: number;
  results: QueryResult[];
  /** What failed after the figures were taken (the database left behind, say). */
  teardownProblems?: TeardownProblem[];
}

type Report = (done: number, total: number, label: string) => void;

export async function seed(db: Db, CASES: number, report: Report): Promise<void> {
  const steps = [
    ['departments', `insert into departments (code, name, level, region_code)
      select 'dept-' || g, '部门' || g, 'county', '3301' || lpad(g::text, 2, '0') from generate_series(0, 59) g`],
    ['cases', `insert into cases (case_no, implementation_code, implementation_version, item_code, item_name, department_code, status, channel, applicant, form_data,
        filed_at, accepted_at, decided_at, decision, promised_deadline, statutory_deadline, used_days, statutory_limit_days, promised_limit_days, case_type, supervision_state, updated_at)
      select lpad(g::text, 22, '0'), 'ITEM-' || (g % 200) || '.dept-' || (g % 60), 1, 'ITEM-' || (g % 200), '事项' || (g % 200), 'dept-' || (g % 60),
             case when g % 10 < 7 then 'completed' else 'in_review' end, 'online', '{}', '{}',
             t, t + interval '2 hours', case when g % 10 < 7 then t + ((g % 15) || ' days')::interval end,
             case when g % 10 < 7 then (case when g % 13 = 0 then 'refused' else 'approved' end) end,
             t + interval '12 days', t + interval '28 days', case when g % 10 < 7 then g % 20 end, 20, 10,
             case when g % 17 = 0 then 'instant' else 'promised' end,
             case when g % 10 >= 7 then (case when g % 7 = 0 then 'overdue' when g % 5 = 0 then 'warning' else 'normal' end) else 'normal' end, t
        from generate_series(1, ${CASES}) g, lateral (select timestamptz '2025-01-01' + ((g * 37) % (365 * 24 * 60 * 2)) * interval '1 minute' as t) x`],
    ['tasks', `insert into tasks (id, case_no, step_id, step_name, department_code, role, status, actions, kind, created_at, closed_at, due_at, assignee)
      select c.case_no || '-review-1', c.case_no, 'review', '审核', c.department_code, 'approver',
             case when c.decided_at is null then 'open' else 'done' end, '["approve","refuse"]', 'review',
             c.accepted_at, c.decided_at, c.accepted_at + interval '5 days', 'user-' || (right(c.case_no, 4)::int % 500)
        from cases c`],
    ['supervision events', `insert into supervision_events (case_no, seq, scope, level, cause, department_code, deadline, at)
      select case_no, 1000, 'case', 'warning', 'promised-limit-near', department_code, promised_deadline, promised_deadline - interval '1 day'
        from cases where right(case_no, 1) in ('3', '7')`],
    ['warnings on cases', `update cases set warned_at = e.at from supervision_events e where e.case_no = cases.case_no`],
    ['evaluations', `insert into evaluations (case_no, level, comment, department_code, item_code, at)
      select case_no, 1 + (right(case_no, 3)::int % 5), '', department_code, item_code, decided_at + interval '1 day'
        from cases where decided_at is not null and right(case_no, 1) in ('1', '4', '8')`],
    // The rows above bypass the projection, which keeps the roll-ups: they are rolled up as migration 012 rolls up existing cases.
    ['roll-ups', async () => {
      await backfillCaseRollups(db);
      await backfillTaskRollups(db);
    }],
    ['analyze', 'analyze'],
  ] as const;
  for (const [i, [label, work]] of steps.entries()) {
    report(i, steps.length, `seeding ${label}`);
    if (typeof work === 'string') await db.raw(work);
    else await work();
  }
  report(steps.length, steps.length, 'seeded');
}

/** The queries timed, on a seeded database. */
export function benchQueries(db: Db): [string, () => Promise<unknown>][] {
  // Callers of the API's case search, as api/auth/principal.ts describes them.
  const approver: Principal = { kind: 'staff', id: 'user-1', name: '承办人', department: 'dept-7', roles: ['approver'], regionCode: '330107', level: 'county' };
  const supervisor: Principal = { kind: 'staff', id: 'user-2', name: '监察员', department: 'dept-0', roles: ['supervisor'], regionCode: '330000', level: 'province' };
  const month = { from: new Date('2025-06-01T00:00:00+08:00'), to: new Date('2025-07-01T00:00:00+08:00') };
  const year = { from: new Date('2025-01-01T00:00:00+08:00'), to: new Date('2026-01-01T00:00:00+08:00') };
  // Where a clerk paging back through half a year of cases would be: the cursor the API hands out (filing time | case number).
  const deepCursor = Buffer.from('2025-03-01T00:00:00.000Z|0000000000000000500000').toString('base64url');
  // What GET /api/supervision/indicators asks by default: the 30 days up to now, cut mid-day at both ends.
  const lastThirtyDays = { from: new Date('2025-06-01T10:17:00+08:00'), to: new Date('2025-07-01T10:17:00+08:00') };
  return [
    ['indicators by department, one month', () => caseIndicators(db, 'department', month)],
    ['indicators by item, one month', () => caseIndicators(db, 'item', month)],
    ['indicators by department, whole year', () => caseIndicators(db, 'department', year)],
    ['indicators by item, whole year', () => caseIndicators(db, 'item', year)],
    ['indicators by department, 30 days to an instant', () => caseIndicators(db, 'department', lastThirtyDays)],
    ['indicators by handler, one month', () => taskIndicators(db, 'handler', month)],
    ['indicators by step, whole year', () => taskIndicators(db, 'step', year)],
    ['overdue list of a department', () => db('cases').where({ supervision_state: 'overdue', department_code: 'dept-7' }).whereNull('decided_at').orderBy('promised_deadline').limit(200)],
    ['inbox of an approver', () => inbox(db, { department: 'dept-7', roles: ['approver'], status: 'open', userId: 'u-1', limit: 100, offset: 0 })],
    ['case search: item + status, newest first', () => db('cases').where({ item_code: 'ITEM-42', status: 'in_review' }).orderBy('filed_at', 'desc').limit(50)],
    ['case search (GET /api/cases), approver: status', () => listCases(db, approver, { status: 'completed', limit: 50 })],
    ['case search (GET /api/cases), approver: status, a page deep in the list (keyset cursor)', () => listCases(db, approver, { status: 'completed', limit: 50, cursor: deepCursor })],
    ['case search (GET /api/cases), supervisor: item + supervision state + filed in a week', () => listCases(db, supervisor, { itemCode: 'ITEM-42', supervisionState: 'warning', filedFrom: '2025-06-01T00:00:00+08:00', filedTo: '2025-06-08T00:00:00+08:00', limit: 50 })],
    ['case search (GET /api/cases), supervisor: department + status', () => listCases(db, supervisor, { department: 'dept-7', status: 'in_review', limit: 50 })],
    ['case search: item + decision + decided in a month', () => db('cases').where({ item_code: 'ITEM-42', decision: 'refused' }).where('decided_at', '>=', month.from).where('decided_at', '<', month.to).orderBy('decided_at', 'desc').limit(50)],
    ['case search: case number', () => db('cases').where({ case_no: '0000000000000000424242' }).first()],
  ];
}

export interface QueriesOptions {
  /** Hears of the seeding steps and then of each query done (of seeding + queries in all). */
  report?: Report;
  /** Gets the figures as soon as the last query is timed, before the database is dropped. */
  onFigures?: (r: QueriesResult) => void;
  /** Where to seed (a fresh database `onewindow_bench` unless given). */
  database?: () => Promise<{ db: Db; drop(): Promise<void> }>;
}

/**
 * Seeds `cases` cases into a fresh database and times each query. A failure to drop the
 * database afterwards is returned with the figures (`teardownProblems`), never thrown over them.
 */
export async function runQueries(adminUrl: string, CASES: number, opts: QueriesOptions = {}): Promise<QueriesResult> {
  const report = opts.report ?? (() => undefined);
  const fresh = await (opts.database ?? (() => freshDatabase(adminUrl, 'onewindow_bench')))();
  const db = fresh.db;
  const seedSteps = 8;
  const queries = benchQueries(db);
  const queryCount = queries.length;
  let result: QueriesResult | undefined;
  try {
    await migrate(db);
    const t0 = Date.now();
    await seed(db, CASES, (d, _t, label) => report(d, seedSteps + queryCount, label));
    const seedSeconds = (Date.now() - t0) / 1000;
    const results: QueryResult[] = [];
    for (const [qi, [label, run]] of queries.entries()) {
      await run(); // warm
      const times: number[] = [];
      const started = Date.now();
      // At most RUNS runs, and no more than 20 s on one query once it has run 5 times.
      for (let i = 0; i < RUNS && (i < 5 || Date.now() - started < 20_000); i++) {
        const s = process.hrtime.bigint();
        await run();
        times.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      const s = summarise(times);
      results.push({ query: label, runs: times.length, p50ms: s.p50, p95ms: s.p95 });
      report(seedSteps + qi + 1, seedSteps + queryCount, label);
    }
    result = { cases: CASES, seedSeconds, results };
    opts.onFigures?.(result);
  } finally {
    const teardownProblems = await tearDown([{ step: 'drop the query benchmark\'s database', run: () => fresh.drop() }]);
    if (result && teardownProblems.length) result.teardownProblems = teardownProblems;
    else if (teardownProblems.length) process.stderr.write(`bench: ${teardownProblems.map((p) => `${p.step}: ${p.error}`).join('; ')}\n`);
  }
  return result;
}

export function queriesTable(r: QueriesResult): string {
  return ['| query | runs | p50 ms | p95 ms |', '|---|---|---|---|', ...r.results.map((q) => `| ${q.query} | ${q.runs} | ${q.p50ms} | ${q.p95ms} |`)].join('\n');
}

if (require.main === module) {
  runMain('bench', async () => {
    const config = loadConfig();
    if (!config.databaseUrl) throw new ConfigError('the query benchmark needs DATABASE_URL (a PostgreSQL server whose role may create databases)');
    const cases = positiveIntegerArg(0, 1_000_000, 'the number of cases');
    const machine = machineAtStart();
    const record = new RunRecord<{ at: string; runs: number; machine: typeof machine; queries?: QueriesResult }>(path.join(resultsDir, 'queries.json'), { at: new Date().toISOString(), runs: RUNS, machine });
    const r = await runQueries(config.databaseUrl, cases, {
      report: (done, total, label) => process.stderr.write(`[${done}/${total}] ${label}\n`),
      onFigures: (q) => record.part('queries', q),
    });
    for (const p of r.teardownProblems ?? []) record.teardownFailed(p.step, p.error);
    record.finish();
    console.log(`\nQueries at ${cases.toLocaleString('en')} cases (seeded in ${r.seedSeconds.toFixed(0)} s; ${machine.cpus} cores ${machine.cpuModel ?? ''}, ${machine.memoryGiB} GiB; load average ${machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(' / ')} at start, ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} at end)\n`);
    console.log(queriesTable(r));
    console.log(`\n(also in ${path.relative(process.cwd(), record.file)})`);
    if (record.teardownProblems.length) {
      process.stderr.write(`bench: the figures above are kept, but tearing down failed: ${record.teardownProblems.map((p) => `${p.step}: ${p.error}`).join('; ')}\n`);
      process.exitCode = 1;
    }
  });
}
