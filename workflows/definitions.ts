/**
 * The case workflow's contract, defined once and imported by the workflow, the worker, the API
 * and the tests: its input, the process-definition shapes it interprets, and its messages.
 * Pure module: safe to import from workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export * from './contract/process';
export * from './contract/requests';
export * from './contract/views';
import type { CompleteTaskRequest, CompleteTaskResult, CorrectionReply, DeliveryConfirmation, DepartmentMilestone, DepartmentResult, EndSpecialProcedureRequest, EvaluationRequest, ExtensionRequest, PaymentConfirmation, TaskAssignmentRequest } from './contract/requests';
import type { CalendarChange, CaseStatus, CaseView, FaceCheckResult, OpenTaskView, PreconditionAnswer, PreconditionReport, Urge, UrgeAnswer, UrgeRequest } from './contract/views';

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

