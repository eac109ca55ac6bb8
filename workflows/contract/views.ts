/** The case workflow's contract, part 3: what it shows (status, tasks, clock, the case view) and the supervision messages. Pure module. */
import type { SupervisionLevel } from '../supervision';
import type { FeeStage, SpecialProcedureType, TaskAction, TaskKind } from './process';
import type { Actor, DeliveryChoice, DepartmentMilestone, EvaluationRequest, SpecialProcedureRequest } from './requests';

export type CaseStatus =
  | 'filed' // 已申报
  | 'prechecking' // 预审中
  | 'awaiting_correction' // 待补正
  | 'in_review' // 审查中
  | 'special_procedure' // 特别程序
  | 'awaiting_payment' // 待缴费
  | 'issuing' // 制证
  | 'delivering' // 送达
  | 'awaiting_precondition' // 模拟审批意见已出具，待转正
  | 'lapsed' // 模拟审批已失效（转正期限届满）
  | 'completed' // 办结
  | 'not_accepted' // 不予受理
  | 'withdrawn' // 已撤回
  | 'voided' // 已作废
  | 'closed'; // 评价期结束，归档

export type Decision = 'approved' | 'refused';

export interface OpenTaskView {
  taskId: string;
  kind: TaskKind;
  stepId: string;
  stepName: string;
  department: string;
  role: string;
  actions: TaskAction[];
  assignee: string | null;
  returnTo?: string[];
  specialProcedures?: SpecialProcedureType[];
  /** What the handler should know before acting, e.g. a failed real-name check or a platform's refusal. */
  notes?: string[];
  /** A task of a simulated review (模拟审批): its opinion is a simulated one. */
  simulated?: boolean;
}

/** The real-name check (实名核验) of the applicant and, when one files for it, the agent's authorisation. */
export interface IdentityCheck {
  ok: boolean;
  /** Each check made, e.g. `person: match`, `agent-authorisation: authorised`. */
  checks: { check: string; result: string }[];
  /** Why the check failed, in words a window clerk reads. */
  problems: string[];
  at: string;
}

export interface FaceCheckView {
  checkId: string;
  attempt: number;
  status: 'pending' | 'passed' | 'failed' | 'timed-out' | 'confirmed-at-window';
  reason: string | null;
  requestedAt: string;
}

export interface FaceCheckResult {
  checkId: string;
  passed: boolean;
  reason?: string;
  at: string;
}

/** A material satisfied by an e-certificate the applicant already holds (减材料). */
export interface MaterialReplacement {
  materialId: string;
  materialName: string;
  certificateNo: string;
  certificateType: string;
}

export interface ClockView {
  acceptedAt: string | null;
  /** When the promised-limit warning (预警) comes, while the clock runs. */
  warningAt: string | null;
  statutoryLimitDays: number;
  promisedLimitDays: number;
  usedDays: number;
  running: boolean;
  statutoryDeadline: string | null;
  promisedDeadline: string | null;
  /** The deadline reaches into a year the calendar does not hold yet: it moves when that year is imported. */
  statutoryProvisional?: boolean;
  promisedProvisional?: boolean;
  extended: boolean;
}

export interface CaseView {
  caseNo: string;
  status: CaseStatus;
  decision: { outcome: Decision; opinion: string; by: string; at: string } | null;
  openTasks: OpenTaskView[];
  correction: { problems: string[]; requestedAt: string; replyBy: string; stage: 'precheck' | 'review' } | null;
  specialProcedure: (SpecialProcedureRequest & { stepId: string; startedAt: string }) | null;
  clock: ClockView;
  payment: { paymentId: string; amountFen: number; expiresAt: string; status: 'open' | 'paid' | 'expired' | 'refunded' | 'waived'; stage: FeeStage } | null;
  identity: IdentityCheck | null;
  faceCheck: FaceCheckView | null;
  materials: MaterialReplacement[];
  certificateNo: string | null;
  delivery: { method: DeliveryChoice['method']; waybillNo: string | null; deliveredAt: string | null } | null;
  evaluation: (EvaluationRequest & { at: string }) | null;
  milestones: DepartmentMilestone[];
  /** The form data as corrected so far. */
  formData: Record<string, unknown>;
  supervision: SupervisionView;
  /** 模拟审批: absent on a formal case. */
  simulation?: SimulationView;
}

/** `ended`: withdrawn, voided or not accepted before it converted. */
export type SimulationState = 'simulating' | 'awaiting' | 'converting' | 'converted' | 'lapsed' | 'refused' | 'ended';

export interface SimulationView {
  state: SimulationState;
  /** The entry's preconditions, for their names. */
  preconditions: { id: string; name: string }[];
  /** Preconditions still missing (ids of the entry's preconditions). */
  missing: string[];
  /** Preconditions met, with how (an e-certificate's number, a material's file, a clerk's note). */
  met: { id: string; how: string; at: string }[];
  opinion: { outcome: Decision; text: string; conditions: string; at: string } | null;
  /** When the simulation lapses unless converted (after the simulated opinion). */
  lapseAt: string | null;
  /** Working days the simulated review took, and the formal review after the precondition. */
  simulatedDays: number | null;
  preconditionMetAt: string | null;
  /** At conversion: what changed since the review, and which steps carried over or ran again. */
  changedFields: string[];
  changedMaterials: string[];
  carriedOver: string[];
  rerun: string[];
}

/** A precondition has appeared (the applicant uploaded the material, a clerk says so): with the application's changes since the review. */
export interface PreconditionReport {
  /** Changed form fields (merged over the form; the API validates the result against the form). */
  formData?: Record<string, unknown>;
  /** Materials supplied or replaced since the review: a precondition material among them meets it. */
  materials?: { materialId: string; fileId: string }[];
  note?: string;
  by: string;
}

export interface PreconditionAnswer {
  status: CaseStatus;
  missing: string[];
}

export interface Urge extends UrgeRequest {
  at: string;
  answer: { text: string; by: string; at: string } | null;
}

export interface SupervisionView {
  /** The case clock's level against the promised limit (and statutory overdue on top). */
  level: SupervisionLevel;
  statutoryOverdue: boolean;
  /** Each supervised step's level. */
  steps: Record<string, SupervisionLevel>;
  urges: Urge[];
}

export interface UrgeRequest {
  urgeId: string;
  message: string;
  replyBy: string;
  by: string;
}

export interface CalendarChange {
  /** The first day the change touches (YYYY-MM-DD, China time). */
  from: string;
  reason: string;
}

export interface UrgeAnswer {
  urgeId: string;
  answer: string;
  actor: Actor;
}
