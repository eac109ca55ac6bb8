/**
 * The supervisors' reads (warning and overdue cases, events, indicators, all within their
 * jurisdiction) and the orders they write (urges, correction orders, complaints): the queries
 * behind `api/routes/supervision.ts`.
 */
import type { Db } from '../../lib/db';
import { caseIndicators, taskIndicators } from '../../lib/supervision/indicators';
import { jurisdictionPrefix, type StaffPrincipal } from '../auth/principal';

export interface Period {
  from: Date;
  to: Date;
}

/** The departments in the supervisor's jurisdiction, as a subquery. */
const inRegion = (db: Db, p: StaffPrincipal) => db('departments').where('region_code', 'like', `${jurisdictionPrefix(p)}%`).select('code');

/** The codes of the departments in the supervisor's jurisdiction. */
export async function jurisdictionDepartments(db: Db, p: StaffPrincipal): Promise<string[]> {
  return (await inRegion(db, p).pluck('code')) as string[];
}

/** Undecided cases at a supervision state in the jurisdiction, nearest promised deadline first (at most 200). */
export async function supervisedCases(db: Db, p: StaffPrincipal, state: 'warning' | 'overdue', department?: string) {
  const q = db('cases').where({ supervision_state: state }).whereNull('decided_at').orderBy('promised_deadline').limit(200)
    .whereIn('department_code', inRegion(db, p))
    .select('case_no as caseNo', 'item_name as itemName', 'department_code as department', 'status', 'supervision_state as supervisionState', 'promised_deadline as promisedDeadline', 'statutory_deadline as statutoryDeadline', 'deadline_provisional as deadlineProvisional');
  if (department !== undefined) void q.where('department_code', department);
  return q;
}

/** Supervision events in a period in the jurisdiction, newest first (at most 500). */
export async function supervisionEvents(db: Db, p: StaffPrincipal, period: Period, department?: string) {
  const q = db('supervision_events').whereIn('department_code', inRegion(db, p)).where('at', '>=', period.from).andWhere('at', '<', period.to).orderBy('at', 'desc').limit(500)
    .select('case_no as caseNo', 'scope', 'step_id as stepId', 'level', 'cause', 'department_code as department', 'deadline', 'at', 'simulated');
  if (department !== undefined) void q.where('department_code', department);
  return q;
}

/**
 * Indicator rows by department, item, step or handler. Departments, steps and handlers outside
 * the supervisor's jurisdiction are left out; items are province-wide codes whose figures span
 * the departments that run them.
 */
export async function indicators(db: Db, p: StaffPrincipal, by: 'department' | 'item' | 'step' | 'handler', period: Period): Promise<Record<string, unknown>[]> {
  const mine = new Set<string>(await jurisdictionDepartments(db, p));
  if (by === 'department' || by === 'item') {
    const rows = await caseIndicators(db, by, period);
    return by === 'department' ? rows.filter((r) => mine.has(String(r.department))) : rows;
  }
  const rows = await taskIndicators(db, by, period);
  const staffDept = by === 'handler' ? new Map<string, string>((await db('staff_users').select('id', 'department_code')).map((u: { id: string; department_code: string }) => [u.id, u.department_code])) : undefined;
  const inside = (r: Record<string, unknown>) => by === 'step' ? mine.has(String(r.step).split('/')[0]) : mine.has(staffDept?.get(String(r.handler)) ?? '');
  return rows.filter(inside);
}

/** Whether the case's first projection has landed in the read model. */
export async function isProjected(db: Db, caseNo: string): Promise<boolean> {
  return !!(await db('cases').where({ case_no: caseNo }).first<{ case_no: string } | undefined>('case_no'));
}

/** Records a refused supervision action in the audit log. */
export async function auditRefusal(db: Db, actor: string, action: string, caseNo: string, reason: string): Promise<void> {
  await db('audit_log').insert({ actor, action, case_no: caseNo, detail: JSON.stringify({ reason }) });
}

/** Records an urge sent to a case. */
export async function recordUrge(db: Db, u: { id: string; caseNo: string; message: string; by: string; department: string }): Promise<void> {
  await db('supervision_orders').insert({ id: u.id, case_no: u.caseNo, kind: 'urge', content: u.message, by: u.by, department_code: u.department });
}

/** Marks an urge answered. */
export async function markUrgeAnswered(db: Db, urgeId: string): Promise<void> {
  await db('supervision_orders').where({ id: urgeId }).update({ status: 'answered' });
}

/** A correction order or complaint on a case, with its audit row, in one transaction. */
export async function recordOrder(db: Db, o: { id: string; caseNo: string; kind: 'correction' | 'complaint'; content: string; by: string; department: string }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('supervision_orders').insert({ id: o.id, case_no: o.caseNo, kind: o.kind, content: o.content, by: o.by, department_code: o.department });
    await trx('audit_log').insert({ actor: o.by, action: `supervision.${o.kind}`, case_no: o.caseNo, detail: JSON.stringify({ id: o.id, content: o.content }) });
  });
}

/** Urges and orders on a case, oldest first. */
export async function ordersOf(db: Db, caseNo: string) {
  return db('supervision_orders').where({ case_no: caseNo }).orderBy('created_at').select('id', 'kind', 'content', 'by', 'status', 'created_at as createdAt');
}

/**
 * 模拟审批 indicators by item, over the simulated cases filed in the period in the jurisdiction:
 * how many are still simulating or waiting, converted (转正), lapsed or refused; the conversion
 * rate (converted ÷ (converted + lapsed)); the working days of the simulated review and of the
 * formal part (precondition → certificate); and the time saved per converted case: the simulated
 * review's days (what the applicant would have waited after the precondition without simulation)
 * minus the formal days. Supervision events are counted apart for the simulated and the formal time.
 */
export async function simulationIndicators(db: Db, p: StaffPrincipal, period: Period) {
  const rows = await db('cases as c')
    .whereNotNull('c.simulation_state').whereIn('c.department_code', inRegion(db, p))
    .where('c.filed_at', '>=', period.from).andWhere('c.filed_at', '<', period.to)
    .groupBy('c.item_code', 'c.item_name').orderBy('c.item_code')
    .select<Record<string, string | number | null>[]>(
      'c.item_code as itemCode', 'c.item_name as itemName',
      db.raw('count(*)::int as simulated'),
      db.raw("count(*) filter (where c.simulation_state in ('simulating','awaiting'))::int as pending"),
      db.raw("count(*) filter (where c.simulation_state = 'converting')::int as converting"),
      db.raw("count(*) filter (where c.simulation_state = 'converted')::int as converted"),
      db.raw("count(*) filter (where c.simulation_state = 'lapsed')::int as lapsed"),
      db.raw("count(*) filter (where c.simulation_state = 'refused')::int as refused"),
      db.raw('round(avg(c.simulated_days), 2)::float as "avgSimulatedDays"'),
      db.raw('round(avg(c.formal_days), 2)::float as "avgFormalDays"'),
      db.raw('round(avg(c.simulated_days - c.formal_days) filter (where c.formal_days is not null), 2)::float as "avgSavedDays"'),
      db.raw('(select count(*) from supervision_events e join cases x on x.case_no = e.case_no where x.item_code = c.item_code and x.simulation_state is not null and e.simulated and e.at >= ? and e.at < ?)::int as "eventsSimulated"', [period.from, period.to]),
      db.raw('(select count(*) from supervision_events e join cases x on x.case_no = e.case_no where x.item_code = c.item_code and x.simulation_state is not null and not e.simulated and e.at >= ? and e.at < ?)::int as "eventsFormal"', [period.from, period.to]),
    );
  return rows.map((r) => {
    const decided = Number(r.converted) + Number(r.lapsed);
    return { ...r, conversionRate: decided ? Math.round((Number(r.converted) / decided) * 1000) / 1000 : null };
  });
}
