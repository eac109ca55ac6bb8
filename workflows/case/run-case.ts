/**
 * A case's life (the second engine): file → pre-check → review → decision → fee → certificate →
 * delivery → evaluation, around the review steps of the pinned process definition. Each phase
 * and step type is its own module; this file only says the order.
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import type { CaseInput } from '../definitions';
import { Patches, type PatchId } from '../patches';
import { Case, CaseEnded, now, type CaseResult } from './context';
import { wireHandlers } from './handlers';
import { sinkWrite } from './journal';
import { deliverResult } from './phases/delivery';
import { decide, endEarly, evaluationWindow } from './phases/ending';
import { acceptInstantly, precheck } from './phases/precheck';
import { simulatedApproval, simulationDecided, startSimulation } from './phases/simulation';
import { runSequence } from './steps/sequence';

/**
 * `baseline`: the case was begun since patch `baseline-2026-12-02` (caseWorkflow asked), so every
 * patch before it is on without a marker of its own; otherwise each is asked, in its old order.
 */
export async function runCase(input: CaseInput, baseline = false): Promise<CaseResult> {
  const since = (id: PatchId) => baseline || patched(id);
  const c = new Case(input);
  // 模拟审批: only a case filed as simulated under an entry that allows it. Decided once, before any
  // command; the marker is in every new case, so cases started before it never take this path.
  const simulationKnown = since(Patches.simulatedApproval);
  if (simulationKnown && input.simulation && input.implementation.simulation) startSimulation(c, input.simulation.missing);
  // 电子监察 by the sweep: only a case filed so, and only if this worker began it (a case an older
  // worker began keeps its own timers on replay). Decided once, before any command.
  c.swept = input.supervisedBy === 'sweep' && since(Patches.supervisionSweep);
  // Its steps' limits too, if this worker began it knowing how (a later release than the case clock's).
  c.sweptSteps = c.swept && since(Patches.stepSweep);
  // The live view from the read model: every batch carries the case view when it changed. Decided once, before any command.
  if (since(Patches.liveView)) c.journal.carryView(() => c.storedView());
  // The journal's batches written by the worker between an activation and its completion, not a
  // local activity each (one activation a workflow task, no marker). Decided once, before any command.
  if (since(Patches.journalSink)) c.journal.writeBy(sinkWrite(c.caseNo));
  // A payment's or a courier's callback that comes before the platform's answer is kept, not dropped. Decided once, before any command.
  if (since(Patches.earlyCallbacks)) c.early = { payments: new Map(), deliveries: new Map() };
  wireHandlers(c); // first, so the case view answers from the first moment
  // The calendar the case computes its deadlines with: the one handed in at the start, by a case
  // begun under the baseline; else read by a local activity (a case begun before, a test, or a
  // case the new API started whose first workflow task an older worker ran during a deploy: its
  // history holds that local activity, and no baseline marker).
  c.clock.useCalendar((baseline ? input.calendar : undefined) ?? await c.local.calendarSnapshot());
  const { impl, state } = c;
  c.record('filed', {
    payload: { channel: input.channel, implementation: `${impl.code}@${impl.version}`, delivery: input.delivery.method },
    create: {
      implementationCode: impl.code, implementationVersion: impl.version, itemCode: impl.itemCode, itemName: impl.itemName, department: impl.department,
      channel: input.channel, applicant: input.applicant, formData: input.formData, filedAt: input.filedAt, caseType: impl.caseType,
      statutoryLimitDays: impl.statutoryLimitDays, promisedLimitDays: impl.promisedLimitDays, engine: 2, ...(c.sim ? { simulated: true } : {}), ...(c.swept ? { supervisedBy: 'sweep' as const } : {}),
    },
  }, 'filed');

  try {
    if (impl.caseType === 'instant') await acceptInstantly(c); // 即办件: accepted and decided at the window
    else await precheck(c);
    const ran = c.sim ? await simulatedApproval(c) : await runSequence(c, impl.process.steps);
    // A process none of whose steps applied is decided at once, as approved.
    const outcome = ran.outcome === 'skipped' ? { outcome: 'approved' as const, opinion: '', by: 'system' } : ran;
    if (outcome.outcome !== 'approved' && outcome.outcome !== 'refused') throw new Error(`process ended with ${outcome.outcome}`);
    await decide(c, outcome.outcome, outcome.opinion, outcome.by);
    if (c.sim) simulationDecided(c, outcome.outcome);
  } catch (err) {
    if (!(err instanceof CaseEnded)) throw err;
    await endEarly(c, err);
  }

  if (state.decision?.outcome === 'approved') await deliverResult(c);
  if (state.status !== 'completed' && state.decision) c.record('completed', { patch: { completedAt: now(), currentSteps: [] } }, 'completed');
  await evaluationWindow(c);
  c.record('closed', {}, 'closed');
  c.settle(); // the last completion (a follow-up's answer) has had its effect
  while (c.background.length) await Promise.all(c.background.splice(0));
  await c.journal.flush();
  await condition(allHandlersFinished);
  return { caseNo: c.caseNo, status: state.status, decision: state.decision, evaluation: state.evaluation };
}
