/**
 * What every module of the case engine works on: the case (input, state, journal, clock) and the
 * few primitives that touch Temporal. Every wait and every activity call goes through `wait` and
 * `call`, so the journal is written and finished completions are answered before the case parks.
 */
import type { Duration } from '@temporalio/common';
import { condition, proxyActivities, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { CaseEventInput } from '../../activities/projection';
import { CaseState } from '../case-state';
import type { CaseInput, CaseStatus, CaseView, FaceCheckResult, PaymentConfirmation, PreconditionAnswer, PreconditionReport, ProcessStep, SimulationView } from '../definitions';
import { CaseStatus as CaseStatusKey } from '../search-attributes';
import { CaseClock } from './clock';
import { Journal } from './journal';

export interface CaseResult {
  caseNo: string;
  status: CaseStatus;
  decision: CaseView['decision'];
  evaluation: CaseView['evaluation'];
}

/** The case ended before a decision: withdrawn, voided, or not accepted. */
export class CaseEnded extends Error {
  constructor(readonly status: 'withdrawn' | 'voided' | 'not_accepted' | 'lapsed', readonly reason: string) {
    super(reason);
  }
}

export type StepOutcome =
  | { outcome: 'approved' | 'refused'; opinion: string; by: string }
  | { outcome: 'return'; target: string }
  | { outcome: 'cancelled' }
  | { outcome: 'skipped' };

/** Platform calls: real round trips, retried until they answer or refuse. */
const remote = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The read model, the calendar and messages: local activities, run inside the workflow task. */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export const now = (): string => new Date().toISOString();
export const msUntil = (iso: string): number => Math.max(0, Date.parse(iso) - Date.now());
export const DAY_MS = 86_400_000;

type RecordExtra = Omit<CaseEventInput, 'caseNo' | 'seq' | 'type' | 'at'>;

/** What a step reviewed when it was approved in a simulated review: each field's and material's value then. */
export interface ReviewedSnapshot {
  fields: Record<string, string>;
  materials: Record<string, string>;
  opinion: string;
  by: string;
}

/** A simulated case's run (模拟审批), see phases/simulation.ts. */
export interface SimulationRun {
  view: SimulationView;
  /** Reports of a precondition (updates), answered once the case has checked them. */
  reports: { report: PreconditionReport; answer: PreconditionAnswer | null }[];
  /** Material id → the file last supplied for it ('' = as filed). */
  materials: Map<string, string>;
  /** Steps approved in the simulated review, with what they reviewed. */
  reviewed: Map<string, ReviewedSnapshot>;
  /** Steps carried over as approved at conversion. */
  carry: Set<string>;
  formAtOpinion: Record<string, unknown>;
}

export class Case {
  readonly state: CaseState;
  readonly caseNo: string;
  readonly impl: CaseInput['implementation'];
  readonly remote = remote;
  readonly local = local;
  readonly journal: Journal;
  readonly clock: CaseClock;
  /** Work started from signal handlers and supervision loops, awaited before the case returns. */
  readonly background: Promise<void>[] = [];
  /** Rounds per step: every (re-)run of a step is a new round; a department's result names its round. */
  readonly rounds = new Map<string, number>();
  /** Task and department steps running now, with how many runs of each. */
  readonly activeSteps = new Map<string, number>();
  readonly stepsById = new Map<string, ProcessStep>();
  /** Results of face checks by check id, the first one per check. */
  readonly faceResults = new Map<string, FaceCheckResult>();
  supervisionOver = false;
  /**
   * The supervision sweep records the case clock's levels (input.supervisedBy, patch
   * supervision-sweep; set by runCase before the first command): the case publishes its clock on
   * its row and keeps no case-level timers.
   */
  swept = false;
  /**
   * The sweep records the steps' own limits too (patch step-sweep): each step clock is published
   * as it opens and closes (step_clocks), and the case keeps no step timers.
   */
  sweptSteps = false;
  /** Step clocks opened so far: each gets its own key (a step run again has a new clock). */
  private stepClocks = 0;
  /** The clock version last published on the case row (swept cases). */
  private publishedClock = 0;
  materialsChecked = false;
  deliveredAt: string | null = null;
  /**
   * Callbacks that came before the platform's own answer (patch early-callbacks; set by runCase
   * before the first command): the platform writes its order or waybill, its callback is signalled,
   * and the signal reaches the workflow in the same activation as the activity's result, whose
   * signals go first. Kept here by order id and waybill number, taken once the answer is in.
   */
  early: { payments: Map<string, PaymentConfirmation>; deliveries: Map<string, string> } | null = null;
  /** 模拟审批: set on a simulated case. */
  sim: SimulationRun | null = null;
  /** The applicant's rating from the moment it is given (the state takes it once it is recorded). */
  rating: CaseView['evaluation'] = null;
  /** Who may end the special procedure running now. */
  procedureOwner: { department: string; role: string };
  /** The form as filed (a correction or a precondition report replaces the state's form). */
  private readonly filedForm: Record<string, unknown>;

  constructor(readonly input: CaseInput) {
    this.state = new CaseState(input);
    this.caseNo = input.caseNo;
    this.impl = input.implementation;
    this.journal = new Journal(this.caseNo, (ops) => local.applyProjection({ caseNo: this.caseNo, ops }), workflowInfo().runId);
    this.filedForm = this.state.formData;
    this.clock = new CaseClock(this.state.clock, this.impl);
    this.procedureOwner = { department: this.impl.department, role: 'head' };
    const index = (steps: ProcessStep[]): void => {
      for (const step of steps) {
        this.stepsById.set(step.id, step);
        if (step.type === 'parallel') for (const b of step.branches) index(b.steps);
      }
    };
    index(this.impl.process.steps);
  }

  /** Records a case event (and a new status); written with the rest of this workflow task. */
  record(type: string, extra: RecordExtra = {}, status?: CaseStatus): void {
    if (status && status !== this.state.status) {
      this.state.status = status;
      upsertSearchAttributes([{ key: CaseStatusKey, value: status }]);
    }
    let patch = status ? { ...extra.patch, status } : extra.patch;
    // A swept case's clock is on its row as of its latest event: a pause, a resume, a new deadline.
    if (this.swept && this.clock.version !== this.publishedClock) {
      patch = { ...patch, ...this.clock.published(this.supervisionOver) };
      this.publishedClock = this.clock.version;
    }
    this.journal.push({ op: 'event', ev: { caseNo: this.caseNo, seq: this.state.nextSeq(), type, at: now(), ...extra, patch } });
  }

  /**
   * The case parks (or a parallel branch ends): what it recorded is written, and the completions
   * it has acted on are answered.
   */
  settle(): void {
    this.publishClock();
    this.journal.settle();
    this.state.board.settle();
  }

  /**
   * A swept case's clock changed and no event has carried it yet (a pause before a platform call,
   * a calendar change that moved nothing visible): published now, before the case waits.
   */
  private publishClock(): void {
    if (!this.swept || this.clock.version === this.publishedClock) return;
    this.publishedClock = this.clock.version;
    this.journal.push({ op: 'clock', caseNo: this.caseNo, at: now(), clock: this.clock.published(this.supervisionOver) });
  }

  /**
   * The case view: what the live view shows (the case view query answers it, and a case begun
   * with patch live-view writes it with its batches). For such a case what the view shows decides
   * whether a batch of the view alone is written, a local activity: a change to what it shows
   * (here, CaseState.view, storedView) that makes it change where nothing else is written changes
   * the case's commands, and needs a patch like any other.
   */
  view(): CaseView {
    const state = this.state.view();
    const view = this.rating && !state.evaluation ? { ...state, evaluation: this.rating } : state;
    return this.sim ? { ...view, simulation: { ...this.sim.view, missing: [...this.sim.view.missing], met: [...this.sim.view.met] } } : view;
  }

  /** The view as the read model keeps it: without the form while it is the form filed, which the case row holds. */
  storedView(): Record<string, unknown> {
    const { formData, ...rest } = this.view();
    return formData === this.filedForm ? rest : { ...rest, formData };
  }

  /** The key of the next step clock of `stepId` (deterministic: clocks open in the workflow's order). */
  stepClockKey(stepId: string): string {
    this.stepClocks += 1;
    return `${stepId}#${this.stepClocks}`;
  }

  /** Waits until `ready`, or the timeout: true when ready. */
  async wait(ready: () => boolean, timeout?: Duration): Promise<boolean> {
    this.settle();
    if (timeout === undefined) {
      await condition(ready);
      return true;
    }
    return condition(ready, timeout);
  }

  /** Calls an activity (a platform, or a message by local activity). */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    this.settle();
    return fn();
  }

  roundOf(stepId: string): number {
    return this.rounds.get(stepId) ?? 1;
  }

  /** The steps running now, for the case row's `current_steps`. */
  currentSteps(): string[] {
    return [...this.activeSteps.keys()];
  }

  /** The clock's columns of the case row, with the case's supervision level. */
  clockPatch() {
    return this.clock.patch(this.swept ? undefined : this.state.supervision.level);
  }

  /** The case is in its simulated review (tasks, notices and supervision are stamped 模拟). */
  simulating(): boolean {
    return this.sim?.view.state === 'simulating';
  }

  /** The department answerable for a step. */
  stepDepartment(step: ProcessStep): string {
    return step.type === 'task' || step.type === 'department' ? step.department : step.type === 'parallel' ? step.lead : this.impl.department;
  }
}
