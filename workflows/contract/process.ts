/** The case workflow's contract, part 1: the process-definition shapes it interprets and what a case pins at filing. Pure module. */
import type { SupervisionRule } from '../supervision';

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
