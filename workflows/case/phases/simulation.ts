/**
 * 模拟审批 (simulated approval): a case filed before its precondition exists (typically the land
 * certificate) runs the review steps as usual, stamped 模拟, and ends in a simulated opinion with
 * conditions: never a certificate, fee or delivery. The case then waits for the precondition,
 * asking the e-certificate platform on a timer and taking reports (the applicant's upload of the
 * material, a clerk's "precondition met") by update. When every precondition is met it converts
 * (转正): the review runs again in which every step whose reviewed content did not change is
 * carried over as approved, then the formal decision, fee, certificate and delivery follow. No
 * conversion by the entry's deadline lapses the simulation.
 *
 * Reviewed content of a step: the form fields and materials its `reviews` names; a step that names
 * none reviews the whole form and every material. A parallel step's lead decision reviews its
 * branches: it runs again when any step inside it does. The precondition's own appearance is not
 * a change (the simulated opinion's conditions are about it).
 */
import type { PreconditionReport, SimulationView } from '../../definitions';
import { SIMULATION_CHECK_MS } from '../../definitions';
import { CaseEnded, DAY_MS, msUntil, now, type Case, type SimulationRun, type StepOutcome } from '../context';
import { json, plan, preconditionMaterial } from '../steps/carry-over';
import { runSequence } from '../steps/sequence';
import { notify } from '../tasks';

export function startSimulation(c: Case, missing: string[]): SimulationRun {
  const view: SimulationView = {
    state: 'simulating', preconditions: (c.impl.simulation?.preconditions ?? []).map((p) => ({ id: p.id, name: p.name })), missing: [...missing], met: [], opinion: null, lapseAt: null, simulatedDays: null, preconditionMetAt: null,
    changedFields: [], changedMaterials: [], carriedOver: [], rerun: [],
  };
  const sim: SimulationRun = { view, reports: [], materials: new Map(), reviewed: new Map(), carry: new Set(), formAtOpinion: {} };
  c.sim = sim;
  return sim;
}

/**
 * The simulated review, the wait for the precondition, and the formal review after conversion.
 * Returns the formal review's outcome; a refusal in the simulated review is returned as it is.
 */
export async function simulatedApproval(c: Case): Promise<StepOutcome> {
  const sim = c.sim!;
  const { state, impl, caseNo } = c;
  const rule = impl.simulation!;
  const ran = await runSequence(c, impl.process.steps);
  const outcome = ran.outcome === 'skipped' ? { outcome: 'approved' as const, opinion: '', by: 'system' } : ran;
  if (outcome.outcome !== 'approved') {
    sim.view.state = 'refused';
    return outcome;
  }
  // The simulated opinion: the simulated clock stops; the case waits for the precondition.
  const at = now();
  c.clock.pause(at);
  const lapseAt = new Date(Date.now() + rule.conversionDays * DAY_MS).toISOString();
  const text = `模拟审批意见：${outcome.opinion || '同意'}。本意见不作为许可决定，待前置条件具备后转为正式审批意见。`;
  sim.view.opinion = { outcome: 'approved', text, conditions: rule.conditions, at };
  sim.view.lapseAt = lapseAt;
  sim.view.simulatedDays = state.clock.usedDays;
  sim.view.state = 'awaiting';
  sim.formAtOpinion = { ...state.formData };
  c.record('simulated-opinion', {
    actor: outcome.by,
    payload: { simulated: true, opinion: text, conditions: rule.conditions, missing: sim.view.missing, lapseAt, simulatedDays: state.clock.usedDays },
    patch: { currentSteps: [], simulationState: 'awaiting', simulatedDays: state.clock.usedDays, simulationLapseAt: lapseAt },
  }, 'awaiting_precondition');
  notify(c, { key: `${caseNo}-simulated-opinion`, caseNo, recipient: 'applicant', template: 'simulated-opinion-notice', params: { simulated: true, opinion: text, conditions: rule.conditions, missing: missingNames(c), lapseAt } });

  if (!(await awaitPreconditions(c, lapseAt))) {
    sim.view.state = 'lapsed';
    c.record('simulation-lapsed', { payload: { simulated: true, missing: sim.view.missing, lapseAt }, patch: { simulationState: 'lapsed' } });
    throw new CaseEnded('lapsed', `模拟审批转正期限（${rule.conversionDays}日）届满，前置条件仍未具备：${missingNames(c).join('、')}`);
  }
  convert(c);
  answerReports(c);
  return runSequence(c, impl.process.steps);
}

function missingNames(c: Case): string[] {
  const pre = c.impl.simulation?.preconditions ?? [];
  return c.sim!.view.missing.map((id) => pre.find((p) => p.id === id)?.name ?? id);
}

function markMet(c: Case, id: string, how: string): void {
  const v = c.sim!.view;
  if (!v.missing.includes(id)) return;
  v.missing = v.missing.filter((m) => m !== id);
  v.met.push({ id, how, at: now() });
}

/** Applies a report: its form changes, its materials (a precondition material among them meets that precondition). */
function applyReport(c: Case, r: PreconditionReport): void {
  const sim = c.sim!;
  if (r.formData) c.state.formData = { ...c.state.formData, ...r.formData };
  for (const m of r.materials ?? []) {
    sim.materials.set(m.materialId, m.fileId);
    for (const p of c.impl.simulation!.preconditions) if (p.materialId === m.materialId) markMet(c, p.id, `材料 ${m.fileId}`);
  }
  c.record('precondition-reported', { actor: r.by, payload: { simulated: true, fields: Object.keys(r.formData ?? {}), materials: (r.materials ?? []).map((m) => m.materialId), note: r.note ?? '' } });
}

/** Waits for every precondition until `lapseAt`: reports by update, and the e-certificate platform asked on a timer. True once all are met. */
async function awaitPreconditions(c: Case, lapseAt: string): Promise<boolean> {
  const sim = c.sim!;
  const { state } = c;
  let handled = 0;
  for (;;) {
    const reported = () => sim.reports.length > handled || state.withdrawal !== null;
    await c.wait(reported, Math.max(1, Math.min(SIMULATION_CHECK_MS, msUntil(lapseAt))));
    if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
    for (; handled < sim.reports.length; handled++) applyReport(c, sim.reports[handled].report);
    const wanted = c.impl.simulation!.preconditions.filter((p) => p.certificateType && sim.view.missing.includes(p.id));
    if (wanted.length) {
      const holderIds = [c.input.applicant.idNumber, ...(c.input.applicant.legalRepresentative ? [c.input.applicant.legalRepresentative.idNumber] : [])];
      const r = await c.call(() => c.remote.findCertificates({ caseNo: c.caseNo, holderIds, certificateTypes: wanted.map((p) => p.certificateType!) }));
      for (const p of wanted) {
        const cert = r.found.find((f) => f.certificateType === p.certificateType);
        if (cert) {
          markMet(c, p.id, `电子证照 ${cert.certificateNo}`);
          c.record('precondition-certificate-found', { payload: { simulated: true, precondition: p.id, certificateType: cert.certificateType, certificateNo: cert.certificateNo } });
        }
      }
    }
    if (sim.view.missing.length === 0) return true;
    answerReports(c);
    if (msUntil(lapseAt) <= 0) return false;
  }
}

function answerReports(c: Case): void {
  for (const r of c.sim!.reports) r.answer ??= { status: c.state.status, missing: [...c.sim!.view.missing] };
}

/** 转正: lists what changed since the review, picks the steps that carry over, and starts the formal clock. */
function convert(c: Case): void {
  const sim = c.sim!;
  const { state } = c;
  const at = now();
  const form = state.formData;
  const names = [...new Set([...Object.keys(sim.formAtOpinion), ...Object.keys(form)])];
  sim.view.changedFields = names.filter((f) => json(sim.formAtOpinion[f]) !== json(form[f]));
  sim.view.changedMaterials = [...sim.materials.keys()].filter((m) => !preconditionMaterial(c, m));
  const rerun: string[] = [];
  plan(c, c.impl.process.steps, sim.carry, rerun);
  sim.view.carriedOver = [...sim.carry];
  sim.view.rerun = rerun;
  sim.view.preconditionMetAt = at;
  sim.view.state = 'converting';
  // The formal review's own clock: the simulated days are kept apart (simulatedDays).
  state.supervision.level = 'normal';
  state.supervision.statutoryOverdue = false;
  c.clock.restart(at, c.swept ? null : state.supervision.level);
  c.record('simulation-converting', {
    payload: { met: sim.view.met, changedFields: sim.view.changedFields, changedMaterials: sim.view.changedMaterials, carriedOver: sim.view.carriedOver, rerun },
    patch: { simulationState: 'converting', preconditionMetAt: at, ...c.clockPatch() },
  }, 'in_review');
  notify(c, { key: `${c.caseNo}-simulation-converting`, caseNo: c.caseNo, recipient: 'applicant', template: 'simulation-converting-notice', params: { changedFields: sim.view.changedFields, changedMaterials: sim.view.changedMaterials, rerun, deadline: state.clock.promisedDeadline } });
}

/** After the formal decision: an approval converts the simulation (转正). */
export function simulationDecided(c: Case, outcome: 'approved' | 'refused'): void {
  const sim = c.sim;
  if (!sim || sim.view.state !== 'converting' || outcome !== 'approved') return; // a refusal is recorded with the decision
  sim.view.state = 'converted';
  c.record('simulation-converted', { payload: { outcome }, patch: { simulationState: sim.view.state } });
}

/** The certificate after conversion: formal working days from the precondition to the certificate. */
export function certificateAfterConversion(c: Case): void {
  const met = c.sim?.view.preconditionMetAt;
  if (!met) return;
  const formalDays = c.clock.workingDaysBetween(met, now());
  c.record('simulation-certificate', { payload: { formalDays, simulatedDays: c.sim!.view.simulatedDays }, patch: { formalDays } });
}
