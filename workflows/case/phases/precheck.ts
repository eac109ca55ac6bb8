/**
 * 预审: the window accepts, asks for a correction (then again), or refuses to accept, within 5
 * working days of the materials' arrival; no answer in time is an acceptance by law (Art. 32).
 * An instant case (即办件) is accepted at once, unless the applicant fails the real-name check.
 */
import { PRECHECK_WORKING_DAYS } from '../../definitions';
import { CaseEnded, msUntil, now, type Case } from '../context';
import { superviseCase } from '../supervision';
import { awaitTask, notify, openTask } from '../tasks';
import { checkApplicant } from './applicant';
import { correctionPause } from './correction';
import { acceptanceFee } from './fee';

/** Acceptance: the case clock starts and the supervision loop with it. */
function startClock(c: Case, at: string): void {
  if (c.swept) {
    c.clock.start(at, null); // the supervision sweep watches the clock the case publishes
    return;
  }
  c.clock.start(at, c.state.supervision.level);
  c.background.push(superviseCase(c));
}

export async function acceptInstantly(c: Case): Promise<void> {
  const problems = await checkApplicant(c);
  if (problems.length) throw new CaseEnded('not_accepted', problems.join('；'));
  startClock(c, c.input.filedAt);
  c.record('accepted', { payload: { instant: true }, patch: c.clockPatch() }, 'in_review');
  await acceptanceFee(c);
}

export async function precheck(c: Case): Promise<void> {
  const { state, impl, caseNo } = c;
  let materialsAt = c.input.filedAt;
  for (;;) {
    // A failed real-name or authorisation check is shown on the task, which then cannot accept.
    const problems = await checkApplicant(c);
    const due = c.clock.add(materialsAt, PRECHECK_WORKING_DAYS).deadline;
    const task = openTask(c, {
      kind: 'precheck', stepId: 'precheck', stepName: '预审受理', department: impl.window.department, role: impl.window.role,
      actions: problems.length ? ['correction', 'reject'] : ['accept', 'correction', 'reject'], ...(problems.length ? { notes: problems } : {}),
    });
    if (state.status !== 'prechecking') c.record('precheck-started', { payload: { materialsAt, due } }, 'prechecking');
    const done = await awaitTask(c, task, msUntil(due));
    if (!done) {
      // No outcome in time: accepted by law from the day the materials arrived.
      startClock(c, materialsAt);
      c.record('auto-accepted', { payload: { materialsAt, rule: '行政许可法第三十二条：逾期不告知的，自收到申请材料之日起即为受理' }, patch: c.clockPatch() }, 'in_review');
      await acceptanceFee(c);
      return;
    }
    if (done.action === 'accept') {
      startClock(c, now());
      c.record('accepted', { actor: done.actor.userId, patch: c.clockPatch() }, 'in_review');
      notify(c, { key: `${caseNo}-accepted`, caseNo, recipient: 'applicant', template: 'acceptance-notice', params: { deadline: state.clock.promisedDeadline } });
      await acceptanceFee(c);
      return;
    }
    if (done.action === 'reject') throw new CaseEnded('not_accepted', done.opinion);
    materialsAt = await correctionPause(c, done.problems ?? [], 'precheck', 'prechecking');
  }
}
