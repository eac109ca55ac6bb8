/**
 * 电子监察: the case clock against its warning, promised and statutory instants, and each step's
 * own limit; every change of level is recorded and the department's handler and head are told.
 */
import { condition, upsertSearchAttributes } from '@temporalio/workflow';
import type { SupervisionRule } from '../supervision';
import { levelAt, warnAfterDays, worse, type SupervisionLevel } from '../supervision';
import { SupervisionState as SupervisionKey } from '../search-attributes';
import { msUntil, now, type Case } from './context';
import { notify } from './tasks';

interface Scope {
  stepId: string | null;
  department: string;
  deadline: string | null;
  cause: string;
}

/** Records a supervision event for the case or a step, sets the search attribute, tells the department. */
export function raise(c: Case, level: SupervisionLevel | 'cleared', scope: Scope, previous?: SupervisionLevel): void {
  const type = level === 'cleared' ? 'supervision-corrected' : `supervision-${level}`;
  const onCase = scope.stepId === null;
  c.record(type, {
    payload: { scope: onCase ? 'case' : 'step', stepId: scope.stepId, deadline: scope.deadline, cause: scope.cause, department: scope.department, previous, ...(c.simulating() ? { simulated: true } : {}) },
    supervision: { scope: onCase ? 'case' : 'step', stepId: scope.stepId, level, cause: scope.cause, department: scope.department, deadline: scope.deadline, ...(c.simulating() ? { simulated: true } : {}) },
    patch: onCase ? { supervisionState: c.state.supervision.level } : undefined,
  });
  if (onCase) upsertSearchAttributes([{ key: SupervisionKey, value: c.state.supervision.level }]);
  if (level === 'cleared') return;
  for (const role of ['handler', 'head']) {
    notify(c, { key: `${c.caseNo}-${type}-${scope.stepId ?? 'case'}-${scope.cause}-${role}-${c.state.nextSeq()}`, caseNo: c.caseNo, recipient: `${scope.department}:${role}`, template: type, params: { deadline: scope.deadline, cause: scope.cause, stepId: scope.stepId } });
  }
}

/** The case clock against the promised limit (warning, overdue) and the statutory limit, until the decision. */
export async function superviseCase(c: Case): Promise<void> {
  const { state, clock } = c;
  const changed = (version: number) => () => clock.version !== version || c.supervisionOver;
  while (!c.supervisionOver) {
    const version = clock.version;
    const k = state.clock;
    if (!k.running) {
      await c.wait(changed(version));
      continue;
    }
    const judged = Date.now();
    const wanted = levelAt(judged, k.warningAt, k.promisedDeadline);
    if (wanted !== state.supervision.level) {
      const previous = state.supervision.level;
      state.supervision.level = wanted;
      const cause = worse(wanted, previous) ? (wanted === 'warning' ? 'promised-limit-near' : 'promised-limit-passed') : 'deadline-moved';
      raise(c, worse(wanted, previous) ? wanted : 'cleared', { stepId: null, department: c.impl.department, deadline: k.promisedDeadline, cause }, previous);
    }
    const statutory = k.statutoryDeadline !== null && judged >= Date.parse(k.statutoryDeadline);
    if (statutory !== state.supervision.statutoryOverdue) {
      state.supervision.statutoryOverdue = statutory;
      raise(c, statutory ? 'overdue' : 'cleared', { stepId: null, department: c.impl.department, deadline: k.statutoryDeadline, cause: statutory ? 'statutory-limit-passed' : 'statutory-deadline-moved' });
    }
    // The next instant after the one just judged.
    const next = [k.warningAt, k.promisedDeadline, k.statutoryDeadline].map((x) => (x ? Date.parse(x) : Infinity)).filter((t) => t > judged);
    const wait = next.length ? Math.min(...next) - Date.now() : undefined;
    if (wait !== undefined && wait <= 0) continue;
    await c.wait(changed(version), wait);
  }
}

/**
 * A step's own clock from when it opened (a swept case publishes it for the sweep instead of
 * keeping timers). When the step ends with a true time earlier than its
 * arrival (a department's late milestone), the step's level is corrected back to that time.
 */
export async function superviseStep(c: Case, step: { id: string; department: string; limitDays: number; rule?: SupervisionRule }, open: () => boolean, trueEnd: () => string | null = () => null): Promise<void> {
  const from = now();
  const due = c.clock.add(from, step.limitDays).deadline;
  const warn = c.clock.add(from, warnAfterDays(step.limitDays, step.rule)).deadline;
  const warnAt = Date.parse(warn) < Date.parse(due) ? warn : null;
  if (c.sweptSteps) {
    // The sweep keeps this clock's levels from its row; the case only says when it opens and closes.
    const key = c.stepClockKey(step.id);
    c.journal.push({ op: 'step-open', caseNo: c.caseNo, clock: { key, stepId: step.id, department: step.department, openedAt: from, warningAt: warnAt, dueAt: due, ...(c.simulating() ? { simulated: true } : {}) } });
    // A bare condition, not c.wait: it wakes in the same pass as the journal's batch of the step's
    // end and runs first, so the close goes in that batch (c.wait's extra promise hops would miss it).
    await condition(() => !open());
    c.journal.push({ op: 'step-close', caseNo: c.caseNo, clock: { key, at: now(), trueEnd: trueEnd() } });
    return;
  }
  let level: SupervisionLevel = 'normal';
  while (open()) {
    const target = level === 'normal' ? (warnAt ?? due) : level === 'warning' ? due : null;
    if (!target) {
      await c.wait(() => !open());
      break;
    }
    if (await c.wait(() => !open(), Math.max(1, msUntil(target)))) break;
    level = level === 'normal' && warnAt ? 'warning' : 'overdue';
    c.state.supervision.steps[step.id] = level;
    raise(c, level, { stepId: step.id, department: step.department, deadline: due, cause: level === 'warning' ? 'step-limit-near' : 'step-limit-passed' });
  }
  const end = trueEnd();
  if (end && level !== 'normal') {
    const truly = levelAt(Date.parse(end), warnAt, due);
    if (worse(level, truly)) {
      c.state.supervision.steps[step.id] = truly;
      raise(c, 'cleared', { stepId: step.id, department: step.department, deadline: due, cause: `step-ended-at-${end}` }, level);
    }
  }
}
