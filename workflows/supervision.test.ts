import { expect } from 'chai';
import { closeStepClock, judgeClock, judgeStepClock, levelAt, warnAfterDays, worse, type PublishedClock, type PublishedStepClock } from './supervision';

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

  describe('the sweep\'s judgement of a published clock', () => {
    const warn = '2026-10-14T16:00:00.000Z';
    const due = '2026-10-15T16:00:00.000Z';
    const statutory = '2026-10-20T16:00:00.000Z';
    const clock = (k: Partial<PublishedClock> = {}): PublishedClock => ({ level: 'normal', statutoryOverdue: false, warningAt: warn, promisedDeadline: due, statutoryDeadline: statutory, ...k });
    const t = (iso: string, ms = 0) => Date.parse(iso) + ms;

    it('when no instant has passed, then nothing is raised', () => {
      expect(judgeClock(clock(), t(warn, -1))).to.deep.equal({ level: 'normal', statutoryOverdue: false, raised: [] });
    });

    it('when the warning instant has passed, then the warning is raised at that instant, not when it was seen', () => {
      const j = judgeClock(clock(), t(warn, 4_000));
      expect(j.level).to.equal('warning');
      expect(j.raised).to.deep.equal([{ level: 'warning', cause: 'promised-limit-near', deadline: due, at: t(warn), previous: 'normal' }]);
    });

    it('when a clock is first seen past its warning, its deadline and its statutory limit, then each is raised at its own instant, in time order', () => {
      const j = judgeClock(clock(), t(statutory, 1));
      expect(j).to.include({ level: 'overdue', statutoryOverdue: true });
      expect(j.raised.map((r) => [r.level, r.cause, new Date(r.at).toISOString(), r.previous])).to.deep.equal([
        ['warning', 'promised-limit-near', warn, 'normal'],
        ['overdue', 'promised-limit-passed', due, 'warning'],
        ['overdue', 'statutory-limit-passed', statutory, undefined],
      ]);
    });

    it('when a clock too short to warn passes its deadline, then only the overdue is raised', () => {
      expect(judgeClock(clock({ warningAt: null }), t(due)).raised.map((r) => [r.level, r.previous])).to.deep.equal([['overdue', 'normal']]);
    });

    it('when a level already raised is passed again, then nothing is raised twice', () => {
      expect(judgeClock(clock({ level: 'warning' }), t(warn, 10)).raised).to.deep.equal([]);
      expect(judgeClock(clock({ level: 'overdue', statutoryOverdue: true }), t(statutory, 10)).raised).to.deep.equal([]);
    });

    it('when the deadlines moved away from raised levels (an extension), then each is corrected when seen, and the level follows the clock', () => {
      const seen = t(due, 60_000);
      const later = (iso: string) => new Date(Date.parse(iso) + 10 * 86_400_000).toISOString();
      const j = judgeClock(clock({ level: 'overdue', statutoryOverdue: true, warningAt: later(warn), promisedDeadline: later(due), statutoryDeadline: later(statutory) }), seen);
      expect(j).to.include({ level: 'normal', statutoryOverdue: false });
      expect(j.raised.map((r) => [r.level, r.cause, r.at, r.previous])).to.deep.equal([
        ['cleared', 'deadline-moved', seen, 'overdue'],
        ['cleared', 'statutory-deadline-moved', seen, undefined],
      ]);
    });

    it('when an overdue deadline moves to just past now but the warning has passed, then the level falls to warning with one correction', () => {
      const j = judgeClock(clock({ level: 'overdue', promisedDeadline: '2026-10-16T16:00:00.000Z' }), t(due, 1));
      expect(j.level).to.equal('warning');
      expect(j.raised.map((r) => [r.level, r.previous])).to.deep.equal([['cleared', 'overdue']]);
    });
  });

  describe('the sweep\'s judgement of a published step clock', () => {
    const warn = '2026-10-21T16:00:00.000Z';
    const due = '2026-10-22T16:00:00.000Z';
    const step = (k: Partial<PublishedStepClock> = {}): PublishedStepClock => ({ level: 'normal', warningAt: warn, dueAt: due, ...k });
    const rows = (raised: { level: string; cause: string; at: number; previous?: string }[]) => raised.map((r) => [r.level, r.cause, new Date(r.at).toISOString(), r.previous]);

    it('when no instant has passed, then nothing is raised and the level stays', () => {
      expect(judgeStepClock(step(), Date.parse(warn) - 1)).to.deep.equal({ level: 'normal', raised: [] });
    });

    it('when a step clock is first seen past its warning and its due instant, then both are raised, each at its own instant', () => {
      const j = judgeStepClock(step(), Date.parse(due) + 60_000);
      expect(j.level).to.equal('overdue');
      expect(rows(j.raised)).to.deep.equal([['warning', 'step-limit-near', warn, 'normal'], ['overdue', 'step-limit-passed', due, 'warning']]);
    });

    it('when a step has no warning (too short to warn), then only its overdue is raised', () => {
      expect(rows(judgeStepClock(step({ warningAt: null }), Date.parse(due)).raised)).to.deep.equal([['overdue', 'step-limit-passed', due, 'normal']]);
    });

    it('when a level already recorded is passed again, then nothing is raised twice, and an open step\'s level never falls', () => {
      expect(judgeStepClock(step({ level: 'warning' }), Date.parse(warn) + 5).raised).to.deep.equal([]);
      expect(judgeStepClock(step({ level: 'overdue' }), Date.parse(warn) - 5)).to.deep.equal({ level: 'overdue', raised: [] });
    });

    it('when a step closes after its warning that no sweep recorded yet, then the warning is raised at its instant and nothing is corrected', () => {
      const j = closeStepClock(step(), Date.parse(warn) + 1_000, null);
      expect(j.level).to.equal('warning');
      expect(rows(j.raised)).to.deep.equal([['warning', 'step-limit-near', warn, 'normal']]);
    });

    it('when a sweep raised the warning for an instant after the step in fact closed (the close written late), then the close corrects it at the close', () => {
      const closed = Date.parse(warn) - 2_000;
      const j = closeStepClock(step({ level: 'warning' }), closed, null);
      expect(j.level).to.equal('normal');
      expect(rows(j.raised)).to.deep.equal([['cleared', 'step-closed-before', new Date(closed).toISOString(), 'warning']]);
    });

    it('when a department\'s result arrives overdue but says the step truly ended before its warning, then the level is corrected back, naming that end', () => {
      const arrived = Date.parse(due) + 3_600_000;
      const end = '2026-10-21T08:00:00.000Z';
      const j = closeStepClock(step({ level: 'overdue' }), arrived, end);
      expect(j.level).to.equal('normal');
      expect(rows(j.raised)).to.deep.equal([['cleared', `step-ended-at-${end}`, new Date(arrived).toISOString(), 'overdue']]);
    });

    it('when a department\'s true end is later than the arrival (a clock skew), then the close itself is the end', () => {
      const closed = Date.parse(due) + 1;
      expect(rows(closeStepClock(step({ level: 'overdue' }), closed, '2026-10-30T00:00:00.000Z').raised)).to.deep.equal([]);
    });
  });
});
