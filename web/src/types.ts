/** The shapes of the API answers the app reads (only the fields it uses). */

export interface ItemSummary {
  code: string;
  name: string;
  itemCode: string;
  itemName: string;
  type: string;
  department: string;
  departmentName: string;
  level: string;
  version: number;
  caseType: 'instant' | 'promised';
  promisedLimitDays: number | null;
  online: boolean;
}

export interface Material {
  id: string;
  name: string;
  required: boolean;
  form?: string;
  copies?: number;
  certificateType?: string;
  note?: string;
}

export interface ProcessStep {
  type: 'task' | 'parallel' | 'department' | 'service';
  id: string;
  name: string;
  department?: string;
  role?: string;
  limitDays?: number;
  actions?: string[];
  lead?: string;
  join?: string;
  branches?: { id: string; name: string; steps: ProcessStep[] }[];
  system?: string;
  service?: string;
  when?: unknown;
}

export interface EntryBase {
  caseType: 'instant' | 'promised';
  statutoryLimitDays: number;
  promisedLimitDays?: number;
  materials: Material[];
  conditions?: string;
  fee?: { charged: boolean; amountFen?: number; standard?: string; basis?: string };
  visits?: number;
  authLevel?: string;
  online?: boolean;
  result?: { type: string; name: string };
  delivery: ('window' | 'courier' | 'kiosk')[];
  windows?: { name: string; address: string; hours?: string; phone?: string }[];
  supervisionPhone?: string;
  consultPhone?: string;
  process: { steps: ProcessStep[] };
  supervision?: { warnDaysLeft?: number; warnShareUsed?: number };
}

export interface Entry extends EntryBase {
  form: { key: string; version: number };
}

export interface Guide extends EntryBase {
  code: string;
  name: string;
  itemCode: string;
  itemName: string;
  type: string;
  legalBasis?: string;
  department: string;
  departmentName: string;
  version: number;
  form: { key: string; version: number; schema: Record<string, unknown>; uischema: Record<string, unknown> };
}

export interface Applicant {
  kind: 'person' | 'legal_person';
  name: string;
  idNumber: string;
  phone?: string;
}

export interface TaskRow {
  taskId: string;
  caseNo: string;
  kind: string;
  stepId: string;
  stepName: string;
  department: string;
  role: string;
  status: string;
  assignee: string | null;
  actions: string[];
  detail: Record<string, unknown> | null;
  outcome: { action?: string; opinion?: string; by?: string; problems?: string[]; [k: string]: unknown } | null;
  dueAt: string | null;
  createdAt: string;
  closedAt: string | null;
}

export interface CaseEvent {
  seq: number;
  type: string;
  at: string;
  actor: string | null;
  payload: Record<string, unknown>;
}

export interface CaseRecord {
  caseNo: string;
  implementationCode: string;
  implementationVersion: number;
  itemCode: string;
  itemName: string;
  department: string;
  status: string;
  channel: string;
  applicant: Applicant;
  formData: Record<string, unknown>;
  filedAt: string;
  acceptedAt: string | null;
  decision: string | null;
  statutoryDeadline: string | null;
  promisedDeadline: string | null;
  deadlineProvisional?: boolean;
  completedAt: string | null;
  events: CaseEvent[];
  tasks: TaskRow[];
}

export interface OpenTask {
  taskId: string;
  kind: string;
  stepId: string;
  stepName: string;
  department: string;
  role: string;
  actions: string[];
  assignee: string | null;
  returnTo?: string[];
  specialProcedures?: string[];
}

export interface LiveView {
  caseNo: string;
  status: string;
  decision: { outcome: string; opinion: string; by: string; at: string } | null;
  openTasks: OpenTask[];
  correction: { problems: string[]; requestedAt: string; replyBy: string; stage: string } | null;
  specialProcedure: { type: string; reason: string; expectedDays: number; stepId: string; startedAt: string } | null;
  clock: { acceptedAt: string | null; warningAt: string | null; statutoryLimitDays: number; promisedLimitDays: number; usedDays: number; running: boolean; statutoryDeadline: string | null; promisedDeadline: string | null; statutoryProvisional?: boolean; promisedProvisional?: boolean; extended: boolean };
  payment: { paymentId: string; amountFen: number; expiresAt: string; status: 'open' | 'paid' | 'expired' } | null;
  certificateNo: string | null;
  delivery: { method: string; waybillNo: string | null; deliveredAt: string | null } | null;
  evaluation: { level: number; comment?: string; at: string } | null;
  formData: Record<string, unknown>;
  supervision: { level: string; statutoryOverdue: boolean; steps: Record<string, string>; urges: { urgeId: string; message: string; replyBy: string; by: string; at: string; answer: { text: string; by: string; at: string } | null }[] };
}

export interface Department {
  code: string;
  name: string;
  level: string;
}
