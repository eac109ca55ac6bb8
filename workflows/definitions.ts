/**
 * The case workflow's contract, defined once and imported by the workflow, the worker, the API
 * and the tests: its input, the process-definition shapes it interprets, and its messages.
 * Pure module: safe to import from workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SupervisionLevel, SupervisionRule } from './supervision';

/** Actions on human tasks. Each task lists the ones it allows. */
export type TaskAction =
  | 'accept' // 受理 (pre-check)
  | 'reject' // 不予受理 (pre-check)
  | 'approve' // 发送 / 同意: send on
  | 'return' // 退回 to an earlier step
  | 'correction' // 补正: ask the applicant for more
  | 'suspend' // 挂起: special procedure
  | 'refuse' // 不予许可
  | 'void' // 作废
  | 'handover' // 窗口发证: the result is handed over
  | 'answer' // 回访整改: the department answers a bad rating
  | 'retry' // 重试: a manual task asks the platform again
  | 'skip'; // 跳过: a manual task goes on without the platform, with written reasons

export type TaskKind = 'precheck' | 'review' | 'lead-decision' | 'extension' | 'handover' | 'follow-up' | 'face-check' | 'manual';

export type SpecialProcedureType = 'hearing' | 'inspection' | 'appraisal' | 'expert-review' | 'public-notice' | 'tender';

export interface TaskStep {
  type: 'task';
  id: string;
  name: string;
  department: string;
  role: string;
  actions: TaskAction[];
  limitDays?: number;
  returnTo?: string[];
  specialProcedures?: SpecialProcedureType[];
  when?: Record<string, unknown>;
  supervision?: SupervisionRule;
  /** What the step's task shows (its reviewed content, for 模拟审批 conversion); absent = the whole form and every material. */
  reviews?: ReviewedContent;
}

/** The form fields (top-level names) and materials (ids) a step reviews. */
export interface ReviewedContent {
  fields?: string[];
  materials?: string[];
}

export interface ParallelStep {
  type: 'parallel';
  id: string;
  name: string;
  lead: string;
  join: 'any-refusal-refuses' | 'lead-decides';
  limitDays?: number;
  branches: { id: string; name: string; steps: ProcessStep[] }[];
  when?: Record<string, unknown>;
}

export interface DepartmentStep {
  type: 'department';
  id: string;
  name: string;
  department: string;
  system: string;
  limitDays?: number;
  milestones?: string[];
  when?: Record<string, unknown>;
  supervision?: SupervisionRule;
  reviews?: ReviewedContent;
}

export interface ServiceStep {
  type: 'service';
  id: string;
  name: string;
  adapter: string;
  operation: string;
  when?: Record<string, unknown>;
}

export type ProcessStep = TaskStep | ParallelStep | DepartmentStep | ServiceStep;

export interface ProcessDefinition {
  steps: ProcessStep[];
}

/** When a fee is charged: at acceptance (refunded on a later refusal or withdrawal) or after a positive decision (the default). */
export type FeeStage = 'acceptance' | 'decision';

export type Fee = { charged: false } | { charged: true; amountFen: number; standard: string; basis: string; paymentDays: number; when?: FeeStage };

/** Identity assurance levels (身份认证等级), weakest first; an item names the minimum it needs. */
export type AuthLevel = 'anonymous' | 'basic' | 'intermediate' | 'advanced';

/** A material of the entry, as the case pins it: `certificateType` names an e-certificate that can replace it (减材料). */
export interface PinnedMaterial {
  id: string;
  name: string;
  required: boolean;
  certificateType?: string;
}

/** A precondition of 模拟审批: an e-certificate of a type the applicant must hold, or a material it must supply. */
export interface Precondition {
  id: string;
  name: string;
  certificateType?: string;
  materialId?: string;
}

/** 模拟审批 as the entry allows it: the preconditions a simulated case may lack, and how long it may wait for them. */
export interface SimulationRule {
  preconditions: Precondition[];
  /** Calendar days after the simulated opinion for the precondition to appear, else the simulation lapses. */
  conversionDays: number;
  /** The conditions the simulated opinion states (the applicant is told them). */
  conditions: string;
}

/** What a case pins at filing: the exact published version of its implementation entry. */
export interface PinnedImplementation {
  code: string;
  version: number;
  itemCode: string;
  itemName: string;
  department: string;
  /** The comprehensive window (综合窗口) that pre-checks: its department and role. */
  window: { department: string; role: string };
  caseType: 'instant' | 'promised';
  statutoryLimitDays: number;
  promisedLimitDays: number;
  jointHandling: boolean;
  fee: Fee;
  result: { type: 'certificate' | 'approval' | 'other'; name: string; certificateType?: string; validityYears?: number };
  delivery: ('window' | 'courier' | 'kiosk')[];
  process: ProcessDefinition;
  /** Calendar days the applicant has to rate the service (好差评) after completion. */
  evaluationWindowDays: number;
  /** When the case clock warns; the platform default applies when absent. */
  supervision?: SupervisionRule;
  /** The applicant's minimum assurance level; `advanced` asks for a live face check during the case. Absent in cases filed before it was pinned. */
  authLevel?: AuthLevel;
  /** The materials; absent in cases filed before they were pinned. */
  materials?: PinnedMaterial[];
  /** 模拟审批: present when the entry allows simulated cases. */
  simulation?: SimulationRule;
}

export interface PersonRef {
  idNumber: string;
  name: string;
}

export interface Applicant {
  kind: 'person' | 'legal_person';
  name: string;
  /** Citizen ID number or unified social credit code; never put into search attributes. */
  idNumber: string;
  phone?: string;
  /** A legal person's legal representative (法定代表人), checked against the legal-person base. */
  legalRepresentative?: PersonRef;
  /** The agent (经办人) who files for the applicant; for a legal person, authorised by its legal representative. */
  agent?: PersonRef;
}

export interface DeliveryChoice {
  method: 'window' | 'courier' | 'kiosk';
  address?: { name: string; phone: string; address: string };
}

export interface CaseInput {
  caseNo: string;
  implementation: PinnedImplementation;
  applicant: Applicant;
  channel: 'online' | 'window';
  formData: Record<string, unknown>;
  delivery: DeliveryChoice;
  /** ISO instant the application (and its materials) arrived. */
  filedAt: string;
  /** How soon the case first asks a platform itself when a callback is late (FOLLOW_UP_FIRST_ASK_MS when absent). */
  followUp?: { firstAskMs: number };
  /** A simulated case (模拟审批): the preconditions missing when it was filed. */
  simulation?: { missing: string[] };
}

/** The staff member acting, as the API authenticated them. */
export interface Actor {
  userId: string;
  department: string;
  roles: string[];
}

export interface SpecialProcedureRequest {
  type: SpecialProcedureType;
  reason: string;
  expectedDays: number;
}

export interface CompleteTaskRequest {
  taskId: string;
  action: TaskAction;
  opinion: string;
  actor: Actor;
  /** With `correction`: every problem, listed at once (一次告知). */
  problems?: string[];
  /** With `return`: the earlier step to go back to. */
  returnTo?: string;
  /** With `suspend`: the special procedure. */
  procedure?: SpecialProcedureRequest;
}

export interface CompleteTaskResult {
  taskId: string;
  action: TaskAction;
  status: CaseStatus;
}

export interface TaskAssignmentRequest {
  taskId: string;
  op: 'claim' | 'release' | 'reassign';
  actor: Actor;
  /** With `reassign`: the staff member who takes the task. */
  assignee?: Actor;
}

export interface CorrectionReply {
  note: string;
  /** Fields of the form the applicant corrects; merged into the form data. */
  formData?: Record<string, unknown>;
  materials?: string[];
}

export interface ExtensionRequest {
  reason: string;
  actor: Actor;
}

export interface EndSpecialProcedureRequest {
  result: string;
  actor: Actor;
}

/** 好差评 five levels, 5 = 非常满意 … 1 = 非常不满意. */
export type EvaluationLevel = 1 | 2 | 3 | 4 | 5;

export interface EvaluationRequest {
  level: EvaluationLevel;
  comment: string;
}

export interface DepartmentMilestone {
  stepId: string;
  /** The round of the step the department answers (absent = 1): a step run again after a return is a new round. */
  round?: number;
  milestone: string;
  /** When it happened in the department's system (may be earlier than its arrival). */
  at: string;
}

export interface DepartmentResult {
  stepId: string;
  /** The round of the step the department answers (absent = 1); a result of an earlier round is stale. */
  round?: number;
  outcome: 'approved' | 'refused';
  opinion: string;
  at: string;
}

export interface PaymentConfirmation {
  paymentId: string;
  amountFen: number;
  paidAt: string;
}

export interface DeliveryConfirmation {
  waybillNo: string;
  at: string;
}

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

/** The type of an activity failure for data the database refuses to store (encoding, constraint): retrying cannot fix it. */
export const UNSTORABLE = 'UnstorableData';

/** The type prefix of an activity failure that is a platform's business refusal (`PlatformRefusal:<platform>:<code>`). */
export const PLATFORM_REFUSAL = 'PlatformRefusal';

/** Failure types the validators raise; the API maps them to HTTP statuses. */
export const Refusals = {
  taskNotOpen: 'TaskNotOpen',
  actionNotAllowed: 'ActionNotAllowed',
  notAuthorised: 'NotAuthorised',
  wrongState: 'WrongState',
  invalidInput: 'InvalidInput',
  deadlinePassed: 'DeadlinePassed',
} as const;

export const completeTaskUpdate = defineUpdate<CompleteTaskResult, [CompleteTaskRequest]>('completeTask');
export const assignTaskUpdate = defineUpdate<OpenTaskView, [TaskAssignmentRequest]>('assignTask');
export const replyCorrectionUpdate = defineUpdate<CaseStatus, [CorrectionReply]>('replyCorrection');
export const withdrawUpdate = defineUpdate<CaseStatus, [{ reason: string }]>('withdraw');
export const requestExtensionUpdate = defineUpdate<OpenTaskView, [ExtensionRequest]>('requestExtension');
export const endSpecialProcedureUpdate = defineUpdate<CaseStatus, [EndSpecialProcedureRequest]>('endSpecialProcedure');
export const evaluateUpdate = defineUpdate<void, [EvaluationRequest]>('evaluate');
export const departmentMilestoneSignal = defineSignal<[DepartmentMilestone]>('departmentMilestone');
export const departmentResultSignal = defineSignal<[DepartmentResult]>('departmentResult');
export const paymentConfirmedSignal = defineSignal<[PaymentConfirmation]>('paymentConfirmed');
export const deliveredSignal = defineSignal<[DeliveryConfirmation]>('delivered');
export const faceCheckResultSignal = defineSignal<[FaceCheckResult]>('faceCheckResult');
export const urgeSignal = defineSignal<[UrgeRequest]>('urge');
/** The working-day calendar changed (a year imported, a day corrected): running clocks recompute. */
export const calendarChangedSignal = defineSignal<[CalendarChange]>('calendarChanged');
export const answerUrgeUpdate = defineUpdate<Urge, [UrgeAnswer]>('answerUrge');
export const caseViewQuery = defineQuery<CaseView>('caseView');
/** 模拟审批: a precondition has appeared; the case checks every precondition and answers what is still missing. */
export const reportPreconditionUpdate = defineUpdate<PreconditionAnswer, [PreconditionReport]>('reportPrecondition');

/** Working days a correction notice gives the applicant to reply, when the entry says nothing. */
export const CORRECTION_REPLY_WORKING_DAYS = 10;
/** Working days the window has to pre-check before the case counts as accepted (Art. 32). */
export const PRECHECK_WORKING_DAYS = 5;
/** First interval after which a case asks a platform itself when its callback has not come; then doubling, at most a day. */
export const FOLLOW_UP_FIRST_ASK_MS = 3_600_000;
export const FOLLOW_UP_MAX_INTERVAL_MS = 86_400_000;
/** Calendar days a courier delivery may take before the window is asked to follow it up by hand. */
export const DELIVERY_WAIT_DAYS = 7;
/** Working days a department system has for its result when its step names no limit, before its head is asked. */
export const DEPARTMENT_WAIT_WORKING_DAYS = 10;
/** How often a simulated case asks the e-certificate platform whether its precondition has appeared. */
export const SIMULATION_CHECK_MS = 86_400_000;
/** How long the case waits for the applicant's live face check before the window clerk takes over. */
export const FACE_CHECK_WAIT = '24 hours';

