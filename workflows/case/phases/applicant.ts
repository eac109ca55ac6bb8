/**
 * Before the window decides: the real-name check (and an agent's authorisation), the
 * e-certificates that replace materials (减材料, once), and for advanced items a live face check.
 */
import type { PersonRef } from '../../definitions';
import { FACE_CHECK_WAIT } from '../../definitions';
import { CaseEnded, now, type Case } from '../context';
import { awaitTask, notify, openTask } from '../tasks';

/** The problems the clerk must see; an empty list means the applicant checks out. */
export async function checkApplicant(c: Case): Promise<string[]> {
  const { state, input, impl } = c;
  const a = input.applicant;
  const replace = !c.materialsChecked && impl.materials?.some((m) => m.certificateType);
  c.materialsChecked = true;
  const holderIds = [a.idNumber, ...(a.kind === 'legal_person' && a.legalRepresentative ? [a.legalRepresentative.idNumber] : [])];
  // The identity platform and the certificate library are asked side by side.
  const [identity, replaced] = await c.call(() => Promise.all([
    c.remote.verifyApplicant({ applicant: a, itemCode: impl.itemCode, at: now() }),
    replace ? c.remote.replaceMaterials({ caseNo: c.caseNo, holderIds, materials: impl.materials!, at: now() }) : Promise.resolve(null),
  ]));
  state.identity = identity;
  c.record(identity.ok ? 'identity-verified' : 'identity-check-failed', { payload: { checks: identity.checks, problems: identity.problems } });
  if (replaced) {
    state.materials = replaced.replaced;
    c.record('materials-replaced', { payload: { replaced: replaced.replaced, notUsed: replaced.notUsed } });
  }
  if (!identity.ok) return identity.problems;
  const confirmed = state.faceCheck?.status === 'passed' || state.faceCheck?.status === 'confirmed-at-window';
  if (impl.authLevel === 'advanced' && !confirmed) await faceCheck(c);
  return [];
}

/**
 * 高级认证: a live face check of the person acting (the agent, else the applicant or a legal
 * person's legal representative). A failure, a refusal or no result within FACE_CHECK_WAIT opens
 * a task for the window clerk: ask again, confirm the person at the window, or refuse to accept.
 */
async function faceCheck(c: Case): Promise<void> {
  const { state, caseNo, impl } = c;
  const a = c.input.applicant;
  const person: PersonRef | undefined = a.agent ?? (a.kind === 'person' ? { idNumber: a.idNumber, name: a.name } : a.legalRepresentative);
  for (let attempt = (state.faceCheck?.attempt ?? 0) + 1; ; attempt++) {
    let reason: string;
    const started = person ? await c.call(() => c.remote.startFaceCheck({ caseNo, attempt, person })) : { refused: '未提供须核验的自然人（经办人或法定代表人）' };
    if ('refused' in started) {
      reason = `无法发起人脸核验：${started.refused}`;
      state.faceCheck = { checkId: '', attempt, status: 'failed', reason, requestedAt: now() };
      c.record('face-check-failed', { payload: { attempt, reason } });
    } else {
      const { checkId } = started;
      state.faceCheck = { checkId, attempt, status: 'pending', reason: null, requestedAt: started.requestedAt };
      c.record('face-check-requested', { payload: { checkId, attempt } });
      notify(c, { key: `${caseNo}-face-check-${attempt}`, caseNo, recipient: 'applicant', template: 'face-check-request', params: { checkId } });
      const arrived = await c.wait(() => c.faceResults.has(checkId) || state.withdrawal !== null, FACE_CHECK_WAIT);
      if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
      const result = arrived ? c.faceResults.get(checkId) ?? null : null;
      if (result) {
        state.faceCheckResult = result;
        c.journal.push({ op: 'face-check', checkId, status: result.passed ? 'passed' : 'failed', reason: result.reason ?? null, at: result.at });
      }
      if (result?.passed) {
        state.faceCheck.status = 'passed';
        c.record('face-check-passed', { payload: { checkId, attempt, at: result.at } });
        return;
      }
      reason = result ? `人脸核验未通过：${result.reason ?? '活体检测未通过'}` : '申请人未在规定时间内完成人脸核验';
      state.faceCheck.status = result ? 'failed' : 'timed-out';
      state.faceCheck.reason = reason;
      if (!result) c.journal.push({ op: 'face-check', checkId, status: 'timed-out', reason, at: now() });
      c.record(result ? 'face-check-failed' : 'face-check-timed-out', { payload: { checkId, attempt, reason } });
    }
    const task = openTask(c, { kind: 'face-check', stepId: 'face-check', stepName: '人脸核验（高级认证）', department: impl.window.department, role: impl.window.role, actions: ['retry', 'approve', 'reject'], notes: [reason] });
    const done = await awaitTask(c, task);
    if (!done || done.action === 'retry') continue;
    if (done.action === 'reject') throw new CaseEnded('not_accepted', done.opinion);
    state.faceCheck.status = 'confirmed-at-window';
    c.record('face-check-confirmed-at-window', { actor: done.actor.userId, payload: { attempt, opinion: done.opinion } });
    task.handled = true;
    return;
  }
}
