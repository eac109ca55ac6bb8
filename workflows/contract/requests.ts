/** The case workflow's contract, part 2: its input (the applicant, the delivery) and the requests its messages carry. Pure module. */
import type { CalendarSnapshot } from '../../lib/calendar/working-days';
import type { PinnedImplementation, SpecialProcedureType, TaskAction } from './process';
import type { CaseStatus } from './views';

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
  /**
   * Who records the case clock's warnings and alarms: `sweep`, the supervision sweep, from the
   * clock the case publishes on its row (every case filed since the sweep came); absent, the
   * case's own timers (cases started before, and workflow tests that want them).
   */
  supervisedBy?: 'sweep';
  /**
   * The working-day calendar as it stood when the workflow was started (the API reads it then; it
   * is not kept in the filing, so a later start reads it afresh). Absent, the case reads it by a
   * local activity at its start (cases started before, tests). Either way a calendar change later
   * reaches the case by calendarChangedSignal.
   */
  calendar?: CalendarSnapshot;
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
