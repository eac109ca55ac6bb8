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

async function factsOf(s: Statements, caseNos: string[]): Promise<Map<string, CaseFacts>> {
  const rows = await s.rows<CaseRow>(s.q('cases as c')
    .join('departments as d', 'd.code', 'c.department_code')
    .leftJoin('case_filings as f', 'f.case_no', 'c.case_no')
    .whereIn('c.case_no', caseNos)
    .select<CaseRow[]>('c.case_no', 'c.item_code', 'c.item_name', 'c.implementation_code', 'c.department_code', 'd.name as department_name', 'd.region_code', 'c.applicant', 'c.channel',
      'c.promised_limit_days', 'c.statutory_limit_days', 'c.promised_deadline', 'c.statutory_deadline', 'f.idempotency_key'));
  return new Map(rows.map((r) => [r.case_no, {
    caseNo: r.case_no,
    provincialCaseNo: r.idempotency_key?.startsWith(provincialFilingPrefix) ? r.idempotency_key.slice(provincialFilingPrefix.length) : null,
    itemCode: r.item_code, itemName: r.item_name, implementationCode: r.implementation_code,
    department: { code: r.department_code, name: r.department_name, divisionCode: r.region_code },
    applicant: { kind: r.applicant.kind, name: r.applicant.name ?? '', idNumber: r.applicant.idNumber ?? '' },
    channel: r.idempotency_key?.startsWith(provincialFilingPrefix) ? 'province' : r.channel,
    promisedLimitDays: r.promised_limit_days, statutoryLimitDays: r.statutory_limit_days,
    promisedDeadline: iso(r.promised_deadline), statutoryDeadline: iso(r.statutory_deadline),
  }]));
}

/** The department that handled a node: the task's, the dispatched department's, else the case's own. */
async function handlerOf(s: Statements, caseNo: string, facts: CaseFacts, n: { taskId?: string; stepId?: string }): Promise<{ code: string; name: string }> {
  let code: string | undefined;
  if (n.taskId) code = (await s.rows<{ department_code: string }>(s.q('tasks').where({ id: n.taskId }).select('department_code').limit(1)))[0]?.department_code;
  else if (n.stepId) code = (await s.rows<{ department_code: string }>(s.q('department_dispatches').where({ case_no: caseNo, step_id: n.stepId }).orderBy('round', 'desc').select('department_code').limit(1)))[0]?.department_code;
  if (!code || code === facts.department.code) return { code: facts.department.code, name: facts.department.name };
  const [d] = await s.rows<{ name: string }>(s.q('departments').where({ code }).select('name').limit(1));
  return { code, name: d?.name ?? code };
}

/** Queues the main nodes among `events` (already stored, in this transaction). */
export async function enqueueExchangeNodes(s: Statements, events: { caseNo: string; seq: number; type: string; at: string; payload?: Record<string, unknown> }[]): Promise<void> {
  const nodes = events.flatMap((ev) => {
    const n = nodeOf(ev.type, ev.payload ?? {});
    return n ? [{ ev, n }] : [];
  });
  if (nodes.length === 0) return;
  const facts = await factsOf(s, [...new Set(nodes.map((x) => x.ev.caseNo))]);
  const rows = [];
  for (const { ev, n } of nodes) {
    const f = facts.get(ev.caseNo);
    if (!f) continue; // no case row (cannot happen after a `filed` event): nothing to describe the node with
    const record = exchangeRecord(f, ev, n, await handlerOf(s, ev.caseNo, f, n));
    rows.push({ case_no: ev.caseNo, seq: ev.seq, node_id: record.nodeId, node: n.node, record: JSON.stringify(record), at: ev.at });
  }
  if (rows.length) await s.write(s.q('exchange_outbox').insert(rows).onConflict('node_id').ignore());
}
