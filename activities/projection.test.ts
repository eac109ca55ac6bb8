/**
 * The projection's event write on the real database: a batch's events, the case row's patch, the
 * webhook deliveries of an integrator's case and the stage counters (whose item and department
 * come from the case update's RETURNING), stored once: a retried batch (the local activity run
 * again after its transaction committed) stores, queues and counts nothing more.
 */
import { expect } from 'chai';
import { createDb, type Db } from '../lib/db';
import { caseTransitions } from '../lib/metrics';
import { ctx } from '../test/context';
import { createProjectionActivities, type CaseEventInput, type ProjectionOp } from './projection';

const department = 'zz-proj-d';
const item = 'ZZ-PROJ-1';
const key = 'zz-proj-key';
const sub = 'zz-proj-sub';

function filed(caseNo: string, at: string): CaseEventInput {
  return {
    caseNo, seq: 1, type: 'filed', at, actor: 'integrator:zz', payload: { channel: 'api' },
    create: {
      implementationCode: `${item}.zz`, implementationVersion: 1, itemCode: item, itemName: '测试事项', department, channel: 'api',
      applicant: { kind: 'person', name: '周文斌', idNumber: '330106198807154411', phone: '13588036760' }, formData: {}, filedAt: at,
      caseType: 'promised', statutoryLimitDays: 20, promisedLimitDays: 10, engine: 2,
    },
    patch: { status: 'filed' },
  };
}

const filedCount = async () => (await caseTransitions.get()).values.find((v) => v.labels.stage === 'filed' && v.labels.item === item && v.labels.department === department)?.value ?? 0;

describe('the projection writes a batch of events once (real database)', function () {
  this.timeout(60_000);
  let db: Db;
  const integratorCase = `7741${String(Date.now()).slice(-10).padStart(18, '0')}`;
  const clerkCase = `7742${String(Date.now()).slice(-10).padStart(18, '0')}`;

  before(async () => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 2 });
    await db('api_keys').insert({ id: key, name: '测试接入方', token_hash: 'x'.repeat(64), signing_secret_enc: 'unused', scopes: ['cases:read', 'webhooks'], created_by: 'test' }).onConflict('id').ignore();
    await db('webhook_subscriptions').insert({ id: sub, api_key_id: key, url: 'http://127.0.0.1:1/hook', events: ['*'], secret_enc: 'unused' }).onConflict('id').ignore();
    for (const [caseNo, kind, by] of [[integratorCase, 'integrator', key], [clerkCase, 'staff', 'zz-clerk']]) {
      await db('case_filings').insert({ idempotency_key: `zz-proj:${caseNo}`, case_no: caseNo, request_hash: 'x', input: JSON.stringify({ caseNo }), filed_by_kind: kind, filed_by: by });
    }
  });
  after(async () => {
    for (const caseNo of [integratorCase, clerkCase]) {
      // A dispatcher of a stack sharing this database may have tried a delivery already.
      await db('webhook_attempts').whereIn('delivery_id', db('webhook_deliveries').where({ case_no: caseNo }).select('id')).delete();
      await db('webhook_deliveries').where({ case_no: caseNo }).delete();
      await db('exchange_outbox').where({ case_no: caseNo }).delete();
      await db('case_events').where({ case_no: caseNo }).delete();
      await db('case_rollup_state').where({ case_no: caseNo }).delete();
      await db('cases').where({ case_no: caseNo }).delete();
      await db('case_filings').where({ case_no: caseNo }).delete();
    }
    await db('case_rollups').whereIn('key', [department, item]).delete();
    await db('webhook_subscriptions').where({ id: sub }).delete();
    await db('api_keys').where({ id: key }).delete();
    await db.destroy();
  });

  it("when a batch is written and then written again, then its events, the case row, the integrator's deliveries and the stage count are there once; a clerk's case queues no delivery", async () => {
    const projection = createProjectionActivities(db);
    const at = new Date().toISOString();
    const batch = (caseNo: string): ProjectionOp[] => [
      { op: 'event', ev: filed(caseNo, at) },
      { op: 'event', ev: { caseNo, seq: 2, type: 'precheck-opened', at, actor: 'system', payload: { note: '材料齐全' }, patch: { status: 'prechecking', currentSteps: ['precheck'] } } },
    ];
    const before = await filedCount();
    for (let attempt = 0; attempt < 2; attempt++) {
      await projection.applyProjection({ caseNo: integratorCase, ops: batch(integratorCase) });
      await projection.applyProjection({ caseNo: clerkCase, ops: batch(clerkCase) });
    }
    expect((await db('case_events').where({ case_no: integratorCase }).orderBy('seq').select('seq', 'type')).map((e: { seq: number; type: string }) => `${e.seq}:${e.type}`)).to.deep.equal(['1:filed', '2:precheck-opened']);
    const row = await db('cases').where({ case_no: integratorCase }).first<{ last_seq: number; status: string; current_steps: string[] }>('last_seq', 'status', 'current_steps');
    expect(row).to.deep.include({ last_seq: 2, status: 'prechecking' });
    expect(row.current_steps).to.deep.equal(['precheck']);
    const deliveries = await db('webhook_deliveries').where({ subscription_id: sub }).whereIn('case_no', [integratorCase, clerkCase]).orderBy('id').select<{ event_id: string; event_type: string; case_no: string; payload: { data: Record<string, unknown> } }[]>('event_id', 'event_type', 'case_no', 'payload');
    expect(deliveries.map((d) => [d.event_id, d.event_type])).to.deep.equal([[`${integratorCase}:1`, 'case.filed'], [`${integratorCase}:2`, 'case.precheck-opened']]);
    expect(deliveries[1].payload.data).to.deep.equal({ status: 'prechecking', note: '材料齐全' });
    // Both cases were filed once: the retry counted nothing, and the counter knew each case's item and department.
    expect(await filedCount()).to.equal(before + 2);
  });

  it('when a batch carries the case view (with its events, alone, retried late, run again, in a new run, cleared), then the case keeps the newest view and an older one never comes back', async () => {
    const projection = createProjectionActivities(db);
    const caseNo = clerkCase;
    const at = new Date().toISOString();
    const stored = async () => db('cases as c').join('case_live_views as v', 'v.case_no', 'c.case_no').where('c.case_no', caseNo)
      .first<{ view: unknown; run: string; seq: number; status: string }>('v.view', 'v.run_id as run', 'v.seq', 'c.status');
    const view = (seq: number, json: string | null, runId = 'run-1'): ProjectionOp => ({ op: 'view', caseNo, runId, seq, json });
    // With an event.
    await projection.applyProjection({ caseNo, ops: [{ op: 'event', ev: { caseNo, seq: 3, type: 'accepted', at, patch: { status: 'prechecking' } } }, view(1, '{"n":1}')] });
    expect(await stored()).to.deep.equal({ view: { n: 1 }, run: 'run-1', seq: 1, status: 'prechecking' });
    // Alone.
    await projection.applyProjection({ caseNo, ops: [view(2, '{"n":2}')] });
    expect(await stored()).to.deep.include({ view: { n: 2 }, seq: 2 });
    // The first batch again (a late retry): its events are there already and its older view changes nothing.
    await projection.applyProjection({ caseNo, ops: [{ op: 'event', ev: { caseNo, seq: 3, type: 'accepted', at, patch: { status: 'prechecking' } } }, view(1, '{"n":1}')] });
    expect(await stored()).to.deep.include({ view: { n: 2 }, seq: 2 });
    // The same number with what came meanwhile (the workflow task run again after a crash): it is the newer.
    await projection.applyProjection({ caseNo, ops: [{ op: 'event', ev: { caseNo, seq: 4, type: 'in-review', at, patch: { status: 'in_review' } } }, view(2, '{"n":"2+"}')] });
    expect(await stored()).to.deep.equal({ view: { n: '2+' }, run: 'run-1', seq: 2, status: 'in_review' });
    // A new run (the case reset by revive) numbers anew.
    await projection.applyProjection({ caseNo, ops: [view(1, '{"n":"reset"}', 'run-2')] });
    expect(await stored()).to.deep.include({ view: { n: 'reset' }, run: 'run-2', seq: 1 });
    // Cleared (a view the database could not store): the API then asks the case.
    await projection.applyProjection({ caseNo, ops: [view(2, null, 'run-2')] });
    expect(await stored()).to.deep.include({ view: null, seq: 2 });
  });

  it("when a case no integrator filed writes its later batches, then they send no webhook statement at all; an integrator's case still queues each event", async () => {
    const projection = createProjectionActivities(db);
    const at = new Date().toISOString();
    const note = (caseNo: string, seq: number): ProjectionOp[] => [{ op: 'event', ev: { caseNo, seq, type: 'urge-answered', at, actor: 'zz-clerk', payload: { answer: '已办' } } }];
    const sqls: string[] = [];
    const listen = (q: { sql: string }) => sqls.push(q.sql);
    await projection.applyProjection({ caseNo: clerkCase, ops: note(clerkCase, 10) }); // (its first batch in this process may ask who filed it)
    db.on('query', listen);
    try {
      await projection.applyProjection({ caseNo: clerkCase, ops: note(clerkCase, 11) });
      expect(sqls.some((q) => q.includes('case_events')), 'the batch was written').to.equal(true);
      expect(sqls.filter((q) => q.includes('webhook_') || q.includes('case_filings')), "a clerk's case: no statement about webhooks").to.deep.equal([]);
      sqls.length = 0;
      await projection.applyProjection({ caseNo: integratorCase, ops: note(integratorCase, 10) });
      expect(sqls.filter((q) => q.includes('insert into webhook_deliveries'))).to.have.length(1);
    } finally {
      db.removeListener('query', listen);
    }
    expect(await db('case_events').where({ case_no: clerkCase }).whereIn('seq', [10, 11]).count<{ count: string }[]>('* as count')).to.deep.equal([{ count: '2' }]);
    const queued = await db('webhook_deliveries').where({ subscription_id: sub }).whereIn('case_no', [integratorCase, clerkCase]).orderBy('id').pluck('event_id');
    expect(queued).to.deep.equal([`${integratorCase}:1`, `${integratorCase}:2`, `${integratorCase}:10`]);
  });

  it('when review nodes come from a task of another department, a step dispatched twice and a task of the case\'s own department, then each exchange record names the department that handled it', async () => {
    const projection = createProjectionActivities(db);
    const caseNo = `7743${String(Date.now()).slice(-10).padStart(18, '0')}`;
    const at = new Date().toISOString();
    const [own, other, first, latest] = ['zz-proj-own', 'zz-proj-other', 'zz-proj-first', 'zz-proj-latest'];
    for (const [code, name] of [[own, '测试本局'], [other, '测试协办局'], [first, '测试初派局'], [latest, '测试改派局']]) {
      await db('departments').insert({ code, name, level: 'county', region_code: '330106' }).onConflict('code').ignore();
    }
    const ev = filed(caseNo, at);
    ev.create!.department = own;
    await projection.applyProjection({ caseNo, ops: [{ op: 'event', ev }] });
    const task = (id: string, department: string) => ({ op: 'task-open' as const, task: { taskId: id, caseNo, stepId: id, stepName: '审查', department, role: 'approver', kind: 'review' as const, actions: ['approve' as const], createdAt: at, dueAt: null } });
    await projection.applyProjection({ caseNo, ops: [task(`${caseNo}-a`, other), task(`${caseNo}-b`, own)] });
    for (const [round, department] of [[1, first], [2, latest]] as const) {
      await db('department_dispatches').insert({ case_no: caseNo, step_id: 'joint', round, department_code: department, system: 'zz', payload: '{}', dispatched_at: at });
    }
    const done = (seq: number, taskId: string) => ({ op: 'event' as const, ev: { caseNo, seq, type: 'task-completed', at, actor: 'zz', payload: { kind: 'review', taskId, action: 'approve', opinion: '同意' } } });
    await projection.applyProjection({ caseNo, ops: [done(2, `${caseNo}-a`), done(3, `${caseNo}-b`), { op: 'event', ev: { caseNo, seq: 4, type: 'department-result', at, actor: 'zz', payload: { stepId: 'joint', outcome: 'approve' } } }] });
    try {
      const records = await db('exchange_outbox').where({ case_no: caseNo }).orderBy('seq').select<{ seq: number; record: { handlerDepartmentCode: string; handlerDepartmentName: string } }[]>('seq', 'record');
      expect(records.filter((r) => r.seq > 1).map((r) => [r.seq, r.record.handlerDepartmentCode, r.record.handlerDepartmentName])).to.deep.equal([
        [2, other, '测试协办局'], [3, own, '测试本局'], [4, latest, '测试改派局'],
      ]);
    } finally {
      for (const t of ['exchange_outbox', 'department_dispatches', 'tasks', 'case_events', 'case_rollup_state', 'case_live_views']) await db(t).where({ case_no: caseNo }).delete();
      await db('cases').where({ case_no: caseNo }).delete();
      await db('case_rollups').whereIn('key', [own, item]).delete();
    }
  });
});
