/**
 * What every operation answers, as JSON Schemas in the OpenAPI document (`components.schemas`)
 * and, generated from the same objects, as the web app's types (`web/src/api-types.ts`, written
 * by `scripts/api-types.ts`; a test fails when it is out of date). `api/contract.test.ts` checks
 * every answer of the live server against these.
 *
 * Objects are closed (`additionalProperties: false`) where the server builds them field by field;
 * documents whose shape is owned elsewhere (an implementation entry, a form's JSON Schema, a raw
 * Temporal event) are open.
 */
type Schema = Record<string, unknown>;

const s = (maxLength?: number, extra: Schema = {}): Schema => ({ type: 'string', ...(maxLength ? { maxLength } : {}), ...extra });
const int = (minimum?: number): Schema => ({ type: 'integer', ...(minimum === undefined ? {} : { minimum }) });
const bool: Schema = { type: 'boolean' };
const instant: Schema = { type: 'string', format: 'date-time' };
const orNull = (schema: Schema): Schema => ({ oneOf: [{ type: 'null' }, schema] });
const nullableInstant: Schema = { type: ['string', 'null'], format: 'date-time' };
const nullableString: Schema = { type: ['string', 'null'] };
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const list = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const anyObject: Schema = { type: 'object', additionalProperties: true };
/** An object the server builds field by field: every field named, nothing else. */
const obj = (required: string[], properties: Record<string, Schema>, additional = false): Schema => ({ type: 'object', additionalProperties: additional, required, properties });
/** Only these keys, each one of its schemas, all present. */
const closed = (properties: Record<string, Schema>, optional: string[] = []): Schema => obj(Object.keys(properties).filter((k) => !optional.includes(k)), properties);

const caseNo = s(undefined, { pattern: '^[0-9]{22}$', description: '统一办件编号: 22 digits' });
const implementationCode = s(64, { pattern: '^[A-Za-z0-9.-]{1,64}$' });
const level = { enum: ['province', 'city', 'county', 'township'] };
const caseStatus = { enum: ['filed', 'prechecking', 'awaiting_correction', 'in_review', 'special_procedure', 'awaiting_payment', 'issuing', 'delivering', 'completed', 'not_accepted', 'withdrawn', 'voided', 'closed', 'awaiting_precondition', 'lapsed'] };
const simulationState = { enum: ['simulating', 'awaiting', 'converting', 'converted', 'lapsed', 'refused', 'ended'] };
const supervisionLevel = { enum: ['normal', 'warning', 'overdue'] };
const supervisionState = { enum: ['normal', 'warning', 'overdue', 'statutory-overdue'] };
const taskAction = { enum: ['accept', 'reject', 'approve', 'return', 'correction', 'suspend', 'refuse', 'void', 'handover', 'answer', 'retry', 'skip'] };
const taskKind = { enum: ['precheck', 'review', 'lead-decision', 'extension', 'handover', 'follow-up', 'face-check', 'manual'] };
const assurance = { enum: ['anonymous', 'basic', 'intermediate', 'advanced'] };
const documentKind = { enum: ['receipt', 'accept', 'correction', 'reject', 'approval', 'refusal', 'service'] };
const procedureType = { enum: ['hearing', 'inspection', 'appraisal', 'expert-review', 'public-notice', 'tender'] };
const person = obj(['idNumber', 'name'], { idNumber: s(18), name: s(100) });
const chainBreak = obj(['seq', 'reason'], { seq: int(), reason: { enum: ['content-changed', 'link-broken', 'downgraded', 'checkpoint-mismatch'] } });
/** `base` with more fields (merged, not `allOf`, so a closed base stays closed and the extension is closed too). */
const extend = (base: Schema, required: string[], properties: Record<string, Schema>): Schema => ({
  ...base, required: [...(base.required as string[]), ...required], properties: { ...(base.properties as Record<string, Schema>), ...properties },
});
const versionState = { enum: ['draft', 'in_review', 'published', 'superseded', 'withdrawn', 'rejected', 'suspended', 'cancelled'] };

const EntryBaseSchema = obj(['caseType', 'statutoryLimitDays', 'materials', 'delivery', 'process'], {
    caseType: { enum: ['instant', 'promised'] }, statutoryLimitDays: int(0), promisedLimitDays: int(0),
    materials: list(ref('EntryMaterial')), conditions: s(4000),
    fee: obj(['charged'], { charged: bool, amountFen: int(1), standard: s(500), basis: s(500), paymentDays: int(1), when: { enum: ['acceptance', 'decision'] } }),
    visits: int(0), authLevel: assurance, online: bool,
    result: obj(['type', 'name'], { type: s(32), name: s(200) }, true),
    delivery: list({ enum: ['window', 'courier', 'kiosk'] }),
    windows: list(obj(['name', 'address'], { name: s(200), address: s(500), hours: s(200), phone: s(40) }, true)),
    supervisionPhone: s(40), consultPhone: s(40),
    process: obj(['steps'], { steps: list(ref('ProcessStep')) }, true),
    supervision: obj([], { warnDaysLeft: int(0), warnShareUsed: { type: 'number' } }, true),
  }, true);
const CaseSummarySchema = obj(['caseNo', 'implementationCode', 'implementationVersion', 'itemCode', 'itemName', 'department', 'status', 'channel', 'applicant', 'formData', 'filedAt', 'acceptedAt', 'decision', 'statutoryDeadline', 'promisedDeadline', 'completedAt'], {
    caseNo, implementationCode, implementationVersion: int(1), itemCode: s(64), itemName: s(200), department: s(32), status: caseStatus, channel: { enum: ['online', 'window'] },
    applicant: ref('Applicant'), formData: anyObject, currentSteps: {}, supervisionState: { oneOf: [{ type: 'null' }, supervisionState] },
    filedAt: instant, acceptedAt: nullableInstant, decision: { type: ['string', 'null'], enum: ['approved', 'refused', null] },
    statutoryDeadline: nullableInstant, promisedDeadline: nullableInstant,
    deadlineProvisional: { type: ['boolean', 'null'], description: 'a deadline reaching into a year the calendar does not hold yet: it moves when that year is imported' },
    completedAt: nullableInstant, updatedAt: nullableInstant,
    simulation: orNull(obj(['state', 'simulatedDays', 'formalDays', 'preconditionMetAt', 'lapseAt'], {
      state: simulationState, simulatedDays: { type: ['integer', 'null'] }, formalDays: { type: ['integer', 'null'] }, preconditionMetAt: nullableInstant, lapseAt: nullableInstant,
    })),
  });
const TaskRowSchema = obj(['taskId', 'caseNo', 'kind', 'stepId', 'stepName', 'department', 'role', 'status', 'assignee', 'actions', 'detail', 'outcome', 'dueAt', 'createdAt', 'closedAt'], {
    taskId: s(96), caseNo, kind: taskKind, stepId: s(64), stepName: s(200), department: s(32), role: s(40), status: { enum: ['open', 'done', 'cancelled'] }, assignee: nullableString,
    actions: list(taskAction), detail: { oneOf: [{ type: 'null' }, anyObject] },
    outcome: { oneOf: [{ type: 'null' }, obj([], { action: s(32), opinion: s(2000), by: s(64), problems: list(s(500)) }, true)] },
    dueAt: nullableInstant, createdAt: instant, closedAt: nullableInstant,
  });
const fileRequired = ['id', 'fileName', 'contentType', 'size', 'sha256', 'uploadedAt'];
const fileProps: Record<string, Schema> = {
  id: s(64), fileName: s(200), contentType: { enum: ['application/pdf', 'image/jpeg', 'image/png'] }, size: int(1), sha256: s(64, { pattern: '^[0-9a-f]{64}$' }), uploadedAt: instant,
};
const StoredMaterialSchema = obj(['id', 'materialName', 'fileName', 'contentType', 'size', 'sha256'], {
    id: s(64), materialId: s(40), materialName: s(200), fileName: s(200), contentType: { enum: ['application/pdf', 'image/jpeg', 'image/png'] }, size: int(1), sha256: s(64, { pattern: '^[0-9a-f]{64}$' }),
    uploadedAt: instant,
  });

export const responseSchemas: Record<string, Schema> = {
  // Platform
  Health: obj(['status', 'database', 'temporal'], {
    status: { enum: ['ok', 'degraded', 'unavailable'], description: 'unavailable (HTTP 503): the database cannot be reached' },
    database: { enum: ['ok', 'unreachable'] }, temporal: { enum: ['ok', 'unreachable'] },
  }),
  OpenApiDocument: obj(['openapi', 'info', 'paths', 'components'], { openapi: { const: '3.1.0' }, info: anyObject, servers: list(anyObject), tags: list(anyObject), paths: anyObject, components: anyObject }),

  // Sign-in
  StaffUser: obj(['id', 'name', 'department', 'roles', 'level'], { id: s(64), name: s(100), department: s(32), roles: list(s(32)), level }),
  StaffSession: obj(['token', 'expiresAt', 'mustChangePassword', 'user'], {
    token: s(100), expiresAt: instant,
    mustChangePassword: { type: 'boolean', description: 'true: every route but POST /auth/password, GET /auth/me and POST /auth/logout answers 403 password-change-required' },
    user: ref('StaffUser'),
  }),
  FaceCheckStarted: obj(['checkId', 'url', 'expiresAt'], { checkId: s(100), url: { type: 'string', format: 'uri', maxLength: 2000 }, expiresAt: instant }),
  FaceCheckResult: obj(['status', 'assuranceLevel'], { status: { enum: ['pending', 'passed', 'failed', 'expired'] }, assuranceLevel: { enum: ['basic', 'intermediate', 'advanced'] }, reason: s(500) }),
  SmsChallenge: obj(['requestId', 'maskedPhone', 'expiresAt'], { requestId: s(100), maskedPhone: s(20), expiresAt: instant }),
  ApplicantSession: obj(['token', 'expiresAt', 'applicant'], {
    token: s(100), expiresAt: instant,
    applicant: obj(['idNumber', 'name', 'assuranceLevel'], { idNumber: s(18), name: s(100), assuranceLevel: assurance }),
  }),
  Principal: {
    description: 'who the token belongs to',
    oneOf: [
      obj(['kind', 'id', 'name', 'department', 'roles', 'regionCode', 'level'], { kind: { const: 'staff' }, id: s(64), name: s(100), department: s(32), roles: list(s(32)), regionCode: s(12), level, mustChangePassword: bool }),
      obj(['kind', 'idNumber', 'name', 'assuranceLevel'], { kind: { const: 'applicant' }, idNumber: s(18), name: s(100), assuranceLevel: assurance }),
      obj(['kind', 'keyId', 'name', 'scopes', 'ratePerMinute'], { kind: { const: 'integrator' }, keyId: s(64), name: s(100), scopes: list({ enum: ['cases:file', 'cases:read', 'webhooks'] }), ratePerMinute: int(1) }),
    ],
  },

  // Catalogue
  ImplementationSummary: obj(['code', 'name', 'itemCode', 'itemName', 'type', 'department', 'departmentName', 'level', 'version', 'caseType', 'promisedLimitDays', 'online'], {
    code: implementationCode, name: s(200), itemCode: s(64), itemName: s(200), type: s(32), department: s(32), departmentName: s(100), level, version: int(1),
    caseType: { enum: ['instant', 'promised'] }, promisedLimitDays: { type: ['integer', 'null'] }, online: { type: ['boolean', 'null'] },
  }),
  ImplementationList: obj(['items'], { items: list(ref('ImplementationSummary')) }),
  EntryMaterial: obj(['id', 'name', 'required'], { id: s(64), name: s(200), required: bool, form: s(32), copies: int(1), certificateType: s(100), note: s(500) }, true),
  ProcessStep: obj(['type', 'id', 'name'], {
    type: { enum: ['task', 'parallel', 'department', 'service'] }, id: s(64), name: s(200), department: s(32), role: s(40), limitDays: int(0), actions: list(s(32)),
    lead: s(32), join: s(32), branches: list(obj(['id', 'name', 'steps'], { id: s(64), name: s(200), steps: list(ref('ProcessStep')) }, true)), system: s(64), service: s(64), when: {},
  }, true),
  EntryBase: EntryBaseSchema,
  Entry: extend(EntryBaseSchema, ['form'], { form: obj(['key', 'version'], { key: s(64), version: int(1) }) }),
  Guide: extend(EntryBaseSchema, ['code', 'name', 'itemCode', 'itemName', 'type', 'department', 'departmentName', 'level', 'version', 'publishedAt', 'form'], {
      code: implementationCode, name: s(200), itemCode: s(64), itemName: s(200), type: s(32), legalBasis: nullableString, department: s(32), departmentName: s(100), level,
      version: int(1), publishedAt: nullableInstant,
      form: obj(['key', 'version', 'schema', 'uischema'], { key: s(64), version: int(1), schema: anyObject, uischema: anyObject }),
  }),
  VersionInfo: obj(['version', 'state', 'createdAt', 'publishedAt', 'createdBy', 'changeId'], { version: int(1), state: versionState, createdAt: instant, publishedAt: nullableInstant, createdBy: nullableString, changeId: nullableString }),
  VersionList: obj(['versions'], { versions: list(ref('VersionInfo')) }),
  VersionDetail: obj(['implementationCode', 'version', 'state', 'createdAt', 'publishedAt', 'createdBy', 'changeId', 'entry'], {
    implementationCode, version: int(1), state: versionState, createdAt: instant, publishedAt: nullableInstant, createdBy: nullableString, changeId: nullableString, entry: ref('Entry'),
  }),
  VersionDiff: obj(['implementationCode', 'from', 'to', 'changes'], {
    implementationCode, from: int(1), to: int(1),
    changes: list(obj(['pointer', 'op'], { pointer: s(), op: { enum: ['added', 'removed', 'changed'] }, from: {}, to: {} })),
  }),
  ImplementationDocument: obj(['format', 'version', 'item', 'implementation', 'entry'], {
    format: s(100), version: int(1),
    item: obj(['code', 'name', 'type'], { code: s(64), name: s(200), type: s(32), legalBasis: nullableString }),
    implementation: obj(['code', 'name', 'department'], { code: implementationCode, name: s(200), department: s(32) }),
    entry: ref('Entry'), form: anyObject,
  }, true),
  EditorOptions: obj(['departments', 'roles', 'systems', 'services'], {
    departments: list(ref('Department')),
    roles: list(obj(['code', 'name'], { code: s(64), name: s(100) })),
    systems: list(obj(['department', 'system'], { department: s(32), system: s(64) })),
    services: list(obj(['adapter', 'operation', 'name'], { adapter: s(32), operation: s(64), name: s(100) })),
  }),
  EntryCheck: obj(['valid', 'problems'], { valid: bool, problems: list(obj(['pointer', 'detail'], { pointer: s(), detail: s() })) }),
  ProcessPreview: obj(['steps'], {
    steps: list(obj(['stepId', 'name', 'type', 'pointer', 'depth', 'result', 'conditional'], {
      stepId: s(64), name: s(200), type: { enum: ['task', 'parallel', 'department', 'service'] }, pointer: s(), depth: int(0), branch: s(200),
      department: s(32), role: s(64), result: { enum: ['runs', 'skipped', 'ask', 'not-reached'] }, conditional: bool, reason: s(), leadDecides: bool,
    })),
  }),
  DraftRef: obj(['code', 'version'], { code: implementationCode, version: int(1) }),
  ChangeOpened: obj(['changeId', 'kind', 'drafts'], { changeId: s(64), kind: { enum: ['add', 'change', 'suspend', 'cancel', 'split', 'delegate-down'] }, drafts: list(ref('DraftRef')) }),
  Change: obj(['changeId', 'kind', 'implementationCode', 'drafts', 'reason', 'state', 'submittedBy', 'submittedAt', 'decidedAt', 'reviews'], {
    changeId: s(64), kind: { enum: ['add', 'change', 'suspend', 'cancel', 'split', 'delegate-down'] }, implementationCode, drafts: list(ref('DraftRef')), reason: s(2000),
    state: { enum: ['in_review', 'approved', 'rejected'] }, submittedBy: s(64), submittedAt: instant, decidedAt: nullableInstant,
    reviews: list(obj(['stage', 'department', 'role', 'status', 'decision', 'opinion', 'reviewer', 'openedAt', 'decidedAt'], {
      stage: s(32), department: s(32), role: s(40), status: s(16), decision: nullableString, opinion: nullableString, reviewer: nullableString, openedAt: nullableInstant, decidedAt: nullableInstant,
    })),
  }),
  ReviewInbox: obj(['reviews'], {
    reviews: list(obj(['changeId', 'stage', 'kind', 'implementationCode', 'reason', 'openedAt'], { changeId: s(64), stage: s(32), kind: s(32), implementationCode, reason: s(2000), openedAt: nullableInstant })),
  }),
  ChangeView: obj(['changeId', 'state', 'currentStage'], {
    changeId: s(64), state: { enum: ['in_review', 'approved', 'rejected'] }, currentStage: { type: ['string', 'null'] },
    decisions: list(obj(['stage', 'decision', 'opinion', 'by', 'at'], { stage: s(32), decision: { enum: ['approve', 'reject'] }, opinion: s(2000), by: s(64), at: instant })),
  }, true),

  // Calendar
  WorkingDayDeadline: obj(['from', 'days', 'deadline', 'provisional'], { from: instant, days: int(0), deadline: instant, provisional: { type: 'boolean', description: 'the count reaches a year whose holidays are not published yet' } }),
  WorkingDayCount: obj(['from', 'to', 'workingDays', 'provisional'], { from: instant, to: instant, workingDays: int(0), provisional: bool }),
  CalendarYear: obj(['year', 'source', 'updatedAt', 'updatedBy', 'days'], {
    year: int(2000), source: s(500), updatedAt: instant, updatedBy: nullableString,
    days: list(obj(['date', 'kind', 'name'], { date: s(10, { pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), kind: { enum: ['holiday', 'workday'] }, name: s(100) })),
    recompute: obj(['workflowId'], { workflowId: s(200) }),
  }),

  // Cases
  Applicant: obj(['kind', 'name', 'idNumber'], {
    kind: { enum: ['person', 'legal_person'] }, name: s(100), idNumber: s(18), phone: s(20), legalRepresentative: person, agent: person,
  }),
  FiledCase: obj(['caseNo', 'created'], { caseNo, created: { type: 'boolean', description: 'false (HTTP 200) when an Idempotency-Key repeat returned the earlier case' } }),
  CaseSummary: CaseSummarySchema,
  CaseList: obj(['cases', 'nextCursor'], {
    cases: list(ref('CaseSummary')),
    nextCursor: { type: ['string', 'null'], description: 'opaque: pass it back as `cursor` for the next page; null on the last page' },
  }),
  CaseEvent: obj(['seq', 'type', 'at', 'actor', 'payload'], { seq: int(), type: s(64), at: instant, actor: nullableString, payload: anyObject }),
  TaskRow: TaskRowSchema,
  CaseView: extend(CaseSummarySchema, ['filedBy', 'events', 'tasks', 'certificateMaterials', 'staffNames'], {
      filedBy: {
        description: 'who filed it (for whom: applicant): a clerk, an applicant online (as representative or agent of a legal person), or an integrator\'s key',
        oneOf: [
          { type: 'null' },
          obj(['kind', 'staffId'], { kind: { const: 'staff' }, staffId: s(64) }),
          obj(['kind', 'idNumber'], { kind: { const: 'applicant' }, idNumber: s(18) }),
          obj(['kind', 'keyId'], { kind: { const: 'integrator' }, keyId: s(64) }),
        ],
      },
      events: list(ref('CaseEvent')),
      tasks: list(ref('TaskRow')),
      certificateMaterials: list(obj(['materialId', 'materialName', 'certificateNo', 'certificateType', 'replacedAt'], { materialId: s(64), materialName: s(200), certificateNo: s(100), certificateType: s(100), replacedAt: instant })),
      staffNames: { type: 'object', additionalProperties: s(100), description: 'the name of each staff member the view names by id (event actors, assignees, opinions, the filing clerk)' },
  }),
  OpenTask: obj(['taskId', 'kind', 'stepId', 'stepName', 'department', 'role', 'actions', 'assignee'], {
    taskId: s(96), kind: taskKind, stepId: s(64), stepName: s(200), department: s(32), role: s(40), actions: list(taskAction), assignee: nullableString,
    returnTo: list(s(64)), specialProcedures: list(procedureType), notes: list(s(2000)), simulated: bool,
  }),
  Urge: obj(['urgeId', 'message', 'replyBy', 'by', 'at', 'answer'], {
    urgeId: s(64), message: s(1000), replyBy: instant, by: s(64), at: instant, answer: orNull(obj(['text', 'by', 'at'], { text: s(2000), by: s(64), at: instant })),
  }),
  LiveView: obj(['caseNo', 'status', 'decision', 'openTasks', 'correction', 'specialProcedure', 'clock', 'payment', 'identity', 'faceCheck', 'materials', 'certificateNo', 'delivery', 'evaluation', 'milestones', 'formData', 'supervision'], {
    caseNo, status: caseStatus,
    decision: orNull(obj(['outcome', 'opinion', 'by', 'at'], { outcome: { enum: ['approved', 'refused'] }, opinion: s(2000), by: s(64), at: instant })),
    openTasks: list(ref('OpenTask')),
    correction: orNull(obj(['problems', 'requestedAt', 'replyBy', 'stage'], { problems: list(s(500)), requestedAt: instant, replyBy: instant, stage: { enum: ['precheck', 'review'] } })),
    specialProcedure: orNull(obj(['type', 'reason', 'expectedDays', 'stepId', 'startedAt'], { type: procedureType, reason: s(1000), expectedDays: int(1), stepId: s(64), startedAt: instant })),
    clock: closed({
      acceptedAt: nullableInstant, warningAt: nullableInstant, statutoryLimitDays: int(0), promisedLimitDays: int(0), usedDays: { type: 'number', minimum: 0 }, running: bool,
      statutoryDeadline: nullableInstant, promisedDeadline: nullableInstant, statutoryProvisional: bool, promisedProvisional: bool, extended: bool,
    }, ['statutoryProvisional', 'promisedProvisional']),
    payment: orNull(obj(['paymentId', 'amountFen', 'expiresAt', 'status', 'stage'], { paymentId: s(64), amountFen: int(0), expiresAt: instant, status: { enum: ['open', 'paid', 'expired', 'refunded', 'waived'] }, stage: { enum: ['acceptance', 'decision'] }, cashierUrl: { type: 'string', format: 'uri', maxLength: 2000, description: 'The payment platform\'s page for this order (while open); add `&return=` and the page to come back to.' } })),
    identity: orNull(obj(['ok', 'checks', 'problems', 'at'], { ok: bool, checks: list(obj(['check', 'result'], { check: s(100), result: s(100) })), problems: list(s(500)), at: instant })),
    faceCheck: orNull(obj(['checkId', 'attempt', 'status', 'reason', 'requestedAt'], { checkId: s(64), attempt: int(1), status: { enum: ['pending', 'passed', 'failed', 'timed-out', 'confirmed-at-window'] }, reason: nullableString, requestedAt: instant })),
    materials: list(obj(['materialId', 'materialName', 'certificateNo', 'certificateType'], { materialId: s(64), materialName: s(200), certificateNo: s(100), certificateType: s(100) })),
    certificateNo: nullableString,
    delivery: orNull(obj(['method', 'waybillNo', 'deliveredAt'], { method: { enum: ['window', 'courier', 'kiosk'] }, waybillNo: nullableString, deliveredAt: nullableInstant })),
    evaluation: orNull(obj(['level', 'at'], { level: { type: 'integer', minimum: 1, maximum: 5 }, comment: s(1000), at: instant })),
    milestones: list(obj(['stepId', 'milestone', 'at'], { stepId: s(64), round: int(1), milestone: s(100), at: instant })),
    formData: anyObject,
    supervision: obj(['level', 'statutoryOverdue', 'steps', 'urges'], { level: supervisionLevel, statutoryOverdue: bool, steps: { type: 'object', additionalProperties: supervisionLevel }, urges: list(ref('Urge')) }),
    simulation: ref('SimulationView'),
  }),
  SimulationView: obj(['state', 'preconditions', 'missing', 'met', 'opinion', 'lapseAt', 'simulatedDays', 'preconditionMetAt', 'changedFields', 'changedMaterials', 'carriedOver', 'rerun'], {
    state: simulationState, preconditions: list(obj(['id', 'name'], { id: s(40), name: s(200) })), missing: list(s(40)), met: list(obj(['id', 'how', 'at'], { id: s(40), how: s(200), at: instant })),
    opinion: orNull(obj(['outcome', 'text', 'conditions', 'at'], { outcome: { enum: ['approved', 'refused'] }, text: s(2200), conditions: s(2000), at: instant })),
    lapseAt: nullableInstant, simulatedDays: { type: ['number', 'null'] }, preconditionMetAt: nullableInstant,
    changedFields: list(s(80)), changedMaterials: list(s(40)), carriedOver: list(s(40)), rerun: list(s(40)),
  }),
  PreconditionAnswer: obj(['status', 'missing'], { status: caseStatus, missing: list(s(40), { description: 'ids of the entry\'s preconditions still missing; empty once the case converts' }) }),
  SimulationIndicators: obj(['from', 'to', 'rows'], {
    from: instant, to: instant,
    rows: list(obj(['itemCode', 'itemName', 'simulated', 'pending', 'converting', 'converted', 'lapsed', 'refused', 'conversionRate', 'avgSimulatedDays', 'avgFormalDays', 'avgSavedDays', 'eventsSimulated', 'eventsFormal'], {
      itemCode: s(64), itemName: s(200), simulated: int(0), pending: int(0), converting: int(0), converted: int(0), lapsed: int(0), refused: int(0),
      conversionRate: { type: ['number', 'null'], description: 'converted ÷ (converted + lapsed)' },
      avgSimulatedDays: { type: ['number', 'null'], description: 'working days of the simulated review' },
      avgFormalDays: { type: ['number', 'null'], description: 'formal working days from the precondition to the certificate' },
      avgSavedDays: { type: ['number', 'null'], description: 'per converted case: simulated review days minus formal days' },
      eventsSimulated: int(0), eventsFormal: int(0),
    })),
  }),
  CaseHistory: {
    description: 'the readable timeline (format=timeline), or the raw Temporal events (format=raw, staff only)',
    oneOf: [
      obj(['caseNo', 'timeline'], { caseNo, timeline: list(obj(['eventId', 'at', 'kind', 'summary'], { eventId: int(1), at: instant, kind: s(100), summary: s(), actor: s(), detail: {} })) }),
      obj(['caseNo', 'events'], { caseNo, events: list(anyObject) }),
    ],
  },
  CaseStatusAnswer: obj(['status'], { status: caseStatus }),
  Material: StoredMaterialSchema,
  MaterialList: obj(['materials'], { materials: list(extend(StoredMaterialSchema, ['uploadedAt'], {})) }),
  MaterialFile: { type: 'string', contentEncoding: 'binary', description: 'the file as uploaded (application/pdf, image/jpeg or image/png), sent as an attachment' },

  // Views for the web app
  Department: obj(['code', 'name', 'level'], { code: s(32), name: s(100), level }),
  DepartmentList: obj(['departments'], { departments: list(ref('Department')) }),
  InboxView: obj(['tasks', 'counts', 'page', 'pageSize', 'total'], {
    tasks: list(obj(['taskId', 'caseNo', 'kind', 'stepId', 'stepName', 'role', 'assignee', 'assigneeName', 'actions', 'dueAt', 'createdAt', 'itemName', 'status', 'supervisionState', 'promisedDeadline', 'deadlineProvisional', 'applicant'], {
      taskId: s(96), caseNo, kind: taskKind, stepId: s(64), stepName: s(200), role: s(40), assignee: nullableString, assigneeName: { type: ['string', 'null'], description: 'the assignee\'s name; null when unclaimed' }, actions: list(taskAction), dueAt: nullableInstant, createdAt: instant,
      itemName: s(200), status: caseStatus, supervisionState: { oneOf: [{ type: 'null' }, supervisionState] }, promisedDeadline: nullableInstant, deadlineProvisional: { type: ['boolean', 'null'] },
      applicant: obj(['name'], { name: nullableString }),
    })),
    counts: obj(['normal', 'warning', 'overdue'], { normal: int(0), warning: int(0), overdue: int(0) }),
    page: int(1), pageSize: int(1), total: int(0),
  }),
  CaseSearch: obj(['cases', 'page', 'pageSize', 'total'], {
    cases: list(obj(['caseNo', 'itemName', 'department', 'status', 'channel', 'supervisionState', 'filedAt', 'acceptedAt', 'promisedDeadline', 'deadlineProvisional', 'decidedAt', 'decision', 'applicant'], {
      caseNo, itemName: s(200), department: s(32), status: caseStatus, channel: { enum: ['online', 'window'] }, supervisionState: { oneOf: [{ type: 'null' }, supervisionState] },
      filedAt: instant, acceptedAt: nullableInstant, promisedDeadline: nullableInstant, deadlineProvisional: { type: ['boolean', 'null'] }, decidedAt: nullableInstant, decision: nullableString,
      applicant: obj(['name'], { name: nullableString }),
    })),
    page: int(1), pageSize: int(1), total: int(0),
  }),
  HeldCertificates: obj(['available', 'certificates'], {
    available: { type: 'boolean', description: 'false when the e-certificate platform is not configured' },
    certificates: list(obj(['number', 'type', 'holderName', 'issuer', 'validFrom', 'validUntil'], { number: s(100), type: s(100), holderName: s(200), issuer: s(200), validFrom: s(40), validUntil: { type: ['string', 'null'] } })),
  }),

  // Tasks
  Inbox: obj(['tasks', 'counts'], {
    tasks: list(extend(TaskRowSchema, ['assigneeName', 'itemName', 'itemCode', 'supervisionState'], { assigneeName: { type: ['string', 'null'], description: 'the assignee\'s name; null when unclaimed' }, itemName: s(200), itemCode: s(64), supervisionState: { oneOf: [{ type: 'null' }, supervisionState] } })),
    counts: obj(['total', 'overdue', 'soon'], { total: int(0), overdue: int(0), soon: int(0) }),
  }),
  TaskCompleted: obj(['taskId', 'action', 'status'], { taskId: s(96), action: taskAction, status: caseStatus }),

  // Supervision
  SupervisedCases: obj(['cases'], {
    cases: list(obj(['caseNo', 'itemName', 'department', 'status', 'supervisionState', 'promisedDeadline', 'statutoryDeadline', 'deadlineProvisional'], {
      caseNo, itemName: s(200), department: s(32), status: caseStatus, supervisionState, promisedDeadline: nullableInstant, statutoryDeadline: nullableInstant, deadlineProvisional: { type: ['boolean', 'null'] },
    })),
  }),
  SupervisionEvents: obj(['events'], {
    events: list(obj(['caseNo', 'scope', 'stepId', 'level', 'cause', 'department', 'deadline', 'at'], {
      caseNo, scope: s(16), stepId: nullableString, level: s(32), cause: nullableString, department: s(32), deadline: nullableInstant, at: instant,
      simulated: { type: 'boolean', description: '模拟审批: raised during a simulated review (its time is counted apart from the formal time)' },
    })),
  }),
  Indicators: obj(['by', 'from', 'to', 'rows'], { by: { enum: ['department', 'item', 'step', 'handler'] }, from: instant, to: instant, rows: list(anyObject) }),
  StuckCases: obj(['scanned', 'method', 'cases'], {
    scanned: int(0), method: { enum: ['reported-problems', 'describe'] },
    cases: list(obj(['caseNo', 'startTime', 'attempts', 'since'], { caseNo, startTime: instant, attempts: int(0), since: nullableInstant })),
  }),
  StoppedCases: obj(['scanned', 'cases'], {
    scanned: int(0),
    cases: list(obj(['caseNo', 'ended', 'endedAt', 'caseStatus', 'itemName', 'department', 'runId'], {
      caseNo, ended: { enum: ['terminated', 'failed', 'timed-out', 'canceled'] }, endedAt: nullableInstant, caseStatus: { type: ['string', 'null'], maxLength: 32 },
      itemName: { type: ['string', 'null'], maxLength: 200 }, department: { type: ['string', 'null'], maxLength: 32 }, runId: s(64),
    })),
  }),
  Revived: obj(['caseNo', 'runId', 'resetTo', 'caughtUp'], { caseNo, runId: s(64), resetTo: int(1), caughtUp: { type: 'boolean', description: 'the case, running again, holds every task the inboxes show open (false: it is still catching up after 15 s)' } }),
  WorkflowList: obj(['query', 'workflows', 'archive'], {
    query: s(),
    workflows: list(obj(['caseNo', 'runId', 'status', 'startTime', 'closeTime', 'archived'], {
      caseNo, runId: s(64), status: s(32), startTime: instant, closeTime: nullableInstant, archived: { type: 'boolean', description: 'listed from the visibility archive: the cluster no longer holds the run' },
    })),
    archive: obj(['state', 'query', 'scanned', 'listed', 'more'], {
      state: { enum: ['not-asked', 'disabled', 'read'], description: 'not-asked: archived=exclude; disabled: the server archives no visibility records; read: the archive was read' },
      query: { type: ['string', 'null'], maxLength: 500 }, scanned: int(0), listed: int(0), more: bool, detail: s(500, { description: 'why the archived part is empty (the server\'s words)' }),
    }),
  }),
  UrgeSent: obj(['urgeId'], { urgeId: s(64) }),
  OrderCreated: obj(['id', 'kind'], { id: s(64), kind: { enum: ['correction', 'complaint'] } }),
  OrderList: obj(['orders'], {
    orders: list(obj(['id', 'kind', 'content', 'by', 'status', 'createdAt'], { id: s(64), kind: { enum: ['urge', 'correction', 'complaint'] }, content: s(4000), by: s(64), status: s(32), createdAt: instant })),
  }),

  // Certificates and callbacks
  Verification: obj(['number', 'verdict', 'detail'], { number: s(200), verdict: { enum: ['genuine', 'tampered', 'revoked', 'expired', 'unknown'] }, detail: s() }),
  CallbackAck: obj(['accepted'], {
    accepted: { const: true }, duplicate: { const: true, description: 'the event id was applied before' }, ignored: s(200, { description: 'an event type or state this platform does not act on' }),
    caseNo: { ...caseNo, description: 'province.case-filed: the case filed here' }, created: { type: 'boolean', description: 'province.case-filed: false when the provincial case was filed here before' },
  }),

  // Integrators and administration
  NewApiKey: obj(['id', 'name', 'token', 'signingSecret', 'scopes', 'ratePerMinute'], {
    id: s(64), name: s(100), token: s(200, { description: '"ApiKey <id>.<token>", shown once' }), signingSecret: s(200, { description: 'shown once' }), scopes: list({ enum: ['cases:file', 'cases:read', 'webhooks'] }), ratePerMinute: int(1),
  }),
  ApiKeyList: obj(['keys'], {
    keys: list(obj(['id', 'name', 'scopes', 'ratePerMinute', 'createdBy', 'createdAt', 'revokedAt', 'lastUsedAt'], {
      id: s(64), name: s(100), scopes: list({ enum: ['cases:file', 'cases:read', 'webhooks'] }), ratePerMinute: int(1), createdBy: s(64), createdAt: instant, revokedAt: nullableInstant, lastUsedAt: nullableInstant,
    })),
  }),
  NewWebhook: obj(['id', 'url', 'events', 'secret'], { id: s(64), url: s(500), events: list(s(64)), secret: s(200, { description: 'signs each delivery; shown once' }) }),
  WebhookList: obj(['webhooks'], { webhooks: list(obj(['id', 'url', 'events', 'active', 'createdAt'], { id: s(64), url: s(500), events: list(s(64)), active: bool, createdAt: instant })) }),
  DeliveryList: obj(['deliveries'], {
    deliveries: list(obj(['id', 'eventId', 'eventType', 'caseNo', 'state', 'attempts', 'lastStatus', 'lastError', 'nextAttemptAt', 'deliveredAt', 'attemptLog'], {
      id: { type: ['string', 'integer'] }, eventId: s(200), eventType: s(64), caseNo: { type: ['string', 'null'] }, state: s(32), attempts: int(0), lastStatus: { type: ['integer', 'null'] }, lastError: nullableString,
      nextAttemptAt: nullableInstant, deliveredAt: nullableInstant,
      attemptLog: list(obj(['deliveryId', 'at', 'status', 'error', 'durationMs'], { deliveryId: { type: ['string', 'integer'] }, at: instant, status: { type: ['integer', 'null'] }, error: nullableString, durationMs: { type: ['integer', 'null'] } })),
    })),
  }),
  AuditLog: obj(['entries'], {
    entries: list(obj(['seq', 'at', 'actor', 'action', 'caseNo', 'detail', 'hash'], { seq: { type: ['string', 'integer'] }, at: instant, actor: s(200), action: s(64), caseNo: { type: ['string', 'null'] }, detail: {}, hash: nullableString })),
  }),
  ChecklistEntry: obj(['materialId', 'name', 'required', 'certificateType', 'state', 'setBy', 'setAt', 'certificateNo', 'waiverReason', 'files'], {
    materialId: s(40), name: s(200), required: bool, certificateType: nullableString,
    state: { enum: ['paper', 'uploaded', 'certificate', 'missing'] },
    setBy: { type: ['string', 'null'], description: 'null: nobody recorded it; the state follows from the files or the e-certificate the case fetched' },
    setAt: nullableInstant, certificateNo: nullableString,
    waiverReason: { type: ['string', 'null'], description: 'why the case was accepted while this required material was missing' },
    files: list(ref('StoredFile')),
  }),
  StoredFile: obj(fileRequired, fileProps),
  Checklist: obj(['caseNo', 'materials', 'missingRequired', 'corrections', 'otherFiles'], {
    caseNo,
    materials: list(ref('ChecklistEntry')),
    missingRequired: list(s(40), { description: 'required materials still missing: accepting needs a recorded reason while this is not empty' }),
    corrections: list(obj([...fileRequired, 'materialId', 'answersProblem', 'repliedAt'], { ...fileProps, materialId: nullableString, answersProblem: s(500), repliedAt: instant }), {
      description: 'files of correction replies, each beside the problem of the notice it answers',
    }),
    otherFiles: list(obj([...fileRequired, 'materialName'], { ...fileProps, materialName: s(200) })),
  }),
  // Documents, working lists and drafts (api/routes/desk.ts)
  DocumentView: closed({
    caseNo, kind: documentKind, title: s(50), number: s(64), issuedAt: instant, issuedBy: s(100),
    issuer: closed({ department: s(32), name: s(200) }),
    applicant: closed({ name: s(100), idNumber: s(18), kind: { enum: ['person', 'legal_person'] } }, ['kind']),
    itemName: s(200), filedAt: instant, channel: { enum: ['online', 'window'] },
    acceptedAt: nullableInstant, promisedLimitDays: { type: ['integer', 'null'] }, statutoryLimitDays: { type: ['integer', 'null'] }, promisedDeadline: nullableInstant,
    problems: list(s(2000)), replyBy: nullableInstant, reasons: s(4000),
    decision: closed({ outcome: s(32), opinion: s(4000), at: instant, by: nullableString }),
    materials: list(closed({ name: s(200), required: bool })),
    uploaded: list(closed({ materialName: s(200), fileName: s(255) })),
    served: closed({ title: s(50), number: nullableString }),
    delivery: closed({ method: s(32), at: nullableInstant, waybillNo: nullableString }),
    certificateNo: nullableString,
    window: orNull(closed({ name: s(200), address: s(300), hours: s(200), phone: s(40) }, ['phone'])),
    supervisionPhone: nullableString,
    content: closed({
      caseLine: s(100),
      blocks: list({
        oneOf: [
          closed({ kind: { const: 'paragraph' }, spans: list(closed({ text: s(8000), strong: bool, underline: bool }, ['strong', 'underline'])), indent: bool, small: bool }, ['indent', 'small']),
          closed({ kind: { const: 'heading' }, text: s(200) }),
          closed({ kind: { const: 'list' }, items: list(s(2000)) }),
          closed({ kind: { const: 'reasons' }, text: s(4000) }),
          closed({ kind: { const: 'table' }, rows: list(closed({ label: s(50), value: s(2000), signLine: bool }, ['signLine'])) }),
        ],
      }),
      sealText: s(20),
      issuedOn: s(40),
    }),
  }, ['acceptedAt', 'promisedLimitDays', 'statutoryLimitDays', 'promisedDeadline', 'problems', 'replyBy', 'reasons', 'decision', 'materials', 'uploaded', 'served', 'delivery', 'certificateNo', 'window', 'supervisionPhone']),
  CaseDocuments: closed({ documents: list(closed({ kind: documentKind, title: s(50), number: s(64), issuedAt: instant })) }),
  HandledTasks: closed({
    tasks: list(closed({
      taskId: s(96), caseNo, kind: taskKind, stepName: s(200), role: s(40), action: orNull(taskAction), opinion: nullableString, closedAt: nullableInstant,
      itemName: s(200), status: caseStatus, applicant: closed({ name: nullableString }),
    })),
    page: int(1), pageSize: int(1), total: int(0),
  }),
  FinishedCases: closed({
    cases: list(closed({
      caseNo, itemName: s(200), department: s(32), status: caseStatus, decision: nullableString, channel: { enum: ['online', 'window'] },
      filedAt: instant, decidedAt: nullableInstant, completedAt: nullableInstant, applicant: closed({ name: nullableString }),
    })),
    page: int(1), pageSize: int(1), total: int(0),
  }),
  MyCases: closed({
    cases: list(closed({
      caseNo, itemName: s(200), status: caseStatus, channel: { enum: ['online', 'window'] }, filedAt: instant, promisedDeadline: nullableInstant, decision: nullableString, rated: bool,
      nextStep: { enum: ['correct', 'pay', 'receive', 'rate', 'wait', 'none'], description: 'what the applicant does next (the web app words it)' },
    })),
    page: int(1), pageSize: int(1), total: int(0),
  }),
  Draft: closed({
    id: s(36, { format: 'uuid' }), implementationCode: s(64), itemName: s(200),
    applicant: closed({ kind: { enum: ['person', 'legal_person'] }, name: s(100), idNumber: s(18), phone: s(20) }, ['kind', 'name', 'idNumber', 'phone']),
    formData: { type: 'object', additionalProperties: true, description: 'the form as typed so far (incomplete allowed)' }, createdAt: instant, updatedAt: instant,
  }),
  DraftList: closed({
    drafts: list(closed({ id: s(36, { format: 'uuid' }), implementationCode: s(64), itemName: s(200), applicantName: nullableString, createdAt: instant, updatedAt: instant })),
  }),
  AuditChainCheck: obj(['ok', 'rows', 'breaks', 'breakCount', 'gaps', 'forgedCheckpoints', 'checkpoint', 'lastHash'], {
    ok: bool, rows: int(0),
    breaks: list(chainBreak, { description: 'every row that does not verify (at most 1000)' }),
    breakCount: int(0),
    brokenAt: chainBreak,
    gaps: list(obj(['from', 'to'], { from: int(), to: int() })),
    truncatedTail: obj(['lastSeq', 'checkpointSeq', 'checkpointAt'], { lastSeq: int(), checkpointSeq: int(), checkpointAt: instant }),
    forgedCheckpoints: list(int(), { description: 'line numbers of checkpoints whose signature does not verify' }),
    checkpoint: orNull(obj(['seq', 'at'], { seq: int(), at: instant })),
    lastHash: nullableString,
  }),

  // Open data and the approval archive
  OpenDataField: obj(['name', 'title', 'type', 'description'], { name: s(64), title: s(100), type: { enum: ['string', 'integer', 'number', 'date-time'] }, description: s(500) }),
  OpenDataIndex: obj(['publisher', 'licence', 'datasets'], {
    publisher: s(100), licence: s(1000),
    datasets: list(obj(['id', 'title', 'description', 'formats', 'urls', 'fields'], {
      id: { enum: ['catalogue', 'statistics'] }, title: s(100), description: s(500), formats: list({ enum: ['json', 'csv'] }),
      urls: obj(['json', 'csv'], { json: s(200), csv: s(200) }), months: list(s(7, { pattern: '^\\d{4}-\\d{2}$' })), fields: list(ref('OpenDataField')),
    })),
  }),
  OpenDataCatalogue: obj(['dataset', 'publisher', 'licence', 'fields', 'rows'], {
    dataset: { const: 'catalogue' }, publisher: s(100), licence: s(1000), fields: list(ref('OpenDataField')),
    rows: list(obj(['implementationCode', 'name', 'itemCode', 'itemName', 'itemType', 'department', 'departmentName', 'level', 'version', 'publishedAt', 'caseType', 'statutoryLimitDays', 'promisedLimitDays', 'feeFen', 'materials', 'windows'], {
      implementationCode: s(64), name: s(200), itemCode: s(64), itemName: s(200), itemType: s(32), department: s(32), departmentName: s(200), level: s(16), version: int(1),
      publishedAt: nullableInstant, caseType: nullableString, statutoryLimitDays: { type: ['integer', 'null'] }, promisedLimitDays: { type: ['integer', 'null'] }, feeFen: int(0), materials: s(), windows: s(),
    })),
  }),
  OpenDataStatistics: obj(['dataset', 'publisher', 'licence', 'month', 'fields', 'rows'], {
    dataset: s(30, { pattern: '^statistics-\\d{4}-\\d{2}$' }), publisher: s(100), licence: s(1000), month: s(7), fields: list(ref('OpenDataField')),
    rows: list(obj(['month', 'grouping', 'code', 'name', 'received', 'accepted', 'completed', 'onTimeRate', 'averageWorkingDays', 'satisfaction'], {
      month: s(7), grouping: { enum: ['department', 'item'] }, code: s(64), name: s(200),
      received: { type: ['integer', 'null'], description: 'null: 1 to 4 cases (suppressed)' }, accepted: { type: ['integer', 'null'] }, completed: { type: ['integer', 'null'] },
      onTimeRate: { type: ['number', 'null'], description: 'null: fewer than 5 completed' }, averageWorkingDays: { type: ['number', 'null'] }, satisfaction: { type: ['number', 'null'], description: 'null: fewer than 5 ratings' },
    })),
  }),
  OpenDataCsv: { type: 'string', description: 'UTF-8 CSV with a byte-order mark: a header row of the fields\' Chinese titles, then the rows; suppressed cells read "<5"' },
  ArchivePackages: obj(['packages'], {
    packages: list(obj(['caseNo', 'department', 'itemCode', 'files', 'bytes', 'manifestSm3', 'keyId', 'archivedAt'], {
      caseNo, department: s(32), itemCode: s(64), files: int(1), bytes: int(0), manifestSm3: s(64, { pattern: '^[0-9a-f]{64}$' }), keyId: s(80), archivedAt: instant,
    })),
  }),
  ExchangeStatus: obj(['outbox', 'refused', 'reconciliations'], {
    outbox: obj(['pending', 'delivered', 'refused'], { pending: int(0), delivered: int(0), refused: int(0) }),
    refused: list(obj(['nodeId', 'caseNo', 'node', 'attempts', 'lastError'], { nodeId: s(40), caseNo, node: s(32), attempts: int(0), lastError: nullableString })),
    reconciliations: list(obj(['day', 'localCount', 'remoteCount', 'missing', 'checkedAt'], {
      day: s(10, { format: 'date' }), localCount: int(0), remoteCount: int(0), missing: list(s(40), { description: 'node ids delivered here and not held there (queued again)' }), checkedAt: instant,
    })),
  }),
  DocumentPdfFile: { type: 'string', contentEncoding: 'binary', description: 'the document as an A4 PDF (fonts embedded), sent as an attachment named after its title and number' },
  ArchivePackageFile: { type: 'string', contentEncoding: 'binary', description: 'the package as a POSIX tar (pax) file: its files under a folder named by the case number, with manifest.json and manifest.sig' },
  ArchiveVerification: obj(['caseNo', 'verdict', 'sealValid', 'keyId', 'keyProblem', 'files', 'changed', 'missing', 'unexpected'], {
    caseNo: { oneOf: [{ type: 'null' }, caseNo] }, verdict: { enum: ['intact', 'tampered'] }, sealValid: bool, keyId: nullableString, keyProblem: nullableString, files: int(0),
    changed: list(s(300), { description: 'files whose SM3 digest or size differs from the manifest (manifest.json itself when its seal does not verify)' }),
    missing: list(s(300)), unexpected: list(s(300), { description: 'files in the package the manifest does not list' }),
  }),
  // The service hall (api/routes/hall.ts)
  HallList: closed({ halls: list(closed({ code: s(32), name: s(200), address: s(300) })) }),
  Hall: closed({
    code: s(32), name: s(200), address: s(300),
    categories: list(closed({ code: s(1), name: s(100), slotCapacity: int(0), hours: s(200), items: list(closed({ code: s(64), name: s(200) })) })),
    windows: list(closed({ number: int(1), name: s(100), categories: list(s(1)) })),
  }),
  AppointmentSlots: closed({
    hall: s(32), category: s(1),
    days: list(closed({ date: s(10), workingDay: bool, slots: list(closed({ start: instant, end: instant, capacity: int(0), booked: int(0), left: int(0) })) })),
  }),
  Appointment: closed({
    id: s(36, { format: 'uuid' }), code: s(6), hall: s(32), category: s(1), implementationCode: s(64), slotStart: instant, slotEnd: instant,
    status: { enum: ['booked', 'cancelled', 'arrived', 'no_show'] }, phone: s(20), smsSent: bool, createdAt: instant,
  }),
  AppointmentList: closed({ appointments: list(ref('Appointment')) }),
  Ticket: closed({
    id: s(36, { format: 'uuid' }), hall: s(32), number: s(8), category: s(1), categoryName: s(100), implementationCode: nullableString, itemName: nullableString,
    priority: { enum: ['none', 'elderly', 'disabled', 'pregnant'] }, source: { enum: ['desk', 'kiosk'] }, applicantName: nullableString,
    status: { enum: ['waiting', 'called', 'done', 'no_show'] }, window: { type: ['integer', 'null'] }, targetWindow: { type: ['integer', 'null'] }, calls: int(0), transfers: int(0),
    issuedAt: instant, calledAt: nullableInstant, finishedAt: nullableInstant, waitMs: int(0), serviceMs: int(0),
    appointment: orNull(closed({ code: s(6), slotStart: instant, prioritised: bool })), caseNo: orNull(caseNo), waitingAhead: int(0), rated: bool,
  }),
  HallWindow: closed({
    hall: s(32), window: int(1), name: s(100), categories: list(s(1)), waiting: int(0), current: orNull(ref('Ticket')), windows: list(closed({ number: int(1), name: s(100) })),
  }),
  TicketCalled: closed({ ticket: orNull(ref('Ticket')) }),
  HallScreen: closed({
    hall: s(32), name: s(200), version: int(0), at: instant,
    calls: list(closed({ number: s(8), window: int(1), windowName: s(100), recall: bool, at: instant })),
    waiting: list(closed({ category: s(1), name: s(100), waiting: int(0) })),
  }),
  HallIndicators: closed({
    by: { enum: ['hall', 'window', 'item'] }, from: instant, to: instant,
    rows: list(obj(['hall', 'tickets', 'called', 'served', 'noShows', 'avgWaitMinutes', 'p90WaitMinutes', 'waitOver20Share', 'avgServiceMinutes', 'p90ServiceMinutes', 'serviceOver20Share', 'evaluations', 'satisfiedShare', 'appointmentNoShows'], {
      hall: s(32), window: { type: ['integer', 'null'] }, implementationCode: nullableString, tickets: int(0), called: int(0), served: int(0), noShows: int(0),
      avgWaitMinutes: { type: ['number', 'null'] }, p90WaitMinutes: { type: ['number', 'null'] }, waitOver20Share: { type: ['number', 'null'] },
      avgServiceMinutes: { type: ['number', 'null'] }, p90ServiceMinutes: { type: ['number', 'null'] }, serviceOver20Share: { type: ['number', 'null'] },
      evaluations: int(0), satisfiedShare: { type: ['number', 'null'] }, appointmentNoShows: { type: ['integer', 'null'] },
    })),
  }),
  KioskCase: closed({
    caseNo, itemName: s(200), status: caseStatus, applicantName: s(100), filedAt: instant, promisedDeadline: nullableInstant, completedAt: nullableInstant, kioskPickup: bool,
  }),
  KioskPickup: closed({
    caseNo, itemName: s(200), collectedAt: instant,
    certificate: orNull(closed({ number: s(64), name: s(200), holderName: s(100), issuer: s(200), issuedAt: instant, validUntil: nullableString })),
  }),
  PickupCode: closed({ caseNo, code: s(8), collected: bool }),
};

/** Which response schema each operation answers with on success ("METHOD /path"; 204 answers have none). */
export const responseOf: Record<string, string> = {
  'GET /health': 'Health',
  'GET /openapi.json': 'OpenApiDocument',
  'POST /auth/login': 'StaffSession',
  'POST /auth/applicant/sms': 'SmsChallenge',
  'POST /auth/applicant/login': 'ApplicantSession',
  'POST /auth/applicant/face-check': 'FaceCheckStarted',
  'GET /auth/applicant/face-check/{checkId}': 'FaceCheckResult',
  'GET /auth/me': 'Principal',
  'GET /implementations': 'ImplementationList',
  'GET /implementations/{code}': 'Guide',
  'GET /implementations/{code}/versions': 'VersionList',
  'GET /implementations/{code}/versions/{version}': 'VersionDetail',
  'GET /implementations/{code}/diff': 'VersionDiff',
  'GET /implementations/{code}/export': 'ImplementationDocument',
  'POST /catalogue/import': 'DraftRef',
  'POST /implementations/{code}/drafts': 'DraftRef',
  'PUT /implementations/{code}/versions/{version}': 'VersionDetail',
  'POST /implementations/{code}/versions/{version}/submit': 'ChangeOpened',
  'POST /implementations/{code}/changes': 'ChangeOpened',
  'GET /changes/{id}': 'Change',
  'GET /reviews': 'ReviewInbox',
  'POST /changes/{id}/reviews': 'ChangeView',
  'GET /calendar/add': 'WorkingDayDeadline',
  'GET /calendar/between': 'WorkingDayCount',
  'GET /calendar/{year}': 'CalendarYear',
  'PUT /calendar/{year}': 'CalendarYear',
  'PUT /calendar/days/{date}': 'CalendarYear',
  'POST /cases': 'FiledCase',
  'GET /cases': 'CaseList',
  'GET /cases/{caseNo}': 'CaseView',
  'GET /cases/{caseNo}/live': 'LiveView',
  'GET /cases/{caseNo}/history': 'CaseHistory',
  'POST /cases/{caseNo}/correction': 'CaseStatusAnswer',
  'POST /cases/{caseNo}/withdrawal': 'CaseStatusAnswer',
  'POST /cases/{caseNo}/precondition': 'PreconditionAnswer',
  'GET /supervision/simulation': 'SimulationIndicators',
  'POST /cases/{caseNo}/materials': 'Material',
  'GET /cases/{caseNo}/materials': 'MaterialList',
  'GET /cases/{caseNo}/materials/{id}': 'MaterialFile',
  'POST /cases/{caseNo}/extension': 'OpenTask',
  'POST /cases/{caseNo}/special-procedure/end': 'CaseStatusAnswer',
  'GET /views/departments': 'DepartmentList',
  'GET /views/inbox': 'InboxView',
  'GET /views/cases': 'CaseSearch',
  'GET /views/certificates': 'HeldCertificates',
  'GET /tasks': 'Inbox',
  'POST /tasks/{taskId}/complete': 'TaskCompleted',
  'POST /tasks/{taskId}/claim': 'OpenTask',
  'POST /tasks/{taskId}/release': 'OpenTask',
  'POST /tasks/{taskId}/reassign': 'OpenTask',
  'GET /supervision/cases': 'SupervisedCases',
  'GET /supervision/events': 'SupervisionEvents',
  'GET /supervision/indicators': 'Indicators',
  'GET /supervision/stuck-cases': 'StuckCases',
  'GET /supervision/stopped-cases': 'StoppedCases',
  'POST /supervision/stopped-cases/{caseNo}/revive': 'Revived',
  'GET /supervision/workflows': 'WorkflowList',
  'POST /cases/{caseNo}/urges': 'UrgeSent',
  'POST /cases/{caseNo}/urges/{urgeId}/answer': 'Urge',
  'POST /cases/{caseNo}/orders': 'OrderCreated',
  'GET /cases/{caseNo}/orders': 'OrderList',
  'GET /certificates/{number}/verify': 'Verification',
  'POST /certificates/verify': 'Verification',
  'POST /callbacks/payment': 'CallbackAck',
  'POST /callbacks/logistics': 'CallbackAck',
  'POST /callbacks/department': 'CallbackAck',
  'POST /callbacks/identity': 'CallbackAck',
  'POST /callbacks/province': 'CallbackAck',
  'POST /admin/api-keys': 'NewApiKey',
  'GET /admin/api-keys': 'ApiKeyList',
  'POST /integrations/webhooks': 'NewWebhook',
  'GET /integrations/webhooks': 'WebhookList',
  'GET /integrations/webhooks/{id}/deliveries': 'DeliveryList',
  'GET /audit': 'AuditLog',
  'GET /cases/{caseNo}/checklist': 'Checklist',
  'PUT /cases/{caseNo}/checklist/{materialId}': 'ChecklistEntry',
  'GET /audit/verify': 'AuditChainCheck',
  'POST /cases/{caseNo}/documents/{kind}': 'DocumentView',
  'POST /drafts': 'Draft',
  'GET /drafts/{id}': 'Draft',
  'PUT /drafts/{id}': 'Draft',
  'GET /views/my-cases': 'MyCases',
  'GET /views/handled': 'HandledTasks',
  'GET /views/finished': 'FinishedCases',
  'GET /drafts': 'DraftList',
  'GET /cases/{caseNo}/documents': 'CaseDocuments',
  'GET /cases/{caseNo}/documents/{kind}/pdf': 'DocumentPdfFile',
  'GET /catalogue/options': 'EditorOptions',
  'POST /catalogue/validate': 'EntryCheck',
  'POST /catalogue/preview': 'ProcessPreview',
  'GET /open-data': 'OpenDataIndex',
  'GET /open-data/catalogue': 'OpenDataCatalogue',
  'GET /open-data/statistics/{month}': 'OpenDataStatistics',
  'GET /archive': 'ArchivePackages',
  'GET /archive/{caseNo}': 'ArchivePackageFile',
  'GET /archive/{caseNo}/verify': 'ArchiveVerification',
  'GET /exchange': 'ExchangeStatus',
  'GET /hall/halls': 'HallList',
  'GET /hall/halls/{hall}': 'Hall',
  'GET /hall/halls/{hall}/slots': 'AppointmentSlots',
  'POST /hall/appointments': 'Appointment',
  'GET /hall/appointments': 'AppointmentList',
  'POST /hall/appointments/{id}/cancel': 'Appointment',
  'POST /hall/tickets': 'Ticket',
  'GET /hall/tickets/{id}': 'Ticket',
  'POST /hall/tickets/{id}/evaluation': 'Ticket',
  'GET /hall/halls/{hall}/windows/{window}': 'HallWindow',
  'POST /hall/halls/{hall}/windows/{window}/call': 'TicketCalled',
  'POST /hall/tickets/{id}/recall': 'Ticket',
  'POST /hall/tickets/{id}/no-show': 'Ticket',
  'POST /hall/tickets/{id}/finish': 'Ticket',
  'POST /hall/tickets/{id}/transfer': 'Ticket',
  'POST /hall/tickets/{id}/case': 'Ticket',
  'GET /hall/halls/{hall}/screen': 'HallScreen',
  'GET /hall/indicators': 'HallIndicators',
  'POST /hall/kiosk/track': 'KioskCase',
  'POST /hall/kiosk/pickups': 'KioskPickup',
  'POST /cases/{caseNo}/pickup-code': 'PickupCode',
};
