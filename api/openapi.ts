/**
 * The OpenAPI 3.1 document: the contract of the HTTP API. Request bodies are the very schemas
 * the routes validate with (registered by `bodyValidator`), query parameters are checked against
 * the parameters listed here, and a test fails when a route and this list disagree.
 *
 * Each operation says who may call it (`x-access`, also in its description) and in which zone it
 * is served (`x-zone`): `public` operations answer on the Internet-zone port as well, `internal`
 * ones only on the government-extranet port.
 */
import { responseOf, responseSchemas } from './response-schemas';
import { requestSchemas } from './validate';

export type Zone = 'public' | 'internal';

type Security = 'staff' | 'applicant' | 'apiKey' | 'platform' | 'none';

interface QueryParam {
  name: string;
  schema: Record<string, unknown>;
  description?: string;
  required?: boolean;
  /** A value the contract test sends (required parameters have one). */
  example?: string;
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  tag: string;
  summary: string;
  zone: Zone;
  /** Who may call it, in words (shown in the docs). */
  access: string;
  security: Security[];
  body?: string;
  /** Takes a free-form JSON document checked by its own validator (catalogue import, certificate, platform envelope). */
  document?: string;
  query?: QueryParam[];
  /** Success status and what it returns. */
  ok: [number, string];
  /** Statuses this operation answers beyond the ones every operation of its kind may (see `statusesOf`). */
  statuses?: number[];
  /** A rule the server enforces that JSON Schema cannot say across parameters (shown in the description). */
  rules?: string;
  /** Answers with an ETag and takes If-None-Match: 304 while the resource has not changed. */
  conditional?: string;
}

const str = (max = 100, extra: Record<string, unknown> = {}) => ({ type: 'string', maxLength: max, ...extra });
const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });
const instant = { type: 'string', format: 'date-time' };
/** The calendar takes full instants only (a date and a time). */
const instantWithTime = { type: 'string', format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T' };
/** A search-attribute value in a Temporal list query: nothing that could change the query. */
const attr = str(64, { pattern: '^[A-Za-z0-9._-]{1,64}$' });
const staffOnly: Security[] = ['staff'];
const anyone: Security[] = ['none'];
const caseReaders: Security[] = ['staff', 'applicant', 'apiKey'];

export const operations: Operation[] = [
  // Health and the contract itself
  { method: 'get', path: '/health', tag: 'platform', summary: 'Reachability of the database and Temporal (503 without the database)', zone: 'public', access: 'anyone', security: anyone, ok: [200, '{status: ok | degraded, database, temporal}'], statuses: [503] },
  { method: 'get', path: '/openapi.json', tag: 'platform', summary: 'This document', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the OpenAPI document'] },

  // Sign-in
  { method: 'post', path: '/auth/login', tag: 'auth', summary: 'Staff sign-in with user id and password', zone: 'internal', access: 'anyone (rate-limited)', security: anyone, body: 'LoginRequest', ok: [200, 'a bearer token, the staff member, and mustChangePassword (when true, every other route answers 403 password-change-required until POST /auth/password)'] },
  { method: 'post', path: '/auth/applicant/sms', tag: 'auth', summary: 'Applicant sign-in, step 1: check ID + name, send an SMS code', zone: 'public', access: 'anyone (rate-limited)', security: anyone, body: 'SmsRequest', ok: [201, 'the SMS request id and masked phone'] },
  { method: 'post', path: '/auth/applicant/login', tag: 'auth', summary: 'Applicant sign-in, step 2: the SMS code', zone: 'public', access: 'anyone (rate-limited)', security: anyone, body: 'ApplicantLoginRequest', ok: [200, 'a bearer token with the assurance level proved'] },
  { method: 'post', path: '/auth/applicant/face-check', tag: 'auth', summary: 'Raise the applicant\'s session to 中级 (intermediate): start a live face check on the identity platform, done on the phone at `url`', zone: 'public', access: 'the signed-in applicant (5 a minute)', security: ['applicant'], ok: [201, 'the check: its id, where to do it, until when'] },
  { method: 'get', path: '/auth/applicant/face-check/{checkId}', tag: 'auth', summary: 'Ask how the face check went; once passed, the session that started it is raised to 中级 (used once)', zone: 'public', access: 'the applicant who started it (else 404)', security: ['applicant'], ok: [200, 'pending, passed (with the session\'s level now), failed (with why) or expired'] },
  { method: 'post', path: '/auth/password', tag: 'auth', summary: 'Change one\'s own staff password (policy: 12+ characters, not the user id or name, not a common password); other sessions end', zone: 'internal', access: 'staff (also while a password change is required)', security: ['staff'], body: 'PasswordChangeRequest', ok: [204, 'changed'] },
  { method: 'get', path: '/auth/me', tag: 'auth', summary: 'Who the token belongs to', zone: 'public', access: 'anyone signed in', security: ['staff', 'applicant', 'apiKey'], ok: [200, 'the principal'] },
  { method: 'post', path: '/auth/logout', tag: 'auth', summary: 'End the session', zone: 'public', access: 'anyone signed in', security: ['staff', 'applicant', 'apiKey'], ok: [204, 'signed out'] },

  // Catalogue (public reading, administrator writing)
  {
    method: 'get', path: '/implementations', tag: 'catalogue', summary: 'Search the published catalogue', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'matching implementation entries'],
    query: [
      { name: 'q', schema: str(100), description: 'words of the item name or code' },
      { name: 'department', schema: str(32) },
      { name: 'type', schema: str(32) },
      { name: 'level', schema: { enum: ['province', 'city', 'county', 'township'] } },
      { name: 'limit', schema: int(1, 500) },
    ],
  },
  { method: 'get', path: '/implementations/{code}', tag: 'catalogue', summary: 'Service guide (办事指南) of the current version', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the guide'], statuses: [410] },
  { method: 'get', path: '/implementations/{code}/versions', tag: 'catalogue', summary: 'Versions of an entry', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'versions'] },
  { method: 'get', path: '/implementations/{code}/versions/{version}', tag: 'catalogue', summary: 'One version, with its form', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the version'] },
  { method: 'get', path: '/implementations/{code}/diff', tag: 'catalogue', summary: 'What changed between two versions', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the differences'], query: [{ name: 'from', schema: int(1, 100000), required: true, example: '1' }, { name: 'to', schema: int(1, 100000), required: true, example: '1' }] },
  { method: 'get', path: '/implementations/{code}/export', tag: 'catalogue', summary: 'Export an entry as an importable document', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the document'], query: [{ name: 'version', schema: int(1, 100000) }] },
  { method: 'post', path: '/catalogue/import', tag: 'catalogue', summary: 'Import an entry as a draft', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, document: 'an implementation document (see lib/catalogue/entry.schema.json)', ok: [201, 'the draft'] },
  { method: 'post', path: '/implementations/{code}/drafts', tag: 'catalogue', summary: 'Start a draft from the current version', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, ok: [201, 'the draft'] },
  { method: 'put', path: '/implementations/{code}/versions/{version}', tag: 'catalogue', summary: 'Edit a draft', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, body: 'EntryRequest', ok: [200, 'the draft'] },
  { method: 'delete', path: '/implementations/{code}/versions/{version}', tag: 'catalogue', summary: 'Discard a draft', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, ok: [204, 'discarded'], statuses: [409] },
  { method: 'post', path: '/implementations/{code}/versions/{version}/submit', tag: 'catalogue', summary: 'Submit a draft for review', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, body: 'SubmitRequest', ok: [202, 'the change under review'] },
  { method: 'post', path: '/implementations/{code}/changes', tag: 'catalogue', summary: 'Request a suspension, cancellation, split or delegation', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, body: 'ChangeRequest', ok: [202, 'the change under review'] },
  { method: 'get', path: '/changes/{id}', tag: 'catalogue', summary: 'A catalogue change and its reviews', zone: 'internal', access: 'staff: catalogue-admin or a catalogue reviewer', security: staffOnly, ok: [200, 'the change'] },
  { method: 'get', path: '/reviews', tag: 'catalogue', summary: 'Changes waiting for my review', zone: 'internal', access: 'staff: catalogue reviewers', security: staffOnly, ok: [200, 'the review inbox'] },
  { method: 'post', path: '/changes/{id}/reviews', tag: 'catalogue', summary: 'Review a change (编办 → 法制 → 监察)', zone: 'internal', access: 'staff: the stage\'s reviewer', security: staffOnly, body: 'ReviewRequest', ok: [200, 'the change'] },
  { method: 'get', path: '/catalogue/options', tag: 'catalogue', summary: 'What the process editor picks from: departments, roles, department systems the catalogue dispatches to, adapter operations', zone: 'internal', access: 'staff: catalogue-admin or a catalogue reviewer', security: staffOnly, ok: [200, 'the lists'] },
  { method: 'post', path: '/catalogue/validate', tag: 'catalogue', summary: 'Check an entry as saving a draft would, without saving it (every problem with its pointer into the entry)', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, body: 'EntryCheckRequest', ok: [200, 'valid, and every problem'] },
  { method: 'post', path: '/catalogue/preview', tag: 'catalogue', summary: 'Which steps a case with this form data would run: each step\'s `when` decided by the case engine\'s own condition code', zone: 'internal', access: 'staff: catalogue-admin or a catalogue reviewer', security: staffOnly, body: 'PreviewRequest', ok: [200, 'each step and what the case would do there'] },

  // Calendar
  { method: 'get', path: '/calendar/add', tag: 'calendar', summary: 'Add working days to an instant (the law\'s counting rule)', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the deadline'], query: [{ name: 'from', schema: instantWithTime, required: true, example: '2026-09-18T10:00:00+08:00' }, { name: 'days', schema: int(0, 1000), required: true, example: '5' }] },
  { method: 'get', path: '/calendar/between', tag: 'calendar', summary: 'Working days between two instants', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the count'], rules: '`to` must not be before `from`, and the span is at most twenty years (else 400).', query: [{ name: 'from', schema: instantWithTime, required: true, example: '2026-09-18T10:00:00+08:00' }, { name: 'to', schema: instantWithTime, required: true, example: '2026-10-18T10:00:00+08:00', description: 'not before from' }] },
  { method: 'get', path: '/calendar/{year}', tag: 'calendar', summary: 'A year\'s official holidays and make-up working days', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the year'] },
  { method: 'put', path: '/calendar/{year}', tag: 'calendar', summary: 'Import a year\'s State Council arrangement', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, body: 'YearRequest', ok: [200, 'the year'] },
  { method: 'put', path: '/calendar/days/{date}', tag: 'calendar', summary: 'Correct one day', zone: 'internal', access: 'staff: catalogue-admin', security: staffOnly, body: 'DayRequest', ok: [200, 'the year'] },

  // Cases
  { method: 'post', path: '/cases', tag: 'cases', summary: 'File a case', zone: 'public', access: 'staff: clerk (window, their hall); applicant (online, for themselves); integrator with cases:file', security: caseReaders, body: 'FileCaseRequest', ok: [201, 'the case number'], statuses: [200], rules: 'A repeat with the same Idempotency-Key and body answers 200 with the earlier case (created: false). An applicant files for themselves, or for a legal person they represent or are authorised for.' },
  {
    method: 'get', path: '/cases', tag: 'cases', summary: 'Cases the caller may see, newest first (personal data masked)', zone: 'public', access: 'applicant: own; integrator: filed with its key; staff: their hall, department or jurisdiction', security: caseReaders, ok: [200, 'a page of cases and the next cursor'],
    query: [
      { name: 'status', schema: str(32) }, { name: 'department', schema: str(32) }, { name: 'itemCode', schema: str(64) },
      { name: 'supervisionState', schema: { enum: ['normal', 'warning', 'overdue', 'statutory-overdue'] } },
      { name: 'filedFrom', schema: instant, description: 'filed at or after' }, { name: 'filedTo', schema: instant, description: 'filed before' },
      { name: 'cursor', schema: str(200, { pattern: '^[A-Za-z0-9_-]+$' }), description: 'opaque: the nextCursor of the previous page, passed back unchanged (any other value is a 400)' }, { name: 'limit', schema: int(1, 200) },
    ],
  },
  { method: 'get', path: '/cases/{caseNo}', tag: 'cases', summary: 'A case from the read model', zone: 'public', access: 'whoever may see the case; supervisors see personal data masked unless reveal=true (audited)', security: caseReaders, ok: [200, 'the case'],
    query: [
      { name: 'reveal', schema: { enum: ['true', 'false'] } },
      { name: 'wait', schema: int(0, 30), example: '20', description: 'seconds to wait, while the caller holds the current version (If-None-Match) or the case is filed but not yet in the read model, for the case to move; answered as soon as it does, or as it stands when the wait is over (304 for a version still held). 0 (default): at once' },
    ],
    conditional: 'the case view\'s version and which view it is (whole, masked or revealed): it changes whenever anything the view shows does. A poll with If-None-Match answers 304 while nothing changed, and a 304 is not recorded as a full view (it sends no personal data). With wait=N the poll is held until the case moves (at most N seconds), so a client follows a case with one request at a time and sees each change at once' },
  { method: 'get', path: '/cases/{caseNo}/live', tag: 'cases', summary: 'The case as its workflow sees it now', zone: 'public', access: 'whoever may see the case', security: caseReaders, ok: [200, 'the live view'] },
  { method: 'get', path: '/cases/{caseNo}/history', tag: 'cases', summary: 'Readable timeline, or the raw Temporal history (staff)', zone: 'public', access: 'whoever may see the case; raw: staff', security: caseReaders, ok: [200, 'the timeline or raw events'], query: [{ name: 'format', schema: { enum: ['timeline', 'raw'] } }] },
  { method: 'post', path: '/cases/{caseNo}/correction', tag: 'cases', summary: 'Reply to a correction request (补正)', zone: 'public', access: 'the applicant, the integrator that filed, or a clerk of the hall', security: caseReaders, body: 'CorrectionRequest', ok: [200, 'the case status'] },
  { method: 'post', path: '/cases/{caseNo}/precondition', tag: 'cases', summary: '模拟审批: a precondition has appeared, or the application changed since the review (the case checks every precondition and converts when none is missing)', zone: 'public', access: 'the applicant, the integrator that filed, or a clerk of the hall', security: caseReaders, body: 'PreconditionRequest', ok: [200, 'the case status and the preconditions still missing'], rules: 'Only a simulated case that has not converted (else 409). Files must be this case\'s uploads of a checklist material; changed form fields must leave the form valid (else 422).' },
  { method: 'post', path: '/cases/{caseNo}/withdrawal', tag: 'cases', summary: 'Withdraw the application (撤回)', zone: 'public', access: 'the applicant, the integrator that filed, or a clerk of the hall', security: caseReaders, body: 'ReasonRequest', ok: [200, 'the case status'] },
  { method: 'post', path: '/cases/{caseNo}/evaluation', tag: 'cases', summary: 'Rate the service (好差评)', zone: 'public', access: 'the applicant or the integrator that filed', security: ['applicant', 'apiKey'], body: 'EvaluationRequest', ok: [204, 'recorded'] },
  { method: 'post', path: '/cases/{caseNo}/materials', tag: 'cases', summary: 'Upload an application material (PDF, JPEG or PNG, up to 5 MiB, base64)', zone: 'public', access: 'the applicant, the integrator that filed, or staff handling the case', security: caseReaders, body: 'MaterialUploadRequest', ok: [201, 'the stored material with its SHA-256'] },
  { method: 'get', path: '/cases/{caseNo}/materials', tag: 'cases', summary: 'Materials uploaded for a case', zone: 'public', access: 'whoever may see the case', security: caseReaders, ok: [200, 'the materials (no content)'] },
  { method: 'get', path: '/cases/{caseNo}/materials/{id}', tag: 'cases', summary: 'Download one material', zone: 'public', access: 'whoever sees the case in full (audited for staff and integrators)', security: caseReaders, ok: [200, 'the file'] },
  { method: 'get', path: '/cases/{caseNo}/checklist', tag: 'cases', summary: 'The materials checklist: each material the case\'s entry asks for, with its state (paper, uploaded, certificate, missing), its files, and the files of correction replies beside the problems they answer', zone: 'public', access: 'whoever may see the case', security: caseReaders, ok: [200, 'the checklist'] },
  { method: 'put', path: '/cases/{caseNo}/checklist/{materialId}', tag: 'cases', summary: 'Record one material\'s state: paper received (clerks), uploaded (a file is stored for it), replaced by an e-certificate (checked with the certificate library), or missing', zone: 'public', access: 'the applicant, the integrator that filed, or staff handling the case', security: caseReaders, body: 'MaterialStateRequest', ok: [200, 'the material\'s checklist entry'] },
  { method: 'post', path: '/cases/{caseNo}/extension', tag: 'cases', summary: 'Extend the time limit once (延期)', zone: 'internal', access: 'staff handling the case (approver, reviewer, head, inspector)', security: staffOnly, body: 'ReasonRequest', ok: [202, 'the new deadline'] },
  { method: 'post', path: '/cases/{caseNo}/special-procedure/end', tag: 'cases', summary: 'End a special procedure (特别程序)', zone: 'internal', access: 'staff handling the case', security: staffOnly, body: 'ResultRequest', ok: [200, 'the case status'] },

  // Views for the web app (api/routes/web-views.ts)
  { method: 'get', path: '/views/departments', tag: 'views', summary: 'Departments with their names and levels', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'departments'] },
  {
    method: 'get', path: '/views/inbox', tag: 'views', summary: 'My open tasks with each case\'s supervision level, counts per level, 20 a page', zone: 'internal', access: 'staff', security: staffOnly, ok: [200, 'a page of tasks and the counts'],
    query: [{ name: 'level', schema: { enum: ['normal', 'warning', 'overdue'] } }, { name: 'q', schema: str(100) }, { name: 'page', schema: int(1, 10000) }],
  },
  {
    method: 'get', path: '/views/cases', tag: 'views', summary: 'Case search by number prefix or item name, 20 a page', zone: 'internal', access: 'staff: clerks, handlers and supervisors; their hall, department or jurisdiction', security: staffOnly, ok: [200, 'a page of cases and the total'],
    query: [
      { name: 'q', schema: str(100) }, { name: 'department', schema: str(32) }, { name: 'status', schema: str(32) }, { name: 'level', schema: { enum: ['normal', 'warning', 'overdue'] } },
      { name: 'applicant', schema: str(100), description: 'the applicant\'s ID number (exactly) or part of the name' }, { name: 'itemCode', schema: str(64), description: 'an item code or implementation code' },
      { name: 'filedFrom', schema: { type: 'string', format: 'date' }, description: 'first China day of filing' }, { name: 'filedTo', schema: { type: 'string', format: 'date' }, description: 'last China day of filing' },
      { name: 'page', schema: int(1, 10000) },
    ],
  },
  { method: 'get', path: '/views/handled', tag: 'views', summary: 'Tasks I completed (已办), newest first, 20 a page', zone: 'internal', access: 'staff', security: staffOnly, ok: [200, 'a page of tasks and the total'], query: [{ name: 'q', schema: str(100) }, { name: 'page', schema: int(1, 10000) }] },
  { method: 'get', path: '/views/finished', tag: 'views', summary: 'Finished cases (办结) of my department or hall, 20 a page', zone: 'internal', access: 'staff', security: staffOnly, ok: [200, 'a page of cases and the total'], query: [{ name: 'q', schema: str(100) }, { name: 'page', schema: int(1, 10000) }] },
  { method: 'get', path: '/views/my-cases', tag: 'views', summary: 'My cases (我的办件) with status and next step, 20 a page', zone: 'public', access: 'applicant', security: ['applicant'], ok: [200, 'a page of cases and the total'], query: [{ name: 'page', schema: int(1, 10000) }] },
  { method: 'get', path: '/drafts', tag: 'views', summary: 'My saved window applications (草稿箱)', zone: 'internal', access: 'staff: clerk (own drafts)', security: staffOnly, ok: [200, 'drafts, newest first'] },
  { method: 'post', path: '/drafts', tag: 'views', summary: 'Save a window application before filing', zone: 'internal', access: 'staff: clerk', security: staffOnly, body: 'DraftRequest', ok: [201, 'the draft'] },
  { method: 'get', path: '/drafts/{id}', tag: 'views', summary: 'One of my drafts, to resume', zone: 'internal', access: 'staff: clerk (own drafts)', security: staffOnly, ok: [200, 'the draft'] },
  { method: 'put', path: '/drafts/{id}', tag: 'views', summary: 'Update one of my drafts', zone: 'internal', access: 'staff: clerk (own drafts)', security: staffOnly, body: 'DraftRequest', ok: [200, 'the draft'] },
  { method: 'delete', path: '/drafts/{id}', tag: 'views', summary: 'Delete one of my drafts (after filing it, or to discard it)', zone: 'internal', access: 'staff: clerk (own drafts)', security: staffOnly, ok: [204, 'deleted'] },
  { method: 'get', path: '/cases/{caseNo}/documents', tag: 'cases', summary: 'Documents issued for a case, with their numbers', zone: 'public', access: 'whoever may see the case', security: caseReaders, ok: [200, 'the documents'] },
  { method: 'post', path: '/cases/{caseNo}/documents/{kind}', tag: 'cases', summary: 'A numbered document of the case (receipt, accept, correction, reject, approval, refusal, service), numbered on first issue', zone: 'public', access: 'whoever may see the case; supervisors only documents already issued', security: caseReaders, ok: [200, 'the document\'s content and number'] },
  { method: 'get', path: '/cases/{caseNo}/documents/{kind}/pdf', tag: 'cases', summary: 'A document already issued, as an A4 PDF with the same content as its page (a download: Content-Disposition attachment, the Chinese file name in filename*); never numbers one', zone: 'public', access: 'whoever may see the case (audited for staff and integrators)', security: caseReaders, ok: [200, 'the PDF (application/pdf)'], statuses: [409], rules: '409 document-not-issued while the document has not been issued (POST first); 503 pdf-unavailable when the server has no CJK font (PDF_FONT_FILE)' },
  { method: 'get', path: '/views/certificates', tag: 'views', summary: 'Certificates an applicant holds (减材料), from the e-certificate platform', zone: 'internal', access: 'staff: clerk', security: staffOnly, ok: [200, 'certificates'], query: [{ name: 'holder', schema: str(18, { pattern: '^[0-9A-Z]{18}$' }), required: true, example: '330106199003073514', description: 'an 18-character ID number or unified social credit code' }] },

  // Tasks
  {
    method: 'get', path: '/tasks', tag: 'tasks', summary: 'My inbox (待办): my department\'s tasks for my roles, with counts', zone: 'internal', access: 'staff', security: staffOnly, ok: [200, 'tasks and counts'],
    query: [
      { name: 'status', schema: { enum: ['open', 'done'] } }, { name: 'due', schema: { enum: ['overdue', 'soon', 'normal'] } },
      { name: 'assignee', schema: { enum: ['mine', 'unclaimed'] } }, { name: 'role', schema: str(40), description: 'one of the caller\'s own roles (any other is a 400)' },
      { name: 'limit', schema: int(1, 200) }, { name: 'offset', schema: int(0, 100000) },
    ],
  },
  { method: 'post', path: '/tasks/{taskId}/complete', tag: 'tasks', summary: 'Complete a task with an action and an opinion; accepting a pre-check while a required material of the checklist is missing needs missingMaterialsReason (else 422 materials-missing)', zone: 'internal', access: 'staff of the task\'s department and role', security: staffOnly, body: 'CompleteRequest', ok: [200, 'what the case did next'] },
  { method: 'post', path: '/tasks/{taskId}/claim', tag: 'tasks', summary: 'Claim a task', zone: 'internal', access: 'staff of the task\'s department and role', security: staffOnly, ok: [200, 'the task'] },
  { method: 'post', path: '/tasks/{taskId}/release', tag: 'tasks', summary: 'Release a claimed task', zone: 'internal', access: 'the assignee', security: staffOnly, ok: [200, 'the task'] },
  { method: 'post', path: '/tasks/{taskId}/reassign', tag: 'tasks', summary: 'Give a task to a colleague', zone: 'internal', access: 'staff of the task\'s department', security: staffOnly, body: 'ReassignRequest', ok: [200, 'the task'] },

  // Supervision
  { method: 'get', path: '/supervision/cases', tag: 'supervision', summary: 'Warning or overdue cases in my jurisdiction', zone: 'internal', access: 'staff: supervisor', security: staffOnly, ok: [200, 'cases'], query: [{ name: 'state', schema: { enum: ['warning', 'overdue'] } }, { name: 'department', schema: str(32) }] },
  { method: 'get', path: '/supervision/events', tag: 'supervision', summary: 'Supervision events (预警, 超期) in a period', zone: 'internal', access: 'staff: supervisor', security: staffOnly, ok: [200, 'events'], rules: '`from` must be before `to` (else 400); the period defaults to the 30 days before `to` (default now).', query: [{ name: 'from', schema: instant }, { name: 'to', schema: instant }, { name: 'department', schema: str(32) }] },
  { method: 'get', path: '/supervision/simulation', tag: 'supervision', summary: '模拟审批 indicators by item: conversion rate, simulated and formal working days, time saved', zone: 'internal', access: 'staff: supervisor', security: staffOnly, ok: [200, 'indicator rows'], rules: '`from` must be before `to` (else 400); the period (of filing) defaults to the 30 days before `to` (default now).', query: [{ name: 'from', schema: instant }, { name: 'to', schema: instant }] },
  { method: 'get', path: '/supervision/indicators', tag: 'supervision', summary: 'Performance indicators by department, item, step or handler', zone: 'internal', access: 'staff: supervisor', security: staffOnly, ok: [200, 'indicator rows'], rules: '`from` must be before `to` (else 400); the period defaults to the 30 days before `to` (default now).', query: [{ name: 'by', schema: { enum: ['department', 'item', 'step', 'handler'] } }, { name: 'from', schema: instant }, { name: 'to', schema: instant }] },
  { method: 'get', path: '/supervision/stuck-cases', tag: 'supervision', summary: 'Running cases whose workflow task keeps failing (an operator must act)', zone: 'internal', access: 'staff: supervisor', security: staffOnly, ok: [200, 'stuck cases'], query: [{ name: 'scan', schema: int(1, 5000) }] },
  { method: 'get', path: '/supervision/stopped-cases', tag: 'supervision', summary: 'Cases whose workflow stopped (terminated by an operator, failed, timed out) while the case had not ended', zone: 'internal', access: 'staff: supervisor (their jurisdiction) or platform-admin (every department)', security: staffOnly, ok: [200, 'stopped cases'], query: [{ name: 'scan', schema: int(1, 5000) }] },
  { method: 'post', path: '/supervision/stopped-cases/{caseNo}/revive', tag: 'supervision', summary: 'Revive a stopped case: its workflow is reset to its last completed workflow task and runs on from there', zone: 'internal', access: 'staff: platform-admin', security: staffOnly, body: 'ReasonRequest', ok: [200, 'the run the case goes on in'], rules: '409 `case-running` when its workflow runs, `case-finished` when it ended normally, `case-not-revivable` when it never completed a workflow task; 404 for a workflow the cluster does not hold; `caughtUp` false when the case had not caught up with its inboxes within 15 s, or its new run stopped again.' },
  { method: 'get', path: '/supervision/workflows', tag: 'supervision', summary: 'Temporal list query over the cases\' search attributes; with archived=include also the closed runs retention removed, from the visibility archive', zone: 'internal', access: 'staff: supervisor', security: staffOnly, ok: [200, 'workflows (each marked archived or not) and what the archive answered'], rules: '`closedAfter` must not be after `closedBefore` (else 400); archived runs are filtered and kept to the jurisdiction through the read model, and so is a supervision `state` (the level the supervision sweep records).', query: [{ name: 'state', schema: { enum: ['normal', 'warning', 'overdue'] } }, { name: 'department', schema: attr }, { name: 'item', schema: attr }, { name: 'status', schema: attr }, { name: 'archived', schema: { enum: ['exclude', 'include'] } }, { name: 'closedAfter', schema: instant }, { name: 'closedBefore', schema: instant }] },
  { method: 'post', path: '/cases/{caseNo}/urges', tag: 'supervision', summary: 'Urge a case (督办)', zone: 'internal', access: 'staff: supervisor of the case\'s jurisdiction', security: staffOnly, body: 'UrgeRequest', ok: [202, 'the urge id'] },
  { method: 'post', path: '/cases/{caseNo}/urges/{urgeId}/answer', tag: 'supervision', summary: 'Answer an urge', zone: 'internal', access: 'staff handling the case', security: staffOnly, body: 'AnswerRequest', ok: [200, 'the urge'] },
  { method: 'post', path: '/cases/{caseNo}/orders', tag: 'supervision', summary: 'A correction order or complaint on a case', zone: 'internal', access: 'staff: supervisor of the case\'s jurisdiction', security: staffOnly, body: 'OrderRequest', ok: [201, 'the order'] },
  { method: 'get', path: '/cases/{caseNo}/orders', tag: 'supervision', summary: 'Urges and orders on a case', zone: 'internal', access: 'staff who may see the case', security: staffOnly, ok: [200, 'orders'] },

  // Certificates
  { method: 'get', path: '/certificates/{number}/verify', tag: 'certificates', summary: 'Is this certificate genuine, unchanged and valid? (验证真伪)', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the verdict'] },
  { method: 'post', path: '/certificates/verify', tag: 'certificates', summary: 'Verify a certificate document as presented', zone: 'public', access: 'anyone', security: anyone, document: 'an electronic certificate document with its number and seal', ok: [200, 'the verdict'] },

  // Platform callbacks (signed by the platform)
  ...(['payment', 'logistics', 'department', 'identity', 'province'] as const).map((p): Operation => ({
    method: 'post', path: `/callbacks/${p}`, tag: 'callbacks', summary: p === 'province' ? 'Signed event from the provincial platform: province.case-filed files a case filed on the provincial portal here (once per provincial case number)' : `Signed event from the ${p} platform`, zone: 'internal', access: 'the platform (HMAC-signed envelope)', security: ['platform'], document: 'a signed event envelope', ok: [200, 'applied or already applied'],
  })),

  // Integrators and administration
  { method: 'post', path: '/admin/api-keys', tag: 'integration', summary: 'Issue an integrator API key', zone: 'internal', access: 'staff: platform-admin', security: staffOnly, body: 'ApiKeyRequest', ok: [201, 'the key, its token and signing secret (shown once)'] },
  { method: 'get', path: '/admin/api-keys', tag: 'integration', summary: 'API keys (never their secrets)', zone: 'internal', access: 'staff: platform-admin', security: staffOnly, ok: [200, 'keys'] },
  { method: 'post', path: '/admin/api-keys/{id}/revoke', tag: 'integration', summary: 'Revoke an API key', zone: 'internal', access: 'staff: platform-admin', security: staffOnly, ok: [204, 'revoked'] },
  { method: 'post', path: '/integrations/webhooks', tag: 'integration', summary: 'Subscribe to case events', zone: 'public', access: 'integrator with the webhooks scope', security: ['apiKey'], body: 'WebhookRequest', ok: [201, 'the subscription and its signing secret (shown once)'] },
  { method: 'get', path: '/integrations/webhooks', tag: 'integration', summary: 'My webhook subscriptions', zone: 'public', access: 'integrator with the webhooks scope', security: ['apiKey'], ok: [200, 'subscriptions'] },
  { method: 'delete', path: '/integrations/webhooks/{id}', tag: 'integration', summary: 'Unsubscribe', zone: 'public', access: 'integrator with the webhooks scope', security: ['apiKey'], ok: [204, 'unsubscribed'] },
  { method: 'get', path: '/integrations/webhooks/{id}/deliveries', tag: 'integration', summary: 'Delivery log with every attempt', zone: 'public', access: 'integrator with the webhooks scope', security: ['apiKey'], ok: [200, 'deliveries'], query: [{ name: 'limit', schema: int(1, 200) }] },
  { method: 'get', path: '/audit', tag: 'audit', summary: 'The audit log, newest first (personal data masked)', zone: 'internal', access: 'staff: supervisor or platform-admin', security: staffOnly, ok: [200, 'entries'], query: [{ name: 'caseNo', schema: str(22, { pattern: '^[0-9]{22}$' }) }, { name: 'action', schema: str(64) }, { name: 'limit', schema: int(1, 500) }] },
  { method: 'get', path: '/audit/verify', tag: 'audit', summary: 'Verify the audit log\'s hash chain', zone: 'internal', access: 'staff: supervisor or platform-admin', security: staffOnly, ok: [200, 'whether the chain holds, and where it breaks'] },
  // Open data (政务服务数据开放) and the approval archive (审批档案)
  { method: 'get', path: '/open-data', tag: 'open-data', summary: 'The open datasets: their stable URLs, data dictionaries, the months available and the licence', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the index'] },
  { method: 'get', path: '/open-data/catalogue', tag: 'open-data', summary: 'The service guide of every published entry, as JSON or CSV (no personal data)', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the dataset'], query: [{ name: 'format', schema: { enum: ['json', 'csv'] }, description: 'json (default) or csv' }] },
  { method: 'get', path: '/open-data/statistics/{month}', tag: 'open-data', summary: 'One China month\'s case statistics per department and per item, as JSON or CSV; cells under 5 cases suppressed', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the dataset'], query: [{ name: 'format', schema: { enum: ['json', 'csv'] }, description: 'json (default) or csv' }] },
  { method: 'get', path: '/archive', tag: 'archive', summary: 'Archive packages of closed cases in my jurisdiction, newest first', zone: 'internal', access: 'staff: supervisor (their jurisdiction)', security: staffOnly, ok: [200, 'the packages'], query: [{ name: 'department', schema: str(32) }, { name: 'caseNo', schema: str(22, { pattern: '^[0-9]{22}$' }) }, { name: 'limit', schema: int(1, 500) }] },
  { method: 'get', path: '/archive/{caseNo}', tag: 'archive', summary: 'Download a case\'s archive package as a tar file (audited)', zone: 'internal', access: 'staff: supervisor (their jurisdiction)', security: staffOnly, ok: [200, 'the package (application/x-tar)'] },
  { method: 'get', path: '/exchange', tag: 'archive', summary: '同源发布 to the provincial platform: nodes pending, delivered and refused, the refused ones, and the latest daily reconciliations with the nodes found missing there', zone: 'internal', access: 'staff: supervisor or platform-admin', security: staffOnly, ok: [200, 'the exchange\'s state'], query: [{ name: 'limit', schema: int(1, 200) }] },
  { method: 'get', path: '/archive/{caseNo}/verify', tag: 'archive', summary: 'Verify a case\'s archive package: the SM2 seal of its manifest and the SM3 digest of every file (changed, missing and added files are named)', zone: 'internal', access: 'staff: supervisor (their jurisdiction)', security: staffOnly, ok: [200, 'the verdict'] },

  // The service hall (api/routes/hall.ts): appointments, tickets, calling, the big screen, the kiosk
  { method: 'get', path: '/hall/halls', tag: 'hall', summary: 'The service halls', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'halls'] },
  { method: 'get', path: '/hall/halls/{hall}', tag: 'hall', summary: 'A hall: its categories (window groups) with items, opening hours and appointment capacity, and its windows', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the hall'] },
  {
    method: 'get', path: '/hall/halls/{hall}/slots', tag: 'hall', summary: 'Free appointment places per half-hour slot, day by day (working days of the calendar only; slots begun are left out)', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'days with their slots'], statuses: [422],
    query: [
      { name: 'category', schema: str(1, { pattern: '^[A-Z]$' }), required: true, example: 'A', description: 'the category (window group); one the hall does not have is a 422' },
      { name: 'date', schema: str(10, { pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), description: 'first China day (default today)' },
      { name: 'days', schema: int(1, 14), description: 'how many days (default 7)' },
    ],
  },
  { method: 'post', path: '/hall/appointments', tag: 'hall', summary: 'Book an appointment (预约) in a slot; the code goes by SMS. The last place of a slot goes to one booking only: the other gets 409 slot-full', zone: 'public', access: 'applicant', security: ['applicant'], body: 'AppointmentRequest', ok: [201, 'the appointment with its code'] },
  { method: 'get', path: '/hall/appointments', tag: 'hall', summary: 'My appointments, latest slot first (a booking whose slot ended unused shows as no_show)', zone: 'public', access: 'applicant', security: ['applicant'], ok: [200, 'appointments'] },
  { method: 'post', path: '/hall/appointments/{id}/cancel', tag: 'hall', summary: 'Cancel my appointment before its slot begins', zone: 'public', access: 'applicant (own appointments)', security: ['applicant'], ok: [200, 'the appointment'] },
  { method: 'post', path: '/hall/tickets', tag: 'hall', summary: 'Issue a queue ticket (取号) for a category, or with an appointment code of today (priority in its slot), with a priority class', zone: 'internal', access: 'staff: clerk or kiosk of the hall', security: staffOnly, body: 'TicketRequest', ok: [201, 'the ticket'] },
  { method: 'get', path: '/hall/tickets/{id}', tag: 'hall', summary: 'A ticket as its slip shows it (the id is on the slip only)', zone: 'public', access: 'anyone holding the ticket', security: anyone, ok: [200, 'the ticket'] },
  { method: 'post', path: '/hall/tickets/{id}/evaluation', tag: 'hall', summary: 'Rate the service of a served ticket (好差评 per ticket), once', zone: 'public', access: 'anyone holding the ticket', security: anyone, body: 'TicketEvaluationRequest', ok: [201, 'the ticket'] },
  { method: 'get', path: '/hall/halls/{hall}/windows/{window}', tag: 'hall', summary: 'A window: its ticket now and how many wait for what it serves', zone: 'internal', access: 'staff: clerk of the hall', security: staffOnly, ok: [200, 'the window'] },
  { method: 'post', path: '/hall/halls/{hall}/windows/{window}/call', tag: 'hall', summary: 'Call the next ticket to the window (叫号): transferred here first, then appointments in their slot, then priority classes, then order of issue', zone: 'internal', access: 'staff: clerk of the hall', security: staffOnly, ok: [200, 'the ticket called, or null when nobody waits'] },
  { method: 'post', path: '/hall/tickets/{id}/recall', tag: 'hall', summary: 'Call the ticket at the window again', zone: 'internal', access: 'staff: clerk of the hall', security: staffOnly, ok: [200, 'the ticket'] },
  { method: 'post', path: '/hall/tickets/{id}/no-show', tag: 'hall', summary: 'The applicant did not come (过号)', zone: 'internal', access: 'staff: clerk of the hall', security: staffOnly, ok: [200, 'the ticket'] },
  { method: 'post', path: '/hall/tickets/{id}/finish', tag: 'hall', summary: 'Service at the window is over; its time is recorded', zone: 'internal', access: 'staff: clerk of the hall', security: staffOnly, ok: [200, 'the ticket'] },
  { method: 'post', path: '/hall/tickets/{id}/transfer', tag: 'hall', summary: 'Send the ticket to another window, first in its queue', zone: 'internal', access: 'staff: clerk of the hall', security: staffOnly, body: 'TicketTransferRequest', ok: [200, 'the ticket'] },
  { method: 'post', path: '/hall/tickets/{id}/case', tag: 'hall', summary: 'The case the clerk filed or looked up for the ticket', zone: 'internal', access: 'staff: clerk of the hall', security: staffOnly, body: 'TicketCaseRequest', ok: [200, 'the ticket'] },
  { method: 'get', path: '/hall/halls/{hall}/screen', tag: 'hall', summary: 'The big screen: latest calls and waiting per category; with Accept: text/event-stream, a stream of server-sent events with the state again at every change', zone: 'public', access: 'anyone', security: anyone, ok: [200, 'the screen\'s state'] },
  { method: 'get', path: '/hall/indicators', tag: 'hall', summary: 'Waiting and service times (average, p90, share over 20 minutes), no-shows and ticket ratings by hall, window or item', zone: 'internal', access: 'staff: supervisor (halls of the jurisdiction)', security: staffOnly, ok: [200, 'indicator rows'], rules: '`from` must be before `to` (else 400); the period defaults to the 30 days before `to` (default now).', query: [{ name: 'by', schema: { enum: ['hall', 'window', 'item'] } }, { name: 'from', schema: instant }, { name: 'to', schema: instant }] },
  { method: 'post', path: '/hall/kiosk/track', tag: 'hall', summary: 'A case\'s progress for the ID card on the kiosk\'s reader', zone: 'internal', access: 'staff: kiosk', security: staffOnly, body: 'KioskTrackRequest', ok: [200, 'the case\'s progress'] },
  { method: 'post', path: '/hall/kiosk/pickups', tag: 'hall', summary: 'Collect a certificate at the kiosk with its pick-up code and the holder\'s ID card: the print is the hand-over that completes the case\'s delivery step', zone: 'internal', access: 'staff: kiosk of the hall that hands the result over', security: staffOnly, body: 'KioskPickupRequest', ok: [200, 'what to print'] },
  { method: 'post', path: '/cases/{caseNo}/pickup-code', tag: 'hall', summary: 'The pick-up code of my certificate waiting at a self-service kiosk', zone: 'public', access: 'applicant (own case)', security: ['applicant'], ok: [200, 'the code'] },
];

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

const securitySchemes = {
  staff: { type: 'http', scheme: 'bearer', description: 'Staff session token from POST /auth/login' },
  applicant: { type: 'http', scheme: 'bearer', description: 'Applicant session token from POST /auth/applicant/login' },
  apiKey: {
    type: 'apiKey', in: 'header', name: 'Authorization',
    description: '"ApiKey <id>.<token>" plus X-Ow-Timestamp (Unix ms), X-Ow-Nonce and X-Ow-Signature = hex HMAC-SHA256(signing secret, METHOD\\npath?query\\ntimestamp\\nnonce\\nhex SHA-256(body))',
  },
  platform: { type: 'apiKey', in: 'header', name: 'X-Ow-Signature', description: 'Platform callbacks: a signed event envelope (HMAC-SHA256 with the platform secret)' },
};

/** What each error status means, for every operation that may answer it. */
const problemText: Record<number, string> = {
  400: 'Malformed request: bad JSON, wrong types, unknown fields, a parameter outside its schema or rule; NUL, lone surrogates or non-characters in the body, query or path; nesting deeper than 32 levels; a malformed % escape; a body not encoded as its Content-Encoding says (with field paths)',
  401: 'Not signed in, or the credential given is not valid (a wrong, expired or revoked token, a bad signature)',
  403: 'Signed in, but not allowed (role, department, scope, assurance level; staff on the Internet zone; a password change is required first)',
  404: 'No such resource, or not yours; every extranet operation on the Internet-zone port',
  409: 'Conflicts with the current state (e.g. the case has moved on), or an Idempotency-Key reused for another request',
  410: 'The entry is no longer in service (suspended or cancelled: no published version)',
  413: 'Body too large',
  415: 'Content-Encoding or charset not supported',
  422: 'Valid JSON, but the data is not acceptable (with field paths)',
  429: 'Too many requests (see Retry-After)',
  431: 'The request line or the headers are over 16 KB (a path or query too long): refused by the HTTP parser, answered as a problem',
  503: 'The database, Temporal or a platform this operation needs cannot be reached at the moment (see Retry-After)',
};

/**
 * Every status an operation may answer: its success, its own extras, and what every operation of
 * its kind may answer (a bad request, a refused credential, a zone or object it cannot reach,
 * a limit, an outage; a body that conflicts, is too large, badly encoded or not acceptable).
 */
export function statusesOf(op: Operation): number[] {
  const all = [op.ok[0], ...(op.statuses ?? []), ...(op.conditional ? [304] : []), 400, 401, 403, 404, 429, 431, 503];
  if (op.method === 'post' || op.method === 'put') all.push(409, 413, 415, 422);
  return [...new Set(all)].sort((x, y) => x - y);
}

/** The response schema's name of an operation (undefined for a 204). */
export function responseNameOf(op: Operation): string | undefined {
  return responseOf[`${op.method.toUpperCase()} ${op.path}`];
}

/** Path parameters with what the routes enforce of each. */
const pathParamSchemas: Record<string, { schema: Record<string, unknown>; example: string; description?: string }> = {
  caseNo: { schema: { type: 'string', pattern: '^[0-9]{22}$' }, example: '2026091833010000000001', description: '统一办件编号: 22 digits (else 400)' },
  code: { schema: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' }, example: 'XK-330000-00001.xh-scjg', description: 'an implementation entry\'s code (else 400)' },
  version: { schema: { type: 'integer', minimum: 1, maximum: 100000 }, example: '1' },
  year: { schema: { type: 'integer', minimum: 2000, maximum: 2100 }, example: '2026' },
  date: { schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, example: '2026-10-01', description: 'YYYY-MM-DD' },
  taskId: { schema: { type: 'string', minLength: 1, maxLength: 96 }, example: 'task-1' },
  id: { schema: { type: 'string', minLength: 1, maxLength: 200 }, example: 'wh_example' },
  checkId: { schema: { type: 'string', minLength: 1, maxLength: 90, pattern: '^[A-Za-z0-9_-]+$' }, example: 'face-0b6f5d1e', description: 'a face check\'s id as the identity platform gave it' },
  urgeId: { schema: { type: 'string', minLength: 1, maxLength: 200 }, example: 'urge-1' },
  number: { schema: { type: 'string', minLength: 1, maxLength: 200 }, example: 'ZJ-2026-000001' },
  materialId: { schema: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' }, example: 'application-form', description: 'a material of the case\'s pinned checklist (else 400)' },
  month: { schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }, example: '2026-09', description: 'a China month, YYYY-MM (else 400)' },
  hall: { schema: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' }, example: 'xh-zwfw', description: 'the hall\'s department code (else 400)' },
  window: { schema: { type: 'integer', minimum: 1, maximum: 999 }, example: '1', description: 'a window number of the hall (else 400)' },
  kind: { schema: { enum: ['receipt', 'accept', 'correction', 'reject', 'approval', 'refusal', 'service'] }, example: 'receipt', description: 'the document: 收件回执, 受理通知书, 补正材料告知书, 不予受理通知书, 准予/不予行政许可决定书, 送达回证 (else 404)' },
};

/** An example as the document states it: a number for an integer parameter (it travels as text in the URL). */
const typedExample = (schema: Record<string, unknown>, example: string) => (schema.type === 'integer' ? Number(example) : example);

function pathParams(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => {
    const p = pathParamSchemas[m[1]];
    if (!p) throw new Error(`path parameter {${m[1]}} of ${path} has no schema`);
    return { name: m[1], in: 'path', required: true, schema: p.schema, example: typedExample(p.schema, p.example), ...(p.description ? { description: p.description } : {}) };
  });
}

/** Free-form documents some operations take, checked by their own validators (described, and what those validators require first). */
export const documentSchemas: Record<string, Record<string, unknown>> = {
  ImplementationDocumentRequest: {
    type: 'object', required: ['format', 'item', 'implementation', 'entry'], additionalProperties: true,
    description: 'an implementation document as GET /implementations/{code}/export gives (lib/catalogue/entry.schema.json for the entry); checked whole, every problem a 422 with its field path',
    properties: { format: { type: 'string' }, version: { type: 'integer' }, item: { type: 'object' }, implementation: { type: 'object' }, entry: { type: 'object' }, form: { type: 'object' } },
  },
  CertificateDocumentRequest: {
    type: 'object', required: ['number', 'seal'], additionalProperties: true,
    description: 'an electronic certificate document as issued: its number, content and SM2 seal; any changed byte shows in the verdict',
    properties: { number: { type: 'string', minLength: 1, maxLength: 200 }, seal: { type: 'object' } },
  },
  CallbackEnvelope: {
    type: 'object', required: ['eventId', 'type', 'subject', 'seq', 'occurredAt', 'data'], additionalProperties: false,
    description: 'a platform event, signed (X-Ow-Timestamp, X-Ow-Nonce, X-Ow-Signature) with the platform secret; anything unsigned is a 401 before it is read',
    properties: { eventId: { type: 'string' }, type: { type: 'string' }, subject: { type: 'string' }, seq: { type: 'integer' }, occurredAt: { type: 'string', format: 'date-time' }, data: { type: 'object' } },
  },
};

/** Which document schema an operation that takes a document names. */
function documentSchemaOf(op: Operation): string {
  if (op.path === '/catalogue/import') return 'ImplementationDocumentRequest';
  if (op.path === '/certificates/verify') return 'CertificateDocumentRequest';
  return 'CallbackEnvelope';
}

/** A valid example of each request body, shown in the docs and sent by the contract test. */
export const bodyExamples: Record<string, unknown> = {
  LoginRequest: { username: 'clerk-wang', password: 'a-long-password-1' },
  PasswordChangeRequest: { currentPassword: 'a-long-password-1', newPassword: '换一个更长的口令-2026' },
  SmsRequest: { idNumber: '330106199003073514', name: '张三', phone: '13800138000' },
  ApplicantLoginRequest: { requestId: 'sms-1', code: '123456' },
  EntryRequest: { entry: {} },
  SubmitRequest: { reason: '调整承诺时限' },
  EntryCheckRequest: { entry: {} },
  PreviewRequest: { steps: [{ type: 'task', id: 'review', name: '审核', department: 'xh-scjg', role: 'approver', actions: ['approve', 'refuse'], when: { '>': [{ var: 'form.capital' }, 10] } }], formData: { capital: 50 }, applicantKind: 'person' },
  ChangeRequest: { kind: 'suspend', reason: '暂停办理' },
  ReviewRequest: { stage: 'classification', decision: 'approve', opinion: '同意' },
  YearRequest: { source: '国务院办公厅关于2026年部分节假日安排的通知', days: [{ date: '2026-10-01', kind: 'holiday', name: '国庆节' }] },
  DayRequest: { kind: 'holiday', name: '国庆节' },
  FileCaseRequest: { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'online', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' }, formData: {} },
  CorrectionRequest: { note: '已补充营业执照复印件' },
  PreconditionRequest: { note: '已取得不动产权证书', formData: { floorAreaSquareMeters: 126000 } },
  ReasonRequest: { reason: '申请人主动撤回' },
  ResultRequest: { result: '听证结束，维持原方案' },
  EvaluationRequest: { level: 5, comment: '办理很快' },
  MaterialUploadRequest: { materialName: '身份证明', fileName: 'id.png', contentType: 'image/png', dataBase64: 'iVBORw0KGgo=' },
  CompleteRequest: { action: 'approve', opinion: '同意' },
  ReassignRequest: { to: 'approver-li' },
  UrgeRequest: { message: '请尽快办理', replyBy: '2099-01-01T00:00:00+08:00' },
  AnswerRequest: { answer: '已安排专人办理' },
  OrderRequest: { kind: 'correction', content: '请说明超期原因并整改' },
  ApiKeyRequest: { name: '某市一网通办', scopes: ['cases:file', 'cases:read'] },
  WebhookRequest: { url: 'https://example.org/hooks/onewindow', events: ['case.filed'] },
  DraftRequest: { implementationCode: 'XK-330000-00001.xh-scjg', applicant: { kind: 'person', name: '张三' }, formData: {} },
  AppointmentRequest: { hall: 'xh-zwfw', category: 'A', implementationCode: 'XK-330000-00001.xh-scjg', slotStart: '2099-06-01T01:00:00Z', phone: '13800138000' },
  TicketRequest: { hall: 'xh-zwfw', category: 'A', source: 'desk', priority: 'none' },
  TicketTransferRequest: { window: 2 },
  TicketCaseRequest: { caseNo: '2026091833010000000001' },
  TicketEvaluationRequest: { level: 5, comment: '服务热情' },
  KioskTrackRequest: { caseNo: '2026091833010000000001', idNumber: '330106199003073514' },
  KioskPickupRequest: { code: '12345678', idNumber: '330106199003073514' },
};

function successResponse(op: Operation) {
  const name = responseNameOf(op);
  if (op.ok[0] === 204) return { description: op.ok[1] };
  if (!name) throw new Error(`${op.method.toUpperCase()} ${op.path} answers ${op.ok[0]} but names no response schema`);
  const schema = { $ref: `#/components/schemas/${name}` };
  if (name === 'MaterialFile') return { description: op.ok[1], content: Object.fromEntries(['application/pdf', 'image/jpeg', 'image/png'].map((t) => [t, { schema }])) };
  if (name === 'DocumentPdfFile') return { description: op.ok[1], content: { 'application/pdf': { schema } } };
  if (name === 'ArchivePackageFile') return { description: op.ok[1], content: { 'application/x-tar': { schema } } };
  if (name === 'OpenDataCatalogue' || name === 'OpenDataStatistics') return { description: op.ok[1], content: { 'application/json': { schema }, 'text/csv': { schema: { $ref: '#/components/schemas/OpenDataCsv' } } } };
  return { description: op.ok[1], content: { 'application/json': { schema } } };
}

const cached = new Map<string, Record<string, unknown>>();

/** Every request may name itself, and every answer says which request it was (api/observability.ts). */
const requestIdParameter = {
  name: 'X-Request-Id', in: 'header', required: false,
  schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' },
  description: 'Your id for this request, 1 to 128 visible ASCII characters: echoed in the answer and carried in the logs of the API, the case workflow and its activities. Anything else is ignored and the server makes one (never an error)',
};
const requestIdHeader = { description: 'The request id: the caller\'s X-Request-Id, or one the server made', schema: { type: 'string' } };

/**
 * Builds the document (once the route modules have registered their body schemas). The
 * Internet zone's copy (`public`) lists only the operations served there.
 */
export function openApiDocument(zone: 'all' | 'public' | 'internal' = 'all'): Record<string, unknown> {
  const hit = cached.get(zone);
  if (hit) return hit;
  const listed = operations.filter((o) => zone === 'all' || o.zone === zone || (zone === 'internal' && o.zone === 'public'));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of listed) {
    const responses: Record<string, unknown> = {};
    for (const status of statusesOf(op)) {
      if (status === op.ok[0]) responses[status] = successResponse(op);
      else if (status === 200 || status === 201) responses[status] = { ...successResponse(op), description: op.rules ?? op.ok[1] };
      else if (status === 304) responses[status] = { description: 'Not modified: the If-None-Match given names the current version (no body)' };
      else if (op.path === '/health' && status === 503) responses[status] = { description: 'The database cannot be reached (status: unavailable; see Retry-After)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } };
      else responses[status] = problemResponse(problemText[status]);
    }
    for (const r of Object.values(responses)) (r as { headers?: unknown }).headers = { 'X-Request-Id': requestIdHeader };
    if (op.conditional) {
      for (const status of [op.ok[0], 304]) {
        (responses[status] as { headers: Record<string, unknown> }).headers.ETag = { description: `The version: ${op.conditional}`, schema: { type: 'string' } };
        (responses[status] as { headers: Record<string, unknown> }).headers['Cache-Control'] = { description: 'private, no-cache: a browser keeps the answer and asks again with If-None-Match', schema: { type: 'string' } };
      }
    }
    const parameters = [
      ...pathParams(op.path),
      ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: q.required ?? false, schema: q.schema, ...(q.description ? { description: q.description } : {}), ...(q.example ? { example: typedExample(q.schema, q.example) } : {}) })),
      requestIdParameter,
      ...(op.conditional ? [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'The ETag of an earlier answer: 304 while it is still current' }] : []),
      ...(op.method === 'post' ? [{
        name: 'Idempotency-Key', in: 'header', required: false,
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
        description: '1 to 200 visible ASCII characters (else 400). A repeat by the same caller with the same key and body gets the first answer again; with another body, 409',
      }] : []),
    ];
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      operationId: operationIdOf(op),
      tags: [op.tag],
      summary: op.summary,
      description: `Who may call it: ${op.access}. Zone: ${op.zone}.${op.rules ? ` Rules: ${op.rules}` : ''}`,
      'x-zone': op.zone,
      'x-access': op.access,
      security: op.security.includes('none') ? [{}] : op.security.map((s) => ({ [s]: [] })),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` }, ...(bodyExamples[op.body] ? { example: bodyExamples[op.body] } : {}) } } } }
        : op.document ? { requestBody: { required: true, description: op.document, content: { 'application/json': { schema: { $ref: `#/components/schemas/${documentSchemaOf(op)}` } } } } } : {}),
      responses,
    };
  }
  const schemas: Record<string, unknown> = {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details',
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string', format: 'uri' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' },
        errors: { type: 'array', items: { type: 'object', required: ['pointer', 'detail'], properties: { pointer: { type: 'string', description: 'JSON Pointer into the request' }, detail: { type: 'string' } } } },
      },
    },
  };
  // Only the schemas the listed operations use (the Internet zone's copy names no extranet shape).
  const text = JSON.stringify(paths);
  const used = (name: string) => text.includes(`"#/components/schemas/${name}"`);
  for (const [name, schema] of [...requestSchemas].sort(([a], [b]) => a.localeCompare(b))) if (used(name)) schemas[name] = schema;
  for (const [name, schema] of Object.entries(documentSchemas)) if (used(name)) schemas[name] = schema;
  const responseNames = new Set<string>();
  const addWithRefs = (name: string) => {
    if (responseNames.has(name)) return;
    responseNames.add(name);
    for (const m of JSON.stringify(responseSchemas[name]).matchAll(/#\/components\/schemas\/(\w+)/g)) addWithRefs(m[1]);
  };
  for (const name of Object.keys(responseSchemas)) if (used(name)) addWithRefs(name);
  for (const [name, schema] of Object.entries(responseSchemas)) if (responseNames.has(name)) schemas[name] = schema;
  const doc = {
    openapi: '3.1.0',
    info: {
      title: zone === 'public' ? 'onewindow API — 政务服务一体化平台 (Internet zone)' : 'onewindow API — 政务服务一体化平台',
      version: '1.0.0',
      summary: 'File, follow and supervise government-service cases',
      description: 'Errors are RFC 9457 problem+json. Every POST honours an Idempotency-Key. Personal data is masked in lists.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      contact: { name: 'onewindow team' },
    },
    servers: [{ url: '/api', description: 'this server' }],
    tags: [...new Set(listed.map((o) => o.tag))].map((name) => ({ name, description: `${name} operations` })),
    paths,
    components: { schemas, securitySchemes: zone === 'public' ? Object.fromEntries(Object.entries(securitySchemes).filter(([k]) => listed.some((o) => o.security.includes(k as Security)))) : securitySchemes },
  };
  cached.set(zone, doc);
  return doc;
}

/** The operation's id in the OpenAPI document (also the `operation` label of the API's metrics and logs). */
export function operationIdOf(op: Pick<Operation, 'method' | 'path'>): string {
  return `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By-$1').split(/[/-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
}

/** Finds the operation for a method and a path under /api, for zone and query checks. */
export function matchOperation(method: string, path: string): Operation | undefined {
  const m = method.toLowerCase();
  return compiled().find((c) => c.op.method === m && c.re.test(path))?.op;
}

/** The methods the API takes on a path under /api (upper case, HEAD with GET), empty for an unknown path. */
export function allowedMethods(path: string): string[] {
  const methods = new Set(compiled().filter((c) => c.re.test(path)).map((c) => c.op.method.toUpperCase()));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

let compiledOps: { op: Operation; re: RegExp }[] | undefined;
function compiled() {
  compiledOps ??= operations
    // Literal segments first, so /cases/{caseNo} does not swallow /calendar/days/… style paths.
    .map((op) => ({ op, re: new RegExp(`^${op.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}/?$`), literal: (op.path.match(/\{/g) ?? []).length }))
    .sort((a, b) => a.literal - b.literal)
    .map(({ op, re }) => ({ op, re }));
  return compiledOps;
}
