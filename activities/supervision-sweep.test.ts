/**
 * The supervision sweep on the real stack: the worker's sweep workflow (every half second here),
 * its activity against PostgreSQL, and the notices through the messaging simulator. Case clocks
 * are published as a swept case's workflow publishes them (through the projection), with instants
 * a moment ahead, so the sweep itself finds them due.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ctx } from '../test/context';
import { createProjectionActivities, type CaseEventInput } from './projection';
import { createSupervisionSweepActivities, passing, SWEEP_SEQ_BASE } from './supervision-sweep';
import { createPlatforms } from '../lib/platforms';
import { readFormFolder } from '../lib/forms';
import { asClerkFor, asStaff, eventually, http, platformSecret, secretKey, sharedStack, type Stack } from '../test/harness';
import { ensureSupervisionSweep, supervisionSweepId } from '../lib/supervision-sweep';
import { driveToCompletion } from '../test/drive-case';
import { caseViewQuery } from '../workflows/definitions';
import { registerReadModelGauges, registry } from '../lib/metrics';

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
  /** The gauge of clocks whose record the database refused, as the API exports it. */
  async function unrecordable(): Promise<Record<string, number>> {
    registerReadModelGauges(stack.db);
    const got = await registry.getSingleMetric('onewindow_supervision_clocks_unrecordable')!.get();
    return Object.fromEntries(got.values.map((v) => [String(v.labels.clock), v.value]));
  }
  const sweeper = () => createSupervisionSweepActivities(stack.db, createPlatforms({ urls: stack.sims.urls, secret: platformSecret, departmentCodes: [department] }));

  it('when the messaging platform hangs, then a sweep round waits for it one timeout at most (no retries: the outbox is the retry), the next warning is recorded at its instant, and the notices go out once it answers', async () => {
    await withoutStackSweep(async () => {
      const first = await clockCase({ warningAt: inMs(100), promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
      const second = await clockCase({ warningAt: inMs(2_500), promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
      await stack.sims.messaging.control.setFaults({ latencyMs: 60_000 });
      try {
        await new Promise((r) => setTimeout(r, 200));
        const started = Date.now();
        const r = await sweeper().sweepSupervision();
        // One attempt of 5 s (the adapter's timeout); with the adapter's own four attempts and backoff it was some 21 s.
        expect(Date.now() - started).to.be.below(9_000);
        expect(r).to.include({ noticesSent: 0 });
        expect(r.noticesLeft).to.be.at.least(2);
        expect((await events(first)).map((e) => e.level)).to.deep.equal(['warning']);
        const due = (await row(second))!.next_supervision_at.getTime();
        await new Promise((res) => setTimeout(res, Math.max(0, due - Date.now() + 50)));
        const again = Date.now();
        await sweeper().sweepSupervision();
        expect(Date.now() - again).to.be.below(9_000);
        expect((await events(second)).map((e) => e.level)).to.deep.equal(['warning']);
      } finally {
        await stack.sims.messaging.control.setFaults({ latencyMs: 0 });
      }
      const r = await sweeper().sweepSupervision();
      expect(r.noticesLeft).to.equal(0);
      for (const caseNo of [first, second]) {
        const rows = await stack.db('notifications').where({ case_no: caseNo }).select('sent_at', 'failure');
        expect(rows.map((x) => [Boolean(x.sent_at), x.failure])).to.deep.equal([[true, null], [true, null]]);
      }
    });
  });

  it('when the worker running the sweep is killed in the middle of a round, then another worker takes the sweep over within its heartbeat timeout, not its 2-minute limit, and every warning and notice is recorded once', async function () {
    this.timeout(240_000);
    await withoutStackSweep(async () => {
      const queue = `it-sweep-killed-${process.pid}`;
      const env = {
        ...process.env, DATABASE_URL: ctx.databaseUrl, TEMPORAL_ADDRESS: ctx.temporalAddress, TEMPORAL_TASK_QUEUE: queue, PLATFORM_SECRET: platformSecret,
        SECRET_KEY: secretKey, SUPERVISION_SWEEP_MS: '500', WORKER_METRICS_PORT: '0', TEMPORAL_METRICS_PORT: '0', LOG_LEVEL: 'INFO',
        ...Object.fromEntries(Object.entries(stack.sims.urls).map(([p, url]) => [`${p.toUpperCase()}_URL`, url])),
      };
      const workers: { w: ChildProcess; exited: Promise<unknown> }[] = [];
      const startWorker = async () => {
        const w = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], { cwd: path.join(__dirname, '..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
        let gone = false;
        const exited = new Promise((r) => w.once('exit', () => { gone = true; r(undefined); }));
        workers.push({ w, exited });
        let out = '';
        w.stdout.on('data', (c: Buffer) => { out += c.toString(); });
        w.stderr.on('data', (c: Buffer) => { out += c.toString(); });
        await eventually(() => {
          if (gone) throw new Error(`the worker exited: ${out.slice(-2000)}`);
          return Promise.resolve(/worker: polling task queue/.test(out));
        }, 'a worker polling', 120_000);
        return w;
      };
      try {
        // The first worker records a warning, then waits on a notifier that hangs.
        await stack.sims.messaging.control.setFaults({ latencyMs: 60_000 });
        const first = await clockCase({ warningAt: inMs(100), promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
        const doomed = await startWorker();
        await eventually(async () => (await events(first)).length === 1, 'the first warning', 30_000);
        await new Promise((r) => setTimeout(r, 1_000)); // in the middle of its notices
        doomed.kill('SIGKILL');
        const killedAt = Date.now();
        const second = await clockCase({ warningAt: inMs(1_000), promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
        await stack.sims.messaging.control.setFaults({ latencyMs: 0 });
        await startWorker();
        await eventually(async () => (await events(second)).length === 1, 'the second warning, by the second worker', 100_000);
        const took = Date.now() - killedAt;
        console.log(`      (the second worker recorded the warning due after the kill ${(took / 1000).toFixed(1)} s after it)`);
        // The sweep's heartbeat timeout is 20 s (then a retry a second later); without heartbeats a lost round waited out its 2-minute limit.
        expect(took, `the second warning was recorded ${took} ms after the kill`).to.be.below(50_000);
        for (const caseNo of [first, second]) {
          expect((await events(caseNo)).map((e) => e.level)).to.deep.equal(['warning']);
          await eventually(async () => {
            const rows = await stack.db('notifications').where({ case_no: caseNo }).select('sent_at');
            return rows.length === 2 && rows.every((x) => x.sent_at);
          }, `the notices of ${caseNo} sent`, 30_000);
        }
      } finally {
        await stack.sims.messaging.control.setFaults({ latencyMs: 0 });
        for (const { w } of workers) w.kill('SIGKILL'); // nothing of theirs is needed after the test; a graceful stop would wait on the hanging notices
        await Promise.all(workers.map((x) => x.exited));
        await stack.client.workflow.getHandle(supervisionSweepId(queue)).terminate('test over').catch(() => undefined);
      }
    });
  });

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

  describe('step clocks (each review step\'s own limit)', () => {
    const stepEvents = (caseNo: string) => stack.db('supervision_events').where({ case_no: caseNo, scope: 'step' }).orderBy('seq').select('seq', 'level', 'cause', 'step_id', 'deadline', 'at', 'simulated');
    const refusedStep = (caseNo: string, key: string) => stack.db('step_clocks').where({ case_no: caseNo, clock_key: key })
      .first<{ level: string; sweep_failures: number; sweep_retry_at: Date; sweep_error: string | null; next_supervision_at: Date }>('level', 'sweep_failures', 'sweep_retry_at', 'sweep_error', 'next_supervision_at');
    const stepRow = (caseNo: string, key: string) => stack.db('step_clocks').where({ case_no: caseNo, clock_key: key }).first('level', 'closed_at', 'true_end', 'next_supervision_at');
    async function openStep(caseNo: string, key: string, k: { warningAt: string | null; dueAt: string; simulated?: boolean }, stepId = 'review') {
      await projection.applyProjection({ caseNo, ops: [{ op: 'step-open', caseNo, clock: { key, stepId, department, openedAt: new Date().toISOString(), ...k } }] });
    }
    const closeStep = (caseNo: string, key: string, at: string, trueEnd: string | null = null) =>
      projection.applyProjection({ caseNo, ops: [{ op: 'step-close', caseNo, clock: { key, at, trueEnd } }] });
    const far = () => ({ warningAt: inMs(86_400_000), promised: inMs(2 * 86_400_000), statutory: inMs(3 * 86_400_000) });

    it('when an open step passes its warning and due instants, then the sweep records each at its instant, with its step, case event and both notices, and the close later records nothing more', async () => {
      const caseNo = await clockCase(far());
      const [w, d] = [inMs(1_000), inMs(2_000)];
      await openStep(caseNo, 'review#1', { warningAt: w, dueAt: d });
      expect((await stepRow(caseNo, 'review#1'))!.next_supervision_at.toISOString()).to.equal(w);
      await eventually(async () => (await stepEvents(caseNo)).length >= 2, 'both step events', 10_000);
      const list = await stepEvents(caseNo);
      expect(list.map((e) => [e.seq, e.level, e.cause, e.step_id, e.deadline.toISOString(), e.at.toISOString(), e.simulated]))
        .to.deep.equal([[SWEEP_SEQ_BASE + 1, 'warning', 'step-limit-near', 'review', d, w, false], [SWEEP_SEQ_BASE + 2, 'overdue', 'step-limit-passed', 'review', d, d, false]]);
      expect(await stepRow(caseNo, 'review#1')).to.include({ level: 'overdue', next_supervision_at: null, closed_at: null });
      expect(await row(caseNo)).to.include({ supervision_state: 'normal', supervision_seq: 2, last_seq: 2 });
      const ce = await stack.db('case_events').where({ case_no: caseNo, seq: SWEEP_SEQ_BASE + 1 }).first('type', 'actor', 'payload');
      expect(ce).to.deep.include({ type: 'supervision-warning', actor: 'supervision' });
      expect(ce.payload).to.include({ scope: 'step', stepId: 'review', cause: 'step-limit-near', department, previous: 'normal' });
      await eventually(async () => {
        const rows = await stack.db('notifications').where({ case_no: caseNo }).select('recipient', 'template', 'sent_at');
        return rows.length === 4 && rows.every((x) => x.sent_at);
      }, 'the four notices sent');
      const closedAt = new Date().toISOString();
      await closeStep(caseNo, 'review#1', closedAt);
      await closeStep(caseNo, 'review#1', closedAt); // a retried write
      expect((await stepEvents(caseNo)).length).to.equal(2);
      expect((await stepRow(caseNo, 'review#1'))!.closed_at.toISOString()).to.equal(closedAt);
    });

    it('when a step closes after both its instants passed but before any sweep saw them, then both are recorded at their instants as the close is written, once, even when the writes are retried', async () => {
      await withoutStackSweep(async () => {
        const caseNo = await clockCase(far());
        const [w, d] = [inMs(100), inMs(200)];
        await openStep(caseNo, 'review#1', { warningAt: w, dueAt: d });
        await openStep(caseNo, 'review#1', { warningAt: w, dueAt: d }); // a retried write
        await new Promise((r) => setTimeout(r, 300));
        const closedAt = new Date().toISOString();
        await closeStep(caseNo, 'review#1', closedAt);
        await closeStep(caseNo, 'review#1', closedAt);
        expect((await stepEvents(caseNo)).map((e) => [e.level, e.at.toISOString()])).to.deep.equal([['warning', w], ['overdue', d]]);
        expect(await stepRow(caseNo, 'review#1')).to.include({ level: 'overdue', next_supervision_at: null });
        expect(await stack.db('step_clocks').where({ case_no: caseNo }).count<{ n: string }[]>('* as n')).to.deep.equal([{ n: '1' }]);
        expect(await stack.db('notifications').where({ case_no: caseNo, outbox: true }).whereNull('sent_at').count<{ n: string }[]>('* as n')).to.deep.equal([{ n: '4' }]);
      });
    });

    it('when a sweep raised a step\'s warning for an instant after the step in fact closed (its close written late), then the close corrects it at the close', async () => {
      await withoutStackSweep(async () => {
        const caseNo = await clockCase(far());
        const w = inMs(400);
        await openStep(caseNo, 'review#1', { warningAt: w, dueAt: inMs(86_400_000) });
        const closedAt = new Date().toISOString();
        await new Promise((r) => setTimeout(r, 500));
        await sweeper().sweepSupervision();
        expect((await stepEvents(caseNo)).map((e) => e.level)).to.deep.equal(['warning']);
        await closeStep(caseNo, 'review#1', closedAt);
        const list = await stepEvents(caseNo);
        expect(list.map((e) => [e.level, e.cause, e.at.toISOString()])).to.deep.equal([['warning', 'step-limit-near', w], ['cleared', 'step-closed-before', closedAt]]);
        expect(await stepRow(caseNo, 'review#1')).to.include({ level: 'normal' });
      });
    });

    it('when a department\'s result arrives after its step went overdue but names a true end before the warning, then the close corrects the level back, naming that end', async () => {
      await withoutStackSweep(async () => {
        const caseNo = await clockCase(far());
        const trueEnd = new Date().toISOString();
        await openStep(caseNo, 'dept#1', { warningAt: inMs(100), dueAt: inMs(200) }, 'dept');
        await new Promise((r) => setTimeout(r, 300));
        await sweeper().sweepSupervision();
        const arrived = new Date().toISOString();
        await closeStep(caseNo, 'dept#1', arrived, trueEnd);
        expect((await stepEvents(caseNo)).map((e) => [e.level, e.cause])).to.deep.equal([['warning', 'step-limit-near'], ['overdue', 'step-limit-passed'], ['cleared', `step-ended-at-${trueEnd}`]]);
        expect(await stepRow(caseNo, 'dept#1')).to.deep.include({ level: 'normal' });
        expect((await stepRow(caseNo, 'dept#1'))!.true_end.toISOString()).to.equal(trueEnd);
      });
    });

    it('when a department\'s result names an end that is no instant, then the step still closes, at its arrival, with nothing corrected', async () => {
      await withoutStackSweep(async () => {
        const caseNo = await clockCase(far());
        await openStep(caseNo, 'dept#1', { warningAt: inMs(100), dueAt: inMs(86_400_000) }, 'dept');
        await new Promise((r) => setTimeout(r, 200));
        await sweeper().sweepSupervision();
        const arrived = new Date().toISOString();
        await closeStep(caseNo, 'dept#1', arrived, '上周五\u0000');
        expect((await stepEvents(caseNo)).map((e) => e.level)).to.deep.equal(['warning']);
        const r = (await stepRow(caseNo, 'dept#1'))!;
        expect([r.level, r.closed_at.toISOString(), r.true_end]).to.deep.equal(['warning', arrived, null]);
      });
    });

    it('when a case\'s own warning and two of its parallel steps\' warnings fall due at once, then concurrent sweeps record all three once, numbered in one sequence without gaps', async () => {
      await withoutStackSweep(async () => {
        const at = inMs(300);
        const caseNo = await clockCase({ warningAt: at, promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) });
        await openStep(caseNo, 'a#1', { warningAt: at, dueAt: inMs(86_400_000) }, 'a');
        await openStep(caseNo, 'b#2', { warningAt: at, dueAt: inMs(86_400_000), simulated: true }, 'b');
        await new Promise((r) => setTimeout(r, 400));
        const sweep = sweeper();
        await Promise.all([sweep.sweepSupervision(), sweep.sweepSupervision(), sweep.sweepSupervision()]);
        await sweep.sweepSupervision(); // whatever one round left for a row another held
        const all = await events(caseNo);
        expect(all.map((e) => e.seq)).to.deep.equal([SWEEP_SEQ_BASE + 1, SWEEP_SEQ_BASE + 2, SWEEP_SEQ_BASE + 3]);
        expect(all.map((e) => [e.scope, e.level]).sort()).to.deep.equal([['case', 'warning'], ['step', 'warning'], ['step', 'warning']]);
        expect((await stepEvents(caseNo)).map((e) => [e.step_id, e.simulated]).sort()).to.deep.equal([['a', false], ['b', true]]);
        expect(await row(caseNo)).to.include({ supervision_seq: 3 });
      });
    });
    it('when the database refuses one step clock\'s record, then the sweep records the others in the same round, counts the refusal on its row and puts it off, and records it once the database takes it', async () => {
      await withoutStackSweep(async () => {
        const caseNo = await clockCase(far());
        const at = inMs(100);
        await openStep(caseNo, 'good#1', { warningAt: at, dueAt: inMs(86_400_000) }, 'good');
        // A step id longer than supervision_events takes (64): its record cannot be stored.
        await openStep(caseNo, 'bad#2', { warningAt: at, dueAt: inMs(86_400_000) }, 'x'.repeat(70));
        try {
          await new Promise((r) => setTimeout(r, 200));
          const r = await sweeper().sweepSupervision();
          expect(r).to.include({ failed: 1 });
          expect((await stepEvents(caseNo)).map((e) => [e.step_id, e.level])).to.deep.equal([['good', 'warning']]);
          const bad = await refusedStep(caseNo, 'bad#2');
          expect(bad).to.include({ level: 'normal', sweep_failures: 1 });
          expect(bad.sweep_error).to.match(/too long/);
          // Put off by 2 s: its next instant is the retry, so the sweep neither tries it at once nor counts it as behind.
          expect(bad.sweep_retry_at.getTime() - Date.now()).to.be.within(500, 2_100);
          expect(bad.next_supervision_at.toISOString()).to.equal(bad.sweep_retry_at.toISOString());
          expect(Date.parse(r.next!)).to.be.at.least(bad.sweep_retry_at.getTime() - 1);
          expect(await unrecordable()).to.deep.equal({ case: 0, step: 1 });
          expect(await sweeper().sweepSupervision()).to.include({ failed: 0, events: 0 });
          expect(await refusedStep(caseNo, 'bad#2')).to.include({ sweep_failures: 1 });

          // Its retry comes: refused again, put off twice as long.
          await stack.db('step_clocks').where({ case_no: caseNo, clock_key: 'bad#2' }).update({ sweep_retry_at: new Date(Date.now() - 1) });
          expect(await sweeper().sweepSupervision()).to.include({ failed: 1 });
          const again = await refusedStep(caseNo, 'bad#2');
          expect(again.sweep_failures).to.equal(2);
          expect(again.sweep_retry_at.getTime() - Date.now()).to.be.within(2_500, 4_100);
          // Refused for days on end: still counted, and put off 5 minutes, never more (the backoff never overflows).
          await stack.db('step_clocks').where({ case_no: caseNo, clock_key: 'bad#2' }).update({ sweep_failures: 5_000, sweep_retry_at: new Date(Date.now() - 1) });
          expect(await sweeper().sweepSupervision()).to.include({ failed: 1 });
          const long = await refusedStep(caseNo, 'bad#2');
          expect(long.sweep_failures).to.equal(5_001);
          expect(long.sweep_retry_at.getTime() - Date.now()).to.be.within(290_000, 300_100);

          // Mended (the row shortened as an operator would) and its retry come: recorded at its instant, the refusals forgotten.
          await stack.db('step_clocks').where({ case_no: caseNo, clock_key: 'bad#2' }).update({ step_id: 'mended', sweep_retry_at: new Date(Date.now() - 1) });
          expect(await sweeper().sweepSupervision()).to.include({ failed: 0, events: 1 });
          expect((await stepEvents(caseNo)).map((e) => [e.step_id, e.level, e.at.toISOString()])).to.deep.equal([['good', 'warning', at], ['mended', 'warning', at]]);
          expect(await refusedStep(caseNo, 'bad#2')).to.include({ level: 'warning', sweep_failures: 0, sweep_retry_at: null, sweep_error: null });
          expect(await unrecordable()).to.deep.equal({ case: 0, step: 0 });
        } finally {
          await stack.db('step_clocks').where({ case_no: caseNo, clock_key: 'bad#2' }).del();
        }
      });
    });

    it('when the database refuses a case clock\'s warning, then the other cases of the batch are recorded, the refused one is put off and counted, and once the database takes it the warning is recorded at its instant', async () => {
      await withoutStackSweep(async () => {
        const at = inMs(100);
        const [good, bad] = await Promise.all([0, 1].map(() => clockCase({ warningAt: at, promised: inMs(86_400_000), statutory: inMs(2 * 86_400_000) })));
        // The database refuses any supervision row of this one case (a constraint on new rows only).
        await stack.db.raw(`alter table supervision_events add constraint zz_refuse_sweep check (case_no <> '${bad}') not valid`);
        try {
          await new Promise((r) => setTimeout(r, 200));
          expect(await sweeper().sweepSupervision()).to.include({ failed: 1 });
          expect((await events(good)).map((e) => e.level)).to.deep.equal(['warning']);
          expect(await events(bad)).to.deep.equal([]);
          const r = await stack.db('cases').where({ case_no: bad }).first('supervision_state', 'sweep_failures', 'sweep_retry_at', 'sweep_error', 'next_supervision_at');
          expect(r).to.include({ supervision_state: 'normal', sweep_failures: 1 });
          expect(r.sweep_error).to.match(/zz_refuse_sweep/);
          expect(r.next_supervision_at.toISOString()).to.equal(r.sweep_retry_at.toISOString());
          expect((await unrecordable()).case).to.equal(1);
          expect(await sweeper().sweepSupervision()).to.include({ failed: 0 });
          // Its instants moved (a pause, an extension): what was refused is no longer due, and the refusals are forgotten.
          await stack.db('cases').where({ case_no: bad }).update({ warning_at: new Date(Date.now() + 3_600_000) });
          expect(await stack.db('cases').where({ case_no: bad }).first('sweep_failures', 'sweep_retry_at', 'sweep_error')).to.deep.equal({ sweep_failures: 0, sweep_retry_at: null, sweep_error: null });
          await stack.db('cases').where({ case_no: bad }).update({ warning_at: at });
        } finally {
          await stack.db.raw('alter table supervision_events drop constraint if exists zz_refuse_sweep');
        }
        expect(await sweeper().sweepSupervision()).to.include({ failed: 0 });
        expect((await events(bad)).map((e) => [e.level, e.at.toISOString()])).to.deep.equal([['warning', at]]);
        expect(await stack.db('cases').where({ case_no: bad }).first('supervision_state', 'sweep_failures', 'sweep_retry_at', 'sweep_error'))
          .to.deep.equal({ supervision_state: 'warning', sweep_failures: 0, sweep_retry_at: null, sweep_error: null });
        expect((await unrecordable()).case).to.equal(0);
      });
    });

    it('when a case with step limits is filed and driven to its end, then each step publishes its clock with its task\'s due instant, the sweep\'s step level is the one the live view shows, and every clock is closed as its step ends', async () => {
      const item = 'XK-330000-00003.xh-scjg';
      const clerk = await asClerkFor(stack, item);
      const person = { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' };
      const filed = await http(stack, 'POST', '/api/cases', { implementationCode: item, channel: 'window', applicant: person, formData: readFormFolder({ key: 'food-business-licence', version: 1 }).example }, clerk);
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      const caseNo = filed.body.caseNo as string;
      const h = stack.client.workflow.getHandle(caseNo);
      const precheck = await eventually(async () => stack.db('tasks').where({ case_no: caseNo, kind: 'precheck', status: 'open' }).first<{ id: string } | undefined>('id'), 'the pre-check task', 30_000);
      const accepted = await http(stack, 'POST', `/api/tasks/${precheck.id}/complete`, { action: 'accept', opinion: '同意', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, clerk);
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      const clock = await eventually(async () => stack.db('step_clocks').where({ case_no: caseNo }).first<{ clock_key: string; step_id: string; due_at: Date; closed_at: Date | null } | undefined>('clock_key', 'step_id', 'due_at', 'closed_at'), 'the first step clock');
      const task = await stack.db('tasks').where({ case_no: caseNo, kind: 'review', status: 'open' }).first('step_id', 'due_at');
      expect(clock).to.include({ clock_key: 'accept-review#1', step_id: 'accept-review', closed_at: null });
      expect([clock.step_id, clock.due_at.toISOString()]).to.deep.equal([task.step_id, task.due_at.toISOString()]);
      // As if the step's warning day had come: the sweep records it, and the live view shows the sweep's level.
      await stack.db('step_clocks').where({ case_no: caseNo, clock_key: 'accept-review#1' }).update({ warning_at: new Date() });
      await eventually(async () => (await stepEvents(caseNo)).length === 1, 'the step warning');
      expect((await h.query(caseViewQuery)).supervision.steps).to.deep.equal({}); // the workflow keeps no step levels
      expect((await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk)).body.supervision.steps).to.deep.equal({ 'accept-review': 'warning' });
      const view = await driveToCompletion(h, () => []);
      expect(view.status).to.be.oneOf(['completed', 'closed']);
      const clocks = await eventually(async () => {
        const rows = await stack.db('step_clocks').where({ case_no: caseNo }).orderBy('opened_at').select('clock_key', 'level', 'closed_at', 'next_supervision_at');
        return rows.length === 3 && rows.every((r) => r.closed_at) && rows;
      }, 'three closed step clocks');
      expect(clocks.map((r) => [r.clock_key, r.level, r.next_supervision_at])).to.deep.equal([['accept-review#1', 'warning', null], ['site-inspection#2', 'normal', null], ['decision#3', 'normal', null]]);
      expect((await stepEvents(caseNo)).map((e) => [e.step_id, e.level])).to.deep.equal([['accept-review', 'warning']]);
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

describe('the supervision sweep: which database errors count as a refusal of a clock', () => {
  const err = (code: unknown) => Object.assign(new Error('x'), { code });

  it('when the error is a lost connection, a deadlock or serialization failure, or a server shutting down or short of resources, then it is passing (tried again next round, not counted)', () => {
    for (const code of ['08006', '08001', '40001', '40P01', '53300', '53100', '57P01', '57014', '58030']) expect(passing(err(code)), code).to.equal(true);
  });

  it('when the connection is refused, reset or cannot be had from the pool (no SQLSTATE), then it is passing too: an outage puts no clock off', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']) expect(passing(err(code)), code).to.equal(true);
    expect(passing(new Error('Connection terminated unexpectedly'))).to.equal(true);
    expect(passing(Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }))).to.equal(true);
    expect(passing(new Error('insert into "step_clocks" … - lost', { cause: err('ECONNRESET') }))).to.equal(true);
  });

  it('when the database refuses the row itself (a constraint, bad data, a trigger\'s exception) or the error has no SQLSTATE, then it is a refusal (counted, put off)', () => {
    for (const code of ['23514', '23505', '22P02', '22001', 'P0001', '42P01', undefined, 8006, '']) expect(passing(err(code)), String(code)).to.equal(false);
    expect(passing('not an error')).to.equal(false);
    expect(passing(null)).to.equal(false);
  });
});
