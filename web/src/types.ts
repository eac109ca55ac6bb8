/**
 * The shapes of the API answers the app reads, under the names the pages use. Each is the type
 * generated from the API's response schema (./api-types, from api/response-schemas.ts), so the
 * app and the server's contract cannot drift: a changed schema changes these types, and the
 * app's typecheck shows every use it breaks.
 */
import type * as Api from './api-types';

export type ItemSummary = Api.ImplementationSummary;
export type Material = Api.EntryMaterial;
export type ProcessStep = Api.ProcessStep;
export type EntryBase = Api.EntryBase;
export type Entry = Api.Entry;
export type Guide = Api.Guide;
export type Applicant = Api.Applicant;
export type TaskRow = Api.TaskRow;
export type CaseEvent = Api.CaseEvent;
export type CaseRecord = Api.CaseView;
export type OpenTask = Api.OpenTask;
export type LiveView = Api.LiveView;
export type Department = Api.Department;
export type DocumentView = Api.DocumentView;
export type FaceCheckStarted = Api.FaceCheckStarted;
export type FaceCheckResult = Api.FaceCheckResult;
