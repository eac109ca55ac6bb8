import { expect } from 'chai';
import { officialYears } from '../calendar/official';
import { WorkingCalendar } from '../calendar/working-days';
import { inPriorityWindow, slotsOn, workdayHours } from './slots';

const calendar = new WorkingCalendar(officialYears());
const hours = workdayHours('工作日 9:00-12:00，13:30-17:00；周六 9:00-12:00');
const hhmm = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(11, 16);

describe('appointment slots of a window group', () => {
  it('when an hours text has working-day and Saturday parts, then only the working-day ranges count', () => {
    expect(hours).to.deep.equal([{ from: 540, to: 720 }, { from: 810, to: 1020 }]);
    expect(workdayHours('周六 9:00-12:00')).to.deep.equal([]);
    expect(workdayHours('周一至周五 8:30—11:30')).to.deep.equal([{ from: 510, to: 690 }]);
  });

  it('when the day is an ordinary weekday, then it has the half-hours inside its opening hours', () => {
    const slots = slotsOn('2026-12-01', hours, calendar); // a Tuesday
    expect(slots.map(hhmm)).to.deep.equal(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30']);
    expect(slots[0].toISOString()).to.equal('2026-12-01T01:00:00.000Z');
  });

  it('when the day is a statutory holiday on a weekday, then there are no slots', () => {
    expect(slotsOn('2026-10-01', hours, calendar)).to.deep.equal([]); // 国庆节, a Thursday
    expect(slotsOn('2026-02-16', hours, calendar)).to.deep.equal([]); // 春节, a Monday
  });

  it('when the day is a make-up workday on a weekend, then it has the working-day slots (not the Saturday hours)', () => {
    expect(slotsOn('2026-10-10', hours, calendar)).to.have.length(13); // 国庆节调休上班, a Saturday
    expect(slotsOn('2026-09-20', hours, calendar)).to.have.length(13); // a Sunday made a workday
    expect(slotsOn('2026-10-17', hours, calendar)).to.deep.equal([]); // an ordinary Saturday
  });

  it('when an applicant with an appointment arrives, then the priority holds from half an hour before the slot to its end', () => {
    const slot = new Date('2026-12-01T01:00:00Z');
    expect(inPriorityWindow(slot, new Date('2026-12-01T00:29:00Z'))).to.equal(false);
    expect(inPriorityWindow(slot, new Date('2026-12-01T00:30:00Z'))).to.equal(true);
    expect(inPriorityWindow(slot, new Date('2026-12-01T01:29:59Z'))).to.equal(true);
    expect(inPriorityWindow(slot, new Date('2026-12-01T01:30:00Z'))).to.equal(false);
  });
});
