/**
 * Query speed at scale: seeds a million cases (and their tasks, supervision events and ratings)
 * into a database of its own with bulk SQL, then times the read-model queries the platform
 * serves most: indicators, the overdue list, the inbox and case search. Needs DATABASE_URL (a
 * PostgreSQL server; the role needs CREATEDB). Prints a table; writes bench/results/queries.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { createDb, migrate, type Db } from '../lib/db';
import { ConfigError } from '../lib/errors';
import { runMain } from '../lib/runtime';
import { caseIndicators, taskIndicators } from '../lib/supervision/indicators';
import { inbox } from '../api/services/cases';

const CASES = Number(process.argv[2] ?? 1_000_000);
const RUNS = 30;

function bar(done: number, total: number, label: string): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${label}      `);
  if (done === total) process.stderr.write('\n');
}

async function seed(db: Db): Promise<void> {
  const steps = [
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
    ['analyze', 'analyze'],
  ];
  for (const [i, [label, sql]] of steps.entries()) {
    bar(i, steps.length, `seeding ${label}`);
    await db.raw(sql);
  }
  bar(steps.length, steps.length, 'seeded');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

runMain('bench', async () => {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError('the query benchmark needs DATABASE_URL (a PostgreSQL server whose role may create databases)');
  const admin = createDb({ url: config.databaseUrl, poolMax: 1 });
  const name = 'onewindow_bench';
  await admin.raw(`drop database if exists ${name} with (force)`);
  await admin.raw(`create database ${name}`);
  const url = new URL(config.databaseUrl);
  url.pathname = `/${name}`;
  const db = createDb({ url: url.toString(), poolMax: 4 });
  try {
    await migrate(db);
    const t0 = Date.now();
    await seed(db);
    const seedSeconds = (Date.now() - t0) / 1000;
    const month = { from: new Date('2025-06-01T00:00:00+08:00'), to: new Date('2025-07-01T00:00:00+08:00') };
    const year = { from: new Date('2025-01-01T00:00:00+08:00'), to: new Date('2026-01-01T00:00:00+08:00') };
    const queries: [string, () => Promise<unknown>][] = [
      ['indicators by department, one month', () => caseIndicators(db, 'department', month)],
      ['indicators by item, one month', () => caseIndicators(db, 'item', month)],
      ['indicators by department, whole year', () => caseIndicators(db, 'department', year)],
      ['indicators by handler, one month', () => taskIndicators(db, 'handler', month)],
      ['overdue list of a department', () => db('cases').where({ supervision_state: 'overdue', department_code: 'dept-7' }).whereNull('decided_at').orderBy('promised_deadline').limit(200)],
      ['inbox of an approver', () => inbox(db, { department: 'dept-7', roles: ['approver'], status: 'open', userId: 'u-1', limit: 100, offset: 0 })],
      ['case search: item + status, newest first', () => db('cases').where({ item_code: 'ITEM-42', status: 'in_review' }).orderBy('filed_at', 'desc').limit(50)],
    ];
    const results = [];
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
      times.sort((a, b) => a - b);
      results.push({ query: label, runs: times.length, p50ms: Math.round(percentile(times, 50) * 10) / 10, p95ms: Math.round(percentile(times, 95) * 10) / 10 });
      bar(qi + 1, queries.length, label);
    }
    const machine = { cpus: (await import('node:os')).cpus().length, memoryGiB: Math.round((await import('node:os')).totalmem() / 2 ** 30) };
    console.log(`\nQueries at ${CASES.toLocaleString('en')} cases (seeded in ${seedSeconds.toFixed(0)} s; ${machine.cpus} cores, ${machine.memoryGiB} GiB)\n`);
    console.log('| query | runs | p50 ms | p95 ms |\n|---|---|---|---|');
    for (const r of results) console.log(`| ${r.query} | ${r.runs} | ${r.p50ms} | ${r.p95ms} |`);
    const out = path.join(__dirname, 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'queries.json'), JSON.stringify({ cases: CASES, seedSeconds, machine, runs: RUNS, results, at: new Date().toISOString() }, null, 2));
  } finally {
    await db.destroy();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
  }
});
