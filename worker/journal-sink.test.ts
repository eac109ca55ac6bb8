/**
 * The worker's journal sink (patch journal-sink) on the real database: a batch PostgreSQL refuses
 * for its data is written change by change (the event kept without its payload), a batch that
 * fails for another reason is tried again while its time budget lasts, then fails the activation
 * (its error thrown on), and a run's batches are
 * written in order: one handed over while the one before is still being written waits for it, and
 * fails with it.
 */
import { expect } from 'chai';
import { classifyFailures } from '../activities/classify';
import { createProjectionActivities, type CaseEventInput, type ProjectionOp } from '../activities/projection';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { journalSinks, type ApplyBatch, type SinkTiming } from './journal-sink';

type Batch = { caseNo: string; ops: ProjectionOp[] };
type SinkFn = (info: { runId: string }, batch: Batch) => Promise<void>;

/** The sink function the worker calls after an activation (what the SDK hands it: the workflow's info, then the call's arguments). */
function sinkFn(apply: ApplyBatch, timing?: SinkTiming): SinkFn {
  return (journalSinks({ applyProjection: apply }, timing) as unknown as { journal: { write: { fn: SinkFn } } }).journal.write.fn;
}

function filed(caseNo: string, at: string): CaseEventInput {
  return {
    caseNo, seq: 1, type: 'filed', at, actor: 'zz-clerk', payload: { channel: 'window' },
    create: {
      implementationCode: 'ZZ-SINK-1.zz', implementationVersion: 1, itemCode: 'ZZ-SINK-1', itemName: '测试事项', department: 'zz-sink-d', channel: 'window',
      applicant: { kind: 'person', name: '周文斌', idNumber: '330106198807154411', phone: '13588036760' }, formData: {}, filedAt: at,
      caseType: 'promised', statutoryLimitDays: 20, promisedLimitDays: 10, engine: 2,
    },
    patch: { status: 'filed' },
  };
}

describe('the journal sink writes a run\'s batches in order, and a refused one change by change (real database)', function () {
  this.timeout(60_000);
  let db: Db;
  const caseNo = `7743${String(Date.now()).slice(-10).padStart(18, '0')}`;

  before(() => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 2 });
  });
  after(async () => {
    await db('case_events').where({ case_no: caseNo }).delete();
    await db('case_rollup_state').where({ case_no: caseNo }).delete();
    await db('cases').where({ case_no: caseNo }).delete();
    await db('case_rollups').whereIn('key', ['zz-sink-d', 'ZZ-SINK-1']).delete();
    await db.destroy();
  });

  it('when a batch holds an event whose payload PostgreSQL cannot store (a NUL character), then the other changes are written and that event is kept without its payload, marked, with its status', async () => {
    const write = sinkFn((batch) => classifyFailures(createProjectionActivities(db)).applyProjection(batch));
    const at = new Date().toISOString();
    await write({ runId: 'run-a' }, {
      caseNo,
      ops: [
        { op: 'event', ev: filed(caseNo, at) },
        { op: 'event', ev: { caseNo, seq: 2, type: 'precheck-opened', at, actor: 'system', payload: { note: '材料\u0000齐全' }, patch: { status: 'prechecking' } } },
        { op: 'event', ev: { caseNo, seq: 3, type: 'accepted', at, actor: 'zz-clerk', payload: { note: '受理' }, patch: { status: 'in_review' } } },
      ],
    });
    const events = await db('case_events').where({ case_no: caseNo }).orderBy('seq').select<{ seq: number; type: string; payload: Record<string, unknown> }[]>('seq', 'type', 'payload');
    expect(events.map((e) => `${e.seq}:${e.type}`)).to.deep.equal(['1:filed', '2:precheck-opened', '3:accepted']);
    expect(events[1].payload).to.include({ unstorable: true });
    expect(String(events[1].payload.reason)).to.match(/database refused the data/);
    expect(events[2].payload).to.deep.equal({ note: '受理' });
    expect(await db('cases').where({ case_no: caseNo }).first('status', 'last_seq')).to.deep.equal({ status: 'in_review', last_seq: 3 });
  });

  it('when the database fails for another reason (a dropped connection, a deadlock), then the whole batch is tried again after a pause and written once it goes through', async () => {
    const calls: number[] = [];
    const write = sinkFn((batch) => {
      calls.push(batch.ops.length);
      return calls.length < 3 ? Promise.reject(new Error('Connection terminated unexpectedly')) : Promise.resolve();
    }, { budgetMs: 5_000, pauseMs: 10 });
    const ops: ProjectionOp[] = [{ op: 'task-assign', taskId: 't1', assignee: 'u1' }, { op: 'task-assign', taskId: 't2', assignee: null }];
    await write({ runId: 'run-b' }, { caseNo, ops });
    expect(calls, 'the whole batch each time, never change by change').to.deep.equal([2, 2, 2]);
  });

  it('when the database keeps failing, or a write hangs, past the budget, then the sink throws, so the activation fails and its workflow task is retried', async () => {
    const ops: ProjectionOp[] = [{ op: 'task-assign', taskId: 't1', assignee: 'u1' }];
    let calls = 0;
    const failing = sinkFn(() => {
      calls += 1;
      return Promise.reject(new Error('Connection terminated unexpectedly'));
    }, { budgetMs: 300, pauseMs: 50 });
    let thrown: unknown;
    await failing({ runId: 'run-e' }, { caseNo, ops }).catch((err: unknown) => { thrown = err; });
    expect((thrown as Error | undefined)?.message).to.equal('Connection terminated unexpectedly');
    expect(calls, 'tried again while the budget lasted').to.be.at.least(2);
    const began = Date.now();
    const hanging = sinkFn(() => new Promise<void>(() => undefined), { budgetMs: 200, pauseMs: 50 });
    thrown = undefined;
    await hanging({ runId: 'run-f' }, { caseNo, ops }).catch((err: unknown) => { thrown = err; });
    expect((thrown as Error | undefined)?.message).to.equal("the read model's write took longer than 200 ms");
    expect(Date.now() - began).to.be.at.least(190);
  });

  it("when a run's second batch comes while its first is being written, then it waits for the first and fails with it; another run's batch does not wait", async () => {
    const order: string[] = [];
    let releaseFirst!: (ok: boolean) => void;
    const firstDone = new Promise<boolean>((r) => { releaseFirst = r; });
    const write = sinkFn(async (batch) => {
      const name = (batch.ops[0] as { taskId: string }).taskId;
      order.push(`begin ${name}`);
      if (name === 'first' && !(await firstDone)) throw new Error('the first batch failed');
      order.push(`end ${name}`);
    }, { budgetMs: 5_000, pauseMs: 10_000 }); // no second try: the first failure is thrown on
    const batch = (taskId: string): Batch => ({ caseNo, ops: [{ op: 'task-assign', taskId, assignee: null }] });
    const first = write({ runId: 'run-c' }, batch('first'));
    const second = write({ runId: 'run-c' }, batch('second'));
    await write({ runId: 'run-d' }, batch('other'));
    expect(order, 'the other run went ahead; the second batch has not begun').to.deep.equal(['begin first', 'begin other', 'end other']);
    releaseFirst(false);
    const results = await Promise.allSettled([first, second]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect(order, 'the second batch was never written').to.not.include('begin second');
    // The run's next batch (the workflow task's retry) is written normally.
    await write({ runId: 'run-c' }, batch('again'));
    expect(order.slice(-2)).to.deep.equal(['begin again', 'end again']);
  });
});
