/**
 * The case view answers conditional requests, over HTTP against the real stack: an ETag that is
 * the view's version (kept by the database for every table the view reads) and which view it is,
 * 304 while nothing changed, nothing read or recorded for a 304, and a new version after any
 * change by any writer.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { asClerkFor, asStaff, eventually, http, sharedStack, type Stack } from '../test/harness';
import { getCase } from './services/cases';

const item = 'XK-330000-00001.xh-scjg';
const person = { kind: 'person', name: '周文斌', idNumber: '330106198807154411', phone: '13588036760' };

describe('the case view: ETag and If-None-Match', function () {
  this.timeout(120_000);
  let stack: Stack;
  let clerk: Record<string, string>;
  let caseNo: string;

  before(async () => {
    stack = await sharedStack();
    clerk = await asClerkFor(stack, item);
    // Two cases: the second shows that one case's changes leave the other's version alone.
    const filed = await Promise.all([0, 1].map(() => http(stack, 'POST', '/api/cases', {
      implementationCode: item, channel: 'window', applicant: person,
      formData: { ...readFormFolder({ key: 'individual-business-registration', version: 1 }).example, operatorName: person.name },
    }, clerk)));
    for (const f of filed) expect(f.status, JSON.stringify(f.body)).to.equal(201);
    caseNo = filed[0].body.caseNo as string;
    for (const f of filed) await eventually(async () => stack.db('tasks').where({ case_no: f.body.caseNo, kind: 'precheck', status: 'open' }).first('id'), 'the pre-check task', 30_000);
  });
  after(async () => {
    await stack?.stop();
  });

  const fullViews = async () => Number((await stack.db('audit_log').where({ case_no: caseNo, action: 'privacy.full-view' }).count<{ n: string }[]>('* as n'))[0].n);
  const version = async () => Number((await stack.db('cases').where({ case_no: caseNo }).first<{ view_version: string }>('view_version')).view_version);

  it('when a clerk looks again with the ETag they got, then the answer is 304 with no body and no second full view recorded; after the case changes, 200 with the change and a new ETag', async () => {
    const first = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
    expect(first.status).to.equal(200);
    expect(first.headers.etag).to.match(/^"v\d+-full"$/);
    expect(first.headers['cache-control']).to.equal('private, no-cache');
    const views = await fullViews();
    expect(views).to.be.greaterThan(0);

    const again = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, { ...clerk, 'if-none-match': first.headers.etag });
    expect(again.status).to.equal(304);
    expect(again.body).to.equal(undefined);
    expect(again.headers.etag).to.equal(first.headers.etag);
    expect(again.headers['x-request-id']).to.be.a('string');
    expect(await fullViews()).to.equal(views);

    // The clerk claims the pre-check: the task's assignee is part of the view.
    const task = (first.body.tasks as { taskId: string; kind: string; status: string }[]).find((t) => t.kind === 'precheck' && t.status === 'open')!;
    const claimed = await http(stack, 'POST', `/api/tasks/${task.taskId}/claim`, undefined, clerk);
    expect(claimed.status, JSON.stringify(claimed.body)).to.equal(200);
    const after = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, { ...clerk, 'if-none-match': first.headers.etag });
    expect(after.status).to.equal(200);
    expect(after.headers.etag).not.to.equal(first.headers.etag);
    expect((after.body.tasks as { taskId: string; assignee: string | null }[]).find((t) => t.taskId === task.taskId)!.assignee).to.be.a('string');
    expect(await fullViews()).to.equal(views + 1);
  });

  it('when a supervisor sends the clerk\'s ETag, then they get their own masked view (200), not the clerk\'s: each kind of view has its own tag', async () => {
    const whole = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
    const sup = await asStaff(stack, 'supervisor-zhao');
    const masked = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, { ...sup, 'if-none-match': whole.headers.etag });
    expect(masked.status).to.equal(200);
    expect(masked.headers.etag).to.equal(whole.headers.etag.replace('-full"', '-masked"'));
    expect(JSON.stringify(masked.body)).not.to.contain(person.idNumber);
    const revealed = await http(stack, 'GET', `/api/cases/${caseNo}?reveal=true`, undefined, { ...sup, 'if-none-match': masked.headers.etag });
    expect(revealed.status).to.equal(200);
    expect(revealed.body.applicant.idNumber).to.equal(person.idNumber);
    expect((await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, { ...sup, 'if-none-match': masked.headers.etag })).status).to.equal(304);
  });

  it('when anything the view shows changes, whoever writes it (the case row, an event, a task, a certificate replacement), then the version moves', async () => {
    const moves = async (what: string, change: () => Promise<unknown>) => {
      const before = await version();
      await change();
      expect(await version(), what).to.be.greaterThan(before);
    };
    await moves('the case row', () => stack.db('cases').where({ case_no: caseNo }).update({ updated_at: stack.db.fn.now() }));
    const seq = Number((await stack.db('case_events').where({ case_no: caseNo }).max<{ m: number }[]>('seq as m'))[0].m) + 1000;
    await moves('an event', () => stack.db('case_events').insert({ case_no: caseNo, seq, type: 'test-only', at: new Date(), actor: 'test', payload: '{}' }));
    await moves('a task', () => stack.db('tasks').where({ case_no: caseNo }).update({ due_at: stack.db.raw('due_at') }));
    await moves('a certificate replacement', () => stack.db('certificate_replacements').insert({ case_no: caseNo, material_id: 'test-only', material_name: '测试', certificate_no: 'T-1', certificate_type: 'test', holder_id: person.idNumber, replaced_at: new Date() }));
    await moves('a certificate replacement taken back', () => stack.db('certificate_replacements').where({ case_no: caseNo, material_id: 'test-only' }).delete());
    // The test's own event goes again (case_events is append-only for the platform, not for this table's owner).
    await stack.db('case_events').where({ case_no: caseNo, seq }).delete();
    // Another case's change does not move this one.
    const other = await stack.db('cases').whereNot({ case_no: caseNo }).first<{ case_no: string } | undefined>('case_no');
    expect(other, 'another case in the read model').not.to.equal(undefined);
    const before = await version();
    await stack.db('cases').where({ case_no: other!.case_no }).update({ updated_at: stack.db.fn.now() });
    await stack.db('tasks').where({ case_no: other!.case_no }).update({ due_at: stack.db.raw('due_at') });
    expect(await version()).to.equal(before);
  });
  it('when the view is read in one statement, then it says what the rows say: every event, task and replacement in order, instants as toISOString gives them (microseconds cut, not rounded)', async () => {
    // A replacement at an instant with microseconds: .999999 must read .999Z, as a Date would.
    await stack.db('certificate_replacements').insert({ case_no: caseNo, material_id: 'test-µs', material_name: '测试', certificate_no: 'T-2', certificate_type: 'test', holder_id: person.idNumber, replaced_at: stack.db.raw(`'2026-11-30 06:00:00.999999+00'::timestamptz`) });
    try {
      const view = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
      expect(view.status).to.equal(200);
      const events = await stack.db('case_events').where({ case_no: caseNo }).orderBy('seq').select<{ seq: number; type: string; at: Date; actor: string | null; payload: unknown }[]>('seq', 'type', 'at', 'actor', 'payload');
      expect(view.body.events).to.deep.equal(events.map((e) => ({ ...e, at: e.at.toISOString() })));
      const tasks = await stack.db('tasks').where({ case_no: caseNo }).orderBy([{ column: 'created_at' }, { column: 'id' }]).select<Record<string, unknown>[]>('*');
      const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);
      expect(view.body.tasks).to.deep.equal(tasks.map((t) => ({
        taskId: t.id, caseNo: t.case_no, kind: t.kind, stepId: t.step_id, stepName: t.step_name, department: t.department_code, role: t.role, status: t.status,
        assignee: t.assignee, actions: t.actions, detail: t.detail, outcome: t.outcome, dueAt: iso(t.due_at), createdAt: iso(t.created_at), closedAt: iso(t.closed_at),
      })));
      expect(view.body.tasks.length).to.be.greaterThan(0);
      expect(view.body.certificateMaterials).to.deep.include({ materialId: 'test-µs', materialName: '测试', certificateNo: 'T-2', certificateType: 'test', replacedAt: '2026-11-30T06:00:00.999Z' });
      // Whatever the session's time zone, the instants read the same (to_char works on the UTC wall time).
      await stack.db.transaction(async (trx) => {
        await trx.raw(`set local timezone to 'Asia/Shanghai'`);
        const inShanghai = await getCase(trx, caseNo);
        expect(inShanghai.certificateMaterials.find((m) => m.materialId === 'test-µs')?.replacedAt).to.equal('2026-11-30T06:00:00.999Z');
        expect(inShanghai.events.map((e) => e.at)).to.deep.equal(events.map((e) => e.at.toISOString()));
      });
      expect(view.body.filedBy).to.deep.equal({ kind: 'staff', staffId: (await stack.db('case_filings').where({ case_no: caseNo }).first<{ filed_by: string }>('filed_by')).filed_by });
    } finally {
      await stack.db('certificate_replacements').where({ case_no: caseNo, material_id: 'test-µs' }).delete();
    }
  });
});
