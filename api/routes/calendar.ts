/** Calendar routes: working-day answers for anyone; import and correction for administrators. */
import type { Client } from '@temporalio/client';
import { Router, type Request } from 'express';
import { correctDay, getYear, importYear, loadCalendar } from '../../lib/calendar/store';
import type { CalendarDay } from '../../lib/calendar/working-days';
import type { Db } from '../../lib/db';
import { badRequest } from '../../lib/errors';
import { staffActor } from '../staff';
import { bodyValidator } from '../validate';

const yearBody = bodyValidator<{ source: string; days: CalendarDay[] }>('YearRequest', {
  type: 'object', additionalProperties: false, required: ['source', 'days'],
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 500 },
    days: {
      type: 'array', maxItems: 366,
      items: {
        type: 'object', additionalProperties: false, required: ['date', 'kind', 'name'],
        properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, kind: { enum: ['holiday', 'workday'] }, name: { type: 'string', minLength: 1, maxLength: 100 } },
      },
    },
  },
});
const dayBody = bodyValidator<{ kind: CalendarDay['kind'] | 'normal'; name: string }>('DayRequest', {
  type: 'object', additionalProperties: false, required: ['kind', 'name'],
  properties: { kind: { enum: ['holiday', 'workday', 'normal'] }, name: { type: 'string', minLength: 1, maxLength: 100 } },
});

function instantParam(req: Request, name: string): Date {
  const raw = req.query[name];
  const d = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(raw) ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw badRequest(`${name} must be an ISO 8601 instant, e.g. 2026-09-18T10:00:00+08:00`);
  return d;
}

function yearParam(raw: string): number {
  const y = Number(raw);
  if (!Number.isInteger(y) || y < 2000 || y > 2100) throw badRequest('year must be between 2000 and 2100');
  return y;
}

/**
 * Running cases are told when the calendar changes from `from` on: a workflow signals each open
 * case whose clock the change touches, and the answer names it. The change is already stored; if
 * this fails the request fails, and repeating it (the same import or correction) tells them again.
 */
async function tellRunningCases(deps: { client: Client; taskQueue: string }, from: string, reason: string): Promise<{ workflowId: string }> {
  const workflowId = `calendar-change-${from}-${Date.now()}`;
  await deps.client.workflow.start('calendarChangeWorkflow', { taskQueue: deps.taskQueue, workflowId, args: [{ from, reason }] });
  return { workflowId };
}

export function calendarRoutes(deps: { db: Db; client: Client; taskQueue: string }): Router {
  const { db } = deps;
  const r = Router();

  const requireAdmin = (req: Request) => staffActor(req, ['catalogue-admin']);

  r.get('/calendar/add', async (req, res) => {
    const from = instantParam(req, 'from');
    const days = Number(req.query.days);
    if (!Number.isInteger(days) || days < 0 || days > 1000) throw badRequest('days must be a whole number from 0 to 1000');
    const result = (await loadCalendar(db)).addWorkingDays(from, days);
    res.json({ from: from.toISOString(), days, deadline: result.value.toISOString(), provisional: result.provisional });
  });

  r.get('/calendar/between', async (req, res) => {
    const from = instantParam(req, 'from');
    const to = instantParam(req, 'to');
    if (to < from) throw badRequest('to must not be before from');
    if (to.getTime() - from.getTime() > 20 * 366 * 86_400_000) throw badRequest('the span is longer than twenty years');
    const result = (await loadCalendar(db)).workingDaysBetween(from, to);
    res.json({ from: from.toISOString(), to: to.toISOString(), workingDays: result.value, provisional: result.provisional });
  });

  r.get('/calendar/:year', async (req, res) => {
    res.json(await getYear(db, yearParam(req.params.year)));
  });

  r.put('/calendar/:year', async (req, res) => {
    const actor = requireAdmin(req);
    const year = yearParam(req.params.year);
    const body = yearBody(req.body);
    await importYear(db, year, body.source, body.days, actor.userId);
    const recompute = await tellRunningCases(deps, `${year}-01-01`, `导入${year}年工作日历：${body.source}`);
    res.json({ ...(await getYear(db, year)), recompute });
  });

  r.put('/calendar/days/:date', async (req, res) => {
    const actor = requireAdmin(req);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(req.params.date)) throw badRequest('date must be YYYY-MM-DD');
    const body = dayBody(req.body);
    try {
      await correctDay(db, req.params.date, body.kind, body.name, actor.userId);
    } catch (err) {
      if (err instanceof RangeError) throw badRequest(err.message);
      throw err;
    }
    const recompute = await tellRunningCases(deps, req.params.date, `更正${req.params.date}：${body.name}`);
    res.json({ ...(await getYear(db, Number(req.params.date.slice(0, 4)))), recompute });
  });

  return r;
}
