/**
 * 同源发布: which case events are the main nodes (主要节点) the provincial platform receives, and
 * the record each becomes, with the fields provincial case-exchange schemes use (unified case
 * number, item code, implementing department and division code, applicant type with masked
 * identifiers, node name, handler's department, time, result, opinion, promised and statutory
 * limits). Pure functions; `outbox.ts` writes the records in the projection's transaction.
 */
import { maskIdNumber, maskText } from '../privacy';

/** The nodes, with the name the provincial side shows. */
export const nodeNames = {
  filed: '申请',
  accepted: '受理',
  'not-accepted': '不予受理',
  review: '审查',
  suspended: '挂起',
  resumed: '恢复',
  decided: '决定',
  'fee-paid': '缴费',
  'certificate-issued': '制证',
  delivered: '送达',
  completed: '办结',
  withdrawn: '撤回',
  voided: '作废',
  evaluated: '评价',
} as const;

export type NodeCode = keyof typeof nodeNames;

/** The task kinds whose completion is a review step's result (pre-check, hand-over, follow-up … are not). */
const reviewKinds = new Set(['review', 'lead-decision']);

export interface NodeOf {
  node: NodeCode;
  result: string | null;
  opinion: string | null;
  /** A task whose department handled the node, or a step dispatched to a department's system. */
  taskId?: string;
  stepId?: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);

/** The node a case event is, or null when it is not a main node. */
export function nodeOf(type: string, payload: Record<string, unknown>): NodeOf | null {
  const p = payload;
  switch (type) {
    case 'filed': return { node: 'filed', result: null, opinion: null };
    case 'accepted':
    case 'auto-accepted': return { node: 'accepted', result: 'accepted', opinion: type === 'auto-accepted' ? text(p.rule) : null };
    case 'not-accepted': return { node: 'not-accepted', result: 'not-accepted', opinion: text(p.reason) };
    case 'task-completed':
      if (!reviewKinds.has(String(p.kind))) return null;
      return { node: 'review', result: text(p.action), opinion: text(p.opinion), taskId: text(p.taskId) ?? undefined };
    case 'department-result': return { node: 'review', result: text(p.outcome), opinion: text(p.opinion), stepId: text(p.stepId) ?? undefined };
    case 'special-procedure-started': return { node: 'suspended', result: 'special-procedure', opinion: text(p.reason) ?? text(p.type) };
    case 'correction-requested': return { node: 'suspended', result: 'correction', opinion: Array.isArray(p.problems) ? p.problems.filter((x) => typeof x === 'string').join('；') : null };
    case 'special-procedure-ended': return { node: 'resumed', result: 'special-procedure', opinion: text(p.result) };
    case 'correction-replied': return { node: 'resumed', result: 'correction', opinion: text(p.note) };
    case 'decided': return { node: 'decided', result: text(p.outcome), opinion: text(p.opinion) };
    case 'payment-received': return { node: 'fee-paid', result: typeof p.amountFen === 'number' ? String(p.amountFen) : null, opinion: null };
    case 'certificate-issued': return { node: 'certificate-issued', result: text(p.certificateNo), opinion: null };
    case 'delivered': return { node: 'delivered', result: text(p.method) ?? (p.waybillNo ? 'courier' : null), opinion: null };
    case 'completed': return { node: 'completed', result: null, opinion: null };
    case 'withdrawn': return { node: 'withdrawn', result: 'withdrawn', opinion: text(p.reason) };
    case 'voided': return { node: 'voided', result: 'voided', opinion: text(p.reason) };
    case 'evaluated': return { node: 'evaluated', result: typeof p.level === 'number' ? String(p.level) : null, opinion: text(p.comment) };
    default: return null;
  }
}

/** What the record needs of the case (from its read-model row). */
export interface CaseFacts {
  caseNo: string;
  provincialCaseNo: string | null;
  itemCode: string;
  itemName: string;
  implementationCode: string;
  department: { code: string; name: string; divisionCode: string };
  applicant: { kind: string; name: string; idNumber: string };
  channel: string;
  promisedLimitDays: number;
  statutoryLimitDays: number;
  promisedDeadline: string | null;
  statutoryDeadline: string | null;
}

/** One node as the provincial platform receives it. */
export interface ExchangeRecord {
  nodeId: string;
  caseNo: string;
  provincialCaseNo: string | null;
  seq: number;
  node: NodeCode;
  nodeName: string;
  itemCode: string;
  itemName: string;
  implementationCode: string;
  departmentCode: string;
  departmentName: string;
  divisionCode: string;
  applicantType: '自然人' | '法人';
  applicantName: string;
  applicantIdNumber: string;
  channel: string;
  handlerDepartmentCode: string;
  handlerDepartmentName: string;
  at: string;
  result: string | null;
  opinion: string | null;
  promisedLimitDays: number;
  statutoryLimitDays: number;
  promisedDeadline: string | null;
  statutoryDeadline: string | null;
}

/** A person's name as 张*, 欧阳** (the surname's first character kept). */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

export function nodeIdOf(caseNo: string, seq: number): string {
  return `${caseNo}-${seq}`;
}

export function exchangeRecord(c: CaseFacts, ev: { seq: number; at: string }, n: NodeOf, handler: { code: string; name: string }): ExchangeRecord {
  const legal = c.applicant.kind === 'legal_person';
  return {
    nodeId: nodeIdOf(c.caseNo, ev.seq),
    caseNo: c.caseNo,
    provincialCaseNo: c.provincialCaseNo,
    seq: ev.seq,
    node: n.node,
    nodeName: nodeNames[n.node],
    itemCode: c.itemCode,
    itemName: c.itemName,
    implementationCode: c.implementationCode,
    departmentCode: c.department.code,
    departmentName: c.department.name,
    divisionCode: c.department.divisionCode,
    applicantType: legal ? '法人' : '自然人',
    // A company's name is public (企业信用信息公示); a person's is masked.
    applicantName: legal ? c.applicant.name : maskName(c.applicant.name),
    applicantIdNumber: maskIdNumber(c.applicant.idNumber),
    channel: c.channel,
    handlerDepartmentCode: handler.code,
    handlerDepartmentName: handler.name,
    at: ev.at,
    result: n.result,
    opinion: n.opinion === null ? null : maskText(n.opinion).slice(0, 1000),
    promisedLimitDays: c.promisedLimitDays,
    statutoryLimitDays: c.statutoryLimitDays,
    promisedDeadline: c.promisedDeadline,
    statutoryDeadline: c.statutoryDeadline,
  };
}
