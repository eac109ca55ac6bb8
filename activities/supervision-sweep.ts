/**
 * The supervision sweep (电子监察 as an observer of the case clock): every case whose clock the
 * row publishes (`cases.supervised_by = 'sweep'`) and whose level lags the time is recorded here,
 * many cases per statement, instead of each case's workflow waking at its own instant. A
 * province's midnight (ten thousand warnings due at one instant) is then a few transactions, not
 * ten thousand workflow tasks.
 *
 * What is recorded (supervision-records.ts) is what the case workflow records for its own steps: a
 * case event (numbered in the case's supervision sequence, from SWEEP_SEQ_BASE, so it never blocks
 * the workflow's own numbering), a supervision_events row, the audit row, the webhook deliveries
 * and roll-ups (through the projection's applyEvents), the case row's level, and the notices to
 * the department's handler and head, kept in the `notifications` outbox before they are sent. Each
 * event carries the instant it fell due (`at`); `supervision_events.recorded_at` says when it was
 * recorded. The sweep handles clocks that run; a clock the case changes is settled by the
 * projection in the same transaction as the change (settleClock), so nothing due before a pause or
 * a decision waits for the sweep.
 *
 * A clock whose record the database refuses even alone is counted on its row and put off (2, 4, 8 …
 * s, at most 5 minutes; migration 023), so it neither fails every round nor hides the sweep's own
 * lag: the gauge onewindow_supervision_clocks_unrecordable counts such clocks.
 *
 * Concurrency: the rows are locked (`for update skip locked`), so several workers may sweep at
 * once, and a case whose projection is being written is simply left for the next sweep; the
 * levels are judged from the locked row, so a clock moved meanwhile is judged as it is now.
 */
import { connectionFailure } from '../lib/connection-failure';
import { direct } from '../lib/statements';
import { AdapterRefusal } from '../adapters/errors';
import type { Db } from '../lib/db';
import { log } from '../lib/log';
import type { Platforms } from '../lib/platforms';
import { nextSupervisionInstant } from '../lib/supervision-sweep';
import { sweepStepBatch } from './step-clocks';
import { whileAlive } from './while-alive';
import { applyEvents, countProjected, inProjection, newTally } from './projection';
import { clockColumns, judgeRow, levelColumns, queueNotices, type ClockRow } from './supervision-records';

export { SWEEP_SEQ_BASE } from './supervision-records';

/** Cases judged per transaction. */
const BATCH = 1000;
/** Notices read at a time, sent at once, and the time a sweep gives to sending them. */
const NOTICE_BATCH = 500;
const NOTICE_PARALLEL = 8;
const NOTICE_BUDGET_MS = 30_000;
const MIN_NOTICE_BUDGET_MS = 500;

/** What one batch did: cases whose level changed, events recorded, and whether it was full (more may wait). */
type BatchResult = { cases: number; events: number; full: boolean };

export interface SweepResult {
  /** Cases whose level changed, and the events recorded for them. */
  cases: number;
  events: number;
  /** Clocks the sweep could not record (each alone failed too): counted on their rows and tried again later (migration 023). */
  failed: number;
  /** Notices sent, and left for the next sweep (the notifier failed, or the sweep's time for them ran out). */
  noticesSent: number;
  noticesLeft: number;
  /** The next instant a published clock passes (null: none); it may be past (a row another transaction held). */
  next: string | null;
}

/** The cases a sweep looks at: escalations (an instant passed) or corrections (a level raised whose instant moved away). */
function candidates<Q extends ReturnType<Db>>(q: Q, now: Date, corrections: boolean): Q {
  if (!corrections) return q.where('next_supervision_at', '<=', now).orderBy('next_supervision_at') as Q;
  return q.where('supervised_by', 'sweep').andWhere('clock_running', true).andWhere((w) => void w.whereNull('sweep_retry_at').orWhere('sweep_retry_at', '<=', now)).andWhere((w) => void w.whereNot('supervision_state', 'normal').orWhere('statutory_overdue', true))
    .andWhereRaw(`((supervision_state = 'overdue' and coalesce(promised_deadline > ?, true))
      or (supervision_state = 'warning' and coalesce(warning_at > ?, true) and coalesce(promised_deadline > ?, true))
      or (statutory_overdue and coalesce(statutory_deadline > ?, true)))`, [now, now, now, now]) as Q;
}

/**
 * Judges and records one batch of cases (or the one case `only`) in one transaction, at the time
 * the batch begins; the number of cases it changed and events it recorded.
 */
async function sweepBatch(db: Db, corrections: boolean, only?: string): Promise<BatchResult> {
  const tally = newTally();
  let result = { cases: 0, events: 0, full: false };
  await inProjection(db, async (trx, last) => {
    const now = new Date();
    const q = trx('cases').select(clockColumns).limit(BATCH).forUpdate().skipLocked();
    const rows = (await candidates(only ? q.where('case_no', only) : q, now, corrections)) as ClockRow[];
    const judged = rows.map((r) => ({ r, j: judgeRow(r, now.getTime()) })).filter((x) => x.j.events.length > 0);
    result = { cases: judged.length, events: judged.reduce((n, x) => n + x.j.events.length, 0), full: rows.length === BATCH };
    if (judged.length === 0) return;
    const out = judged.map((x) => ({ case_no: x.r.case_no, ...levelColumns(x.r) }));
    await trx.raw(
      `update cases c set supervision_state = v.level, statutory_overdue = v.statutory_overdue, supervision_seq = v.seq, warned_at = coalesce(c.warned_at, v.warned_at)
         from unnest(?::text[], ?::text[], ?::boolean[], ?::int[], ?::timestamptz[]) as v(case_no, level, statutory_overdue, seq, warned_at)
        where c.case_no = v.case_no`,
      [out.map((r) => r.case_no), out.map((r) => r.supervision_state), out.map((r) => r.statutory_overdue), out.map((r) => r.supervision_seq), out.map((r) => r.warned_at) as Date[] /* nulls: not warned */],
    );
    await applyEvents(direct(trx), judged.flatMap((x) => x.j.events), last, tally);
    await queueNotices(direct(trx), judged.flatMap((x) => x.j.notices));
  });
  await countProjected(db, tally);
  return result;
}

/** Judges and records one batch of open step clocks (or the one clock `only`) in one transaction, at the time the batch begins. */
async function stepBatch(db: Db, only?: { caseNo: string; key: string }): Promise<BatchResult> {
  const tally = newTally();
  let result = { cases: 0, events: 0, full: false };
  await inProjection(db, async (trx, last) => {
    const b = await sweepStepBatch(trx, new Date(), BATCH, only);
    result = { cases: b.changed, events: b.judged.events.length, full: b.rows === BATCH };
    await applyEvents(direct(trx), b.judged.events, last, tally);
    await queueNotices(direct(trx), b.judged.notices);
  });
  await countProjected(db, tally);
  return result;
}

/** One pass of a sweep over one kind of clock, identified by `K`. */
interface Pass<K> {
  /** Judges and records one batch, or only the clock `only`. */
  batch(only?: K): Promise<BatchResult>;
  /** The clocks due now, for recording them one at a time. */
  due(): Promise<K[]>;
  /** A clock as the log names it. */
  name(k: K): { text: string; fields: Record<string, unknown> };
  /** Counts a refusal of the clock's record on its row, and puts off its next try (backoff). */
  refused(k: K, err: unknown): Promise<void>;
}

/** The delay before a refused clock's next try: 2, 4, 8 … s, at most 5 minutes (the exponent capped, so it never overflows). */
const retryDelaySql = `least(power(2, least(sweep_failures + 1, 9)), 300) * interval '1 second'`;

/**
 * Errors that say nothing about the clock's row (a lost connection, a deadlock, a serialization
 * failure, a server shutting down or short of resources: SQLSTATE classes 08, 40, 53, 57, 58; and
 * a connection refused, reset or not had from the pool, which has no SQLSTATE): the clock is
 * simply tried again at the next round, not counted as refused, so an outage never puts clocks off.
 */
export function passing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && /^(08|40|53|57|58)/.test(code)) || connectionFailure(err) !== undefined;
}

/** The database's own words for a refusal: its SQLSTATE, constraint and message (knex puts the statement, with the case's data, before the message). */
function refusalText(err: unknown): string {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  const message = String(e.message ?? err);
  const own = message.includes(' - ') ? message.slice(message.lastIndexOf(' - ') + 3) : message;
  return [typeof e.code === 'string' ? e.code : '', typeof e.constraint === 'string' ? `(${e.constraint})` : '', own].filter(Boolean).join(' ').slice(0, 500);
}

/**
 * The row update that counts one more refusal of a clock's record (see migration 023); for an
 * escalation, only while the clock is still due: one another writer recorded meanwhile (its level
 * changed, its instants moved) is not marked refused.
 */
const refusal = (db: Db, table: 'cases' | 'step_clocks', row: Record<string, string>, err: unknown, escalation = true) => db(table).where(row)
  .modify((q) => { if (escalation) void q.where('next_supervision_at', '<=', db.fn.now()); }).update({
  sweep_failures: db.raw('sweep_failures + 1'),
  sweep_retry_at: db.raw(`clock_timestamp() + ${retryDelaySql}`),
  sweep_error: refusalText(err),
});

/**
 * A batch the database refused (a row it cannot store, a constraint): each clock alone, so one
 * case cannot stop supervision for the others; a clock that still fails is logged and left for
 * later (its refusal counted on its row, which puts off its next try).
 */
async function oneByOne<K>(pass: Pass<K>, err: unknown): Promise<{ cases: number; events: number; failed: number }> {
  log().error({ err, operation: 'sweepSupervision' }, 'supervision sweep: a batch failed; recording its clocks one by one');
  const out = { cases: 0, events: 0, failed: 0 };
  for (const k of await pass.due()) {
    try {
      const b = await pass.batch(k);
      out.cases += b.cases;
      out.events += b.events;
    } catch (e) {
      out.failed += 1;
      const n = pass.name(k);
      if (passing(e)) {
        log().warn({ err: e, ...n.fields, operation: 'sweepSupervision' }, `supervision sweep: ${n.text} could not be recorded this round (a passing database error); it is tried again at the next sweep`);
        continue;
      }
      try {
        await pass.refused(k, e);
        log().error({ err: e, ...n.fields, operation: 'sweepSupervision' }, `supervision sweep: ${n.text} could not be recorded; it is tried again later (waiting longer after each refusal, 5 minutes at most)`);
      } catch (e2) {
        log().error({ err: e, countErr: e2, ...n.fields, operation: 'sweepSupervision' }, `supervision sweep: ${n.text} could not be recorded, nor its refusal counted; it is tried again at the next sweep`);
      }
    }
  }
  return out;
}

/** The case clocks' pass: escalations, or (corrections) levels raised whose instant moved away. */
const casePass = (db: Db, corrections: boolean): Pass<string> => ({
  batch: (only) => sweepBatch(db, corrections, only),
  due: async () => (await candidates(db('cases').select('case_no').limit(BATCH), new Date(), corrections)).map((r: { case_no: string }) => r.case_no),
  name: (caseNo) => ({ text: `case ${caseNo}`, fields: { caseNo } }),
  refused: async (caseNo, err) => void await refusal(db, 'cases', { case_no: caseNo }, err, !corrections),
});

/** The step clocks' pass (they only escalate). */
const stepPass = (db: Db): Pass<{ caseNo: string; key: string }> => ({
  batch: (only) => stepBatch(db, only),
  due: async () => (await db('step_clocks').where('next_supervision_at', '<=', new Date()).orderBy('next_supervision_at').limit(BATCH)
    .select<{ case_no: string; clock_key: string }[]>('case_no', 'clock_key')).map((r) => ({ caseNo: r.case_no, key: r.clock_key })),
  name: (k) => ({ text: `step clock ${k.key} of case ${k.caseNo}`, fields: { caseNo: k.caseNo, clockKey: k.key } }),
  refused: async (k, err) => void await refusal(db, 'step_clocks', { case_no: k.caseNo, clock_key: k.key }, err),
});

/**
 * Sends the outbox's notices not sent yet (the sweep's own), oldest first, for as long as the sweep's budget lasts; a notifier
 * that refuses one is recorded as its answer; one that fails (down, timing out) stops the round,
 * and what is left waits for the next sweep.
 */
async function sendNotices(db: Db, platforms: Platforms, budgetMs: number): Promise<{ sent: number; left: number }> {
  const until = Date.now() + budgetMs;
  let sent = 0;
  for (;;) {
    const round = await sendNoticeBatch(db, platforms, until);
    sent += round.sent;
    if (round.failed || round.read < NOTICE_BATCH || Date.now() > until) break;
  }
  const [{ n }] = await db('notifications').where('outbox', true).whereNull('sent_at').count<{ n: string }[]>('* as n');
  return { sent, left: Number(n) };
}

async function sendNoticeBatch(db: Db, platforms: Platforms, until: number): Promise<{ read: number; sent: number; failed: boolean }> {
  const rows = await db('notifications').where('outbox', true).whereNull('sent_at').orderBy('created_at').limit(NOTICE_BATCH)
    .select<{ key: string; case_no: string; recipient: string; template: string; params: Record<string, unknown> }[]>('key', 'case_no', 'recipient', 'template', 'params');
  let sent = 0;
  let next = 0;
  let failed = false;
  const one = async (n: (typeof rows)[number]) => {
    const params = Object.fromEntries(Object.entries(n.params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    try {
      await platforms.outboxNotifier.inApp({ userId: n.recipient, title: n.template, body: JSON.stringify(params), caseNo: n.case_no }, n.key);
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
    // A slow notifier stops taking new notices at the round's end; what is left waits for the next round.
    while (next < rows.length && !failed && Date.now() < until) await one(rows[next++]);
  }));
  return { read: rows.length, sent, failed };
}

/** Batches of one pass until one is not full or changes nothing; a refused batch goes one by one. */
async function runPass<K>(pass: Pass<K>, out: SweepResult): Promise<void> {
  for (;;) {
    let b: BatchResult;
    try {
      b = await pass.batch();
    } catch (err) {
      const one = await oneByOne(pass, err);
      out.cases += one.cases;
      out.events += one.events;
      out.failed += one.failed;
      return;
    }
    out.cases += b.cases;
    out.events += b.events;
    if (!b.full || b.cases === 0) return;
  }
}

/**
 * One sweep: records every published clock that lags the time, in batches (each judged at its own
 * start), corrections last; sends the notices waiting; says when the next clock passes.
 */
async function sweepOnce(db: Db, platforms: Platforms): Promise<SweepResult> {
  const out: SweepResult = { cases: 0, events: 0, failed: 0, noticesSent: 0, noticesLeft: 0, next: null };
  // The case clocks' escalations, their corrections, then the step clocks (which only escalate).
  await runPass(casePass(db, false), out);
  await runPass(casePass(db, true), out);
  await runPass(stepPass(db), out);
  // Notices go out until the next clock falls due (30 s at most, half a second at least), so a
  // midnight's backlog of notices never holds back the levels due just after it: the workflow
  // sweeps again at once while notices wait, and each round sends some more.
  const next = await nextSupervisionInstant(db);
  const n = await sendNotices(db, platforms, next ? Math.min(NOTICE_BUDGET_MS, Math.max(MIN_NOTICE_BUDGET_MS, next.getTime() - Date.now())) : NOTICE_BUDGET_MS);
  out.noticesSent = n.sent;
  out.noticesLeft = n.left;
  out.next = next ? next.toISOString() : null;
  return out;
}

export function createSupervisionSweepActivities(db: Db, platforms: Platforms) {
  return {
    /**
     * One sweep (sweepOnce), heartbeating every 5 s while it runs (the workflow's heartbeat
     * timeout is 20 s): not between batches, because one notice may rightly take the notifier's
     * whole timeout (one attempt: the outbox is the retry).
     */
    sweepSupervision: (): Promise<SweepResult> => whileAlive(() => sweepOnce(db, platforms), 5_000),
  };
}
