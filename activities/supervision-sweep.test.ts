/**
 * The supervision sweep on the real stack: the worker's sweep workflow (every half second here),
 * its activity against PostgreSQL, and the notices through the messaging simulator. Case clocks
 * are published as a swept case's workflow publishes them (through the projection), with instants
 * a moment ahead, so the sweep itself finds them due.
 */
import { expect } from 'chai';
import { createProjectionActivities, type CaseEventInput } from './projection';
import { createSupervisionSweepActivities, SWEEP_SEQ_BASE } from './supervision-sweep';
import { createPlatforms } from '../lib/platforms';
import { readFormFolder } from '../lib/forms';
import { asClerkFor, asStaff, eventually, http, platformSecret, sharedStack, type Stack } from '../test/harness';
import { ensureSupervisionSweep, supervisionSweepId } from '../lib/supervision-sweep';

const department = 'zz-sweep';
const stamp = String(Date.now()).slice(-9);
let n = 0;
const nextCaseNo = () => `7743${stamp}${String(++n).padStart(9, '0')}`;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

interface Clock {
  warningAt: string | null;
  promised: string;
  statutory: string;
  running?: boolean;
  swept?: boolean;
  simulated?: boolean;
}

describe('the supervision sweep records published case clocks (worker, database, messaging simulator)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let projection: ReturnType<typeof createProjectionActivities>;

  async function write(caseNo: string, evs: Omit<CaseEventInput, 'caseNo'>[]) {
    await projection.applyProjection({ caseNo, ops: evs.map((ev) => ({ op: 'event' as const, ev: { caseNo, ...ev } })) });
  }

  /** A case filed and accepted with this clock, as a swept case's workflow writes it. */
  async function clockCase(k: Clock): Promise<string> {
    const caseNo = nextCaseNo();
    const at = new Date().toISOString();
    await write(caseNo, [
      {
        seq: 1, type: 'filed', at, patch: { status: 'filed' },
        create: {
          implementationCode: 'ZZ-SWEEP.zz', implementationVersion: 1, itemCode: 'ZZ-SWEEP', itemName: '测试事项', department, channel: 'window',
          applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, formData: {}, filedAt: at, caseType: 'promised', statutoryLimitDays: 20, promisedLimitDays: 10, engine: 2,
          ...(k.swept === false ? {} : { supervisedBy: 'sweep' as const }), ...(k.simulated ? { simulated: true } : {}),
        },
      },
      {
        seq: 2, type: 'accepted', at, patch: {
          status: 'in_review', acceptedAt: at, warningAt: k.warningAt, promisedDeadline: k.promised, statutoryDeadline: k.statutory, deadlineProvisional: false,
          clockRunning: k.running ?? true, supervisionState: 'normal', statutoryOverdue: false,
        },
      },
    ]);
    return caseNo;
  }

  const events = (caseNo: string) => stack.db('supervision_events').where({ case_no: caseNo }).orderBy('seq').select('seq', 'level', 'cause', 'scope', 'deadline', 'at', 'recorded_at', 'simulated');
  const row = (caseNo: string) => stack.db('cases').where({ case_no: caseNo }).first('supervision_state', 'statutory_overdue', 'warned_at', 'last_seq', 'supervision_seq', 'next_supervision_at', 'promised_deadline');
  const recorded = (caseNo: string, count: number) => eventually(async () => (await events(caseNo)).length >= count, `${count} supervision events of ${caseNo}`);

  before(async () => {
    stack = await sharedStack();
    projection = createProjectionActivities(stack.db);
    await stack.db('departments').insert({ code: department, name: '测试监察局', level: 'county', region_code: '330106' }).onConflict('code').ignore();
  });
  after(async () => {
    await stack?.stop();
  });

  it('when a case\'s warning instant passes, then one warning is recorded at that instant, with its case event, level, audit row and both notices sent', async () => {
    const warningAt = inMs(2_000);
    const caseNo = await clockCase({ warningAt, promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
    expect((await row(caseNo))!.next_supervision_at.toISOString()).to.equal(warningAt);
    await recorded(caseNo, 1);
    const [e] = await events(caseNo);
    expect(e).to.include({ seq: SWEEP_SEQ_BASE + 1, level: 'warning', cause: 'promised-limit-near', scope: 'case', simulated: false });
    expect(e.at.toISOString()).to.equal(warningAt); // the instant it fell due, not when it was seen
    expect(e.recorded_at.getTime()).to.be.at.least(Date.parse(warningAt));
    const r = (await row(caseNo))!;
    expect(r).to.include({ supervision_state: 'warning', statutory_overdue: false, last_seq: 2, supervision_seq: 1 });
    expect(r.warned_at.toISOString()).to.equal(warningAt);
    expect(r.next_supervision_at.toISOString()).to.equal(r.promised_deadline.toISOString());
    const ce = await stack.db('case_events').where({ case_no: caseNo, seq: SWEEP_SEQ_BASE + 1 }).first('type', 'actor', 'payload');
    expect(ce).to.deep.include({ type: 'supervision-warning', actor: 'supervision' });
    expect(ce.payload).to.include({ scope: 'case', cause: 'promised-limit-near', department, previous: 'normal' });
    expect(await stack.db('audit_log').where({ case_no: caseNo, action: 'case.supervision-warning' }).count<{ count: string }[]>('* as count')).to.deep.equal([{ count: '1' }]);
    const notices = await eventually(async () => {
      const rows = await stack.db('notifications').where({ case_no: caseNo }).orderBy('recipient').select('recipient', 'template', 'sent_at', 'failure', 'outbox');
      return rows.length === 2 && rows.every((x) => x.sent_at) && rows;
    }, 'both notices sent');
    expect(notices.map((x) => [x.recipient, x.template, x.failure, x.outbox])).to.deep.equal([[`${department}:handler`, 'supervision-warning', null, true], [`${department}:head`, 'supervision-warning', null, true]]);
    const sent = await stack.sims.messaging.control.sent();
    expect(sent.filter((s) => (s.detail as { caseNo?: string }).caseNo === caseNo)).to.have.length(2);
  });

  it('when a clock is first seen past its warning, its deadline and its statutory limit, then each is recorded at its own instant, in order', async () => {
    const [w, p, s] = [inMs(300), inMs(400), inMs(500)];
    const caseNo = await clockCase({ warningAt: w, promised: p, statutory: s });
    await recorded(caseNo, 3);
    const list = await events(caseNo);
    expect(list.map((e) => [e.seq - SWEEP_SEQ_BASE, e.level, e.cause, e.at.toISOString()])).to.deep.equal([
      [1, 'warning', 'promised-limit-near', w], [2, 'overdue', 'promised-limit-passed', p], [3, 'overdue', 'statutory-limit-passed', s],
    ]);
    expect(await row(caseNo)).to.include({ supervision_state: 'overdue', statutory_overdue: true, next_supervision_at: null });
  });

  it('when a clock is paused, or its case supervises itself, then the sweep records nothing for it', async () => {
    const due = { warningAt: inMs(200), promised: inMs(300), statutory: inMs(400) };
    const paused = await clockCase({ ...due, running: false });
    const own = await clockCase({ ...due, swept: false });
    const witness = await clockCase(due);
    await recorded(witness, 3); // the sweep has passed these instants
    expect(await events(paused)).to.deep.equal([]);
    expect(await events(own)).to.deep.equal([]);
    expect(await row(paused)).to.include({ supervision_state: 'normal', next_supervision_at: null });
  });

  it('when the workflow moves an overdue case\'s deadlines away (an extension), then the sweep corrects the level, and the workflow\'s later patches still land', async () => {
    const caseNo = await clockCase({ warningAt: inMs(100), promised: inMs(200), statutory: inMs(86_400_000) });
    await recorded(caseNo, 2);
    expect(await row(caseNo)).to.include({ supervision_state: 'overdue' });
    const later = { warningAt: inMs(5 * 86_400_000), promisedDeadline: inMs(6 * 86_400_000), statutoryDeadline: inMs(7 * 86_400_000) };
    await write(caseNo, [{ seq: 3, type: 'extension-approved', at: new Date().toISOString(), patch: { ...later, clockRunning: true } }]);
    await recorded(caseNo, 3);
    const [, , corrected] = await events(caseNo);
    expect(corrected).to.include({ level: 'cleared', cause: 'deadline-moved', seq: SWEEP_SEQ_BASE + 3 });
    expect(await row(caseNo)).to.include({ supervision_state: 'normal', last_seq: 3 });
    // The sweep's numbering never blocks the workflow's: its next event still patches the row.
    await write(caseNo, [{ seq: 4, type: 'decided', at: new Date().toISOString(), patch: { decision: 'approved', clockRunning: false } }]);
    expect(await row(caseNo)).to.include({ last_seq: 4, next_supervision_at: null });
  });

  it('when a simulated case (模拟审批) passes its warning, then the warning and its notices say so', async () => {
    const caseNo = await clockCase({ warningAt: inMs(200), promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000), simulated: true });
    await recorded(caseNo, 1);
    expect((await events(caseNo))[0]).to.include({ level: 'warning', simulated: true });
    const notice = await stack.db('notifications').where({ case_no: caseNo }).first('params');
    expect(notice.params).to.include({ simulated: true });
  });

  it('when the messaging platform fails, then the warning is recorded at its instant anyway and its notices are sent once the platform answers, once each', async () => {
    await stack.sims.messaging.control.setFaults({ failNext: 12 }); // a few sweeps' worth of calls, each retried by the adapter
    const caseNo = await clockCase({ warningAt: inMs(200), promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
    await recorded(caseNo, 1);
    const sent = await eventually(async () => {
      const rows = await stack.db('notifications').where({ case_no: caseNo }).select('sent_at', 'failure');
      return rows.length === 2 && rows.every((x) => x.sent_at && x.failure === null) && rows;
    }, 'both notices sent after the failures', 30_000);
    expect(sent).to.have.length(2);
    const delivered = (await stack.sims.messaging.control.sent()).filter((x) => (x.detail as { caseNo?: string }).caseNo === caseNo);
    expect(delivered).to.have.length(2);
  });

  /** Runs `body` with the stack's own sweep stopped (started again after), so only the test sweeps. */
  async function withoutStackSweep(body: () => Promise<void>): Promise<void> {
    await stack.client.workflow.getHandle(supervisionSweepId(stack.taskQueue)).terminate('a test sweeps by itself');
    try {
      await body();
    } finally {
      await ensureSupervisionSweep(stack.client, stack.taskQueue, 500);
    }
  }
  const sweeper = () => createSupervisionSweepActivities(stack.db, createPlatforms({ urls: stack.sims.urls, secret: platformSecret, departmentCodes: [department] }));

  it('when several sweeps run at once over the same due cases, then each case is judged by exactly one of them (its row locked) and recorded once', async () => {
    await withoutStackSweep(async () => {
      const sweep = sweeper();
      const at = inMs(300);
      const cases = await Promise.all(Array.from({ length: 20 }, () => clockCase({ warningAt: at, promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) })));
      await new Promise((r) => setTimeout(r, 400));
      const results = await Promise.all([sweep.sweepSupervision(), sweep.sweepSupervision(), sweep.sweepSupervision()]);
      // Without the row locks each sweep would judge all 20 (60 in all); the unique keys would still keep one record each.
      expect(results.reduce((n, r) => n + r.cases, 0)).to.equal(20);
      const counts = await stack.db('supervision_events').whereIn('case_no', cases).groupBy('case_no').select('case_no').count<{ count: string }[]>('* as count');
      expect(counts.map((c) => c.count)).to.deep.equal(cases.map(() => '1'));
      const rows = await stack.db('cases').whereIn('case_no', cases).select('supervision_seq');
      expect(rows.every((r) => r.supervision_seq === 1)).to.equal(true);
    });
  });

  it('when the clock stops (the decision) after its warning and deadline passed but before any sweep saw them, then both are recorded at their instants as the decision is written, and nothing after', async () => {
    await withoutStackSweep(async () => {
      const [w, p] = [inMs(100), inMs(200)];
      const caseNo = await clockCase({ warningAt: w, promised: p, statutory: inMs(86_400_000) });
      await new Promise((r) => setTimeout(r, 300));
      const decidedAt = new Date().toISOString();
      await write(caseNo, [{ seq: 3, type: 'decided', at: decidedAt, patch: { decision: 'approved', decidedAt, clockRunning: false } }]);
      const list = await events(caseNo);
      expect(list.map((e) => [e.level, e.cause, e.at.toISOString()])).to.deep.equal([['warning', 'promised-limit-near', w], ['overdue', 'promised-limit-passed', p]]);
      expect(await row(caseNo)).to.include({ supervision_state: 'overdue', last_seq: 3, next_supervision_at: null });
      // The notices wait in the outbox for the sweep to send.
      expect(await stack.db('notifications').where({ case_no: caseNo, outbox: true }).whereNull('sent_at').count<{ n: string }[]>('* as n')).to.deep.equal([{ n: '4' }]);
    });
  });

  it('when the clock paused (a correction) before its warning fell due and the pause is written late, then no warning is recorded for the paused time', async () => {
    await withoutStackSweep(async () => {
      const warningAt = inMs(400);
      const caseNo = await clockCase({ warningAt, promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
      const pausedAt = new Date().toISOString();
      expect(Date.parse(pausedAt)).to.be.below(Date.parse(warningAt));
      await new Promise((r) => setTimeout(r, 500)); // the warning instant passes while the pause is not written yet
      await write(caseNo, [{ seq: 3, type: 'correction-requested', at: pausedAt, patch: { clockRunning: false } }]);
      expect(await events(caseNo)).to.deep.equal([]);
      expect(await row(caseNo)).to.include({ supervision_state: 'normal', next_supervision_at: null });
      await sweeper().sweepSupervision();
      expect(await events(caseNo)).to.deep.equal([]);
    });
  });

  it('when a sweep raised an overdue for a deadline the clock had in fact stopped before (the decision written late), then the decision corrects it', async () => {
    await withoutStackSweep(async () => {
      const promised = inMs(400);
      const caseNo = await clockCase({ warningAt: null, promised, statutory: inMs(86_400_000) });
      const decidedAt = new Date().toISOString();
      expect(Date.parse(decidedAt)).to.be.below(Date.parse(promised));
      await new Promise((r) => setTimeout(r, 500));
      await sweeper().sweepSupervision();
      expect((await events(caseNo)).map((e) => e.level)).to.deep.equal(['overdue']);
      await write(caseNo, [{ seq: 3, type: 'decided', at: decidedAt, patch: { decision: 'approved', decidedAt, clockRunning: false } }]);
      const list = await events(caseNo);
      expect(list.map((e) => [e.level, e.cause])).to.deep.equal([['overdue', 'promised-limit-passed'], ['cleared', 'deadline-moved']]);
      expect(list[1].at.toISOString()).to.equal(decidedAt);
      expect(await row(caseNo)).to.include({ supervision_state: 'normal' });
    });
  });

  it('when a clerk files a case and the window accepts it, then the case is swept: its row publishes the clock the workflow keeps, and the supervisors\' lists find it by the recorded level', async () => {
    const item = 'XK-330000-00001.xh-scjg';
    const clerk = await asClerkFor(stack, item);
    const person = { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' }; // known to the identity simulator
    const filed = await http(stack, 'POST', '/api/cases', {
      implementationCode: item, channel: 'window', applicant: person,
      formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example,
    }, clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const caseNo = filed.body.caseNo as string;
    const task = await eventually(async () => stack.db('tasks').where({ case_no: caseNo, kind: 'precheck', status: 'open' }).first<{ id: string } | undefined>('id'), 'the pre-check task', 30_000);
    const accepted = await http(stack, 'POST', `/api/tasks/${task.id}/complete`, { action: 'accept', opinion: '同意', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, clerk);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    const published = await eventually(async () => {
      const r = await stack.db('cases').where({ case_no: caseNo }).first('supervised_by', 'clock_running', 'warning_at', 'promised_deadline', 'statutory_deadline', 'next_supervision_at', 'supervision_state');
      return r?.clock_running && r;
    }, 'the published clock');
    const live = (await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk)).body;
    expect(published).to.include({ supervised_by: 'sweep', supervision_state: 'normal' });
    expect([published.warning_at?.toISOString() ?? null, published.promised_deadline.toISOString(), published.statutory_deadline.toISOString()])
      .to.deep.equal([live.clock.warningAt, live.clock.promisedDeadline, live.clock.statutoryDeadline]);
    expect(published.next_supervision_at.toISOString()).to.equal(live.clock.warningAt ?? live.clock.promisedDeadline);
    // As if the case's warning day had come: the sweep records the warning, and the level it
    // records is the one the live view and the supervisors' workflow list show.
    await stack.db('cases').where({ case_no: caseNo }).update({ warning_at: new Date() });
    await recorded(caseNo, 1);
    expect((await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk)).body.supervision.level).to.equal('warning');
    const sup = await asStaff(stack, 'supervisor-zhao');
    const listed = await http(stack, 'GET', '/api/supervision/workflows?state=warning&department=xh-scjg', undefined, sup);
    expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
    expect(listed.body.workflows.map((w: { caseNo: string }) => w.caseNo)).to.include(caseNo);
    const normal = await http(stack, 'GET', '/api/supervision/workflows?state=normal&department=xh-scjg', undefined, sup);
    expect(normal.body.workflows.map((w: { caseNo: string }) => w.caseNo)).to.not.include(caseNo);
  });
});
