/**
 * The service hall over HTTP, on the real stack: appointments against slot capacity (two
 * bookings for the last place at once), holidays and make-up days, the calling order, transfer
 * and no-show, the big screen's stream, and the wait indicators for a known set of tickets. The
 * API under test has the hall's clock set (each test on its own working day), so the hall's
 * times are exact; everything else is the shared stack.
 */
import { expect } from 'chai';
import { asApplicant, asStaff, http, sharedStack, type Stack } from '../test/harness';
import { china, clearHallDays, hallApi, restoreHallSetting, sampleHall as hall, type HallApi } from '../test/hall';

const zhang = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };
const liu = { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' };
const huang = { idNumber: '330102198802164527', name: '黄丽娟', phone: '13588036752' };
const days = ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-10-10'];
const at = (iso: string) => new Date(iso);

describe('the service hall: appointments, tickets, calling, screen and indicators', function () {
  this.timeout(120_000);
  let stack: Stack;
  let mine: Stack;
  let api: HallApi | undefined;
  let now = at('2026-12-07T00:00:00Z');
  const as: Record<string, Record<string, string>> = {};

  before(async () => {
    stack = await sharedStack();
    api = await hallApi(stack, () => now);
    mine = api.on;
    await restoreHallSetting(stack);
    await clearHallDays(stack, days);
    for (const p of [zhang, liu, huang]) as[p.name] = await asApplicant(mine, p);
    as.clerk = await asStaff(mine, 'clerk-wang');
    as.otherClerk = await asStaff(mine, 'clerk-he');
    as.kiosk = await asStaff(mine, 'kiosk-xh-1');
    as.supervisor = await asStaff(mine, 'supervisor-zhao');
  });
  after(async () => {
    await api?.close();
    await stack?.stop();
  });

  const book = (who: string, body: Record<string, unknown>) => http(mine, 'POST', '/api/hall/appointments', { hall, phone: '13800138000', ...body }, as[who]);
  const issue = (body: Record<string, unknown>, who = 'clerk') => http(mine, 'POST', '/api/hall/tickets', { hall, source: who === 'kiosk' ? 'kiosk' : 'desk', ...body }, as[who]);
  const call = (window: number) => http(mine, 'POST', `/api/hall/halls/${hall}/windows/${window}/call`, undefined, as.clerk);
  const act = (id: string, what: string, body?: unknown) => http(mine, 'POST', `/api/hall/tickets/${id}/${what}`, body, as.clerk);

  it('when two applicants book the last place of a slot in the same moment, then one gets it and the other a 409, and a cancelled place can be booked again', async () => {
    now = china('2026-12-07', '08:00');
    const slot = china('2026-12-07', '10:00').toISOString();
    // Category D takes one appointment per half-hour.
    const both = await Promise.all([zhang, liu].map((p) => book(p.name, { category: 'D', implementationCode: 'XK-330000-00004.xh-zjj', slotStart: slot, phone: p.phone })));
    const statuses = both.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(both.map((r) => r.body))).to.deep.equal([201, 409]);
    const winner = both.find((r) => r.status === 201)!;
    const loser = both.find((r) => r.status === 409)!;
    expect(loser.body.type).to.match(/slot-full$/);
    expect(winner.body).to.include({ status: 'booked', category: 'D', smsSent: true });
    expect(winner.body.code).to.match(/^[0-9]{6}$/);
    const rows = await stack.db('appointments').where({ hall_code: hall, slot_start: new Date(slot) }).whereNot({ status: 'cancelled' });
    expect(rows).to.have.length(1);
    // The code went out by SMS through the messaging platform.
    const log = (await (await fetch(`${stack.sims.urls.messaging}/_control/log`)).json()) as { entries: { what: string; detail: { template?: string; params?: Record<string, string> } }[] };
    expect(log.entries.some((e) => e.what === 'sms.sent' && e.detail.template === 'hall-appointment' && e.detail.params?.code === winner.body.code)).to.equal(true);

    const slots = await http(mine, 'GET', `/api/hall/halls/${hall}/slots?category=D&date=2026-12-07&days=1`);
    const ten = slots.body.days[0].slots.find((s: { start: string }) => s.start === slot);
    expect(ten).to.include({ capacity: 1, booked: 1, left: 0 });

    // The same applicant cannot hold two bookings of one half-hour; the place freed by a cancellation is there to take.
    const winnerName = winner === both[0] ? zhang.name : liu.name;
    const loserName = winner === both[0] ? liu.name : zhang.name;
    const twice = await book(winnerName, { category: 'A', implementationCode: 'XK-330000-00001.xh-scjg', slotStart: slot });
    expect(twice.status).to.equal(409);
    expect(twice.body.type).to.match(/already-booked$/);
    const cancelled = await http(mine, 'POST', `/api/hall/appointments/${winner.body.id as string}/cancel`, undefined, as[winnerName]);
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body.status).to.equal('cancelled');
    expect((await http(mine, 'POST', `/api/hall/appointments/${winner.body.id as string}/cancel`, undefined, as[winnerName])).status).to.equal(409);
    const retaken = await book(loserName, { category: 'D', implementationCode: 'XK-330000-00004.xh-zjj', slotStart: slot });
    expect(retaken.status, JSON.stringify(retaken.body)).to.equal(201);

    // Bad input changes nothing: an item of another category, a time that starts no slot, a slot begun.
    const before = await stack.db('appointments').where({ hall_code: hall }).count<{ count: string }[]>('* as count');
    for (const [body, type] of [
      [{ category: 'D', implementationCode: 'XK-330000-00001.xh-scjg', slotStart: china('2026-12-07', '11:00').toISOString() }, 'item-not-in-category'],
      [{ category: 'D', implementationCode: 'XK-330000-00004.xh-zjj', slotStart: china('2026-12-07', '12:00').toISOString() }, 'not-a-slot'],
      [{ category: 'D', implementationCode: 'XK-330000-00004.xh-zjj', slotStart: china('2026-12-07', '10:15').toISOString() }, 'not-a-slot'],
      [{ category: 'D', implementationCode: 'XK-330000-00004.xh-zjj', slotStart: china('2026-12-07', '07:30').toISOString() }, 'not-a-slot'],
    ] as const) {
      const res = await book(huang.name, body);
      expect(res.status, JSON.stringify(body)).to.equal(422);
      expect(res.body.type).to.match(new RegExp(`${type}$`));
    }
    now = china('2026-12-07', '10:05');
    const begun = await book(huang.name, { category: 'D', implementationCode: 'XK-330000-00004.xh-zjj', slotStart: china('2026-12-07', '10:00').toISOString() });
    expect(begun.status).to.equal(422);
    expect(begun.body.type).to.match(/slot-past$/);
    const after = await stack.db('appointments').where({ hall_code: hall }).count<{ count: string }[]>('* as count');
    expect(after[0].count).to.equal(before[0].count);
  });

  it('when the days ahead hold a holiday and a make-up workday, then the holiday has no slots and the make-up Saturday has the working-day ones', async () => {
    now = china('2026-09-30', '17:30');
    const res = await http(mine, 'GET', `/api/hall/halls/${hall}/slots?category=C&date=2026-10-01&days=10`);
    expect(res.status).to.equal(200);
    const byDate = Object.fromEntries((res.body.days as { date: string; workingDay: boolean; slots: unknown[] }[]).map((d) => [d.date, d]));
    for (const d of ['2026-10-01', '2026-10-05', '2026-10-07']) expect(byDate[d], d).to.deep.include({ workingDay: false, slots: [] });
    expect(byDate['2026-10-08'].slots).to.have.length(13); // an ordinary Thursday
    expect(byDate['2026-10-10'].workingDay).to.equal(true); // 国庆节调休上班, a Saturday
    expect(byDate['2026-10-10'].slots).to.have.length(13); // the 工作日 hours, not the Saturday ones
    const holiday = await book(zhang.name, { category: 'C', implementationCode: 'QR-330000-00010.xh-gaj', slotStart: china('2026-10-02', '10:00').toISOString() });
    expect(holiday.status).to.equal(422);
    expect(holiday.body.type).to.match(/not-a-slot$/);
    const makeUp = await book(zhang.name, { category: 'C', implementationCode: 'QR-330000-00010.xh-gaj', slotStart: china('2026-10-10', '14:00').toISOString() });
    expect(makeUp.status, JSON.stringify(makeUp.body)).to.equal(201);
  });

  it('when tickets wait, then a window calls an appointment in its slot first, then the priority classes, then by order of issue', async () => {
    now = china('2026-12-08', '08:00');
    const inSlot = await book(zhang.name, { category: 'A', implementationCode: 'XK-330000-00001.xh-scjg', slotStart: china('2026-12-08', '09:30').toISOString() });
    const later = await book(liu.name, { category: 'A', implementationCode: 'XK-330000-00003.xh-scjg', slotStart: china('2026-12-08', '11:00').toISOString() });
    expect([inSlot.status, later.status]).to.deep.equal([201, 201]);
    // An appointment is a ticket on its own day only.
    now = china('2026-12-07', '16:00');
    const notToday = await issue({ appointmentCode: inSlot.body.code }, 'kiosk');
    expect(notToday.status).to.equal(409);
    expect(notToday.body.type).to.match(/appointment-not-today$/);

    now = china('2026-12-08', '09:00');
    const plain1 = await issue({ category: 'A' });
    now = china('2026-12-08', '09:01');
    const elderly = await issue({ category: 'A', priority: 'elderly' });
    now = china('2026-12-08', '09:02');
    const plain2 = await issue({ category: 'A', implementationCode: 'XK-330000-00001.xh-scjg' });
    now = china('2026-12-08', '09:03');
    const withLater = await issue({ appointmentCode: later.body.code }, 'kiosk');
    const other = await issue({ category: 'B' });
    now = china('2026-12-08', '09:04');
    const withInSlot = await issue({ appointmentCode: inSlot.body.code }, 'kiosk');
    expect([plain1, elderly, plain2, withLater, other, withInSlot].map((r) => r.status)).to.deep.equal([201, 201, 201, 201, 201, 201]);
    expect([plain1, elderly, plain2, withLater, withInSlot].map((r) => r.body.number)).to.deep.equal(['A001', 'A002', 'A003', 'A004', 'A005']);
    expect(withLater.body).to.include({ implementationCode: 'XK-330000-00003.xh-scjg', source: 'kiosk', applicantName: '刘**' });
    expect(withLater.body.appointment.prioritised).to.equal(false); // 11:00 is more than half an hour away
    expect(withInSlot.body.appointment.prioritised).to.equal(true); // 09:04 is within half an hour of 09:30
    // Another hall's clerk, a made-up code, a code used already: refused, nothing issued.
    expect((await issue({ category: 'A' }, 'otherClerk')).status).to.equal(403);
    expect((await issue({ appointmentCode: '000000' }, 'kiosk')).status).to.equal(422);
    expect((await issue({ appointmentCode: inSlot.body.code }, 'kiosk')).status).to.equal(409);
    expect((await issue({ category: 'Z' })).status).to.equal(422);
    expect(await stack.db('hall_tickets').where({ hall_code: hall, day: '2026-12-08' }).count<{ count: string }[]>('* as count')).to.deep.equal([{ count: '6' }]);

    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      now = new Date(now.getTime() + 60_000);
      const r = await call(1);
      expect(r.status).to.equal(200);
      order.push(r.body.ticket.number);
      // While a ticket is at the window, the window cannot call another.
      if (i === 0) expect((await call(1)).status).to.equal(409);
      expect((await act(r.body.ticket.id, 'finish')).status).to.equal(200);
    }
    expect(order).to.deep.equal(['A005', 'A002', 'A001', 'A003', 'A004']);
    expect((await call(1)).body.ticket).to.equal(null); // category B is not window 1's
    expect((await call(2)).body.ticket.number).to.equal('B001'); // window 2 serves A and B
  });

  it('when a clerk transfers a ticket and marks another a no-show, then times and the screen follow, and the screen streams each change', async () => {
    now = china('2026-12-09', '09:00');
    const a1 = (await issue({ category: 'A' })).body;
    const a2 = (await issue({ category: 'A' })).body;
    const b1 = (await issue({ category: 'B' })).body;

    // The screen's stream: the state at once, then again at every change.
    const controller = new AbortController();
    const res = await fetch(`${mine.baseUrl}/api/hall/halls/${hall}/screen`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const events: { calls: { number: string; window: number }[]; waiting: { category: string; waiting: number }[] }[] = [];
    let buffer = '';
    const nextEvent = async () => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) return events[events.push(JSON.parse(data.slice(6))) - 1];
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += new TextDecoder().decode(value);
      }
    };
    const first = await nextEvent();
    expect(first.waiting.find((w) => w.category === 'A')?.waiting).to.equal(2);

    now = china('2026-12-09', '09:10');
    const called = (await call(1)).body.ticket;
    expect(called).to.include({ number: a1.number, window: 1, waitMs: 10 * 60_000 });
    const shown = await nextEvent();
    expect(shown.calls[0]).to.include({ number: a1.number, window: 1 });
    expect(shown.waiting.find((w) => w.category === 'A')?.waiting).to.equal(1);

    now = china('2026-12-09', '09:15');
    const moved = await act(a1.id, 'transfer', { window: 3 });
    expect(moved.status).to.equal(200);
    expect(moved.body).to.include({ status: 'waiting', targetWindow: 3, serviceMs: 5 * 60_000, transfers: 1 });
    expect((await act(a1.id, 'transfer', { window: 99 })).status).to.equal(409); // not at a window any more
    // Window 3 serves B only, yet the ticket sent to it goes first, before B001 that waited longer.
    now = china('2026-12-09', '09:20');
    const at3 = (await call(3)).body.ticket;
    expect(at3).to.include({ number: a1.number, window: 3, waitMs: 15 * 60_000 });
    now = china('2026-12-09', '09:30');
    const done = (await act(a1.id, 'finish')).body;
    expect(done).to.include({ status: 'done', serviceMs: 15 * 60_000 });
    expect((await call(3)).body.ticket.number).to.equal(b1.number);

    now = china('2026-12-09', '09:31');
    const second = (await call(1)).body.ticket;
    expect(second.number).to.equal(a2.number);
    const recalled = await act(a2.id, 'recall');
    expect(recalled.body.calls).to.equal(2);
    const gone = await act(a2.id, 'no-show');
    expect(gone.body).to.include({ status: 'no_show' });
    expect((await act(a2.id, 'finish')).status).to.equal(409);
    // Transfer to a window the hall lacks is a 422 and changes nothing.
    expect((await act(b1.id, 'transfer', { window: 42 })).status).to.equal(422);
    expect((await http(mine, 'GET', `/api/hall/tickets/${b1.id as string}`)).body).to.include({ status: 'called', window: 3 });

    const screen = await http(mine, 'GET', `/api/hall/halls/${hall}/screen`);
    expect(screen.body.calls.slice(0, 2).map((c: { number: string; recall: boolean }) => [c.number, c.recall])).to.deep.equal([[a2.number, true], [a2.number, false]]);
    controller.abort();
  });

  it('when a known set of tickets has been served, then the indicators give their waits, service times, no-shows and ratings by hall, window and item', async () => {
    const day = '2026-12-10';
    now = china(day, '08:00');
    const missed = await book(zhang.name, { category: 'B', implementationCode: 'GG-330000-00002.xh-rsj', slotStart: china(day, '10:00').toISOString() });
    expect(missed.status).to.equal(201);
    now = china(day, '09:00');
    const t1 = (await issue({ category: 'A', implementationCode: 'XK-330000-00001.xh-scjg' })).body;
    const t2 = (await issue({ category: 'A', implementationCode: 'XK-330000-00001.xh-scjg' })).body;
    const t3 = (await issue({ category: 'A', implementationCode: 'XK-330000-00003.xh-scjg' })).body;
    const c1 = (await issue({ category: 'C' })).body;
    const step = async (time: string, f: () => Promise<unknown>) => { now = china(day, time); await f(); };
    await step('09:05', () => call(1)); // t1 waits 5
    await step('09:15', () => act(t1.id, 'finish')); // served 10
    await step('09:15', () => call(1)); // t2 waits 15
    await step('09:30', () => call(4)); // c1 waits 30
    await step('09:32', () => act(c1.id, 'no-show'));
    await step('09:40', () => act(t2.id, 'finish')); // served 25
    await step('09:40', () => call(1)); // t3 waits 40
    await step('09:45', () => act(t3.id, 'finish')); // served 5
    expect((await http(mine, 'POST', `/api/hall/tickets/${t1.id as string}/evaluation`, { level: 5, comment: '很快' })).status).to.equal(201);
    expect((await http(mine, 'POST', `/api/hall/tickets/${t2.id as string}/evaluation`, { level: 2 })).status).to.equal(201);
    expect((await http(mine, 'POST', `/api/hall/tickets/${t2.id as string}/evaluation`, { level: 5 })).status).to.equal(409);
    expect((await http(mine, 'POST', `/api/hall/tickets/${c1.id as string}/evaluation`, { level: 5 })).status).to.equal(409); // never served
    now = china(day, '11:00');

    const period = `from=${encodeURIComponent(china(day, '00:00').toISOString())}&to=${encodeURIComponent(china('2026-12-11', '00:00').toISOString())}`;
    const get = async (by: string) => {
      const r = await http(mine, 'GET', `/api/hall/indicators?by=${by}&${period}`, undefined, as.supervisor);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.rows as Record<string, unknown>[];
    };
    const [byHall] = await get('hall');
    expect(byHall).to.deep.equal({
      hall, tickets: 4, called: 4, served: 3, noShows: 1,
      avgWaitMinutes: 22.5, p90WaitMinutes: 37, waitOver20Share: 0.5, // waits 5, 15, 30, 40
      avgServiceMinutes: 13.3, p90ServiceMinutes: 22, serviceOver20Share: 0.333, // service 10, 25, 5
      evaluations: 2, satisfiedShare: 0.5, appointmentNoShows: 1,
    });
    const byWindow = await get('window');
    expect(byWindow.find((r) => r.window === 1)).to.include({ tickets: 3, avgWaitMinutes: 20, p90WaitMinutes: 35, waitOver20Share: 0.333, avgServiceMinutes: 13.3, noShows: 0 });
    expect(byWindow.find((r) => r.window === 4)).to.include({ tickets: 1, avgWaitMinutes: 30, p90WaitMinutes: 30, waitOver20Share: 1, avgServiceMinutes: null, noShows: 1 });
    const byItem = await get('item');
    expect(byItem.find((r) => r.implementationCode === 'XK-330000-00001.xh-scjg')).to.include({ tickets: 2, avgWaitMinutes: 10, p90WaitMinutes: 14, avgServiceMinutes: 17.5, evaluations: 2 });
    expect(byItem.find((r) => r.implementationCode === 'GG-330000-00002.xh-rsj')).to.equal(undefined); // an appointment without a ticket is no ticket row
    // The booking nobody came for shows as a no-show to its applicant too.
    const mineList = await http(mine, 'GET', '/api/hall/appointments', undefined, as[zhang.name]);
    expect(mineList.body.appointments.find((a: { id: string }) => a.id === missed.body.id).status).to.equal('no_show');
    // Only supervisors read indicators; a bad period is a 400.
    expect((await http(mine, 'GET', `/api/hall/indicators?by=hall&${period}`, undefined, as.clerk)).status).to.equal(403);
    expect((await http(mine, 'GET', `/api/hall/indicators?from=2026-12-11T00:00:00Z&to=2026-12-10T00:00:00Z`, undefined, as.supervisor)).status).to.equal(400);
  });
});
