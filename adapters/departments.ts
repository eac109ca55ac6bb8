/**
 * Department systems (部门自建系统): the accepted case is pushed to the department's own system
 * (申请及受理信息), once per case and step; the system answers later with signed callbacks
 * (`department.milestone`, `department.result`: 审批过程信息 / 结果信息). During pre-check a
 * synchronous verification may be asked for. Each department has its own URL and secret.
 * Where a callback may have been lost, the dispatch's status can be asked for: what the system
 * has so far for the case and step (null when it never received them).
 */
import { AdapterRefusal } from './errors';
import { PlatformHttp, idempotencyKey, type PlatformConfig } from './http';

export interface PushedCase {
  caseNo: string;
  stepId: string;
  /** The step's round when it runs again after a return (absent = 1): a new dispatch, to be reviewed again. */
  round?: number;
  itemCode: string;
  applicant: { kind: 'person' | 'legal-person'; name: string; idNumber: string };
  formData: Record<string, unknown>;
  acceptedAt: string;
}

export interface Receipt {
  receiptNo: string;
  department: string;
  receivedAt: string;
}

export interface VerificationItem {
  name: string;
  value: string;
}

export interface DepartmentVerification {
  ok: boolean;
  problems: { item: string; detail: string }[];
}

/** Data of the `department.milestone` / `department.result` callbacks, as the API's routes take it. */
export interface DepartmentCallbackData {
  caseNo: string;
  stepId: string;
  /** The round of the dispatch it is about, when more than 1. */
  round?: number;
  type: 'milestone' | 'result';
  milestone?: string;
  outcome?: 'approved' | 'refused';
  opinion?: string;
  at: string;
}

/** A dispatch as the department's system has it: its milestones so far and its result, once there is one. */
export interface DispatchStatus {
  caseNo: string;
  stepId: string;
  round: number;
  receiptNo: string;
  receivedAt: string;
  milestones: { milestone: string; at: string }[];
  result: { outcome: 'approved' | 'refused'; opinion: string; at: string } | null;
}

export interface DepartmentSystems {
  /** Received once per case and step: a repeat returns the same receipt. */
  pushCase(department: string, c: PushedCase): Promise<Receipt>;
  verify(department: string, v: { caseNo: string; items: VerificationItem[] }): Promise<DepartmentVerification>;
  /** What the department's system has for the case, step and round (absent = 1); null when it never received them. */
  dispatchStatus(department: string, d: { caseNo: string; stepId: string; round?: number }): Promise<DispatchStatus | null>;
}

/** Per department code: where its system is and the secret shared with it. */
export type DepartmentDirectory = Record<string, Omit<PlatformConfig, 'timeoutMs' | 'retry'>>;

export class DepartmentSystemsClient implements DepartmentSystems {
  private readonly clients = new Map<string, PlatformHttp>();

  constructor(
    private readonly directory: DepartmentDirectory,
    private readonly options: Pick<PlatformConfig, 'timeoutMs' | 'retry'> = {},
  ) {}

  private client(department: string): PlatformHttp {
    let c = this.clients.get(department);
    if (!c) {
      const config = this.directory[department];
      if (!config) throw new AdapterRefusal('departments', 'unknown-department', `部门 ${department} 未接入自建系统`);
      c = new PlatformHttp(`departments/${department}`, { ...config, ...this.options });
      this.clients.set(department, c);
    }
    return c;
  }

  async pushCase(department: string, c: PushedCase): Promise<Receipt> {
    return await this.client(department).call('POST', '/cases', { body: c, idempotencyKey: idempotencyKey('department.case', `${c.caseNo}:${c.stepId}${c.round && c.round > 1 ? `:${c.round}` : ''}`) });
  }

  async verify(department: string, v: { caseNo: string; items: VerificationItem[] }): Promise<DepartmentVerification> {
    return await this.client(department).call('POST', '/verify', { body: v });
  }

  async dispatchStatus(department: string, d: { caseNo: string; stepId: string; round?: number }): Promise<DispatchStatus | null> {
    try {
      const query = d.round && d.round > 1 ? { round: String(d.round) } : undefined;
      return await this.client(department).call('GET', `/cases/${encodeURIComponent(d.caseNo)}/steps/${encodeURIComponent(d.stepId)}`, { query });
    } catch (err) {
      // Only this code means "never received": a 404 of another kind (no such route on an older system) stays a refusal.
      if (err instanceof AdapterRefusal && err.code === 'dispatch-not-found') return null;
      throw err;
    }
  }
}
