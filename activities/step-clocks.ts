/**
 * Step clocks (电子监察 of each review step's own limit) as the supervision sweep keeps them: a
 * swept case publishes every step clock it opens and its close (projection ops `step-open`,
 * `step-close`, migration 022) and keeps no step timers. The sweep raises each open clock's levels
 * at their instants, many per statement (sweepStepBatch); the close settles the clock in the same
 * transaction as the case's change (closeStepRow): the levels passed before the close that no
 * sweep had recorded yet are recorded at their instants, and a level worse than the step's level
 * at its true end is corrected. What a change of level records (the case event in the case's
 * supervision sequence, its supervision row, the notices in the outbox) is what the case clock's
 * changes record (supervision-records.ts).
 */
import type { Knex } from 'knex';
import type { Statements } from '../lib/statements';
import { closeStepClock, judgeStepClock, type Raised, type SupervisionLevel } from '../workflows/supervision';
import { recordRaised, type Judged } from './supervision-records';

/** A step clock as the workflow opens it. */
export interface StepClockOpen {
  /** One run of a step in its case (a step run again after a return has a new clock). */
  key: string;
  stepId: string;
  department: string;
  openedAt: string;
  warningAt: string | null;
  dueAt: string;
  simulated?: boolean;
}

/** A step clock as the workflow closes it: when, and when a department's system says the step truly ended. */
export interface StepClockClose {
  key: string;
  at: string;
  trueEnd: string | null;
}

interface StepRow {
  case_no: string;
  clock_key: string;
  step_id: string;
  department_code: string;
  warning_at: Date | null;
  due_at: Date;
  level: SupervisionLevel;
  simulated: boolean;
}

const stepColumns = ['s.case_no', 's.clock_key', 's.step_id', 's.department_code', 's.warning_at', 's.due_at', 's.level', 's.simulated'];

const published = (r: StepRow) => ({ level: r.level, warningAt: r.warning_at ? r.warning_at.toISOString() : null, dueAt: r.due_at.toISOString() });

/** Records `raised` for one step clock, numbering each in its case's supervision sequence (`seqs`, moved in place). */
function record(into: Judged, r: StepRow, raised: Raised[], seqs: Map<string, number>): void {
  for (const x of raised) {
    const seq = (seqs.get(r.case_no) ?? 0) + 1;
    seqs.set(r.case_no, seq);
    recordRaised(into, { caseNo: r.case_no, department: r.department_code, stepId: r.step_id, simulated: r.simulated }, x, seq);
  }
}

/** Opens a step clock; a repeat (a retried write) changes nothing. */
export async function openStepRow(s: Statements, caseNo: string, o: StepClockOpen): Promise<void> {
  await s.write(s.q('step_clocks')
    .insert({ case_no: caseNo, clock_key: o.key, step_id: o.stepId, department_code: o.department, opened_at: o.openedAt, warning_at: o.warningAt, due_at: o.dueAt, simulated: o.simulated === true })
    .onConflict(['case_no', 'clock_key'])
    .ignore());
}

/**
 * Closes a step clock, settling it up to its close (closeStepClock); what to record, for the
 * caller to apply. A clock already closed (a retried write) or never opened changes nothing.
 */
export async function closeStepRow(s: Statements, caseNo: string, c: StepClockClose): Promise<Judged> {
  const judged: Judged = { events: [], notices: [] };
  const [row] = await s.rows<StepRow>(s.q('step_clocks as s').where({ 's.case_no': caseNo, 's.clock_key': c.key }).whereNull('s.closed_at').forUpdate().select(stepColumns).limit(1));
  if (!row) return judged;
  // A department's word for when the step ended is kept only when it is an instant (else the close is the end).
  const trueEnd = c.trueEnd !== null && Number.isFinite(Date.parse(c.trueEnd)) ? new Date(c.trueEnd).toISOString() : null;
  const j = closeStepClock(published(row), Date.parse(c.at), trueEnd);
  if (j.raised.length) {
    const [caseRow] = await s.rows<{ supervision_seq: number }>(s.q('cases').where({ case_no: caseNo }).forUpdate().select('supervision_seq').limit(1));
    const seqs = new Map([[caseNo, caseRow.supervision_seq]]);
    record(judged, row, j.raised, seqs);
    await s.write(s.q('cases').where({ case_no: caseNo }).update({ supervision_seq: seqs.get(caseNo) }));
  }
  await s.write(s.q('step_clocks').where({ case_no: caseNo, clock_key: c.key }).update({ closed_at: c.at, true_end: trueEnd, level: j.level }));
  return judged;
}

/**
 * One batch of the sweep over step clocks: the open clocks whose next instant has passed (and
 * their cases' rows, for the supervision sequence), locked `skip locked`, judged at `now`. Their
 * new levels and cases' sequences are written here; the events and notices are for the caller.
 */
export async function sweepStepBatch(trx: Knex.Transaction, now: Date, limit: number, only?: { caseNo: string; key: string }): Promise<{ judged: Judged; rows: number; changed: number }> {
  const q = trx('step_clocks as s').join('cases as c', 'c.case_no', 's.case_no').where('s.next_supervision_at', '<=', now)
    .orderBy('s.next_supervision_at').limit(limit).forUpdate('s', 'c').skipLocked()
    .select<(StepRow & { supervision_seq: number })[]>([...stepColumns, 'c.supervision_seq']);
  const rows = await (only ? q.where({ 's.case_no': only.caseNo, 's.clock_key': only.key }) : q);
  const judged: Judged = { events: [], notices: [] };
  const seqs = new Map<string, number>();
  for (const r of rows) if (!seqs.has(r.case_no)) seqs.set(r.case_no, r.supervision_seq);
  const changed: { case_no: string; clock_key: string; level: SupervisionLevel }[] = [];
  for (const r of rows) {
    const j = judgeStepClock(published(r), now.getTime());
    if (j.raised.length === 0) continue;
    record(judged, r, j.raised, seqs);
    changed.push({ case_no: r.case_no, clock_key: r.clock_key, level: j.level });
  }
  if (changed.length) {
    await trx.raw(
      `update step_clocks s set level = v.level from unnest(?::text[], ?::text[], ?::text[]) as v(case_no, clock_key, level)
        where s.case_no = v.case_no and s.clock_key = v.clock_key`,
      [changed.map((r) => r.case_no), changed.map((r) => r.clock_key), changed.map((r) => r.level)],
    );
    const cases = [...new Set(changed.map((r) => r.case_no))];
    await trx.raw(
      `update cases c set supervision_seq = v.seq from unnest(?::text[], ?::int[]) as v(case_no, seq) where c.case_no = v.case_no`,
      [cases, cases.map((n) => seqs.get(n)!)],
    );
  }
  return { judged, rows: rows.length, changed: changed.length };
}
