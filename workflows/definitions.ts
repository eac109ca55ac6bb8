/**
 * The case workflow's contract, defined once and imported by the workflow, the worker, the API
 * and the tests: its input, the process-definition shapes it interprets, and its messages.
 * Pure module: safe to import from workflow code.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Actions a handler may take on a human task (审批动作). The step lists which it allows. */
export type TaskAction = 'approve' | 'refuse';

/** A human task for a role in a department (承办 / 审核 / 批准 …). */
export interface TaskStep {
  type: 'task';
  id: string;
  name: string;
  department: string;
  role: string;
  actions: TaskAction[];
}

/** Review steps a definition may contain; later issues add parallel, department and service. */
export type ProcessStep = TaskStep;

export interface ProcessDefinition {
  steps: ProcessStep[];
}

/** What a case pins at filing: the exact published version of its implementation entry. */
export interface PinnedImplementation {
  code: string;
  version: number;
  itemCode: string;
  itemName: string;
  department: string;
  process: ProcessDefinition;
  /** Calendar days the applicant has to rate the service (好差评) after completion. */
  evaluationWindowDays: number;
}

export interface Applicant {
  kind: 'person' | 'legal_person';
  name: string;
  /** Citizen ID number or unified social credit code; never put into search attributes. */
  idNumber: string;
}

export interface CaseInput {
  caseNo: string;
  implementation: PinnedImplementation;
  applicant: Applicant;
  channel: 'online' | 'window';
  formData: Record<string, unknown>;
  /** ISO instant the application arrived. */
  filedAt: string;
}

/** The staff member acting on a task, as the API authenticated them. */
export interface Actor {
  userId: string;
  department: string;
  roles: string[];
}

export interface CompleteTaskRequest {
  taskId: string;
  action: TaskAction;
  opinion: string;
  actor: Actor;
}

export interface CompleteTaskResult {
  taskId: string;
  action: TaskAction;
  status: CaseStatus;
}

/** 好差评 five levels, 5 = 非常满意 … 1 = 非常不满意. */
export type EvaluationLevel = 1 | 2 | 3 | 4 | 5;

export interface EvaluationRequest {
  level: EvaluationLevel;
  comment: string;
}

export type CaseStatus =
  | 'filed' // 已申报
  | 'in_review' // 审查中
  | 'approved' // 准予许可 (办结)
  | 'refused' // 不予许可 (办结)
  | 'closed'; // evaluation window over; workflow finished

export interface OpenTaskView {
  taskId: string;
  stepId: string;
  stepName: string;
  department: string;
  role: string;
  actions: TaskAction[];
}

export interface CaseView {
  caseNo: string;
  status: CaseStatus;
  openTasks: OpenTaskView[];
  decision: { outcome: 'approved' | 'refused'; opinion: string; by: string; at: string } | null;
  evaluation: (EvaluationRequest & { at: string }) | null;
}

/** Failure types the validators raise; the API maps them to HTTP statuses. */
export const Refusals = {
  taskNotOpen: 'TaskNotOpen',
  actionNotAllowed: 'ActionNotAllowed',
  notAuthorised: 'NotAuthorised',
  wrongState: 'WrongState',
  invalidInput: 'InvalidInput',
} as const;

export const completeTaskUpdate = defineUpdate<CompleteTaskResult, [CompleteTaskRequest]>('completeTask');
export const evaluateUpdate = defineUpdate<void, [EvaluationRequest]>('evaluate');
export const caseViewQuery = defineQuery<CaseView>('caseView');
