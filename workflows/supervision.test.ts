import { expect } from 'chai';
import { levelAt, warnAfterDays, worse } from './supervision';

describe('supervision rules', () => {
  it('when no rule is set, then the warning comes with one working day left', () => {
    expect(warnAfterDays(20, undefined)).to.equal(19);
    expect(warnAfterDays(20, {})).to.equal(19);
  });

  it('when both parts of a rule are set, then the earlier warning wins', () => {
    expect(warnAfterDays(20, { warnDaysLeft: 2, warnShareUsed: 0.8 })).to.equal(16);
    expect(warnAfterDays(20, { warnDaysLeft: 5, warnShareUsed: 0.9 })).to.equal(15);
    expect(warnAfterDays(7, { warnShareUsed: 0.5 })).to.equal(4);
  });

  it('when the limit is shorter than the warning margin, then the warning comes at the start', () => {
    expect(warnAfterDays(1, { warnDaysLeft: 3 })).to.equal(0);
  });

  it('when instants are compared, then the level follows them', () => {
    const warn = '2026-10-21T16:00:00.000Z';
    const due = '2026-10-22T16:00:00.000Z';
    expect(levelAt(Date.parse(warn) - 1, warn, due)).to.equal('normal');
    expect(levelAt(Date.parse(warn), warn, due)).to.equal('warning');
    expect(levelAt(Date.parse(due), warn, due)).to.equal('overdue');
    expect(worse('overdue', 'warning')).to.equal(true);
    expect(worse('normal', 'warning')).to.equal(false);
  });
});
