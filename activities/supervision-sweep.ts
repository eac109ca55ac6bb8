/**
 * The supervision sweep (电子监察 as an observer of the case clock): every case whose clock the
 * row publishes (`cases.supervised_by = 'sweep'`) and whose level lags the time is recorded here,
 * many cases per statement, instead of each case's workflow waking at its own instant. A
 * province's midnight (ten thousand warnings due at one instant) is then a few transactions, not
 * ten thousand workflow tasks.
 *
 * What is recorded is what the case workflow records for its own steps: a case event (numbered in
 * the case's supervision sequence, from SWEEP_SEQ_BASE, so it never blocks the workflow's own
 * numbering), a supervision_events row, the audit row, the webhook deliveries and roll-ups
 * (through the projection's applyEvents), the case row's level, and the notices to the
 * department's handler and head, kept in `notifications` before they are sent. Each event carries
 * the instant it fell due (`at`); `supervision_events.recorded_at` says when it was recorded.
 *
 * Concurrency: the rows are locked (`for update skip locked`), so several workers may sweep at
 * once, and a case whose projection is being written is simply left for the next sweep; the
 * levels are judged from the locked row, so a clock moved meanwhile is judged as it is now.
 */
import { AdapterRefusal } from '../adapters/errors';
import type { Db } from '../lib/db';
import type { Platforms } from '../lib/platforms';
import { judgeClock, type SupervisionLevel } from '../workflows/supervision';
import { applyEvents, countProjected, inProjection, newTally, type CaseEventInput } from './projection';

/** Case events the sweep records are numbered from here (the workflow's own stay far below). */
export const SWEEP_SEQ_BASE = 1_000_000_000;

/** Cases judged per transaction. */
const BATCH = 1000;
/** Notices read at a time, sent at once, and the time a sweep gives to sending them. */
const NOTICE_BATCH = 500;
const NOTICE_PARALLEL = 8;
const NOTICE_BUDGET_MS = 30_000;

interface ClockRow {
  case_no: string;
  department_code: string;
  supervision_state: SupervisionLevel;
  statutory_overdue: boolean;
  warning_at: Date | null;
  promised_deadline: Date | null;
  statutory_deadline: Date | null;
  supervision_seq: number;
  simulation_state: string | null;
}

const columns = ['case_no', 'department_code', 'supervision_state', 'statutory_overdue', 'warning_at', 'promised_deadline', 'statutory_deadline', 'supervision_seq', 'simulation_state'];
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface SweepResult {
  /** Cases whose level changed, and the events recorded for them. */
  cases: number;
  events: number;
  /** Notices sent, and left for the next sweep (the notifier failed, or the sweep's time for them ran out). */
  noticesSent: number;
  noticesLeft: number;
  /** The next instant a published clock passes (null: none). */
  next: string | null;
}

/** What one case's judgement records: its events and notices, and its row's new levels. */
function recordsFor(r: ClockRow, now: number) {
  const j = judgeClock({ level: r.supervision_state, statutoryOverdue: r.statutory_overdue, warningAt: iso(r.warning_at), promisedDeadline: iso(r.promised_deadline), statutoryDeadline: iso(r.statutory_deadline) }, now);
  const simulated = r.simulation_state === 'simulating' ? { simulated: true as const } : {};
  let seq = r.supervision_seq;
  const events: CaseEventInput[] = [];
  const notices: Record<string, unknown>[] = [];
  for (const x of j.raised) {
    seq += 1;
    const type = x.level === 'cleared' ? 'supervision-corrected' : `supervision-${x.level}`;
    const at = new Date(x.at).toISOString();
    events.push({
      caseNo: r.case_no, seq: SWEEP_SEQ_BASE + seq, type, at, actor: 'supervision', observed: true,
      payload: { scope: 'case', stepId: null, deadline: x.deadline, cause: x.cause, department: r.department_code, previous: x.previous, ...simulated },
      supervision: { scope: 'case', stepId: null, level: x.level, cause: x.cause, department: r.department_code, deadline: x.deadline, ...simulated },
    });
    if (x.level === 'cleared') continue;
    for (const role of ['handler', 'head']) {
      notices.push({
        key: `${r.case_no}-${type}-case-${x.cause}-${role}-s${seq}`, case_no: r.case_no, recipient: `${r.department_code}:${role}`, template: type,
        params: JSON.stringify({ deadline: x.deadline, cause: x.cause, stepId: null, ...simulated }), sent_at: null,
      });
    }
  }
  const warnedAt = events.find((e) => e.supervision!.level === 'warning')?.at ?? null;
  return { events, notices, row: { case_no: r.case_no, level: j.level, statutory_overdue: j.statutoryOverdue, seq, warned_at: warnedAt } };
}

/** Judges and records one batch of cases in one transaction; the number of cases it changed and events it recorded. */
async function sweepBatch(db: Db, now: Date, corrections: boolean): Promise<{ cases: number; events: number; full: boolean }> {
  const tally = newTally();
  let result = { cases: 0, events: 0, full: false };
  await inProjection(db, async (trx, last) => {
    const q = trx('cases').select<ClockRow[]>(columns).limit(BATCH).forUpdate().skipLocked();
    const rows = corrections
      ? await q.where('supervised_by', 'sweep').andWhere('clock_running', true).andWhere((w) => void w.whereNot('supervision_state', 'normal').orWhere('statutory_overdue', true))
        .andWhereRaw(`((supervision_state = 'overdue' and coalesce(promised_deadline > ?, true))
          or (supervision_state = 'warning' and coalesce(warning_at > ?, true) and coalesce(promised_deadline > ?, true))
          or (statutory_overdue and coalesce(statutory_deadline > ?, true)))`, [now, now, now, now])
      : await q.where('next_supervision_at', '<=', now).orderBy('next_supervision_at');
    const judged = rows.map((r) => recordsFor(r, now.getTime())).filter((x) => x.events.length > 0);
    result = { cases: judged.length, events: judged.reduce((n, x) => n + x.events.length, 0), full: rows.length === BATCH };
    if (judged.length === 0) return;
    const rowsOut = judged.map((x) => x.row);
    await trx.raw(
      `update cases c set supervision_state = v.level, statutory_overdue = v.statutory_overdue, supervision_seq = v.seq, warned_at = coalesce(c.warned_at, v.warned_at), updated_at = greatest(c.updated_at, ?)
         from unnest(?::text[], ?::text[], ?::boolean[], ?::int[], ?::timestamptz[]) as v(case_no, level, statutory_overdue, seq, warned_at)
        where c.case_no = v.case_no`,
      [now, rowsOut.map((r) => r.case_no), rowsOut.map((r) => r.level), rowsOut.map((r) => r.statutory_overdue), rowsOut.map((r) => r.seq), rowsOut.map((r) => r.warned_at) as string[] /* nulls: no warning this sweep */],
    );
    await applyEvents(trx, judged.flatMap((x) => x.events), last, tally);
    const notices = judged.flatMap((x) => x.notices);
    for (let i = 0; i < notices.length; i += 1000) await trx('notifications').insert(notices.slice(i, i + 1000)).onConflict('key').ignore();
  });
  countProjected(tally);
  return result;
}

/**
 * Sends notices not sent yet, oldest first, for as long as the sweep's budget lasts; a notifier
 * that refuses one is recorded as its answer; one that fails (down, timing out) stops the round,
 * and what is left waits for the next sweep.
 */
async function sendNotices(db: Db, platforms: Platforms): Promise<{ sent: number; left: number }> {
  const until = Date.now() + NOTICE_BUDGET_MS;
  let sent = 0;
  for (;;) {
    const round = await sendNoticeBatch(db, platforms);
    sent += round.sent;
    if (round.failed || round.read < NOTICE_BATCH || Date.now() > until) break;
  }
  const [{ n }] = await db('notifications').whereNull('sent_at').count<{ n: string }[]>('* as n');
  return { sent, left: Number(n) };
}

async function sendNoticeBatch(db: Db, platforms: Platforms): Promise<{ read: number; sent: number; failed: boolean }> {
  const rows = await db('notifications').whereNull('sent_at').orderBy('created_at').limit(NOTICE_BATCH)
    .select<{ key: string; case_no: string; recipient: string; template: string; params: Record<string, unknown> }[]>('key', 'case_no', 'recipient', 'template', 'params');
  let sent = 0;
  let next = 0;
  let failed = false;
  const one = async (n: (typeof rows)[number]) => {
    const params = Object.fromEntries(Object.entries(n.params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    try {
      await platforms.notifier.inApp({ userId: n.recipient, title: n.template, body: JSON.stringify(params), caseNo: n.case_no }, n.key);
      await db('notifications').where({ key: n.key }).update({ sent_at: db.fn.now() });
      sent += 1;
    } catch (err) {
      if (!(err instanceof AdapterRefusal)) {
        failed = true; // the notifier is down: the next sweep sends it
        return;
      }
      await db('notifications').where({ key: n.key }).update({ sent_at: db.fn.now(), failure: err.message.slice(0, 500) });
      sent += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(NOTICE_PARALLEL, rows.length) }, async () => {
    while (next < rows.length && !failed) await one(rows[next++]);
  }));
  return { read: rows.length, sent, failed };
}

export function createSupervisionSweepActivities(db: Db, platforms: Platforms) {
  return {
    /**
     * One sweep: records every published clock that lags `now` (the activity's own time), in
     * batches, corrections last; sends the notices waiting; says when the next clock passes.
     */
    async sweepSupervision(): Promise<SweepResult> {
      const now = new Date();
      const out: SweepResult = { cases: 0, events: 0, noticesSent: 0, noticesLeft: 0, next: null };
      for (const corrections of [false, true]) {
        for (;;) {
          const b = await sweepBatch(db, now, corrections);
          out.cases += b.cases;
          out.events += b.events;
          if (!b.full || b.cases === 0) break;
        }
      }
      const n = await sendNotices(db, platforms);
      out.noticesSent = n.sent;
      out.noticesLeft = n.left;
      const [first] = await db('cases').whereNotNull('next_supervision_at').orderBy('next_supervision_at').limit(1).select<{ next_supervision_at: Date }[]>('next_supervision_at');
      out.next = first ? first.next_supervision_at.toISOString() : null;
      return out;
    },
  };
}
