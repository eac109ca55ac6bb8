/**
 * The patch registry: every `patched()` id the case engine has used, with when and why it came,
 * and when it can go. A patch lives through three stages (Temporal's own path):
 *
 *   patched(id)        both paths in the code; cases started before `since` take the old one
 *   deprecatePatch(id) once no running case started before `since`: the old path is deleted
 *   removed            once no running case started before the deprecation's release either
 *
 * The condition for the next stage is a visibility query (`removableWhen`) that must find no
 * running case. The README's list of patches is checked against this file by a test
 * (workflows/patches.test.ts), so the two cannot drift.
 */

export interface PatchEntry {
  /** The id given to patched() / deprecatePatch(). */
  id: string;
  /** The release (YYYY-MM-DD) that introduced it; cases started before take the old path. */
  since: string;
  stage: 'patched' | 'deprecated';
  /** Where the patched() call sits. */
  where: string;
  reason: string;
  /** A list query (temporal workflow list --query …) that must return nothing before the next stage. */
  removableWhen: string;
}

const before = (day: string) => `WorkflowType = 'caseWorkflow' AND ExecutionStatus = 'Running' AND StartTime < '${day}T00:00:00+08:00'`;

export const PatchRegistry = [
  {
    id: 'applicant-checks',
    since: '2026-11-22',
    stage: 'patched',
    where: 'workflows/legacy/case-workflow-2026-11-29.ts (pre-check, instant cases)',
    reason: 'Real-name check, agent authorisation, face check for advanced items and 减材料 before pre-check.',
    removableWhen: before('2026-11-22'),
  },
  {
    id: 'manual-task-on-platform-refusal',
    since: '2026-11-22',
    stage: 'patched',
    where: 'workflows/legacy/case-workflow-2026-11-29.ts (withManualFallback)',
    reason: "A platform's business refusal opens a manual task instead of retrying forever.",
    removableWhen: before('2026-11-22'),
  },
  {
    id: 'supervise-from-judged-instant',
    since: '2026-11-22',
    stage: 'patched',
    where: 'workflows/legacy/case-workflow-2026-11-29.ts (superviseCase)',
    reason: 'The next deadline is chosen after the instant just judged, so one that passed while a warning was recorded raises at once.',
    removableWhen: before('2026-11-22'),
  },
  {
    id: 'face-check-results-by-id',
    since: '2026-11-29',
    stage: 'patched',
    where: 'workflows/legacy/case-workflow-2026-11-29.ts (faceCheck)',
    reason: 'Face-check results kept by check id (the release of 2026-11-22 changed this path unguarded).',
    removableWhen: before('2026-11-29'),
  },
  {
    id: 'engine-never-stalls',
    since: '2026-11-29',
    stage: 'patched',
    where: 'workflows/legacy/case-workflow-2026-11-29.ts (decided once at the start)',
    reason: 'The engine that never stalls (issue 13): the task board, rounds, bounded conditions, provisional deadlines, follow-up of outside parties.',
    removableWhen: before('2026-11-29'),
  },
  {
    id: 'engine-second-design',
    since: '2026-11-29',
    stage: 'patched',
    where: 'workflows/case-workflow.ts (decided once, before the first command)',
    reason: 'The second engine (workflows/case/): modules, batched projection as local activities, deadlines computed in the workflow from a calendar snapshot. Every case started before runs the frozen first engine (workflows/legacy/).',
    removableWhen: before('2026-11-29'),
  },
  {
    id: 'simulated-approval',
    since: '2026-11-30',
    stage: 'patched',
    where: 'workflows/case/run-case.ts (decided once, before the first command; only a simulated case takes the new path)',
    reason: '模拟审批 (issue 18): a simulated case reviews before its precondition exists, gives a simulated opinion, asks the e-certificate platform on a timer, then converts (carrying unchanged steps over) or lapses.',
    removableWhen: before('2026-11-30'),
  },
  {
    id: 'supervision-sweep',
    since: '2026-11-30',
    stage: 'patched',
    where: 'workflows/case/run-case.ts (decided once, before the first command; only a case filed with supervisedBy: \'sweep\')',
    reason: '电子监察 as an observer: the case publishes its clock on its row and the supervision sweep records its warnings and alarms; no case-level timers or SupervisionState upserts. A case an older worker began keeps its own timers.',
    // Deployed during its release day: cases started earlier that day may have begun without it.
    removableWhen: before('2026-12-01'),
  },
  {
    id: 'step-sweep',
    since: '2026-11-30',
    stage: 'patched',
    where: 'workflows/case/run-case.ts (decided once, before the first command; only a case the sweep supervises)',
    reason: "电子监察 of each review step's own limit as an observer too: the case publishes each step clock it opens and its close (step_clocks), and the supervision sweep records the step's warnings and alarms; no step timers. A case begun before keeps its step timers.",
    // Deployed during its release day: cases started earlier that day may have begun without it.
    removableWhen: before('2026-12-01'),
  },
  {
    id: 'live-view',
    since: '2026-12-01',
    stage: 'patched',
    where: 'workflows/case/run-case.ts (decided once, before the first command)',
    reason: 'The live view from the read model: every projection batch carries the case view when it changed, and a case whose view changed with nothing else to write writes it alone (one more local activity), so GET /api/cases/{caseNo}/live reads a row, not a Temporal query. A case begun before keeps being queried.',
    // Deployed during its release day: cases started earlier that day may have begun without it.
    removableWhen: before('2026-12-02'),
  },
  {
    id: 'journal-sink',
    since: '2026-12-02',
    stage: 'patched',
    where: 'workflows/case/run-case.ts (decided once, before the first command)',
    reason: "The journal's batches are written by the worker's journal sink between an activation and its completion (a failed write fails the activation, so the workflow task is retried), not by a local activity each: a workflow task is one activation, and the history holds no marker per batch. A case begun before keeps its local activities.",
    // Deployed during its release day: cases started earlier that day may have begun without it.
    removableWhen: before('2026-12-03'),
  },
  {
    id: 'early-callbacks',
    since: '2026-12-02',
    stage: 'patched',
    where: 'workflows/case/run-case.ts (decided once, before the first command)',
    reason: "A payment platform's paid callback or a courier's delivered callback that reaches the case in the same activation as the order's or booking's own answer (signals are handled first) is kept by order id or waybill and taken once the answer is in, instead of being dropped; the case no longer waits for its follow-up query, or for a person when the platform's status never says so.",
    removableWhen: before('2026-12-03'),
  },
  {
    id: 'baseline-2026-12-02',
    since: '2026-12-02',
    stage: 'patched',
    where: 'workflows/case-workflow.ts (called first, before the first command)',
    reason: 'One marker for every patch before it: a case started with it takes the new path of engine-second-design … early-callbacks without calling patched() for each, so its first workflow task records one marker and one TemporalChangeVersion upsert instead of seven of each. A case started before it calls them one by one, in their old order, as its history holds them. A patch registered after it is called after it.',
    removableWhen: before('2026-12-03'),
  },
] as const satisfies readonly PatchEntry[];

export type PatchId = (typeof PatchRegistry)[number]['id'];

/** Patch ids by name, for the code that calls patched(). */
export const Patches = {
  applicantChecks: 'applicant-checks',
  manualOnRefusal: 'manual-task-on-platform-refusal',
  superviseFromJudgedInstant: 'supervise-from-judged-instant',
  faceResultsById: 'face-check-results-by-id',
  neverStalls: 'engine-never-stalls',
  secondEngine: 'engine-second-design',
  simulatedApproval: 'simulated-approval',
  supervisionSweep: 'supervision-sweep',
  stepSweep: 'step-sweep',
  liveView: 'live-view',
  journalSink: 'journal-sink',
  earlyCallbacks: 'early-callbacks',
  baseline20261202: 'baseline-2026-12-02',
} as const satisfies Record<string, PatchId>;
