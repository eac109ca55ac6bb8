/**
 * The service hall's routes (办事大厅): the hall's configuration and free appointment slots
 * (anyone), booking and cancelling (applicants), tickets from the front desk or a kiosk, the
 * window's calling (clerks of the hall), the big screen (JSON, or a live stream of server-sent
 * events for `Accept: text/event-stream`), 好差评 per ticket, the kiosk's case tracking and
 * certificate pick-up, and the hall indicators (supervisors).
 */
import { Router, type Request, type Response } from 'express';
import type { Notifier } from '../../adapters/messaging';
import { badRequest } from '../../lib/errors';
import { requireApplicant, requireStaff } from '../auth/principal';
import { caseNoParam, intQuery, queryString } from '../params';
import { completeTask, type CaseDeps } from '../services/cases';
import {
  bookAppointment, callNext, cancelAppointment, collectAtKiosk, evaluateTicket, finish, hallIndicators, hallsAmong, hallView, issueTicket, kioskTrack, linkCase, listHalls, myAppointments,
  noShow, pickupCode, recall, screenState, screenVersion, slotsOf, ticket, transfer, windowState, type AppointmentBody, type HallDeps, type HallIndicatorBy, type TicketBody,
} from '../services/hall';
import { jurisdictionDepartments } from '../services/supervision';
import { bodyValidator } from '../validate';

const idNumber = { type: 'string', pattern: '^[0-9]{17}[0-9X]$' };
const appointmentBody = bodyValidator<AppointmentBody>('AppointmentRequest', {
  type: 'object', additionalProperties: false, required: ['hall', 'category', 'implementationCode', 'slotStart', 'phone'],
  properties: {
    hall: { type: 'string', minLength: 1, maxLength: 32 }, category: { type: 'string', pattern: '^[A-Z]$' },
    implementationCode: { type: 'string', minLength: 1, maxLength: 64 }, slotStart: { type: 'string', format: 'date-time' }, phone: { type: 'string', pattern: '^1[3-9][0-9]{9}$' },
  },
});
const ticketBody = bodyValidator<TicketBody>('TicketRequest', {
  type: 'object', additionalProperties: false, required: ['hall', 'source'],
  properties: {
    hall: { type: 'string', minLength: 1, maxLength: 32 }, category: { type: 'string', pattern: '^[A-Z]$' }, implementationCode: { type: 'string', minLength: 1, maxLength: 64 },
    appointmentCode: { type: 'string', pattern: '^[0-9]{6}$' }, priority: { enum: ['none', 'elderly', 'disabled', 'pregnant'] }, source: { enum: ['desk', 'kiosk'] },
    applicant: { type: 'object', additionalProperties: false, required: ['idNumber', 'name'], properties: { idNumber, name: { type: 'string', minLength: 1, maxLength: 100 } } },
  },
});
const transferBody = bodyValidator<{ window: number }>('TicketTransferRequest', {
  type: 'object', additionalProperties: false, required: ['window'], properties: { window: { type: 'integer', minimum: 1, maximum: 999 } },
});
const linkBody = bodyValidator<{ caseNo: string }>('TicketCaseRequest', {
  type: 'object', additionalProperties: false, required: ['caseNo'], properties: { caseNo: { type: 'string', pattern: '^[0-9]{22}$' } },
});
const ticketRatingBody = bodyValidator<{ level: number; comment?: string }>('TicketEvaluationRequest', {
  type: 'object', additionalProperties: false, required: ['level'], properties: { level: { type: 'integer', minimum: 1, maximum: 5 }, comment: { type: 'string', maxLength: 1000 } },
});
const kioskTrackBody = bodyValidator<{ caseNo: string; idNumber: string }>('KioskTrackRequest', {
  type: 'object', additionalProperties: false, required: ['caseNo', 'idNumber'], properties: { caseNo: { type: 'string', pattern: '^[0-9]{22}$' }, idNumber },
});
const pickupBody = bodyValidator<{ code: string; idNumber: string }>('KioskPickupRequest', {
  type: 'object', additionalProperties: false, required: ['code', 'idNumber'], properties: { code: { type: 'string', pattern: '^[0-9]{8}$' }, idNumber },
});

export interface HallRouteDeps extends CaseDeps {
  notifier?: Notifier;
  /** The hall's clock (tests place the hall on a chosen day). */
  hallClock?: () => Date;
}

const hallParam = (raw: string) => {
  if (!/^[a-z0-9-]{1,32}$/.test(raw)) throw badRequest('a hall is named by its department code');
  return raw;
};
const windowParam = (raw: string) => {
  const n = Number(raw);
  if (!/^[0-9]{1,3}$/.test(raw) || n < 1) throw badRequest('a window is a number from 1 to 999');
  return n;
};
const clerk = (req: Request) => requireStaff(req, ['clerk']);

/** How often the screen's stream looks for new events, and sends a comment to keep the connection. */
const pollMs = 1000;
const keepAliveMs = 15_000;

export function hallRoutes(deps: HallRouteDeps): Router {
  const r = Router();
  const hall: HallDeps = { db: deps.db, now: deps.hallClock ?? (() => new Date()), notifier: deps.notifier };

  r.get('/hall/halls', async (_req, res) => { res.json(await listHalls(deps.db)); });
  r.get('/hall/halls/:hall', async (req, res) => { res.json(await hallView(deps.db, hallParam(req.params.hall))); });
  r.get('/hall/halls/:hall/slots', async (req, res) => {
    const category = queryString(req, 'category', { pattern: /^[A-Z]$/ });
    if (!category) throw badRequest('category is required', [{ pointer: '/query/category', detail: 'required' }]);
    const date = queryString(req, 'date', { pattern: /^\d{4}-\d{2}-\d{2}$/ }) ?? new Date(hall.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    if (Number.isNaN(Date.parse(date))) throw badRequest('date is not a real date', [{ pointer: '/query/date', detail: 'not a date' }]);
    res.json(await slotsOf(hall, hallParam(req.params.hall), category, date, intQuery(req, 'days', 7, 1, 14)));
  });

  // ---- appointments
  r.post('/hall/appointments', async (req, res) => {
    const me = requireApplicant(req);
    res.status(201).json(await bookAppointment(hall, me, appointmentBody(req.body)));
  });
  r.get('/hall/appointments', async (req, res) => {
    const me = requireApplicant(req);
    res.json(await myAppointments(hall, me.idNumber));
  });
  r.post('/hall/appointments/:id/cancel', async (req, res) => {
    const me = requireApplicant(req);
    res.json(await cancelAppointment(hall, me.idNumber, req.params.id));
  });

  // ---- tickets and calling
  r.post('/hall/tickets', async (req, res) => {
    const me = requireStaff(req, ['clerk', 'kiosk']);
    res.status(201).json(await issueTicket(hall, me, ticketBody(req.body)));
  });
  r.get('/hall/tickets/:id', async (req, res) => { res.json(await ticket(hall, req.params.id)); });
  r.post('/hall/tickets/:id/evaluation', async (req, res) => { res.status(201).json(await evaluateTicket(hall, req.params.id, ticketRatingBody(req.body))); });
  r.get('/hall/halls/:hall/windows/:window', async (req, res) => {
    res.json(await windowState(hall, clerk(req), hallParam(req.params.hall), windowParam(req.params.window)));
  });
  r.post('/hall/halls/:hall/windows/:window/call', async (req, res) => {
    res.json(await callNext(hall, clerk(req), hallParam(req.params.hall), windowParam(req.params.window)));
  });
  r.post('/hall/tickets/:id/recall', async (req, res) => { res.json(await recall(hall, clerk(req), req.params.id)); });
  r.post('/hall/tickets/:id/no-show', async (req, res) => { res.json(await noShow(hall, clerk(req), req.params.id)); });
  r.post('/hall/tickets/:id/finish', async (req, res) => { res.json(await finish(hall, clerk(req), req.params.id)); });
  r.post('/hall/tickets/:id/transfer', async (req, res) => {
    const me = clerk(req);
    res.json(await transfer(hall, me, req.params.id, transferBody(req.body).window));
  });
  r.post('/hall/tickets/:id/case', async (req, res) => {
    const me = clerk(req);
    res.json(await linkCase(hall, me, req.params.id, linkBody(req.body).caseNo));
  });

  // ---- the big screen: JSON, or a stream that sends the state again whenever the hall changes
  r.get('/hall/halls/:hall/screen', async (req, res) => {
    const code = hallParam(req.params.hall);
    const first = await screenState(hall, code);
    if (!(req.get('accept') ?? '').includes('text/event-stream')) {
      res.json(first);
      return;
    }
    stream(req, res, first.version, JSON.stringify(first), async (seen) => {
      const version = await screenVersion(deps.db, code);
      return version === seen ? undefined : { version, data: JSON.stringify(await screenState(hall, code)) };
    });
  });

  // ---- indicators
  r.get('/hall/indicators', async (req, res) => {
    const sup = requireStaff(req, ['supervisor']);
    const by = (queryString(req, 'by', { oneOf: ['hall', 'window', 'item'] }) ?? 'hall') as HallIndicatorBy;
    const parse = (name: string, fallback: Date) => {
      const raw = queryString(req, name, { max: 40 });
      if (raw === undefined) return fallback;
      const d = new Date(raw);
      if (Number.isNaN(d.getTime())) throw badRequest(`${name} must be an ISO 8601 date or instant`);
      return d;
    };
    const to = parse('to', hall.now());
    const from = parse('from', new Date(to.getTime() - 30 * 86_400_000));
    if (from >= to) throw badRequest('from must be before to');
    const halls = await hallsAmong(deps.db, await jurisdictionDepartments(deps.db, sup));
    res.json({ by, from: from.toISOString(), to: to.toISOString(), rows: await hallIndicators(deps.db, halls, by, { from, to }, hall.now()) });
  });

  // ---- the kiosk and the applicant's pick-up code
  r.post('/hall/kiosk/track', async (req, res) => {
    requireStaff(req, ['kiosk']);
    const body = kioskTrackBody(req.body);
    res.json(await kioskTrack(deps.db, body.caseNo, body.idNumber));
  });
  r.post('/hall/kiosk/pickups', async (req, res) => {
    const kiosk = requireStaff(req, ['kiosk']);
    const body = pickupBody(req.body);
    res.json(await collectAtKiosk(hall, kiosk, body, (taskId, actor) => completeTask(deps, taskId, actor, { action: 'handover', opinion: '申请人在自助服务终端凭取件码和身份证领取并打印' })));
  });
  r.post('/cases/:caseNo/pickup-code', async (req, res) => {
    const me = requireApplicant(req);
    res.json(await pickupCode(hall, me.idNumber, caseNoParam(req.params.caseNo)));
  });

  return r;
}

/** Server-sent events: the first state at once, then each new one, and a comment now and then so proxies keep the connection. */
function stream(req: Request, res: Response, version: number, first: string, next: (seen: number) => Promise<{ version: number; data: string } | undefined>): void {
  res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  res.write(`retry: 2000\nid: ${version}\ndata: ${first}\n\n`);
  let seen = version;
  let busy = false;
  let quiet = 0;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    next(seen).then((changed) => {
      if (changed) {
        seen = changed.version;
        quiet = 0;
        res.write(`id: ${changed.version}\ndata: ${changed.data}\n\n`);
      } else if ((quiet += pollMs) >= keepAliveMs) {
        quiet = 0;
        res.write(': still here\n\n');
      }
    }).catch(() => undefined).finally(() => { busy = false; });
  }, pollMs);
  req.on('close', () => clearInterval(timer));
}
