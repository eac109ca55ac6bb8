/**
 * Response bodies of the operations whose answers clients build on, as JSON Schemas in the
 * OpenAPI document (by "METHOD /path"); operations not listed here are documented as objects.
 * `api/security.test.ts` checks real answers against these.
 */
const s = (maxLength?: number) => ({ type: 'string', ...(maxLength ? { maxLength } : {}) });
const instant = { type: 'string', format: 'date-time' };
const obj = (required: string[], properties: Record<string, unknown>, additional = false) => ({ type: 'object', additionalProperties: additional, required, properties });
const caseNo = { type: 'string', pattern: '^[0-9]{22}$' };
const person = obj(['idNumber', 'name'], { idNumber: s(18), name: s(100) });
const applicant = obj(['kind', 'name', 'idNumber'], {
  kind: { enum: ['person', 'legal_person'] }, name: s(100), idNumber: s(18), phone: s(20), legalRepresentative: person, agent: person,
});
const fileRequired = ['id', 'fileName', 'contentType', 'size', 'sha256', 'uploadedAt'];
const fileProps = { id: s(64), fileName: s(200), contentType: s(100), size: { type: 'integer', minimum: 1 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, uploadedAt: instant };
const chainBreak = obj(['seq', 'reason'], { seq: { type: 'integer' }, reason: { enum: ['content-changed', 'link-broken', 'downgraded', 'checkpoint-mismatch'] } });

export const responseSchemas: Record<string, Record<string, unknown>> = {
  Health: obj(['status', 'database', 'temporal'], { status: { enum: ['ok', 'degraded'] }, database: { const: 'ok' }, temporal: { enum: ['ok', 'unreachable'] } }),
  StaffSession: obj(['token', 'expiresAt', 'mustChangePassword', 'user'], {
    token: s(100), expiresAt: instant,
    mustChangePassword: { type: 'boolean', description: 'true: every route but POST /auth/password, GET /auth/me and POST /auth/logout answers 403 password-change-required' },
    user: obj(['id', 'name', 'department', 'roles', 'level'], { id: s(64), name: s(100), department: s(32), roles: { type: 'array', items: s(32) }, level: { enum: ['province', 'city', 'county', 'township'] } }),
  }),
  SmsChallenge: obj(['requestId', 'maskedPhone', 'expiresAt'], { requestId: s(100), maskedPhone: s(20), expiresAt: instant }),
  ApplicantSession: obj(['token', 'expiresAt', 'applicant'], {
    token: s(100), expiresAt: instant,
    applicant: obj(['idNumber', 'name', 'assuranceLevel'], { idNumber: s(18), name: s(100), assuranceLevel: { enum: ['anonymous', 'basic', 'intermediate', 'advanced'] } }),
  }),
  FiledCase: obj(['caseNo', 'created'], { caseNo, created: { type: 'boolean', description: 'false when an Idempotency-Key repeat returned the earlier case' } }),
  CaseSummary: obj(['caseNo', 'itemCode', 'department', 'status', 'channel', 'applicant', 'filedAt'], {
    caseNo, itemCode: s(64), itemName: s(200), department: s(32), status: s(32), channel: { enum: ['online', 'window'] }, applicant,
    filedAt: instant, supervisionState: s(16),
  }, true),
  CaseList: obj(['cases', 'nextCursor'], { cases: { type: 'array', items: { $ref: '#/components/schemas/CaseSummary' } }, nextCursor: { type: ['string', 'null'] } }),
  CaseView: {
    allOf: [{ $ref: '#/components/schemas/CaseSummary' }],
    type: 'object',
    required: ['filedBy', 'events', 'tasks', 'certificateMaterials'],
    properties: {
      filedBy: {
        description: 'who filed it (for whom: applicant): a clerk, an applicant online (as representative or agent of a legal person), or an integrator\'s key',
        oneOf: [
          { type: 'null' },
          obj(['kind', 'staffId'], { kind: { const: 'staff' }, staffId: s(64) }),
          obj(['kind', 'idNumber'], { kind: { const: 'applicant' }, idNumber: s(18) }),
          obj(['kind', 'keyId'], { kind: { const: 'integrator' }, keyId: s(64) }),
        ],
      },
      events: { type: 'array', items: { type: 'object' } },
      tasks: { type: 'array', items: { type: 'object' } },
      certificateMaterials: { type: 'array', items: { type: 'object' } },
    },
  },
  Material: obj(['id', 'materialName', 'fileName', 'contentType', 'size', 'sha256'], {
    id: s(64), materialId: s(40), materialName: s(200), fileName: s(200), contentType: { enum: ['application/pdf', 'image/jpeg', 'image/png'] }, size: { type: 'integer', minimum: 1 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  }),
  ChecklistEntry: obj(['materialId', 'name', 'required', 'certificateType', 'state', 'setBy', 'setAt', 'certificateNo', 'waiverReason', 'files'], {
    materialId: s(40), name: s(200), required: { type: 'boolean' }, certificateType: { type: ['string', 'null'] },
    state: { enum: ['paper', 'uploaded', 'certificate', 'missing'] },
    setBy: { type: ['string', 'null'], description: 'null: nobody recorded it; the state follows from the files or the e-certificate the case fetched' },
    setAt: { oneOf: [{ type: 'null' }, instant] }, certificateNo: { type: ['string', 'null'] },
    waiverReason: { type: ['string', 'null'], description: 'why the case was accepted while this required material was missing' },
    files: { type: 'array', items: { $ref: '#/components/schemas/MaterialFile' } },
  }),
  MaterialFile: obj(fileRequired, fileProps),
  Checklist: obj(['caseNo', 'materials', 'missingRequired', 'corrections', 'otherFiles'], {
    caseNo,
    materials: { type: 'array', items: { $ref: '#/components/schemas/ChecklistEntry' } },
    missingRequired: { type: 'array', items: s(40), description: 'required materials still missing: accepting needs a recorded reason while this is not empty' },
    corrections: {
      type: 'array', description: 'files of correction replies, each beside the problem of the notice it answers',
      items: obj([...fileRequired, 'materialId', 'answersProblem', 'repliedAt'], { ...fileProps, materialId: { type: ['string', 'null'] }, answersProblem: s(500), repliedAt: instant }),
    },
    otherFiles: { type: 'array', items: obj([...fileRequired, 'materialName'], { ...fileProps, materialName: s(200) }) },
  }),
  AuditChainCheck: obj(['ok', 'rows', 'breaks', 'breakCount', 'gaps', 'forgedCheckpoints', 'checkpoint', 'lastHash'], {
    ok: { type: 'boolean' }, rows: { type: 'integer', minimum: 0 },
    breaks: { type: 'array', items: chainBreak, description: 'every row that does not verify (at most 1000)' },
    breakCount: { type: 'integer', minimum: 0 },
    brokenAt: chainBreak,
    gaps: { type: 'array', items: obj(['from', 'to'], { from: { type: 'integer' }, to: { type: 'integer' } }) },
    truncatedTail: obj(['lastSeq', 'checkpointSeq', 'checkpointAt'], { lastSeq: { type: 'integer' }, checkpointSeq: { type: 'integer' }, checkpointAt: instant }),
    forgedCheckpoints: { type: 'array', items: { type: 'integer' }, description: 'line numbers of checkpoints whose signature does not verify' },
    checkpoint: { oneOf: [{ type: 'null' }, obj(['seq', 'at'], { seq: { type: 'integer' }, at: instant })] },
    lastHash: { type: ['string', 'null'] },
  }),
};

/** Which response schema each operation answers with. */
export const responseOf: Record<string, string> = {
  'GET /health': 'Health',
  'POST /auth/login': 'StaffSession',
  'POST /auth/applicant/sms': 'SmsChallenge',
  'POST /auth/applicant/login': 'ApplicantSession',
  'POST /cases': 'FiledCase',
  'GET /cases': 'CaseList',
  'GET /cases/{caseNo}': 'CaseView',
  'POST /cases/{caseNo}/materials': 'Material',
  'GET /cases/{caseNo}/checklist': 'Checklist',
  'PUT /cases/{caseNo}/checklist/{materialId}': 'ChecklistEntry',
  'GET /audit/verify': 'AuditChainCheck',
};
