/**
 * What a judgement of a published case clock records (shared by the supervision sweep and by the
 * projection, which settles a clock up to the instant it changes): the case events (numbered in
 * the case's supervision sequence), the notices to the department's handler and head (kept in
 * the `notifications` outbox), and the row's new levels.
 *
 * A clock is settled at every change the case makes to it (a pause, a resume, new instants, the
 * decision), in the same transaction as the change: every instant it passed before the change is
 * recorded at that instant, however far behind the sweep is; and a level the sweep raised for an
 * instant the clock had in fact stopped before (its change written late) is corrected.
 */
import type { Statements } from '../lib/statements';
import { judgeClock, type Raised, type SupervisionLevel } from '../workflows/supervision';
import type { CaseEventInput } from './projection';

/** Case events the sweep records are numbered from here (the workflow's own stay far below). */
export const SWEEP_SEQ_BASE = 1_000_000_000;

/** A swept case's clock and levels as its row holds them. */
export interface ClockRow {
  case_no: string;
  department_code: string;
  supervision_state: SupervisionLevel;
  statutory_overdue: boolean;
  warning_at: Date | null;
  promised_deadline: Date | null;
  statutory_deadline: Date | null;
  clock_running: boolean;
  supervision_seq: number;
  simulation_state: string | null;
  warned_at: Date | null;
}

export const clockColumns = ['case_no', 'department_code', 'supervision_state', 'statutory_overdue', 'warning_at', 'promised_deadline', 'statutory_deadline', 'clock_running', 'supervision_seq', 'simulation_state', 'warned_at'];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What judging one clock at an instant adds: events, notices; the row's levels move in place. */
export interface Judged {
  events: CaseEventInput[];
  notices: Record<string, unknown>[];
}

/**
 * Judges `r` at `at` (ms) and moves its levels and sequence in place; returns what to record. A
 * stopped clock is not judged.
 */
export function judgeRow(r: ClockRow, at: number, into: Judged = { events: [], notices: [] }): Judged {
  if (!r.clock_running) return into;
  const j = judgeClock({ level: r.supervision_state, statutoryOverdue: r.statutory_overdue, warningAt: iso(r.warning_at), promisedDeadline: iso(r.promised_deadline), statutoryDeadline: iso(r.statutory_deadline) }, at);
  const on = { caseNo: r.case_no, department: r.department_code, stepId: null, simulated: r.simulation_state === 'simulating' };
  for (const x of j.raised) {
    r.supervision_seq += 1;
    recordRaised(into, on, x, r.supervision_seq);
    if (x.level === 'warning' && !r.warned_at) r.warned_at = new Date(x.at);
  }
  r.supervision_state = j.level;
  r.statutory_overdue = j.statutoryOverdue;
  return into;
}

/** Whose level changed: the case (stepId null) or one of its steps, and its department. */
export interface Supervised {
  caseNo: string;
  department: string;
  stepId: string | null;
  simulated: boolean;
}

/**
 * Adds what one change of level records: the case event numbered `seq` in the case's supervision
 * sequence, at the instant it fell due (its supervision row follows from it), and, for a level
 * raised (not a correction), the notices to the department's handler and head.
 */
export function recordRaised(into: Judged, on: Supervised, x: Raised, seq: number): void {
  const simulated = on.simulated ? { simulated: true as const } : {};
  const scope = on.stepId === null ? 'case' : 'step';
  const type = x.level === 'cleared' ? 'supervision-corrected' : `supervision-${x.level}`;
  into.events.push({
    caseNo: on.caseNo, seq: SWEEP_SEQ_BASE + seq, type, at: new Date(x.at).toISOString(), actor: 'supervision', observed: true,
    payload: { scope, stepId: on.stepId, deadline: x.deadline, cause: x.cause, department: on.department, previous: x.previous, ...simulated },
    supervision: { scope, stepId: on.stepId, level: x.level, cause: x.cause, department: on.department, deadline: x.deadline, ...simulated },
  });
  if (x.level === 'cleared') return;
  for (const role of ['handler', 'head']) {
    into.notices.push({
      key: `${on.caseNo}-${type}-${on.stepId ?? 'case'}-${x.cause}-${role}-s${seq}`, case_no: on.caseNo, recipient: `${on.department}:${role}`, template: type,
      params: JSON.stringify({ deadline: x.deadline, cause: x.cause, stepId: on.stepId, ...simulated }), outbox: true,
    });
  }
}

/** The notices of a judgement, into the outbox (sent by the sweep). */
export async function queueNotices(s: Statements, notices: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < notices.length; i += 1000) await s.write(s.q('notifications').insert(notices.slice(i, i + 1000)).onConflict('key').ignore());
}

/** The published clock a patch carries (the columns a swept case's workflow sets). */
export interface ClockPatch {
  warningAt?: string | null;
  promisedDeadline?: string | null;
  statutoryDeadline?: string | null;
  clockRunning?: boolean;
  supervisionState?: string;
  statutoryOverdue?: boolean;
}

export const movesClock = (p: ClockPatch | undefined): boolean =>
  p !== undefined && (p.warningAt !== undefined || p.promisedDeadline !== undefined || p.statutoryDeadline !== undefined || p.clockRunning !== undefined || p.statutoryOverdue !== undefined);

/** Applies a patch's clock to the row in memory (after it was settled up to the patch's instant). */
export function applyClockPatch(r: ClockRow, p: ClockPatch): void {
  if (p.warningAt !== undefined) r.warning_at = p.warningAt === null ? null : new Date(p.warningAt);
  if (p.promisedDeadline !== undefined) r.promised_deadline = p.promisedDeadline === null ? null : new Date(p.promisedDeadline);
  if (p.statutoryDeadline !== undefined) r.statutory_deadline = p.statutoryDeadline === null ? null : new Date(p.statutoryDeadline);
  if (p.clockRunning !== undefined) r.clock_running = p.clockRunning;
  if (p.supervisionState !== undefined) r.supervision_state = p.supervisionState as SupervisionLevel;
  if (p.statutoryOverdue !== undefined) r.statutory_overdue = p.statutoryOverdue;
}

/**
 * Settles a swept case's clock through a series of changes (in order): before each, the clock as
 * it stood is judged up to the change's instant. Reads and locks the row; null when the case is
 * not swept (or has no row yet). The caller writes the row's levels and records what was judged.
 */
export async function settleClock(s: Statements, caseNo: string, changes: { at: string; patch: ClockPatch }[]): Promise<{ row: ClockRow; judged: Judged } | null> {
  const [row] = await s.rows<ClockRow>(s.q('cases').where({ case_no: caseNo, supervised_by: 'sweep' }).forUpdate().select(clockColumns).limit(1));
  if (!row) return null;
  const judged: Judged = { events: [], notices: [] };
  for (const c of changes) {
    judgeRow(row, Date.parse(c.at), judged);
    applyClockPatch(row, c.patch);
  }
  return { row, judged };
}

/** The row's levels after a judgement, as columns. */
export function levelColumns(r: ClockRow) {
  return { supervision_state: r.supervision_state, statutory_overdue: r.statutory_overdue, supervision_seq: r.supervision_seq, warned_at: r.warned_at };
}
