/** The working-day calendar over HTTP against the database. */
import { expect } from 'chai';
import { asStaff, http, sharedStack, type Stack } from '../test/harness';

let admin: Record<string, string>;

describe('calendar over HTTP (database)', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
    admin = await asStaff(stack, 'admin-qian');
  });
  after(async () => {
    await stack?.stop();
  });

  it('when asked for 20 working days from 18 September 2026, then the answer crosses the holidays as the law counts', async () => {
    const r = await http(stack, 'GET', `/api/calendar/add?from=${encodeURIComponent('2026-09-18T10:00:00+08:00')}&days=20`);
    expect(r.body).to.deep.equal({ from: '2026-09-18T02:00:00.000Z', days: 20, deadline: '2026-10-22T16:00:00.000Z', provisional: false });
    const back = await http(stack, 'GET', `/api/calendar/between?from=${encodeURIComponent('2026-09-18T10:00:00+08:00')}&to=${encodeURIComponent('2026-10-23T00:00:00+08:00')}`);
    expect(back.body.workingDays).to.equal(20);
  });

  it('when a year is read, then the State Council arrangement is there day by day', async () => {
    const r = await http(stack, 'GET', '/api/calendar/2026');
    expect(r.body.source).to.contain('2026');
    expect(r.body.days.filter((d: { kind: string }) => d.kind === 'workday').map((d: { date: string }) => d.date)).to.deep.equal(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(r.body.days.filter((d: { kind: string }) => d.kind === 'holiday')).to.have.length(33);
  });

  it('when an administrator corrects a day, then the arithmetic follows; a bad import changes nothing', async () => {
    const before = await http(stack, 'GET', '/api/calendar/2026');
    const notAdmin = await http(stack, 'PUT', '/api/calendar/days/2026-12-31', { kind: 'holiday', name: '临时' }, await asStaff(stack, 'approver-li'));
    expect(notAdmin.status).to.equal(403);
    const weekdayMakeUp = await http(stack, 'PUT', '/api/calendar/days/2026-12-30', { kind: 'workday', name: '调休' }, admin);
    expect(weekdayMakeUp.status).to.equal(422);

    const from = encodeURIComponent('2026-12-29T10:00:00+08:00');
    expect((await http(stack, 'GET', `/api/calendar/add?from=${from}&days=2`)).body.deadline).to.equal('2026-12-31T16:00:00.000Z');
    expect((await http(stack, 'PUT', '/api/calendar/days/2026-12-31', { kind: 'holiday', name: '临时放假' }, admin)).status).to.equal(200);
    const moved = await http(stack, 'GET', `/api/calendar/add?from=${from}&days=2`);
    // 2027 is not loaded yet: 1 January counts as an ordinary Friday, and the answer says it is provisional.
    expect(moved.body).to.include({ deadline: '2027-01-01T16:00:00.000Z', provisional: true });
    expect((await http(stack, 'PUT', '/api/calendar/days/2026-12-31', { kind: 'normal', name: '恢复' }, admin)).status).to.equal(200);

    const dup = await http(stack, 'PUT', '/api/calendar/2026', { source: 'x', days: [{ date: '2026-10-01', kind: 'holiday', name: 'a' }, { date: '2026-10-01', kind: 'workday', name: 'b' }] }, admin);
    expect(dup.status).to.equal(422);
    expect(dup.body.errors[0].pointer).to.equal('/days/1/date');
    const after = await http(stack, 'GET', '/api/calendar/2026');
    expect(after.body.days).to.deep.equal(before.body.days);

    expect((await http(stack, 'GET', '/api/calendar/add?from=yesterday&days=2')).status).to.equal(400);

    // A whole year imported by an administrator takes effect for the arithmetic at once.
    const year2024 = await http(stack, 'PUT', '/api/calendar/2024', { source: '国务院办公厅关于2024年部分节假日安排的通知（节选）', days: [
      { date: '2024-10-01', kind: 'holiday', name: '国庆节' }, { date: '2024-10-07', kind: 'holiday', name: '国庆节' }, { date: '2024-10-12', kind: 'workday', name: '国庆节调休上班' },
    ] }, admin);
    expect(year2024.status).to.equal(200);
    expect(year2024.body.days).to.have.length(3);
    const in2024 = await http(stack, 'GET', `/api/calendar/add?from=${encodeURIComponent('2024-09-30T10:00:00+08:00')}&days=5`);
    // 1 Oct and 7 Oct are off; 2–4 Oct are ordinary weekdays in this excerpt; Saturday 12 Oct works.
    expect(in2024.body).to.include({ deadline: '2024-10-09T16:00:00.000Z', provisional: false });
    expect((await http(stack, 'GET', `/api/calendar/add?from=${from}&days=-1`)).status).to.equal(400);
  });
});
