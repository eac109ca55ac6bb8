/**
 * The daily roll-ups against the read model they summarise, on the real database: a generated
 * set of cases is projected through the projection's own activities (created, accepted, warned,
 * overdue, extended, decided, rated; acceptances withdrawn, decisions and deadlines moved;
 * events retried and arriving out of order; several cases at once), their tasks opened and
 * closed, and then the indicators read from the roll-ups must equal the indicators worked out
 * by scanning the cases and tasks, for whole months, single days and periods cut at any instant.
 * The migration's backfill must rebuild exactly the roll-ups the projection kept.
 */
import { expect } from 'chai';
import { backfillCaseRollups, backfillTaskRollups } from '../db/migrations/012_daily_rollups';
import { createDb, type Db } from '../lib/db';
import { createPlatforms } from '../lib/platforms';
import { caseIndicators, caseIndicatorsFromCases, splitPeriod, taskIndicators, taskIndicatorsFromTasks, type Period } from '../lib/supervision/indicators';
import { pool } from '../bench/stats';
import { ctx } from '../test/context';
import { createCaseServiceActivities } from './case-services';
import { createProjectionActivities, type CaseEventInput } from './projection';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, chance: (p: number) => next() < p, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)], int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const H = 3_600_000;
const D = 24 * H;
const at = (iso: string) => new Date(iso).getTime();
const start = at('2031-03-01T00:00:00+08:00');
const departments = ['zz-roll-a', 'zz-roll-b', 'zz-roll-c'];
const items = ['ZZ-ROLL-1', 'ZZ-ROLL-2', 'ZZ-ROLL-3', 'ZZ-ROLL-4'];
const handlers = ['zz-roll-h1', 'zz-roll-h2', 'zz-roll-h3', 'zz-roll-h4', 'zz-roll-h5'];
const CASES = 160;

describe('daily roll-ups of the indicators (real database)', function () {
  this.timeout(120_000);
  let db: Db;
  const rng = random(20_310_301);
  /** An instant near a China midnight half the time, so that moves cross days. */
  const around = (t: number) => (rng.chance(0.5) ? Math.round(t) : Math.floor((t + 8 * H) / D) * D - 8 * H + rng.int(-20, 20) * 60_000);
  const iso = (t: number) => new Date(t).toISOString();

  before(async () => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 6 });
    const projection = createProjectionActivities(db);
    const unused = 'http://127.0.0.1:1';
    const services = createCaseServiceActivities(db, createPlatforms({ urls: { payment: unused, logistics: unused, departments: unused, identity: unused, certificates: unused, messaging: unused, province: unused }, secret: 'unused', departmentCodes: [] }));

    const lives = Array.from({ length: CASES }, (_, i) => {
      const caseNo = `7731${String(i).padStart(18, '0')}`;
      const department = rng.pick(departments);
      const itemCode = rng.pick(items);
      const instant = rng.chance(0.15);
      const filed = around(start + rng.next() * 90 * D);
      const events: Omit<CaseEventInput, 'seq' | 'caseNo'>[] = [{
        type: 'filed', at: iso(filed), patch: { status: 'filed' },
        create: {
          implementationCode: `${itemCode}.${department}`, implementationVersion: 1, itemCode, itemName: '汇总测试事项', department, channel: 'online',
          applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, formData: {}, filedAt: iso(filed),
          caseType: instant ? 'instant' : 'promised', statutoryLimitDays: instant ? 0 : rng.pick([0, 10, 20]), promisedLimitDays: 10,
        },
      }];
      const tasks: { kind: string; created: number; closed: number; due: number | null; status: 'done' | 'cancelled'; by: string; claimed: boolean; retried: boolean }[] = [];
      let rating: { level: number; at: number } | undefined;
      let t = filed;
      if (rng.chance(0.85)) {
        t = around(t + rng.next() * 30 * H);
        let promised = t + rng.int(3, 15) * D;
        events.push({ type: 'accepted', at: iso(t), patch: { status: 'in_review', acceptedAt: iso(t), promisedDeadline: iso(promised), statutoryDeadline: iso(promised + 10 * D) } });
        if (rng.chance(0.12)) {
          t += rng.int(1, 40) * H;
          events.push({ type: 'returned', at: iso(t), patch: { status: 'prechecking', acceptedAt: null } });
          t = around(t + rng.next() * 48 * H);
          events.push({ type: 'accepted', at: iso(t), patch: { status: 'in_review', acceptedAt: iso(t) } });
        }
        for (let n = rng.int(0, 3); n > 0; n--) {
          const created = t + rng.int(0, 20) * H;
          tasks.push({ kind: rng.pick(['review', 'precheck', 'lead-decision', 'manual']), created, closed: around(created + rng.next() * 5 * D), due: rng.chance(0.8) ? created + 2 * D : null, status: rng.chance(0.85) ? 'done' : 'cancelled', by: rng.pick(handlers), claimed: rng.chance(0.2), retried: rng.chance(0.2) });
        }
        if (rng.chance(0.35)) {
          t += rng.int(1, 5) * D;
          events.push({ type: 'warning', at: iso(t), patch: { supervisionState: 'warning' }, supervision: { scope: 'case', stepId: null, level: 'warning', cause: 'promised-limit-near', department, deadline: iso(promised) } });
        }
        if (rng.chance(0.15)) {
          promised += 5 * D;
          events.push({ type: 'extended', at: iso(t + H), patch: { promisedDeadline: iso(promised) } });
        }
        if (rng.chance(0.25)) {
          t = Math.max(t, promised) + H;
          events.push({ type: 'overdue', at: iso(t), patch: { supervisionState: 'overdue' }, supervision: { scope: 'case', stepId: null, level: 'overdue', cause: 'promised-limit-passed', department, deadline: iso(promised) } });
        }
        if (rng.chance(0.7)) {
          const decided = around(Math.max(t + H, promised + rng.int(-6, 4) * D));
          events.push({ type: 'decided', at: iso(decided), patch: { status: 'completed', decision: rng.chance(0.15) ? 'refused' : 'approved', decidedAt: iso(decided), usedDays: rng.int(0, 25), completedAt: iso(decided) } });
          if (rng.chance(0.15)) {
            const moved = decided + rng.pick([-3, 2, 26]) * H;
            events.push({ type: 'decision-corrected', at: iso(decided + 27 * H), patch: { decidedAt: iso(moved), usedDays: rng.int(0, 25) } });
          }
          // A calendar correction moving the deadline of a case decided but still running (fee, delivery).
          if (rng.chance(0.15)) events.push({ type: 'deadline-moved', at: iso(decided + 30 * H), patch: { promisedDeadline: iso(promised + rng.pick([-4, 4]) * D) } });
          if (rng.chance(0.45)) rating = { level: rng.int(1, 5), at: around(decided + rng.next() * 3 * D) };
        }
      }
      // Events numbered in order; now and then two delivered the wrong way round, or one twice.
      const numbered = events.map((e, k) => ({ ...e, caseNo, seq: k + 1 }));
      if (numbered.length > 3 && rng.chance(0.15)) numbered.splice(-2, 2, numbered[numbered.length - 1], numbered[numbered.length - 2]);
      if (rng.chance(0.1)) numbered.push(numbered[rng.int(0, numbered.length - 1)]);
      return { caseNo, department, itemCode, events: numbered, tasks, rating };
    });

    // Several cases projected at once, each case's events in its own order.
    await pool(lives.length, 6, async (i) => {
      const life = lives[i];
      for (const ev of life.events) await projection.recordCaseEvent(ev);
      for (const [k, task] of life.tasks.entries()) {
        const taskId = `${life.caseNo}-zz-${k}`;
        await projection.openTask({ taskId, caseNo: life.caseNo, kind: task.kind as 'review', stepId: `step-${k}`, stepName: '审查', department: life.department, role: 'approver', actions: ['approve'], createdAt: iso(task.created), dueAt: task.due === null ? null : iso(task.due) });
        if (task.claimed) await projection.assignTask({ taskId, assignee: task.by });
        const close = { taskId, status: task.status, outcome: { action: task.status === 'done' ? ('approve' as const) : null, opinion: '同意', by: task.by }, closedAt: iso(task.closed) };
        await projection.closeTask(close);
        if (task.retried) await projection.closeTask({ ...close, closedAt: iso(task.closed + D) }); // a retried activity: changes nothing
      }
      if (life.rating) {
        const e = { caseNo: life.caseNo, level: life.rating.level, comment: '', at: iso(life.rating.at), department: life.department, itemCode: life.itemCode };
        await services.recordEvaluation(e);
        await services.recordEvaluation(e);
      }
    });
  });
  after(async () => {
    await db?.destroy();
  });

  const mine = (rows: Record<string, unknown>[], by: string) => rows.filter((r) => String(r[by]).startsWith('zz-roll') || String(r[by]).startsWith('ZZ-ROLL'));
  const periods: [string, Period][] = [
    ['the whole spring and summer', { from: new Date('2031-02-01T00:00:00+08:00'), to: new Date('2031-09-01T00:00:00+08:00') }],
    ...['03', '04', '05', '06'].map((m): [string, Period] => [`month ${m}`, { from: new Date(`2031-${m}-01T00:00:00+08:00`), to: new Date(`2031-${m === '06' ? '07' : `0${Number(m) + 1}`}-01T00:00:00+08:00`) }]),
    ['one day', { from: new Date('2031-04-10T00:00:00+08:00'), to: new Date('2031-04-11T00:00:00+08:00') }],
    ['part of a day', { from: new Date('2031-04-10T09:00:00+08:00'), to: new Date('2031-04-10T17:30:00+08:00') }],
    ['across one midnight', { from: new Date('2031-04-10T09:00:00+08:00'), to: new Date('2031-04-11T09:00:00+08:00') }],
    ...Array.from({ length: 24 }, (_, k): [string, Period] => {
      const r = random(k + 1);
      const a = start - 10 * D + r.next() * 110 * D;
      const b = a + r.next() * 70 * D;
      const snap = (x: number) => (r.chance(0.4) ? Math.floor((x + 8 * H) / D) * D - 8 * H : x);
      return [`random period ${k + 1}`, { from: new Date(snap(a)), to: new Date(snap(b) + 1) }];
    }),
  ];

  it('when the generated cases are summed, then the data set holds what the indicators count, in every day and month', async () => {
    const year = periods[0][1];
    const totals = mine(await caseIndicatorsFromCases(db, 'department', year), 'department');
    const sum = (k: string) => totals.reduce((s, r) => s + Number(r[k]), 0);
    expect(sum('received')).to.equal(CASES);
    expect(sum('completed')).to.be.greaterThan(50);
    expect(sum('overdue')).to.be.greaterThan(10);
    expect(totals.every((r) => r.satisfactionRate !== null && r.onTimeRate !== null && Number(r.onTimeRate) < 1)).to.equal(true);
    expect(mine(await taskIndicatorsFromTasks(db, 'handler', year), 'handler')).to.have.length(handlers.length);
    // The periods above really do cut days and months apart, and some lie wholly inside a day.
    expect(periods.filter(([, p]) => splitPeriod(p).edges.length > 0).length).to.be.greaterThan(10);
    expect(periods.some(([, p]) => !splitPeriod(p).days)).to.equal(true);
  });

  it('when indicators are read from the roll-ups, then they equal those worked out from the cases and tasks, for any period', async () => {
    for (const [name, p] of periods) {
      for (const by of ['department', 'item'] as const) {
        expect(mine(await caseIndicators(db, by, p), by), `${name} by ${by}`).to.deep.equal(mine(await caseIndicatorsFromCases(db, by, p), by));
      }
      for (const by of ['step', 'handler'] as const) {
        expect(mine(await taskIndicators(db, by, p), by), `${name} by ${by}`).to.deep.equal(mine(await taskIndicatorsFromTasks(db, by, p), by));
      }
    }
  });

  it('when the migration rebuilds the roll-ups from scratch, then it finds exactly what the projection kept', async () => {
    const read = async () => ({
      cases: await db('case_rollups').where((w) => void w.where('key', 'like', 'zz-roll%').orWhere('key', 'like', 'ZZ-ROLL%')).orderBy(['grouping', 'span', 'day', 'key'])
        .whereRaw('(received, accepted, completed, on_time, late, instant, refused, used_days, statutory_days, open_overdue, warned, ratings, satisfied) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)'),
      tasks: await db('task_rollups').where('key', 'like', 'zz-roll%').orderBy(['grouping', 'span', 'day', 'key']),
      state: await db('case_rollup_state').where('case_no', 'like', '7731%').orderBy('case_no'),
    });
    const kept = await read();
    expect(kept.cases.length).to.be.greaterThan(100);
    expect(kept.tasks.length).to.be.greaterThan(50);
    await backfillCaseRollups(db);
    await backfillTaskRollups(db);
    expect(await read()).to.deep.equal(kept);
  });
});
