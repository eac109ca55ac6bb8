/**
 * The service hall (办事大厅): its configuration as the pages read it, appointments (预约) against
 * a capacity per half-hour slot, queue tickets (排号/取号), calling to a window (叫号) with recall,
 * no-show, transfer and finish, the big screen's state, 好差评 per ticket, and the waiting and
 * service-time indicators. The hall's clock is a dependency (`now`), so tests can place the hall
 * on a chosen working day; every time the hall records comes from it.
 */
import crypto from 'node:crypto';
import type { Notifier } from '../../adapters/messaging';
import { loadCalendar } from '../../lib/calendar/store';
import type { Db } from '../../lib/db';
import { AppError, conflict, forbidden, notFound } from '../../lib/errors';
import { chinaDateOf, inPriorityWindow, isSlotStart, slotEnd, slotsOn, workdayHours, type OpeningRange } from '../../lib/hall/slots';
import { dayToIso, isoToDay } from '../../lib/calendar/working-days';
import type { StaffPrincipal } from '../auth/principal';

export interface HallDeps {
  db: Db;
  now: () => Date;
  /** Sends the appointment code by SMS; without it the booking stands and the code is shown only. */
  notifier?: Notifier;
}

export type Priority = 'none' | 'elderly' | 'disabled' | 'pregnant';

interface CategoryRow { hall_code: string; code: string; name: string; implementation_codes: string[]; entry_window: string; slot_capacity: number }
interface WindowRow { hall_code: string; number: number; name: string; categories: string[] }
interface TicketRow {
  id: string; hall_code: string; day: string; category: string; seq: number; number: string; implementation_code: string | null; appointment_id: string | null;
  priority: Priority; source: 'desk' | 'kiosk'; applicant_id: string | null; applicant_name: string | null; status: 'waiting' | 'called' | 'done' | 'no_show';
  window_number: number | null; target_window: number | null; calls: number; transfers: number; issued_at: Date; waiting_since: Date; called_at: Date | null;
  first_called_at: Date | null; finished_at: Date | null; wait_ms: string; service_ms: string; served_by: string | null; case_no: string | null;
}

const unprocessable = (code: string, detail: string, pointer: string) => new AppError(422, code, 'The submitted data is not valid', detail, [{ pointer, detail }]);

// ---- the hall's configuration

async function hallRow(db: Db, code: string) {
  const hall = await db('halls').where({ code }).first<{ code: string; name: string; address: string } | undefined>();
  if (!hall) throw notFound(`hall ${code.slice(0, 40)}`);
  return hall;
}

/** Each entry window's working-day hours as the published entries state them. */
async function entryWindowHours(db: Db, codes: string[]): Promise<Map<string, string>> {
  const rows = await db('implementation_versions').whereIn('implementation_code', codes).where({ state: 'published' }).orderBy('version', 'desc')
    .select<{ entry: { windows: { name: string; hours: string }[] } }[]>('entry');
  const hours = new Map<string, string>();
  for (const r of rows) for (const w of r.entry.windows) if (!hours.has(w.name)) hours.set(w.name, w.hours);
  return hours;
}

async function categoriesOf(db: Db, hall: string): Promise<CategoryRow[]> {
  return db('hall_categories').where({ hall_code: hall }).orderBy('code').select<CategoryRow[]>('*');
}

/** The halls, for the pages to choose from. */
export async function listHalls(db: Db) {
  return { halls: await db('halls').orderBy('code').select('code', 'name', 'address') };
}

/** A hall as the pages show it: categories with their items and opening hours, windows with what they serve. */
export async function hallView(db: Db, code: string) {
  const hall = await hallRow(db, code);
  const categories = await categoriesOf(db, code);
  const codes = categories.flatMap((c) => c.implementation_codes);
  const hours = await entryWindowHours(db, codes);
  const names = new Map<string, string>((await db('implementations as i').join('service_items as s', 's.code', 'i.item_code').whereIn('i.code', codes).select('i.code', 's.name'))
    .map((r: { code: string; name: string }) => [r.code, r.name]));
  const windows = await db('hall_windows').where({ hall_code: code }).orderBy('number').select<WindowRow[]>('*');
  return {
    ...hall,
    categories: categories.map((c) => ({
      code: c.code, name: c.name, slotCapacity: c.slot_capacity, hours: hours.get(c.entry_window) ?? '',
      items: c.implementation_codes.map((i) => ({ code: i, name: names.get(i) ?? i })),
    })),
    windows: windows.map((w) => ({ number: w.number, name: w.name, categories: w.categories })),
  };
}

async function categoryOf(db: Db, hall: string, category: string, pointer: string): Promise<CategoryRow & { ranges: OpeningRange[] }> {
  const c = await db('hall_categories').where({ hall_code: hall, code: category }).first<CategoryRow | undefined>();
  if (!c) throw unprocessable('no-such-category', `hall ${hall} has no category ${category}`, pointer);
  const hours = (await entryWindowHours(db, c.implementation_codes)).get(c.entry_window) ?? '';
  return { ...c, ranges: workdayHours(hours) };
}

// ---- appointments (预约)

/** Free places per slot of a category, day by day from `date`: working days only, past slots left out. */
export async function slotsOf(deps: HallDeps, hall: string, category: string, date: string, days: number) {
  await hallRow(deps.db, hall);
  const c = await categoryOf(deps.db, hall, category, '/query/category');
  const calendar = await loadCalendar(deps.db);
  const now = deps.now();
  const first = isoToDay(date);
  const out = [];
  for (let d = first; d < first + days; d++) {
    const iso = dayToIso(d);
    const starts = slotsOn(iso, c.ranges, calendar).filter((s) => s.getTime() > now.getTime());
    const booked = new Map<number, number>((await deps.db('appointment_slots').where({ hall_code: hall, category }).whereIn('slot_start', starts.length ? starts : [new Date(0)]).select('slot_start', 'booked'))
      .map((r: { slot_start: Date; booked: number }) => [r.slot_start.getTime(), r.booked]));
    out.push({
      date: iso, workingDay: calendar.isWorkingDay(d),
      slots: starts.map((s) => {
        const b = booked.get(s.getTime()) ?? 0;
        return { start: s.toISOString(), end: slotEnd(s).toISOString(), capacity: c.slot_capacity, booked: b, left: Math.max(0, c.slot_capacity - b) };
      }),
    });
  }
  return { hall, category, days: out };
}

export interface AppointmentBody { hall: string; category: string; implementationCode: string; slotStart: string; phone: string }

type AppointmentRow = { id: string; code: string; hall_code: string; category: string; implementation_code: string; slot_start: Date; applicant_id: string; applicant_name: string; phone: string; status: string; sms_message_id: string | null; created_at: Date; cancelled_at: Date | null; arrived_at: Date | null };

function appointmentView(a: AppointmentRow, now: Date) {
  const missed = a.status === 'booked' && slotEnd(a.slot_start).getTime() <= now.getTime();
  return {
    id: a.id, code: a.code, hall: a.hall_code, category: a.category, implementationCode: a.implementation_code, slotStart: a.slot_start.toISOString(), slotEnd: slotEnd(a.slot_start).toISOString(),
    status: missed ? 'no_show' : a.status, phone: a.phone.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2'), smsSent: a.sms_message_id !== null, createdAt: a.created_at.toISOString(),
  };
}

const pgCode = (err: unknown) => (err as { code?: string }).code;

/**
 * Books a place in a slot. The place is taken in one statement on the slot's row (insert, or add
 * one while below the capacity), so two bookings for the last place cannot both win: the
 * loser's statement finds the row full and answers 409 slot-full. The code goes by SMS after.
 */
export async function bookAppointment(deps: HallDeps, applicant: { idNumber: string; name: string }, body: AppointmentBody) {
  const { db } = deps;
  await hallRow(db, body.hall).catch(() => { throw unprocessable('no-such-hall', `no hall ${body.hall}`, '/hall'); });
  const c = await categoryOf(db, body.hall, body.category, '/category');
  if (!c.implementation_codes.includes(body.implementationCode)) throw unprocessable('item-not-in-category', `category ${body.category} does not take ${body.implementationCode}`, '/implementationCode');
  const start = new Date(body.slotStart);
  const calendar = await loadCalendar(db);
  if (!isSlotStart(start, c.ranges, calendar)) throw unprocessable('not-a-slot', `${body.slotStart} does not start a half-hour slot within the opening hours of a working day`, '/slotStart');
  if (start.getTime() <= deps.now().getTime()) throw unprocessable('slot-past', `the slot at ${body.slotStart} has begun or passed`, '/slotStart');
  let row: AppointmentRow;
  try {
    row = await db.transaction(async (trx) => {
      const taken = await trx.raw<{ rows: { booked: number }[] }>(
        `insert into appointment_slots (hall_code, category, slot_start, capacity, booked) values (?, ?, ?, ?, 1)
         on conflict (hall_code, category, slot_start) do update set booked = appointment_slots.booked + 1 where appointment_slots.booked < appointment_slots.capacity
         returning booked`, [body.hall, body.category, start, c.slot_capacity]);
      if (taken.rows.length === 0) throw conflict('slot-full', `the slot at ${body.slotStart} is fully booked; choose another`);
      for (let attempt = 0; ; attempt++) {
        const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
        try {
          const [inserted] = await trx('appointments').insert({
            id: crypto.randomUUID(), code, hall_code: body.hall, category: body.category, implementation_code: body.implementationCode, slot_start: start,
            applicant_id: applicant.idNumber, applicant_name: applicant.name, phone: body.phone, created_at: deps.now(),
          }).returning<AppointmentRow[]>('*');
          return inserted;
        } catch (err) {
          if (pgCode(err) === '23505' && String((err as { constraint?: string }).constraint) === 'appointments_code_unique' && attempt < 5) continue;
          throw err;
        }
      }
    });
  } catch (err) {
    // The capacity's check constraint (a slot with no places at all) and the one-booking-per-slot index.
    if (pgCode(err) === '23514') throw conflict('slot-full', `the slot at ${body.slotStart} takes no appointments`);
    if (pgCode(err) === '23505') throw conflict('already-booked', 'you already hold an appointment for this slot');
    throw err;
  }
  if (deps.notifier) {
    try {
      const hall = await hallRow(db, body.hall);
      const at = new Date(start.getTime() + 8 * 3_600_000).toISOString();
      const sent = await deps.notifier.sms({ phone: body.phone, template: 'hall-appointment', params: { code: row.code, hall: hall.name, time: `${at.slice(5, 7)}月${at.slice(8, 10)}日 ${at.slice(11, 16)}` } }, `appointment-${row.id}`);
      await db('appointments').where({ id: row.id }).update({ sms_message_id: sent.messageId });
      row.sms_message_id = sent.messageId;
    } catch {
      // The booking stands; the code is on the page and in 我的预约.
    }
  }
  return appointmentView(row, deps.now());
}

export async function myAppointments(deps: HallDeps, idNumber: string) {
  const rows = await deps.db('appointments').where({ applicant_id: idNumber }).orderBy('slot_start', 'desc').limit(50).select<AppointmentRow[]>('*');
  return { appointments: rows.map((r) => appointmentView(r, deps.now())) };
}

/** Cancels one's own booking before its slot begins; the place is free again. */
export async function cancelAppointment(deps: HallDeps, idNumber: string, id: string) {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound(`appointment ${id.slice(0, 40)}`);
  return deps.db.transaction(async (trx) => {
    const a = await trx('appointments').where({ id, applicant_id: idNumber }).forUpdate().first<AppointmentRow | undefined>();
    if (!a) throw notFound(`appointment ${id.slice(0, 40)}`);
    if (a.status !== 'booked') throw conflict('not-booked', `the appointment is ${a.status}`);
    if (a.slot_start.getTime() <= deps.now().getTime()) throw conflict('slot-begun', 'the slot has begun; an appointment can be cancelled only before it');
    const [row] = await trx('appointments').where({ id }).update({ status: 'cancelled', cancelled_at: deps.now() }).returning<AppointmentRow[]>('*');
    await trx('appointment_slots').where({ hall_code: a.hall_code, category: a.category, slot_start: a.slot_start }).decrement('booked', 1);
    return appointmentView(row, deps.now());
  });
}

// ---- tickets (排号)

export interface TicketBody {
  hall: string;
  category?: string;
  implementationCode?: string;
  appointmentCode?: string;
  priority?: Priority;
  source: 'desk' | 'kiosk';
  applicant?: { idNumber: string; name: string };
}

/** Whoever works in the hall: its clerks and kiosks (their department is the hall). */
function assertInHall(me: StaffPrincipal, hall: string): void {
  if (me.department !== hall) throw forbidden(`only the staff and kiosks of hall ${hall} act there`);
}

const maskName = (name: string | null) => (name ? `${name.slice(0, 1)}${'*'.repeat(Math.max(1, name.length - 1))}` : null);

async function ticketView(db: Db, t: TicketRow, now: Date) {
  const ahead = t.status === 'waiting'
    ? Number((await db('hall_tickets').where({ hall_code: t.hall_code, day: t.day, category: t.category, status: 'waiting' }).where('issued_at', '<', t.issued_at).count<{ count: string }[]>('* as count'))[0].count)
    : 0;
  const appointment = t.appointment_id ? await db('appointments').where({ id: t.appointment_id }).first<AppointmentRow | undefined>() : undefined;
  const item = t.implementation_code ? await db('implementations as i').join('service_items as s', 's.code', 'i.item_code').where('i.code', t.implementation_code).first<{ name: string } | undefined>('s.name') : undefined;
  const category = await db('hall_categories').where({ hall_code: t.hall_code, code: t.category }).first<{ name: string } | undefined>('name');
  const evaluation = await db('hall_ticket_evaluations').where({ ticket_id: t.id }).first<{ level: number } | undefined>('level');
  return {
    id: t.id, hall: t.hall_code, number: t.number, category: t.category, categoryName: category?.name ?? t.category, implementationCode: t.implementation_code, itemName: item?.name ?? null,
    priority: t.priority, source: t.source, applicantName: maskName(t.applicant_name), status: t.status, window: t.window_number, targetWindow: t.target_window,
    calls: t.calls, transfers: t.transfers, issuedAt: t.issued_at.toISOString(), calledAt: t.called_at?.toISOString() ?? null, finishedAt: t.finished_at?.toISOString() ?? null,
    waitMs: Number(t.wait_ms) + (t.status === 'waiting' ? now.getTime() - t.waiting_since.getTime() : 0), serviceMs: Number(t.service_ms),
    appointment: appointment ? { code: appointment.code, slotStart: appointment.slot_start.toISOString(), prioritised: inPriorityWindow(appointment.slot_start, now) } : null,
    caseNo: t.case_no, waitingAhead: ahead, rated: evaluation !== undefined,
  };
}

async function event(db: Db, t: TicketRow, kind: string, at: Date, windowNumber: number | null): Promise<void> {
  await db('hall_events').insert({ hall_code: t.hall_code, kind, ticket_id: t.id, number: t.number, window_number: windowNumber, at });
}

/** Issues a ticket at the front desk or a kiosk; an appointment's code gives its category, item and priority in its slot. */
export async function issueTicket(deps: HallDeps, me: StaffPrincipal, body: TicketBody) {
  const { db } = deps;
  const now = deps.now();
  await hallRow(db, body.hall).catch(() => { throw unprocessable('no-such-hall', `no hall ${body.hall}`, '/hall'); });
  assertInHall(me, body.hall);
  const today = chinaDateOf(now);
  let category = body.category;
  let item = body.implementationCode ?? null;
  let appointment: AppointmentRow | undefined;
  let applicant = body.applicant ?? null;
  if (body.appointmentCode) {
    appointment = await db('appointments').where({ hall_code: body.hall, code: body.appointmentCode }).first<AppointmentRow | undefined>();
    if (!appointment || appointment.status === 'cancelled') throw unprocessable('no-such-appointment', `no appointment ${body.appointmentCode} at this hall`, '/appointmentCode');
    if (appointment.status === 'arrived') throw conflict('appointment-used', `appointment ${body.appointmentCode} already has a ticket`);
    if (chinaDateOf(appointment.slot_start) !== today) throw conflict('appointment-not-today', `appointment ${body.appointmentCode} is for ${chinaDateOf(appointment.slot_start)}, not today`);
    if (slotEnd(appointment.slot_start).getTime() <= now.getTime()) throw conflict('appointment-missed', `the slot of appointment ${body.appointmentCode} has ended; take an ordinary ticket`);
    if (category && category !== appointment.category) throw unprocessable('category-differs', `appointment ${body.appointmentCode} is for category ${appointment.category}`, '/category');
    category = appointment.category;
    item = appointment.implementation_code;
    applicant ??= { idNumber: appointment.applicant_id, name: appointment.applicant_name };
  }
  if (!category) throw unprocessable('category-required', 'a ticket without an appointment names its category', '/category');
  const c = await categoryOf(db, body.hall, category, '/category');
  if (item && !c.implementation_codes.includes(item)) throw unprocessable('item-not-in-category', `category ${category} does not take ${item}`, '/implementationCode');
  const row = await db.transaction(async (trx) => {
    if (appointment) {
      const marked = await trx('appointments').where({ id: appointment.id, status: 'booked' }).update({ status: 'arrived', arrived_at: now });
      if (marked === 0) throw conflict('appointment-used', `appointment ${body.appointmentCode ?? ''} already has a ticket`);
    }
    const counted = await trx.raw<{ rows: { last: number }[] }>(
      `insert into hall_ticket_counters (hall_code, day, category, last) values (?, ?, ?, 1)
       on conflict (hall_code, day, category) do update set last = hall_ticket_counters.last + 1 returning last`, [body.hall, today, category]);
    const seq = counted.rows[0].last;
    const [t] = await trx('hall_tickets').insert({
      id: crypto.randomUUID(), hall_code: body.hall, day: today, category, seq, number: `${category}${String(seq).padStart(3, '0')}`, implementation_code: item,
      appointment_id: appointment?.id ?? null, priority: body.priority ?? 'none', source: body.source, applicant_id: applicant?.idNumber ?? null, applicant_name: applicant?.name ?? null,
      issued_at: now, waiting_since: now,
    }).returning<TicketRow[]>('*');
    await event(trx, t, 'issued', now, null);
    return t;
  });
  return ticketView(db, await ticketRow(db, row.id), now);
}

async function ticketRow(db: Db, id: string): Promise<TicketRow> {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound(`ticket ${id.slice(0, 40)}`);
  const t = await db('hall_tickets').where({ id }).first<TicketRow | undefined>('*', db.raw("to_char(day, 'YYYY-MM-DD') as day"));
  if (!t) throw notFound(`ticket ${id}`);
  return t;
}

export async function ticket(deps: HallDeps, id: string) {
  return ticketView(deps.db, await ticketRow(deps.db, id), deps.now());
}

async function windowRow(db: Db, hall: string, number: number): Promise<WindowRow> {
  const w = await db('hall_windows').where({ hall_code: hall, number }).first<WindowRow | undefined>();
  if (!w) throw notFound(`window ${number} of hall ${hall.slice(0, 40)}`);
  return w;
}

/**
 * Calls the next ticket to a window. The order: a ticket transferred to this window; then an
 * appointment within its priority window (half an hour before its slot to the slot's end); then
 * the priority classes (elderly, disabled, pregnant); then the order of issue. Two windows
 * calling at once never get the same ticket (the row is locked, others skipped).
 */
export async function callNext(deps: HallDeps, me: StaffPrincipal, hall: string, number: number) {
  const { db } = deps;
  await hallRow(db, hall);
  assertInHall(me, hall);
  const w = await windowRow(db, hall, number);
  const now = deps.now();
  const id = await db.transaction(async (trx) => {
    // A ticket of an earlier day left at the window (the hall closed on it) does not hold the window today.
    const busy = await trx('hall_tickets').where({ hall_code: hall, day: chinaDateOf(now), window_number: number, status: 'called' }).first<{ number: string } | undefined>('number');
    if (busy) throw conflict('window-busy', `ticket ${busy.number} is still at window ${number}: finish, skip or transfer it first`);
    const next = await trx.raw<{ rows: TicketRow[] }>(
      `select t.* from hall_tickets t left join appointments a on a.id = t.appointment_id
       where t.hall_code = ? and t.day = ? and t.status = 'waiting'
         and (t.target_window = ? or (t.target_window is null and t.category = any(?)))
       order by (t.target_window is not null) desc,
         (a.slot_start is not null and ?::timestamptz >= a.slot_start - interval '30 minutes' and ?::timestamptz < a.slot_start + interval '30 minutes') desc,
         (t.priority <> 'none') desc, t.issued_at, t.seq
       limit 1 for update of t skip locked`, [hall, chinaDateOf(now), number, w.categories, now, now]);
    const t = next.rows[0];
    if (!t) return null;
    const [called] = await trx('hall_tickets').where({ id: t.id }).update({
      status: 'called', window_number: number, target_window: null, called_at: now, first_called_at: t.first_called_at ?? now,
      wait_ms: trx.raw('wait_ms + ?', [Math.max(0, now.getTime() - new Date(t.waiting_since).getTime())]), calls: trx.raw('calls + 1'), served_by: me.id,
    }).returning<TicketRow[]>('*');
    await event(trx, called, 'called', now, number);
    return called.id;
  });
  return { ticket: id ? await ticketView(db, await ticketRow(db, id), now) : null };
}

/** The ticket at a window of the caller's hall, locked for a change by the window. */
async function calledTicket(deps: HallDeps, me: StaffPrincipal, id: string): Promise<TicketRow> {
  const t = await ticketRow(deps.db, id);
  assertInHall(me, t.hall_code);
  if (t.status !== 'called') throw conflict('not-at-a-window', `ticket ${t.number} is ${t.status}, not at a window`);
  return t;
}

async function change(deps: HallDeps, t: TicketRow, patch: Record<string, unknown>, kind: string, windowNumber: number | null) {
  const now = deps.now();
  const updated = await deps.db.transaction(async (trx) => {
    const [row] = await trx('hall_tickets').where({ id: t.id, status: 'called', window_number: t.window_number }).update(patch).returning<TicketRow[]>('*');
    if (!row) throw conflict('ticket-moved', `ticket ${t.number} changed meanwhile; reload`);
    await event(trx, row, kind, now, windowNumber);
    return row;
  });
  return ticketView(deps.db, await ticketRow(deps.db, updated.id), now);
}

const servedSince = (t: TicketRow, now: Date) => Math.max(0, now.getTime() - (t.called_at?.getTime() ?? now.getTime()));

export async function recall(deps: HallDeps, me: StaffPrincipal, id: string) {
  const t = await calledTicket(deps, me, id);
  return change(deps, t, { calls: deps.db.raw('calls + 1') }, 'recalled', t.window_number);
}

/** 过号: the applicant did not come to the window. */
export async function noShow(deps: HallDeps, me: StaffPrincipal, id: string) {
  const t = await calledTicket(deps, me, id);
  return change(deps, t, { status: 'no_show', finished_at: deps.now() }, 'no-show', t.window_number);
}

export async function finish(deps: HallDeps, me: StaffPrincipal, id: string) {
  const t = await calledTicket(deps, me, id);
  const now = deps.now();
  return change(deps, t, { status: 'done', finished_at: now, service_ms: deps.db.raw('service_ms + ?', [servedSince(t, now)]) }, 'done', t.window_number);
}

/** Sends the applicant to another window of the hall: the time served so far counts, and the ticket waits first in that window's queue. */
export async function transfer(deps: HallDeps, me: StaffPrincipal, id: string, to: number) {
  const t = await calledTicket(deps, me, id);
  if (to === t.window_number) throw unprocessable('same-window', 'the ticket is at that window already', '/window');
  await windowRow(deps.db, t.hall_code, to).catch(() => { throw unprocessable('no-such-window', `hall ${t.hall_code} has no window ${to}`, '/window'); });
  const now = deps.now();
  return change(deps, t, {
    status: 'waiting', window_number: null, target_window: to, waiting_since: now, transfers: deps.db.raw('transfers + 1'),
    service_ms: deps.db.raw('service_ms + ?', [servedSince(t, now)]),
  }, 'transferred', to);
}

/** The case the clerk filed or looked up for the ticket; its item becomes the ticket's item. */
export async function linkCase(deps: HallDeps, me: StaffPrincipal, id: string, caseNo: string) {
  const t = await ticketRow(deps.db, id);
  assertInHall(me, t.hall_code);
  if (t.status !== 'called' && t.status !== 'done') throw conflict('not-served', `ticket ${t.number} is ${t.status}; link a case while serving it`);
  const filed = await deps.db('case_filings').where({ case_no: caseNo }).first<{ implementation_code?: string } | undefined>('*');
  const c = await deps.db('cases').where({ case_no: caseNo }).first<{ implementation_code: string } | undefined>('implementation_code');
  if (!filed && !c) throw unprocessable('no-such-case', `no case ${caseNo}`, '/caseNo');
  await deps.db('hall_tickets').where({ id }).update({ case_no: caseNo, ...(c ? { implementation_code: c.implementation_code } : {}) });
  return ticket(deps, id);
}

/** A window's page: its ticket now, and how many wait for what it serves. */
export async function windowState(deps: HallDeps, me: StaffPrincipal, hall: string, number: number) {
  await hallRow(deps.db, hall);
  assertInHall(me, hall);
  const w = await windowRow(deps.db, hall, number);
  const now = deps.now();
  const current = await deps.db('hall_tickets').where({ hall_code: hall, day: chinaDateOf(now), window_number: number, status: 'called' }).first<TicketRow | undefined>('id');
  const [{ count }] = await deps.db('hall_tickets').where({ hall_code: hall, day: chinaDateOf(now), status: 'waiting' })
    .where((q) => void q.where({ target_window: number }).orWhere((q2) => void q2.whereNull('target_window').whereIn('category', w.categories))).count<{ count: string }[]>('* as count');
  const windows = await deps.db('hall_windows').where({ hall_code: hall }).orderBy('number').select<WindowRow[]>('number', 'name');
  return {
    hall, window: number, name: w.name, categories: w.categories, waiting: Number(count),
    current: current ? await ticketView(deps.db, await ticketRow(deps.db, current.id), now) : null,
    windows: windows.map((x) => ({ number: x.number, name: x.name })),
  };
}

// ---- the big screen

/** What the hall's screen shows: the latest calls (newest first) and the waiting count per category; `version` changes with every event. */
export async function screenState(deps: HallDeps, hall: string) {
  const h = await hallRow(deps.db, hall);
  const now = deps.now();
  const day = chinaDateOf(now);
  const categories = await categoriesOf(deps.db, hall);
  const waiting = new Map<string, number>((await deps.db('hall_tickets').where({ hall_code: hall, day, status: 'waiting' }).groupBy('category').select('category', deps.db.raw('count(*)::int as n')))
    .map((r: { category: string; n: number }) => [r.category, r.n]));
  const dayStart = new Date(`${day}T00:00:00+08:00`);
  const calls = await deps.db('hall_events as e').join('hall_windows as w', (j) => void j.on('w.hall_code', 'e.hall_code').andOn('w.number', 'e.window_number'))
    .where('e.hall_code', hall).whereIn('e.kind', ['called', 'recalled']).where('e.at', '>=', dayStart).orderBy('e.id', 'desc').limit(8)
    .select<{ id: string; number: string; window_number: number; name: string; kind: string; at: Date }[]>('e.id', 'e.number', 'e.window_number', 'w.name', 'e.kind', 'e.at');
  const [{ max }] = await deps.db('hall_events').where({ hall_code: hall }).max<{ max: string | null }[]>('id as max');
  return {
    hall, name: h.name, version: Number(max ?? 0), at: now.toISOString(),
    calls: calls.map((c) => ({ number: c.number, window: c.window_number, windowName: c.name, recall: c.kind === 'recalled', at: c.at.toISOString() })),
    waiting: categories.map((c) => ({ category: c.code, name: c.name, waiting: waiting.get(c.code) ?? 0 })),
  };
}

/** The id of the hall's latest event, cheap to poll. */
export async function screenVersion(db: Db, hall: string): Promise<number> {
  const [{ max }] = await db('hall_events').where({ hall_code: hall }).max<{ max: string | null }[]>('id as max');
  return Number(max ?? 0);
}

// ---- 好差评 per ticket

export async function evaluateTicket(deps: HallDeps, id: string, body: { level: number; comment?: string }) {
  const t = await ticketRow(deps.db, id);
  if (t.status !== 'done') throw conflict('not-served', `ticket ${t.number} has not been served yet`);
  try {
    await deps.db('hall_ticket_evaluations').insert({ ticket_id: id, level: body.level, comment: body.comment ?? '', at: deps.now() });
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict('already-rated', `ticket ${t.number} is rated already`);
    throw err;
  }
  return ticket(deps, id);
}

// ---- indicators

export type HallIndicatorBy = 'hall' | 'window' | 'item';

/**
 * Waiting and service times of the tickets issued in a period, by hall, window (the one that
 * served the ticket last) or item: how many, average and 90th percentile in minutes, and the
 * share over 20 minutes; no-shows (tickets and, by hall or item, appointments nobody came for);
 * and 好差评 on tickets. Waits count over tickets that were called, service over tickets served.
 */
export async function hallIndicators(db: Db, halls: string[], by: HallIndicatorBy, period: { from: Date; to: Date }, now: Date) {
  const key = by === 'hall' ? ['t.hall_code'] : by === 'window' ? ['t.hall_code', 't.window_number'] : ['t.hall_code', 't.implementation_code'];
  const minutes = (col: string, agg: string) => `round((${agg.replace('X', col)} / 60000.0)::numeric, 1)::float`;
  const rows = await db('hall_tickets as t').leftJoin('hall_ticket_evaluations as e', 'e.ticket_id', 't.id')
    .whereIn('t.hall_code', halls.length ? halls : ['']).where('t.issued_at', '>=', period.from).where('t.issued_at', '<', period.to)
    .groupBy(key).orderBy(key)
    .select(key.map((k) => db.raw(`${k} as "${k === 't.hall_code' ? 'hall' : k === 't.window_number' ? 'window' : 'implementationCode'}"`)))
    .select(db.raw('count(*)::int as tickets'))
    .select(db.raw(`count(*) filter (where t.first_called_at is not null)::int as called`))
    .select(db.raw(`count(*) filter (where t.status = 'done')::int as served`))
    .select(db.raw(`count(*) filter (where t.status = 'no_show')::int as "noShows"`))
    .select(db.raw(`${minutes('t.wait_ms', 'avg(X) filter (where t.first_called_at is not null)')} as "avgWaitMinutes"`))
    .select(db.raw(`${minutes('t.wait_ms', 'percentile_cont(0.9) within group (order by X) filter (where t.first_called_at is not null)')} as "p90WaitMinutes"`))
    .select(db.raw(`round(avg(case when t.wait_ms > 1200000 then 1.0 else 0.0 end) filter (where t.first_called_at is not null), 3)::float as "waitOver20Share"`))
    .select(db.raw(`${minutes('t.service_ms', "avg(X) filter (where t.status = 'done')")} as "avgServiceMinutes"`))
    .select(db.raw(`${minutes('t.service_ms', "percentile_cont(0.9) within group (order by X) filter (where t.status = 'done')")} as "p90ServiceMinutes"`))
    .select(db.raw(`round(avg(case when t.service_ms > 1200000 then 1.0 else 0.0 end) filter (where t.status = 'done'), 3)::float as "serviceOver20Share"`))
    .select(db.raw('count(e.ticket_id)::int as evaluations'))
    .select<Record<string, unknown>[]>(db.raw('round(avg(case when e.level >= 4 then 1.0 else 0.0 end) filter (where e.ticket_id is not null), 3)::float as "satisfiedShare"'));
  if (by === 'window') return rows.map((r) => ({ ...r, appointmentNoShows: null }));
  const missed = await db('appointments').whereIn('hall_code', halls.length ? halls : ['']).where({ status: 'booked' })
    .where('slot_start', '>=', period.from).where('slot_start', '<', period.to).where('slot_start', '<=', new Date(now.getTime() - 30 * 60_000))
    .groupBy(by === 'hall' ? ['hall_code'] : ['hall_code', 'implementation_code']).select<{ hall_code: string; implementation_code?: string; n: number }[]>(...(by === 'hall' ? ['hall_code'] : ['hall_code', 'implementation_code']), db.raw('count(*)::int as n'));
  const keyOf = (hall: unknown, item: unknown) => (by === 'hall' ? String(hall) : `${String(hall)}|${typeof item === 'string' ? item : ''}`);
  const missedBy = new Map(missed.map((m) => [keyOf(m.hall_code, m.implementation_code), m.n]));
  return rows.map((r) => ({ ...r, appointmentNoShows: missedBy.get(keyOf(r.hall, r.implementationCode)) ?? 0 }));
}

/** The halls among the given departments (a supervisor's jurisdiction). */
export async function hallsAmong(db: Db, departments: string[]): Promise<string[]> {
  return (await db('halls').whereIn('code', departments).pluck('code')) as string[];
}

// ---- the kiosk: tracking a case and collecting a certificate (自助终端)

interface CaseRow { case_no: string; item_name: string; status: string; department_code: string; applicant: { idNumber?: string; name?: string; legalRepresentative?: { idNumber?: string } }; filed_at: Date; promised_deadline: Date | null; completed_at: Date | null }

const holds = (c: CaseRow, idNumber: string) => c.applicant.idNumber === idNumber || c.applicant.legalRepresentative?.idNumber === idNumber;

/** A case's progress for the applicant whose ID card is on the kiosk's reader; anyone else's case is "not found". */
export async function kioskTrack(db: Db, caseNo: string, idNumber: string) {
  const c = await db('cases').where({ case_no: caseNo }).first<CaseRow | undefined>();
  if (!c || !holds(c, idNumber)) throw notFound(`case ${caseNo} of this applicant`);
  const pickup = await pickupState(db, caseNo);
  return {
    caseNo, itemName: c.item_name, status: c.status, applicantName: maskName(c.applicant.name ?? null) ?? '', filedAt: c.filed_at.toISOString(),
    promisedDeadline: c.promised_deadline?.toISOString() ?? null, completedAt: c.completed_at?.toISOString() ?? null, kioskPickup: pickup !== null,
  };
}

/** The open hand-over task of a case whose result waits at a kiosk, or null. */
async function pickupState(db: Db, caseNo: string): Promise<{ taskId: string; department: string; role: string } | null> {
  const task = await db('tasks').where({ case_no: caseNo, kind: 'handover', status: 'open' }).first<{ id: string; department_code: string; role: string } | undefined>('id', 'department_code', 'role');
  if (!task) return null;
  const awaiting = await db('case_events').where({ case_no: caseNo, type: 'awaiting-pickup' }).orderBy('seq', 'desc').first<{ payload: { method?: string } } | undefined>('payload');
  return awaiting?.payload.method === 'kiosk' ? { taskId: task.id, department: task.department_code, role: task.role } : null;
}

/** The pick-up code of the applicant's certificate waiting at a kiosk (made on first asking, then the same). */
export async function pickupCode(deps: HallDeps, idNumber: string, caseNo: string) {
  const c = await deps.db('cases').where({ case_no: caseNo }).first<CaseRow | undefined>();
  if (!c || !holds(c, idNumber)) throw notFound(`case ${caseNo}`);
  const existing = await deps.db('kiosk_pickups').where({ case_no: caseNo }).first<{ code: string; collected_at: Date | null } | undefined>();
  if (existing) return { caseNo, code: existing.code, collected: existing.collected_at !== null };
  if (!(await pickupState(deps.db, caseNo))) throw conflict('not-at-kiosk', `the result of case ${caseNo} is not waiting at a self-service kiosk`);
  for (let attempt = 0; ; attempt++) {
    const code = String(crypto.randomInt(0, 100_000_000)).padStart(8, '0');
    try {
      const inserted = await deps.db('kiosk_pickups').insert({ case_no: caseNo, code, created_at: deps.now() }).onConflict('case_no').ignore().returning<{ code: string }[]>('code');
      const kept = inserted[0]?.code ?? (await deps.db('kiosk_pickups').where({ case_no: caseNo }).first<{ code: string }>('code')).code;
      return { caseNo, code: kept, collected: false };
    } catch (err) {
      if (pgCode(err) === '23505' && attempt < 5) continue;
      throw err;
    }
  }
}

/**
 * The kiosk's pick-up: the code and the ID card on the reader must match the case; the kiosk
 * must stand in the hall that hands over the case's result. The pick-up is marked first (so two
 * kiosks cannot both hand it over), then the case's hand-over task is completed as the kiosk,
 * which finishes the delivery step; if the case refuses, the mark is undone.
 */
export async function collectAtKiosk(
  deps: HallDeps, kiosk: StaffPrincipal, body: { code: string; idNumber: string },
  handover: (taskId: string, actor: { userId: string; department: string; roles: string[] }) => Promise<unknown>,
) {
  const { db } = deps;
  const p = await db('kiosk_pickups').where({ code: body.code }).first<{ case_no: string; collected_at: Date | null } | undefined>();
  if (!p) throw unprocessable('no-such-pickup', 'no certificate waits under this pick-up code', '/code');
  const c = await db('cases').where({ case_no: p.case_no }).first<CaseRow>();
  if (!holds(c, body.idNumber)) throw forbidden('the ID card on the reader is not the applicant\'s of this case');
  if (p.collected_at) throw conflict('already-collected', `the result of case ${p.case_no} was collected at ${p.collected_at.toISOString()}`);
  const state = await pickupState(db, p.case_no);
  if (!state) throw conflict('not-at-kiosk', `the result of case ${p.case_no} is not waiting at a kiosk`);
  if (state.department !== kiosk.department) throw forbidden(`this kiosk is not in the hall that hands over case ${p.case_no}`);
  const marked = await db('kiosk_pickups').where({ code: body.code }).whereNull('collected_at').update({ collected_at: deps.now(), kiosk: kiosk.id });
  if (marked === 0) throw conflict('already-collected', `the result of case ${p.case_no} was collected meanwhile`);
  try {
    // The kiosk acts for the hall's window on this one task: the task's own department and role, the kiosk's id on the record.
    await handover(state.taskId, { userId: kiosk.id, department: state.department, roles: [state.role] });
  } catch (err) {
    await db('kiosk_pickups').where({ code: body.code }).update({ collected_at: null, kiosk: null });
    throw err;
  }
  const cert = await db('certificates').where({ case_no: p.case_no }).first<{ number: string; name: string; holder_name: string; issuer_department: string; issued_at: Date; valid_until: string | null } | undefined>(
    'number', 'name', 'holder_name', 'issuer_department', 'issued_at', db.raw("to_char(valid_until, 'YYYY-MM-DD') as valid_until"));
  const issuer = cert ? await db('departments').where({ code: cert.issuer_department }).first<{ name: string } | undefined>('name') : undefined;
  return {
    caseNo: p.case_no, itemName: c.item_name, collectedAt: deps.now().toISOString(),
    certificate: cert ? { number: cert.number, name: cert.name, holderName: cert.holder_name, issuer: issuer?.name ?? cert.issuer_department, issuedAt: cert.issued_at.toISOString(), validUntil: cert.valid_until } : null,
  };
}

