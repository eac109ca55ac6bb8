/**
 * The exchange outbox: the projection calls `enqueueExchangeNodes` with the case events it has
 * just stored, in the same transaction, so a node is queued for the provincial platform exactly
 * when the case recorded it (and a retried projection, which stores nothing new, queues nothing).
 * The dispatcher (dispatcher.ts) delivers them.
 */
import type { Statements } from '../statements';
import { exchangeRecord, nodeOf, type CaseFacts } from './nodes';

/** A case filed on the provincial portal is filed here with this idempotency key prefix. */
export const provincialFilingPrefix = 'province:';

interface CaseRow {
  case_no: string;
  item_code: string;
  item_name: string;
  implementation_code: string;
  department_code: string;
  department_name: string;
  region_code: string;
  applicant: { kind: string; name: string; idNumber: string };
  channel: string;
  promised_limit_days: number;
  statutory_limit_days: number;
  promised_deadline: Date | null;
  statutory_deadline: Date | null;
  idempotency_key: string | null;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** A department that handled a node (a task's, or a step's dispatched department), by task or step id. */
type Handlers = Record<string, { code: string; name: string }>;

/**
 * The cases' facts, with the departments that handled the given tasks and steps, in one statement:
 * a task's department, a step's latest dispatch (a department missing from `departments` is named by its code).
 */
async function factsOf(s: Statements, caseNos: string[], taskIds: string[], stepIds: string[]): Promise<Map<string, { facts: CaseFacts; tasks: Handlers; steps: Handlers }>> {
  const rows = await s.rows<CaseRow & { task_handlers: Handlers; step_handlers: Handlers }>(s.q('cases as c')
    .join('departments as d', 'd.code', 'c.department_code')
    .leftJoin('case_filings as f', 'f.case_no', 'c.case_no')
    .whereIn('c.case_no', caseNos)
    .select('c.case_no', 'c.item_code', 'c.item_name', 'c.implementation_code', 'c.department_code', 'd.name as department_name', 'd.region_code', 'c.applicant', 'c.channel',
      'c.promised_limit_days', 'c.statutory_limit_days', 'c.promised_deadline', 'c.statutory_deadline', 'f.idempotency_key',
      s.q.raw(`(select coalesce(json_object_agg(t.id, json_build_object('code', t.department_code, 'name', coalesce(td.name, t.department_code))), '{}')
          from tasks t left join departments td on td.code = t.department_code where t.case_no = c.case_no and t.id = any(?)) as task_handlers`, [taskIds]),
      s.q.raw(`(select coalesce(json_object_agg(x.step_id, json_build_object('code', x.department_code, 'name', coalesce(xd.name, x.department_code))), '{}')
          from (select distinct on (step_id) step_id, department_code from department_dispatches where case_no = c.case_no and step_id = any(?) order by step_id, round desc) x
          left join departments xd on xd.code = x.department_code) as step_handlers`, [stepIds])));
  return new Map(rows.map((r) => [r.case_no, {
    facts: {
      caseNo: r.case_no,
      provincialCaseNo: r.idempotency_key?.startsWith(provincialFilingPrefix) ? r.idempotency_key.slice(provincialFilingPrefix.length) : null,
      itemCode: r.item_code, itemName: r.item_name, implementationCode: r.implementation_code,
      department: { code: r.department_code, name: r.department_name, divisionCode: r.region_code },
      applicant: { kind: r.applicant.kind, name: r.applicant.name ?? '', idNumber: r.applicant.idNumber ?? '' },
      channel: r.idempotency_key?.startsWith(provincialFilingPrefix) ? 'province' : r.channel,
      promisedLimitDays: r.promised_limit_days, statutoryLimitDays: r.statutory_limit_days,
      promisedDeadline: iso(r.promised_deadline), statutoryDeadline: iso(r.statutory_deadline),
    },
    tasks: r.task_handlers,
    steps: r.step_handlers,
  }]));
}

/** The department that handled a node: the task's, the dispatched department's, else the case's own. */
function handlerOf(c: { facts: CaseFacts; tasks: Handlers; steps: Handlers }, n: { taskId?: string; stepId?: string }): { code: string; name: string } {
  const h = n.taskId ? c.tasks[n.taskId] : n.stepId ? c.steps[n.stepId] : undefined;
  if (!h || h.code === c.facts.department.code) return { code: c.facts.department.code, name: c.facts.department.name };
  return h;
}

/** Queues the main nodes among `events` (already stored, in this transaction). */
export async function enqueueExchangeNodes(s: Statements, events: { caseNo: string; seq: number; type: string; at: string; payload?: Record<string, unknown> }[]): Promise<void> {
  const nodes = events.flatMap((ev) => {
    const n = nodeOf(ev.type, ev.payload ?? {});
    return n ? [{ ev, n }] : [];
  });
  if (nodes.length === 0) return;
  const facts = await factsOf(s, [...new Set(nodes.map((x) => x.ev.caseNo))], nodes.flatMap((x) => (x.n.taskId ? [x.n.taskId] : [])), nodes.flatMap((x) => (x.n.stepId ? [x.n.stepId] : [])));
  const rows = [];
  for (const { ev, n } of nodes) {
    const f = facts.get(ev.caseNo);
    if (!f) continue; // no case row (cannot happen after a `filed` event): nothing to describe the node with
    const record = exchangeRecord(f.facts, ev, n, handlerOf(f, n));
    rows.push({ case_no: ev.caseNo, seq: ev.seq, node_id: record.nodeId, node: n.node, record: JSON.stringify(record), at: ev.at });
  }
  if (rows.length) await s.write(s.q('exchange_outbox').insert(rows).onConflict('node_id').ignore());
}
