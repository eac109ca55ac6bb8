import { expect } from 'chai';
import { officialYears } from './official';
import { checkYear, chinaDayOf, CompressedCalendar, dayToIso, isoToDay, WorkingCalendar } from './working-days';

const cal = new WorkingCalendar(officialYears());
const at = (s: string) => new Date(s);

describe('working days (2025–2026 State Council calendars)', () => {
  it('when a whole year is counted, then 2025 and 2026 each have 248 working days', () => {
    expect(cal.workingDaysBetween(at('2024-12-31T12:00:00+08:00'), at('2026-01-01T00:00:00+08:00'))).to.deep.equal({ value: 248, provisional: false });
    expect(cal.workingDaysBetween(at('2025-12-31T12:00:00+08:00'), at('2027-01-01T00:00:00+08:00'))).to.deep.equal({ value: 248, provisional: false });
  });

  it('when 20 working days start on 18 September 2026, then they cross 中秋, 国庆 and both make-up Saturdays/Sundays and end with 22 October', () => {
    const r = cal.addWorkingDays(at('2026-09-18T10:00:00+08:00'), 20);
    expect(r.value.toISOString()).to.equal('2026-10-22T16:00:00.000Z'); // 2026-10-23 00:00 China time
    expect(r.provisional).to.equal(false);
  });

  it('when 5 working days start before the 2025 Spring Festival, then the make-up Sunday counts and the holiday does not', () => {
    expect(cal.addWorkingDays(at('2025-01-24T15:00:00+08:00'), 5).value.toISOString()).to.equal('2025-02-07T16:00:00.000Z');
  });

  it('when the start is late in the evening UTC, then the China-time date is the one that counts', () => {
    // 2026-09-30T17:00Z is 1 October 01:00 in China: counting starts after 1 October.
    expect(cal.addWorkingDays(at('2026-09-30T17:00:00Z'), 1).value.toISOString()).to.equal('2026-10-08T16:00:00.000Z');
    expect(cal.addWorkingDays(at('2026-09-30T15:00:00Z'), 1).value.toISOString()).to.equal('2026-10-08T16:00:00.000Z');
    expect(cal.addWorkingDays(at('2026-09-29T15:00:00Z'), 1).value.toISOString()).to.equal('2026-09-30T16:00:00.000Z'); // 29 Sep 23:00 China: 30 Sep counts
  });

  it('when zero days are asked, then the period ends at the end of the starting day', () => {
    expect(cal.addWorkingDays(at('2026-03-02T09:00:00+08:00'), 0).value.toISOString()).to.equal('2026-03-02T16:00:00.000Z');
  });

  it('when every day of 2025–2026 starts a period of 0 to 25 days, then counting back gives the same number, and one moment earlier one less', () => {
    for (let day = isoToDay('2025-01-01'); day <= isoToDay('2026-11-30'); day++) {
      const start = new Date(Date.UTC(1970, 0, 1) + day * 86_400_000 + 1.5 * 3_600_000); // 09:30 China time
      for (let n = 0; n <= 25; n++) {
        const end = cal.addWorkingDays(start, n).value;
        expect(cal.workingDaysBetween(start, end).value, `${dayToIso(day)} + ${n}`).to.equal(n);
        if (n > 0) expect(cal.workingDaysBetween(start, new Date(end.getTime() - 1)).value).to.equal(n - 1);
        expect(cal.isWorkingDay(chinaDayOf(new Date(end.getTime() - 1))) || n === 0).to.equal(true);
      }
    }
  });

  it('when a period runs into a year the calendar does not hold, then the answer is provisional (weekends only there)', () => {
    const r = cal.addWorkingDays(at('2026-12-20T10:00:00+08:00'), 15);
    expect(r.provisional).to.equal(true);
    expect(r.value.toISOString()).to.equal('2027-01-08T16:00:00.000Z');
  });

  it('when official days are checked, then a make-up workday is a working day and a weekday holiday is not', () => {
    expect(cal.isWorkingDay(isoToDay('2026-10-10'))).to.equal(true); // Saturday, 调休上班
    expect(cal.isWorkingDay(isoToDay('2026-10-05'))).to.equal(false); // Monday, 国庆
    expect(cal.isWorkingDay(isoToDay('2026-10-11'))).to.equal(false); // plain Sunday
    expect(cal.isWorkingDay(isoToDay('2026-10-12'))).to.equal(true);
  });
});

describe('checkYear', () => {
  it('when the shipped arrangements are checked, then they are clean', () => {
    for (const y of officialYears()) expect(checkYear(y.year, y.days), String(y.year)).to.deep.equal([]);
  });

  it('when a day is listed twice, as both kinds, on the wrong weekday or in another year, then each is named', () => {
    const problems = checkYear(2026, [
      { date: '2026-10-01', kind: 'holiday', name: '国庆节' },
      { date: '2026-10-01', kind: 'holiday', name: '国庆节' },
      { date: '2026-10-10', kind: 'workday', name: '调休' },
      { date: '2026-10-10', kind: 'holiday', name: '国庆节' },
      { date: '2026-10-12', kind: 'workday', name: '调休' },
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2026-02-30', kind: 'holiday', name: '?' },
    ]);
    expect(problems.map((p) => p.pointer)).to.deep.equal(['/days/1/date', '/days/3/date', '/days/4/kind', '/days/5/date', '/days/6/date']);
    expect(problems[1].detail).to.contain('a make-up workday cannot be a holiday');
    expect(problems[2].detail).to.contain('falls on a weekend');
  });
});

describe('the benchmarks\' compressed calendar', () => {
  const t = (ms: number) => new Date(1_000_000 + ms);
  it('when it has no epoch, then N days after an instant end N days later, and whole days elapsed count from that instant', () => {
    const c = new CompressedCalendar(100);
    expect(c.addWorkingDays(t(30), 2).value).to.deep.equal(t(230));
    expect(c.workingDaysBetween(t(30), t(229)).value).to.equal(1);
  });

  it('when it has an epoch, then deadlines fall at the start of a day, as real ones at midnight: everything opened on one day with one limit is due at one instant', () => {
    const c = new CompressedCalendar(100, 1_000_000);
    expect([t(0), t(1), t(99)].map((from) => c.addWorkingDays(from, 1).value)).to.deep.equal([t(200), t(200), t(200)]);
    expect(c.addWorkingDays(t(100), 1).value).to.deep.equal(t(300));
    expect(c.addWorkingDays(t(50), 0).value).to.deep.equal(t(100)); // the end of the day itself
    // The inverse, as the real calendar's: between(T, add(T, N)) = N.
    expect(c.workingDaysBetween(t(50), c.addWorkingDays(t(50), 3).value).value).to.equal(3);
    expect(c.workingDaysBetween(t(50), t(199)).value).to.equal(0);
  });
});
