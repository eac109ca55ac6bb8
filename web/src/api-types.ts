/**
 * The API's answers as TypeScript types. GENERATED from api/response-schemas.ts by
 * scripts/api-types.ts: do not edit; change the schema and run `npx tsx scripts/api-types.ts`.
 */

export type Health = {
  /** unavailable (HTTP 503): the database cannot be reached */
  status: "ok" | "degraded" | "unavailable";
  database: "ok" | "unreachable";
  temporal: "ok" | "unreachable";
};

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: {
    [key: string]: unknown;
  };
  servers?: {
    [key: string]: unknown;
  }[];
  tags?: {
    [key: string]: unknown;
  }[];
  paths: {
    [key: string]: unknown;
  };
  components: {
    [key: string]: unknown;
  };
};

export type StaffUser = {
  id: string;
  name: string;
  department: string;
  roles: string[];
  level: "province" | "city" | "county" | "township";
};

export type StaffSession = {
  token: string;
  expiresAt: string;
  /** true: every route but POST /auth/password, GET /auth/me and POST /auth/logout answers 403 password-change-required */
  mustChangePassword: boolean;
  user: StaffUser;
};

export type FaceCheckStarted = {
  checkId: string;
  url: string;
  expiresAt: string;
};

export type FaceCheckResult = {
  status: "pending" | "passed" | "failed" | "expired";
  assuranceLevel: "basic" | "intermediate" | "advanced";
  reason?: string;
};

export type SmsChallenge = {
  requestId: string;
  maskedPhone: string;
  expiresAt: string;
};

export type ApplicantSession = {
  token: string;
  expiresAt: string;
  applicant: {
    idNumber: string;
    name: string;
    assuranceLevel: "anonymous" | "basic" | "intermediate" | "advanced";
  };
};

/** who the token belongs to */
export type Principal = {
  kind: "staff";
  id: string;
  name: string;
  department: string;
  roles: string[];
  regionCode: string;
  level: "province" | "city" | "county" | "township";
  mustChangePassword?: boolean;
} | {
  kind: "applicant";
  idNumber: string;
  name: string;
  assuranceLevel: "anonymous" | "basic" | "intermediate" | "advanced";
} | {
  kind: "integrator";
  keyId: string;
  name: string;
  scopes: ("cases:file" | "cases:read" | "webhooks")[];
  ratePerMinute: number;
};

export type ImplementationSummary = {
  code: string;
  name: string;
  itemCode: string;
  itemName: string;
  type: string;
  department: string;
  departmentName: string;
  level: "province" | "city" | "county" | "township";
  version: number;
  caseType: "instant" | "promised";
  promisedLimitDays: number | null;
  online: boolean | null;
};

export type ImplementationList = {
  items: ImplementationSummary[];
};

export type EntryMaterial = {
  id: string;
  name: string;
  required: boolean;
  form?: string;
  copies?: number;
  certificateType?: string;
  note?: string;
  [key: string]: unknown;
};

export type ProcessStep = {
  type: "task" | "parallel" | "department" | "service";
  id: string;
  name: string;
  department?: string;
  role?: string;
  limitDays?: number;
  actions?: string[];
  lead?: string;
  join?: string;
  branches?: {
    id: string;
    name: string;
    steps: ProcessStep[];
    [key: string]: unknown;
  }[];
  system?: string;
  service?: string;
  when?: unknown;
  [key: string]: unknown;
};

export type EntryBase = {
  caseType: "instant" | "promised";
  statutoryLimitDays: number;
  promisedLimitDays?: number;
  materials: EntryMaterial[];
  conditions?: string;
  fee?: {
    charged: boolean;
    amountFen?: number;
    standard?: string;
    basis?: string;
    paymentDays?: number;
    when?: "acceptance" | "decision";
  };
  visits?: number;
  authLevel?: "anonymous" | "basic" | "intermediate" | "advanced";
  online?: boolean;
  result?: {
    type: string;
    name: string;
    [key: string]: unknown;
  };
  delivery: ("window" | "courier" | "kiosk")[];
  windows?: {
    name: string;
    address: string;
    hours?: string;
    phone?: string;
    [key: string]: unknown;
  }[];
  supervisionPhone?: string;
  consultPhone?: string;
  process: {
    steps: ProcessStep[];
    [key: string]: unknown;
  };
  supervision?: {
    warnDaysLeft?: number;
    warnShareUsed?: number;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export type Entry = {
  caseType: "instant" | "promised";
  statutoryLimitDays: number;
  promisedLimitDays?: number;
  materials: EntryMaterial[];
  conditions?: string;
  fee?: {
    charged: boolean;
    amountFen?: number;
    standard?: string;
    basis?: string;
    paymentDays?: number;
    when?: "acceptance" | "decision";
  };
  visits?: number;
  authLevel?: "anonymous" | "basic" | "intermediate" | "advanced";
  online?: boolean;
  result?: {
    type: string;
    name: string;
    [key: string]: unknown;
  };
  delivery: ("window" | "courier" | "kiosk")[];
  windows?: {
    name: string;
    address: string;
    hours?: string;
    phone?: string;
    [key: string]: unknown;
  }[];
  supervisionPhone?: string;
  consultPhone?: string;
  process: {
    steps: ProcessStep[];
    [key: string]: unknown;
  };
  supervision?: {
    warnDaysLeft?: number;
    warnShareUsed?: number;
    [key: string]: unknown;
  };
  form: {
    key: string;
    version: number;
  };
  [key: string]: unknown;
};

export type Guide = {
  caseType: "instant" | "promised";
  statutoryLimitDays: number;
  promisedLimitDays?: number;
  materials: EntryMaterial[];
  conditions?: string;
  fee?: {
    charged: boolean;
    amountFen?: number;
    standard?: string;
    basis?: string;
    paymentDays?: number;
    when?: "acceptance" | "decision";
  };
  visits?: number;
  authLevel?: "anonymous" | "basic" | "intermediate" | "advanced";
  online?: boolean;
  result?: {
    type: string;
    name: string;
    [key: string]: unknown;
  };
  delivery: ("window" | "courier" | "kiosk")[];
  windows?: {
    name: string;
    address: string;
    hours?: string;
    phone?: string;
    [key: string]: unknown;
  }[];
  supervisionPhone?: string;
  consultPhone?: string;
  process: {
    steps: ProcessStep[];
    [key: string]: unknown;
  };
  supervision?: {
    warnDaysLeft?: number;
    warnShareUsed?: number;
    [key: string]: unknown;
  };
  code: string;
  name: string;
  itemCode: string;
  itemName: string;
  type: string;
  legalBasis?: string | null;
  department: string;
  departmentName: string;
  level: "province" | "city" | "county" | "township";
  version: number;
  publishedAt: string | null;
  form: {
    key: string;
    version: number;
    schema: {
      [key: string]: unknown;
    };
    uischema: {
      [key: string]: unknown;
    };
  };
  [key: string]: unknown;
};

export type VersionInfo = {
  version: number;
  state: "draft" | "in_review" | "published" | "superseded" | "withdrawn" | "rejected" | "suspended" | "cancelled";
  createdAt: string;
  publishedAt: string | null;
  createdBy: string | null;
  changeId: string | null;
};

export type VersionList = {
  versions: VersionInfo[];
};

export type VersionDetail = {
  implementationCode: string;
  version: number;
  state: "draft" | "in_review" | "published" | "superseded" | "withdrawn" | "rejected" | "suspended" | "cancelled";
  createdAt: string;
  publishedAt: string | null;
  createdBy: string | null;
  changeId: string | null;
  entry: Entry;
};

export type VersionDiff = {
  implementationCode: string;
  from: number;
  to: number;
  changes: {
    pointer: string;
    op: "added" | "removed" | "changed";
    from?: unknown;
    to?: unknown;
  }[];
};

export type ImplementationDocument = {
  format: string;
  version: number;
  item: {
    code: string;
    name: string;
    type: string;
    legalBasis?: string | null;
  };
  implementation: {
    code: string;
    name: string;
    department: string;
  };
  entry: Entry;
  form?: {
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export type EditorOptions = {
  departments: Department[];
  roles: {
    code: string;
    name: string;
  }[];
  systems: {
    department: string;
    system: string;
  }[];
  services: {
    adapter: string;
    operation: string;
    name: string;
  }[];
};

export type EntryCheck = {
  valid: boolean;
  problems: {
    pointer: string;
    detail: string;
  }[];
};

export type ProcessPreview = {
  steps: {
    stepId: string;
    name: string;
    type: "task" | "parallel" | "department" | "service";
    pointer: string;
    depth: number;
    branch?: string;
    department?: string;
    role?: string;
    result: "runs" | "skipped" | "ask" | "not-reached";
    conditional: boolean;
    reason?: string;
    leadDecides?: boolean;
  }[];
};

export type DraftRef = {
  code: string;
  version: number;
};

export type ChangeOpened = {
  changeId: string;
  kind: "add" | "change" | "suspend" | "cancel" | "split" | "delegate-down";
  drafts: DraftRef[];
};

export type Change = {
  changeId: string;
  kind: "add" | "change" | "suspend" | "cancel" | "split" | "delegate-down";
  implementationCode: string;
  drafts: DraftRef[];
  reason: string;
  state: "in_review" | "approved" | "rejected";
  submittedBy: string;
  submittedAt: string;
  decidedAt: string | null;
  reviews: {
    stage: string;
    department: string;
    role: string;
    status: string;
    decision: string | null;
    opinion: string | null;
    reviewer: string | null;
    openedAt: string | null;
    decidedAt: string | null;
  }[];
};

export type ReviewInbox = {
  reviews: {
    changeId: string;
    stage: string;
    kind: string;
    implementationCode: string;
    reason: string;
    openedAt: string | null;
  }[];
};

export type ChangeView = {
  changeId: string;
  state: "in_review" | "approved" | "rejected";
  currentStage: string | null;
  decisions?: {
    stage: string;
    decision: "approve" | "reject";
    opinion: string;
    by: string;
    at: string;
  }[];
  [key: string]: unknown;
};

export type WorkingDayDeadline = {
  from: string;
  days: number;
  deadline: string;
  /** the count reaches a year whose holidays are not published yet */
  provisional: boolean;
};

export type WorkingDayCount = {
  from: string;
  to: string;
  workingDays: number;
  provisional: boolean;
};

export type CalendarYear = {
  year: number;
  source: string;
  updatedAt: string;
  updatedBy: string | null;
  days: {
    date: string;
    kind: "holiday" | "workday";
    name: string;
  }[];
  recompute?: {
    workflowId: string;
  };
};

export type Applicant = {
  kind: "person" | "legal_person";
  name: string;
  idNumber: string;
  phone?: string;
  legalRepresentative?: {
    idNumber: string;
    name: string;
  };
  agent?: {
    idNumber: string;
    name: string;
  };
};

export type FiledCase = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  /** false (HTTP 200) when an Idempotency-Key repeat returned the earlier case */
  created: boolean;
};

export type CaseSummary = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  implementationCode: string;
  implementationVersion: number;
  itemCode: string;
  itemName: string;
  department: string;
  status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
  channel: "online" | "window";
  applicant: Applicant;
  formData: {
    [key: string]: unknown;
  };
  currentSteps?: unknown;
  supervisionState?: null | ("normal" | "warning" | "overdue" | "statutory-overdue");
  filedAt: string;
  acceptedAt: string | null;
  decision: "approved" | "refused" | null;
  statutoryDeadline: string | null;
  promisedDeadline: string | null;
  /** a deadline reaching into a year the calendar does not hold yet: it moves when that year is imported */
  deadlineProvisional?: boolean | null;
  completedAt: string | null;
  updatedAt?: string | null;
  simulation?: null | {
    state: "simulating" | "awaiting" | "converting" | "converted" | "lapsed" | "refused" | "ended";
    simulatedDays: number | null;
    formalDays: number | null;
    preconditionMetAt: string | null;
    lapseAt: string | null;
  };
};

export type CaseList = {
  cases: CaseSummary[];
  /** opaque: pass it back as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
};

export type CaseEvent = {
  seq: number;
  type: string;
  at: string;
  actor: string | null;
  payload: {
    [key: string]: unknown;
  };
};

export type TaskRow = {
  taskId: string;
  /** 统一办件编号: 22 digits */
  caseNo: string;
  kind: "precheck" | "review" | "lead-decision" | "extension" | "handover" | "follow-up" | "face-check" | "manual";
  stepId: string;
  stepName: string;
  department: string;
  role: string;
  status: "open" | "done" | "cancelled";
  assignee: string | null;
  actions: ("accept" | "reject" | "approve" | "return" | "correction" | "suspend" | "refuse" | "void" | "handover" | "answer" | "retry" | "skip")[];
  detail: null | {
    [key: string]: unknown;
  };
  outcome: null | {
    action?: string;
    opinion?: string;
    by?: string;
    problems?: string[];
    [key: string]: unknown;
  };
  dueAt: string | null;
  createdAt: string;
  closedAt: string | null;
};

export type CaseView = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  implementationCode: string;
  implementationVersion: number;
  itemCode: string;
  itemName: string;
  department: string;
  status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
  channel: "online" | "window";
  applicant: Applicant;
  formData: {
    [key: string]: unknown;
  };
  currentSteps?: unknown;
  supervisionState?: null | ("normal" | "warning" | "overdue" | "statutory-overdue");
  filedAt: string;
  acceptedAt: string | null;
  decision: "approved" | "refused" | null;
  statutoryDeadline: string | null;
  promisedDeadline: string | null;
  /** a deadline reaching into a year the calendar does not hold yet: it moves when that year is imported */
  deadlineProvisional?: boolean | null;
  completedAt: string | null;
  updatedAt?: string | null;
  simulation?: null | {
    state: "simulating" | "awaiting" | "converting" | "converted" | "lapsed" | "refused" | "ended";
    simulatedDays: number | null;
    formalDays: number | null;
    preconditionMetAt: string | null;
    lapseAt: string | null;
  };
  /** who filed it (for whom: applicant): a clerk, an applicant online (as representative or agent of a legal person), or an integrator's key */
  filedBy: null | {
    kind: "staff";
    staffId: string;
  } | {
    kind: "applicant";
    idNumber: string;
  } | {
    kind: "integrator";
    keyId: string;
  };
  events: CaseEvent[];
  tasks: TaskRow[];
  certificateMaterials: {
    materialId: string;
    materialName: string;
    certificateNo: string;
    certificateType: string;
    replacedAt: string;
  }[];
  /** the name of each staff member the view names by id (event actors, assignees, opinions, the filing clerk) */
  staffNames: {
    [key: string]: string;
  };
};

export type OpenTask = {
  taskId: string;
  kind: "precheck" | "review" | "lead-decision" | "extension" | "handover" | "follow-up" | "face-check" | "manual";
  stepId: string;
  stepName: string;
  department: string;
  role: string;
  actions: ("accept" | "reject" | "approve" | "return" | "correction" | "suspend" | "refuse" | "void" | "handover" | "answer" | "retry" | "skip")[];
  assignee: string | null;
  returnTo?: string[];
  specialProcedures?: ("hearing" | "inspection" | "appraisal" | "expert-review" | "public-notice" | "tender")[];
  notes?: string[];
  simulated?: boolean;
};

export type Urge = {
  urgeId: string;
  message: string;
  replyBy: string;
  by: string;
  at: string;
  answer: null | {
    text: string;
    by: string;
    at: string;
  };
};

export type LiveView = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
  decision: null | {
    outcome: "approved" | "refused";
    opinion: string;
    by: string;
    at: string;
  };
  openTasks: OpenTask[];
  correction: null | {
    problems: string[];
    requestedAt: string;
    replyBy: string;
    stage: "precheck" | "review";
  };
  specialProcedure: null | {
    type: "hearing" | "inspection" | "appraisal" | "expert-review" | "public-notice" | "tender";
    reason: string;
    expectedDays: number;
    stepId: string;
    startedAt: string;
  };
  clock: {
    acceptedAt: string | null;
    warningAt: string | null;
    statutoryLimitDays: number;
    promisedLimitDays: number;
    usedDays: number;
    running: boolean;
    statutoryDeadline: string | null;
    promisedDeadline: string | null;
    statutoryProvisional?: boolean;
    promisedProvisional?: boolean;
    extended: boolean;
  };
  payment: null | {
    paymentId: string;
    amountFen: number;
    expiresAt: string;
    status: "open" | "paid" | "expired" | "refunded" | "waived";
    stage: "acceptance" | "decision";
    /** The payment platform's page for this order (while open); add `&return=` and the page to come back to. */
    cashierUrl?: string;
  };
  identity: null | {
    ok: boolean;
    checks: {
      check: string;
      result: string;
    }[];
    problems: string[];
    at: string;
  };
  faceCheck: null | {
    checkId: string;
    attempt: number;
    status: "pending" | "passed" | "failed" | "timed-out" | "confirmed-at-window";
    reason: string | null;
    requestedAt: string;
  };
  materials: {
    materialId: string;
    materialName: string;
    certificateNo: string;
    certificateType: string;
  }[];
  certificateNo: string | null;
  delivery: null | {
    method: "window" | "courier" | "kiosk";
    waybillNo: string | null;
    deliveredAt: string | null;
  };
  evaluation: null | {
    level: number;
    comment?: string;
    at: string;
  };
  milestones: {
    stepId: string;
    round?: number;
    milestone: string;
    at: string;
  }[];
  formData: {
    [key: string]: unknown;
  };
  supervision: {
    level: "normal" | "warning" | "overdue";
    statutoryOverdue: boolean;
    steps: {
      [key: string]: "normal" | "warning" | "overdue";
    };
    urges: Urge[];
  };
  simulation?: SimulationView;
};

export type SimulationView = {
  state: "simulating" | "awaiting" | "converting" | "converted" | "lapsed" | "refused" | "ended";
  preconditions: {
    id: string;
    name: string;
  }[];
  missing: string[];
  met: {
    id: string;
    how: string;
    at: string;
  }[];
  opinion: null | {
    outcome: "approved" | "refused";
    text: string;
    conditions: string;
    at: string;
  };
  lapseAt: string | null;
  simulatedDays: number | null;
  preconditionMetAt: string | null;
  changedFields: string[];
  changedMaterials: string[];
  carriedOver: string[];
  rerun: string[];
};

export type PreconditionAnswer = {
  status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
  /** ids of the entry's preconditions still missing; empty once the case converts */
  missing: string[];
};

export type SimulationIndicators = {
  from: string;
  to: string;
  rows: {
    itemCode: string;
    itemName: string;
    simulated: number;
    pending: number;
    converting: number;
    converted: number;
    lapsed: number;
    refused: number;
    /** converted ÷ (converted + lapsed) */
    conversionRate: number | null;
    /** working days of the simulated review */
    avgSimulatedDays: number | null;
    /** formal working days from the precondition to the certificate */
    avgFormalDays: number | null;
    /** per converted case: simulated review days minus formal days */
    avgSavedDays: number | null;
    eventsSimulated: number;
    eventsFormal: number;
  }[];
};

/** the readable timeline (format=timeline), or the raw Temporal events (format=raw, staff only) */
export type CaseHistory = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  timeline: {
    eventId: number;
    at: string;
    kind: string;
    summary: string;
    actor?: string;
    detail?: unknown;
  }[];
} | {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  events: {
    [key: string]: unknown;
  }[];
};

export type CaseStatusAnswer = {
  status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
};

export type Material = {
  id: string;
  materialId?: string;
  materialName: string;
  fileName: string;
  contentType: "application/pdf" | "image/jpeg" | "image/png";
  size: number;
  sha256: string;
  uploadedAt?: string;
};

export type MaterialList = {
  materials: {
    id: string;
    materialId?: string;
    materialName: string;
    fileName: string;
    contentType: "application/pdf" | "image/jpeg" | "image/png";
    size: number;
    sha256: string;
    uploadedAt: string;
  }[];
};

/** the file as uploaded (application/pdf, image/jpeg or image/png), sent as an attachment */
export type MaterialFile = string;

export type Department = {
  code: string;
  name: string;
  level: "province" | "city" | "county" | "township";
};

export type DepartmentList = {
  departments: Department[];
};

export type InboxView = {
  tasks: {
    taskId: string;
    /** 统一办件编号: 22 digits */
    caseNo: string;
    kind: "precheck" | "review" | "lead-decision" | "extension" | "handover" | "follow-up" | "face-check" | "manual";
    stepId: string;
    stepName: string;
    role: string;
    assignee: string | null;
    /** the assignee's name; null when unclaimed */
    assigneeName: string | null;
    actions: ("accept" | "reject" | "approve" | "return" | "correction" | "suspend" | "refuse" | "void" | "handover" | "answer" | "retry" | "skip")[];
    dueAt: string | null;
    createdAt: string;
    itemName: string;
    status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
    supervisionState: null | ("normal" | "warning" | "overdue" | "statutory-overdue");
    promisedDeadline: string | null;
    deadlineProvisional: boolean | null;
    applicant: {
      name: string | null;
    };
  }[];
  counts: {
    normal: number;
    warning: number;
    overdue: number;
  };
  page: number;
  pageSize: number;
  total: number;
};

export type CaseSearch = {
  cases: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    itemName: string;
    department: string;
    status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
    channel: "online" | "window";
    supervisionState: null | ("normal" | "warning" | "overdue" | "statutory-overdue");
    filedAt: string;
    acceptedAt: string | null;
    promisedDeadline: string | null;
    deadlineProvisional: boolean | null;
    decidedAt: string | null;
    decision: string | null;
    applicant: {
      name: string | null;
    };
  }[];
  page: number;
  pageSize: number;
  total: number;
};

export type HeldCertificates = {
  /** false when the e-certificate platform is not configured */
  available: boolean;
  certificates: {
    number: string;
    type: string;
    holderName: string;
    issuer: string;
    validFrom: string;
    validUntil: string | null;
  }[];
};

export type Inbox = {
  tasks: {
    taskId: string;
    /** 统一办件编号: 22 digits */
    caseNo: string;
    kind: "precheck" | "review" | "lead-decision" | "extension" | "handover" | "follow-up" | "face-check" | "manual";
    stepId: string;
    stepName: string;
    department: string;
    role: string;
    status: "open" | "done" | "cancelled";
    assignee: string | null;
    actions: ("accept" | "reject" | "approve" | "return" | "correction" | "suspend" | "refuse" | "void" | "handover" | "answer" | "retry" | "skip")[];
    detail: null | {
      [key: string]: unknown;
    };
    outcome: null | {
      action?: string;
      opinion?: string;
      by?: string;
      problems?: string[];
      [key: string]: unknown;
    };
    dueAt: string | null;
    createdAt: string;
    closedAt: string | null;
    /** the assignee's name; null when unclaimed */
    assigneeName: string | null;
    itemName: string;
    itemCode: string;
    supervisionState: null | ("normal" | "warning" | "overdue" | "statutory-overdue");
  }[];
  counts: {
    total: number;
    overdue: number;
    soon: number;
  };
};

export type TaskCompleted = {
  taskId: string;
  action: "accept" | "reject" | "approve" | "return" | "correction" | "suspend" | "refuse" | "void" | "handover" | "answer" | "retry" | "skip";
  status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
};

export type SupervisedCases = {
  cases: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    itemName: string;
    department: string;
    status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
    supervisionState: "normal" | "warning" | "overdue" | "statutory-overdue";
    promisedDeadline: string | null;
    statutoryDeadline: string | null;
    deadlineProvisional: boolean | null;
  }[];
};

export type SupervisionEvents = {
  events: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    scope: string;
    stepId: string | null;
    level: string;
    cause: string | null;
    department: string;
    deadline: string | null;
    at: string;
    /** 模拟审批: raised during a simulated review (its time is counted apart from the formal time) */
    simulated?: boolean;
  }[];
};

export type Indicators = {
  by: "department" | "item" | "step" | "handler";
  from: string;
  to: string;
  rows: {
    [key: string]: unknown;
  }[];
};

export type StuckCases = {
  scanned: number;
  method: "reported-problems" | "describe";
  cases: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    startTime: string;
    attempts: number;
    since: string | null;
  }[];
};

export type StoppedCases = {
  scanned: number;
  cases: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    ended: "terminated" | "failed" | "timed-out" | "canceled";
    endedAt: string | null;
    caseStatus: string | null;
    itemName: string | null;
    department: string | null;
    runId: string;
  }[];
};

export type Revived = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  runId: string;
  resetTo: number;
  /** the case, running again, holds every task the inboxes show open (false: it is still catching up after 15 s) */
  caughtUp: boolean;
};

export type WorkflowList = {
  query: string;
  workflows: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    runId: string;
    status: string;
    startTime: string;
    closeTime: string | null;
    /** listed from the visibility archive: the cluster no longer holds the run */
    archived: boolean;
  }[];
  archive: {
    /** not-asked: archived=exclude; disabled: the server archives no visibility records; read: the archive was read */
    state: "not-asked" | "disabled" | "read";
    query: string | null;
    scanned: number;
    listed: number;
    more: boolean;
    /** why the archived part is empty (the server's words) */
    detail?: string;
  };
};

export type UrgeSent = {
  urgeId: string;
};

export type OrderCreated = {
  id: string;
  kind: "correction" | "complaint";
};

export type OrderList = {
  orders: {
    id: string;
    kind: "urge" | "correction" | "complaint";
    content: string;
    by: string;
    status: string;
    createdAt: string;
  }[];
};

export type Verification = {
  number: string;
  verdict: "genuine" | "tampered" | "revoked" | "expired" | "unknown";
  detail: string;
};

export type CallbackAck = {
  accepted: true;
  /** the event id was applied before */
  duplicate?: true;
  /** an event type or state this platform does not act on */
  ignored?: string;
  /** province.case-filed: the case filed here */
  caseNo?: string;
  /** province.case-filed: false when the provincial case was filed here before */
  created?: boolean;
};

export type NewApiKey = {
  id: string;
  name: string;
  /** "ApiKey <id>.<token>", shown once */
  token: string;
  /** shown once */
  signingSecret: string;
  scopes: ("cases:file" | "cases:read" | "webhooks")[];
  ratePerMinute: number;
};

export type ApiKeyList = {
  keys: {
    id: string;
    name: string;
    scopes: ("cases:file" | "cases:read" | "webhooks")[];
    ratePerMinute: number;
    createdBy: string;
    createdAt: string;
    revokedAt: string | null;
    lastUsedAt: string | null;
  }[];
};

export type NewWebhook = {
  id: string;
  url: string;
  events: string[];
  /** signs each delivery; shown once */
  secret: string;
};

export type WebhookList = {
  webhooks: {
    id: string;
    url: string;
    events: string[];
    active: boolean;
    createdAt: string;
  }[];
};

export type DeliveryList = {
  deliveries: {
    id: string | number;
    eventId: string;
    eventType: string;
    caseNo: string | null;
    state: string;
    attempts: number;
    lastStatus: number | null;
    lastError: string | null;
    nextAttemptAt: string | null;
    deliveredAt: string | null;
    attemptLog: {
      deliveryId: string | number;
      at: string;
      status: number | null;
      error: string | null;
      durationMs: number | null;
    }[];
  }[];
};

export type AuditLog = {
  entries: {
    seq: string | number;
    at: string;
    actor: string;
    action: string;
    caseNo: string | null;
    detail: unknown;
    hash: string | null;
  }[];
};

export type ChecklistEntry = {
  materialId: string;
  name: string;
  required: boolean;
  certificateType: string | null;
  state: "paper" | "uploaded" | "certificate" | "missing";
  /** null: nobody recorded it; the state follows from the files or the e-certificate the case fetched */
  setBy: string | null;
  setAt: string | null;
  certificateNo: string | null;
  /** why the case was accepted while this required material was missing */
  waiverReason: string | null;
  files: StoredFile[];
};

export type StoredFile = {
  id: string;
  fileName: string;
  contentType: "application/pdf" | "image/jpeg" | "image/png";
  size: number;
  sha256: string;
  uploadedAt: string;
};

export type Checklist = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  materials: ChecklistEntry[];
  /** required materials still missing: accepting needs a recorded reason while this is not empty */
  missingRequired: string[];
  /** files of correction replies, each beside the problem of the notice it answers */
  corrections: {
    id: string;
    fileName: string;
    contentType: "application/pdf" | "image/jpeg" | "image/png";
    size: number;
    sha256: string;
    uploadedAt: string;
    materialId: string | null;
    answersProblem: string;
    repliedAt: string;
  }[];
  otherFiles: {
    id: string;
    fileName: string;
    contentType: "application/pdf" | "image/jpeg" | "image/png";
    size: number;
    sha256: string;
    uploadedAt: string;
    materialName: string;
  }[];
};

export type DocumentView = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  kind: "receipt" | "accept" | "correction" | "reject" | "approval" | "refusal" | "service";
  title: string;
  number: string;
  issuedAt: string;
  issuedBy: string;
  issuer: {
    department: string;
    name: string;
  };
  applicant: {
    name: string;
    idNumber: string;
    kind?: "person" | "legal_person";
  };
  itemName: string;
  filedAt: string;
  channel: "online" | "window";
  acceptedAt?: string | null;
  promisedLimitDays?: number | null;
  statutoryLimitDays?: number | null;
  promisedDeadline?: string | null;
  problems?: string[];
  replyBy?: string | null;
  reasons?: string;
  decision?: {
    outcome: string;
    opinion: string;
    at: string;
    by: string | null;
  };
  materials?: {
    name: string;
    required: boolean;
  }[];
  uploaded?: {
    materialName: string;
    fileName: string;
  }[];
  served?: {
    title: string;
    number: string | null;
  };
  delivery?: {
    method: string;
    at: string | null;
    waybillNo: string | null;
  };
  certificateNo?: string | null;
  window?: null | {
    name: string;
    address: string;
    hours: string;
    phone?: string;
  };
  supervisionPhone?: string | null;
  content: {
    caseLine: string;
    blocks: ({
      kind: "paragraph";
      spans: {
        text: string;
        strong?: boolean;
        underline?: boolean;
      }[];
      indent?: boolean;
      small?: boolean;
    } | {
      kind: "heading";
      text: string;
    } | {
      kind: "list";
      items: string[];
    } | {
      kind: "reasons";
      text: string;
    } | {
      kind: "table";
      rows: {
        label: string;
        value: string;
        signLine?: boolean;
      }[];
    })[];
    sealText: string;
    issuedOn: string;
  };
};

export type CaseDocuments = {
  documents: {
    kind: "receipt" | "accept" | "correction" | "reject" | "approval" | "refusal" | "service";
    title: string;
    number: string;
    issuedAt: string;
  }[];
};

export type HandledTasks = {
  tasks: {
    taskId: string;
    /** 统一办件编号: 22 digits */
    caseNo: string;
    kind: "precheck" | "review" | "lead-decision" | "extension" | "handover" | "follow-up" | "face-check" | "manual";
    stepName: string;
    role: string;
    action: null | ("accept" | "reject" | "approve" | "return" | "correction" | "suspend" | "refuse" | "void" | "handover" | "answer" | "retry" | "skip");
    opinion: string | null;
    closedAt: string | null;
    itemName: string;
    status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
    applicant: {
      name: string | null;
    };
  }[];
  page: number;
  pageSize: number;
  total: number;
};

export type FinishedCases = {
  cases: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    itemName: string;
    department: string;
    status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
    decision: string | null;
    channel: "online" | "window";
    filedAt: string;
    decidedAt: string | null;
    completedAt: string | null;
    applicant: {
      name: string | null;
    };
  }[];
  page: number;
  pageSize: number;
  total: number;
};

export type MyCases = {
  cases: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    itemName: string;
    status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
    channel: "online" | "window";
    filedAt: string;
    promisedDeadline: string | null;
    decision: string | null;
    rated: boolean;
    /** what the applicant does next (the web app words it) */
    nextStep: "correct" | "pay" | "receive" | "rate" | "wait" | "none";
  }[];
  page: number;
  pageSize: number;
  total: number;
};

export type Draft = {
  id: string;
  implementationCode: string;
  itemName: string;
  applicant: {
    kind?: "person" | "legal_person";
    name?: string;
    idNumber?: string;
    phone?: string;
  };
  /** the form as typed so far (incomplete allowed) */
  formData: {
    [key: string]: unknown;
  };
  createdAt: string;
  updatedAt: string;
};

export type DraftList = {
  drafts: {
    id: string;
    implementationCode: string;
    itemName: string;
    applicantName: string | null;
    createdAt: string;
    updatedAt: string;
  }[];
};

export type AuditChainCheck = {
  ok: boolean;
  rows: number;
  /** every row that does not verify (at most 1000) */
  breaks: {
    seq: number;
    reason: "content-changed" | "link-broken" | "downgraded" | "checkpoint-mismatch";
  }[];
  breakCount: number;
  brokenAt?: {
    seq: number;
    reason: "content-changed" | "link-broken" | "downgraded" | "checkpoint-mismatch";
  };
  gaps: {
    from: number;
    to: number;
  }[];
  truncatedTail?: {
    lastSeq: number;
    checkpointSeq: number;
    checkpointAt: string;
  };
  /** line numbers of checkpoints whose signature does not verify */
  forgedCheckpoints: number[];
  checkpoint: null | {
    seq: number;
    at: string;
  };
  lastHash: string | null;
};

export type OpenDataField = {
  name: string;
  title: string;
  type: "string" | "integer" | "number" | "date-time";
  description: string;
};

export type OpenDataIndex = {
  publisher: string;
  licence: string;
  datasets: {
    id: "catalogue" | "statistics";
    title: string;
    description: string;
    formats: ("json" | "csv")[];
    urls: {
      json: string;
      csv: string;
    };
    months?: string[];
    fields: OpenDataField[];
  }[];
};

export type OpenDataCatalogue = {
  dataset: "catalogue";
  publisher: string;
  licence: string;
  fields: OpenDataField[];
  rows: {
    implementationCode: string;
    name: string;
    itemCode: string;
    itemName: string;
    itemType: string;
    department: string;
    departmentName: string;
    level: string;
    version: number;
    publishedAt: string | null;
    caseType: string | null;
    statutoryLimitDays: number | null;
    promisedLimitDays: number | null;
    feeFen: number;
    materials: string;
    windows: string;
  }[];
};

export type OpenDataStatistics = {
  dataset: string;
  publisher: string;
  licence: string;
  month: string;
  fields: OpenDataField[];
  rows: {
    month: string;
    grouping: "department" | "item";
    code: string;
    name: string;
    /** null: 1 to 4 cases (suppressed) */
    received: number | null;
    accepted: number | null;
    completed: number | null;
    /** null: fewer than 5 completed */
    onTimeRate: number | null;
    averageWorkingDays: number | null;
    /** null: fewer than 5 ratings */
    satisfaction: number | null;
  }[];
};

/** UTF-8 CSV with a byte-order mark: a header row of the fields' Chinese titles, then the rows; suppressed cells read "<5" */
export type OpenDataCsv = string;

export type ArchivePackages = {
  packages: {
    /** 统一办件编号: 22 digits */
    caseNo: string;
    department: string;
    itemCode: string;
    files: number;
    bytes: number;
    manifestSm3: string;
    keyId: string;
    archivedAt: string;
  }[];
};

export type ExchangeStatus = {
  outbox: {
    pending: number;
    delivered: number;
    refused: number;
  };
  refused: {
    nodeId: string;
    /** 统一办件编号: 22 digits */
    caseNo: string;
    node: string;
    attempts: number;
    lastError: string | null;
  }[];
  reconciliations: {
    day: string;
    localCount: number;
    remoteCount: number;
    /** node ids delivered here and not held there (queued again) */
    missing: string[];
    checkedAt: string;
  }[];
};

/** the document as an A4 PDF (fonts embedded), sent as an attachment named after its title and number */
export type DocumentPdfFile = string;

/** the package as a POSIX tar (pax) file: its files under a folder named by the case number, with manifest.json and manifest.sig */
export type ArchivePackageFile = string;

export type ArchiveVerification = {
  caseNo: null | string;
  verdict: "intact" | "tampered";
  sealValid: boolean;
  keyId: string | null;
  keyProblem: string | null;
  files: number;
  /** files whose SM3 digest or size differs from the manifest (manifest.json itself when its seal does not verify) */
  changed: string[];
  missing: string[];
  /** files in the package the manifest does not list */
  unexpected: string[];
};

export type HallList = {
  halls: {
    code: string;
    name: string;
    address: string;
  }[];
};

export type Hall = {
  code: string;
  name: string;
  address: string;
  categories: {
    code: string;
    name: string;
    slotCapacity: number;
    hours: string;
    items: {
      code: string;
      name: string;
    }[];
  }[];
  windows: {
    number: number;
    name: string;
    categories: string[];
  }[];
};

export type AppointmentSlots = {
  hall: string;
  category: string;
  days: {
    date: string;
    workingDay: boolean;
    slots: {
      start: string;
      end: string;
      capacity: number;
      booked: number;
      left: number;
    }[];
  }[];
};

export type Appointment = {
  id: string;
  code: string;
  hall: string;
  category: string;
  implementationCode: string;
  slotStart: string;
  slotEnd: string;
  status: "booked" | "cancelled" | "arrived" | "no_show";
  phone: string;
  smsSent: boolean;
  createdAt: string;
};

export type AppointmentList = {
  appointments: Appointment[];
};

export type Ticket = {
  id: string;
  hall: string;
  number: string;
  category: string;
  categoryName: string;
  implementationCode: string | null;
  itemName: string | null;
  priority: "none" | "elderly" | "disabled" | "pregnant";
  source: "desk" | "kiosk";
  applicantName: string | null;
  status: "waiting" | "called" | "done" | "no_show";
  window: number | null;
  targetWindow: number | null;
  calls: number;
  transfers: number;
  issuedAt: string;
  calledAt: string | null;
  finishedAt: string | null;
  waitMs: number;
  serviceMs: number;
  appointment: null | {
    code: string;
    slotStart: string;
    prioritised: boolean;
  };
  caseNo: null | string;
  waitingAhead: number;
  rated: boolean;
};

export type HallWindow = {
  hall: string;
  window: number;
  name: string;
  categories: string[];
  waiting: number;
  current: null | Ticket;
  windows: {
    number: number;
    name: string;
  }[];
};

export type TicketCalled = {
  ticket: null | Ticket;
};

export type HallScreen = {
  hall: string;
  name: string;
  version: number;
  at: string;
  calls: {
    number: string;
    window: number;
    windowName: string;
    recall: boolean;
    at: string;
  }[];
  waiting: {
    category: string;
    name: string;
    waiting: number;
  }[];
};

export type HallIndicators = {
  by: "hall" | "window" | "item";
  from: string;
  to: string;
  rows: {
    hall: string;
    window?: number | null;
    implementationCode?: string | null;
    tickets: number;
    called: number;
    served: number;
    noShows: number;
    avgWaitMinutes: number | null;
    p90WaitMinutes: number | null;
    waitOver20Share: number | null;
    avgServiceMinutes: number | null;
    p90ServiceMinutes: number | null;
    serviceOver20Share: number | null;
    evaluations: number;
    satisfiedShare: number | null;
    appointmentNoShows: number | null;
  }[];
};

export type KioskCase = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  itemName: string;
  status: "filed" | "prechecking" | "awaiting_correction" | "in_review" | "special_procedure" | "awaiting_payment" | "issuing" | "delivering" | "completed" | "not_accepted" | "withdrawn" | "voided" | "closed" | "awaiting_precondition" | "lapsed";
  applicantName: string;
  filedAt: string;
  promisedDeadline: string | null;
  completedAt: string | null;
  kioskPickup: boolean;
};

export type KioskPickup = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  itemName: string;
  collectedAt: string;
  certificate: null | {
    number: string;
    name: string;
    holderName: string;
    issuer: string;
    issuedAt: string;
    validUntil: string | null;
  };
};

export type PickupCode = {
  /** 统一办件编号: 22 digits */
  caseNo: string;
  code: string;
  collected: boolean;
};
