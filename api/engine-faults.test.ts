/**
 * The engine under real faults, over HTTP on the real dev server, database and simulators:
 * PostgreSQL stops while the payment and logistics platforms call back (their callbacks are lost),
 * and both cases still complete because the workflow asks the platforms itself; PostgreSQL stays
 * down past the journal sink's budget while a case takes a payment (its workflow task fails, and
 * the case goes on once the database is back, the payment recorded once); a condition that
 * slipped past the catalogue's checks (written into the database directly) opens a manual task
 * while other cases keep running on the same worker.
 */
import { expect } from 'chai';
import { createDb, type Db } from '../lib/db';
import { readFormFolder } from '../lib/forms';
import { calendarSnapshot, correctDay } from '../lib/calendar/store';
import { ctx, testStaffPassword } from '../test/context';
import { hashPassword } from './auth/secrets';
import { tellIfCalendarMoved, updateCase } from './services/cases';
import { AppError } from '../lib/errors';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { startDbProxy, type DbProxy } from '../test/db-proxy';
import { asClerkFor, asStaff, eventually, http, startStack, type Stack } from '../test/harness';
import { paymentConfirmedSignal, type CaseInput, type ProcessStep } from '../workflows/definitions';
import { Department, ItemCode } from '../workflows/search-attributes';

const applicant = { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' };
const address = { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' };

describe('the engine under real faults (dev server + database + simulators)', function () {
  this.timeout(240_000);
  let stack: Stack;
  let proxy: DbProxy;
  /** The test's own connection, not through the proxy. */
  let direct: Db;
  before(async () => {
    proxy = await startDbProxy(ctx.databaseUrl);
    // A stack of its own, not the shared one: its API and worker reach the database through a
    // proxy this suite stops, and its cases ask the platforms themselves after 2 s.
    stack = await startStack({ databaseUrl: proxy.url, followUpFirstAskMs: 2_000 });
    stack.defaultHeaders = await asStaff(stack, 'supervisor-zhao');
    direct = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
  });
  after(async () => {
    await proxy?.start().catch(() => undefined);
    await stack?.stop();
    await proxy?.close();
    await direct?.destroy();
  });

  async function file(implementationCode: string, formKey: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode, channel: 'window', applicant, formData: readFormFolder({ key: formKey, version: 1 }).example, ...extra }, await asClerkFor(stack, implementationCode));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.caseNo;
  }

  async function nextTask(caseNo: string, kind?: string) {
    return eventually(async () => {
      const open = await direct('tasks').where({ case_no: caseNo, status: 'open' }).modify((q) => { if (kind) q.where({ kind }); }).first<{ id: string; kind: string; department_code: string; role: string; step_name: string } | undefined>();
      if (!open) return undefined;
      const user = await direct('staff_users').where({ department_code: open.department_code }).whereRaw('? = any(roles)', [open.role]).first<{ id: string }>('id');
      return { taskId: open.id, kind: open.kind, stepName: open.step_name, as: await asStaff(stack, user.id) };
    }, `an open ${kind ?? ''} task of ${caseNo}`, 30_000);
  }

  async function live(caseNo: string, ok: (v: Record<string, any>) => boolean, what: string, timeoutMs = 30_000) {
    return eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}/live`);
      return r.status === 200 && ok(r.body) && r.body;
    }, `${caseNo}: ${what}`, timeoutMs);
  }

  async function approveUntil(caseNo: string, wanted: string) {
    for (let i = 0; i < 30; i++) {
      const v = await http(stack, 'GET', `/api/cases/${caseNo}/live`);
      if (v.body.status === wanted) return v.body;
      if (v.body.openTasks?.length) {
        const t = await nextTask(caseNo);
        const r = await http(stack, 'POST', `/api/tasks/${t.taskId}/complete`, { action: t.kind === 'precheck' ? 'accept' : 'approve', opinion: '同意', ...(t.kind === 'precheck' ? { missingMaterialsReason: '材料已当面核验，纸质件另行归档' } : {}) }, t.as);
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
      } else {
        await new Promise((res) => setTimeout(res, 150));
      }
    }
    throw new Error(`${caseNo} never reached ${wanted}`);
  }

  it('when PostgreSQL is down while the payment and logistics platforms call back, then the callbacks are lost but both cases still complete', async () => {
    const item = ['QR-330000-00010.xh-gaj', 'resident-id-card-renewal'] as const;
    const [paying, delivering] = [await file(...item, { delivery: { method: 'courier', address } }), await file(...item, { delivery: { method: 'courier', address } })];
    await approveUntil(paying, 'awaiting_payment');
    const toDeliver = await approveUntil(delivering, 'awaiting_payment');
    await stack.sims.payment.control.pay(toDeliver.payment.paymentId);
    const booked = await live(delivering, (v) => Boolean(v.delivery?.waybillNo), 'booked');
    const order = (await live(paying, (v) => v.payment?.status === 'open', 'ordered')).payment.paymentId as string;

    await proxy.stop();
    const health = await http(stack, 'GET', '/api/health');
    expect(health.status).to.be.at.least(500);
    // The platforms try their callbacks and give up: the API cannot reach its database.
    const paid = await stack.sims.payment.control.pay(order);
    const advanced = await stack.sims.logistics.control.advance(booked.delivery.waybillNo, 'delivered');
    expect([...paid.deliveries, ...advanced.deliveries].every((d) => d.outcome !== 200), JSON.stringify([paid.deliveries, advanced.deliveries])).to.equal(true);
    await new Promise((r) => setTimeout(r, 3_000));
    await proxy.start();

    // The workflows ask the platforms themselves and go on.
    const done = await live(delivering, (v) => v.status === 'completed' || v.status === 'closed', 'completed', 120_000);
    expect(done.delivery.deliveredAt).to.be.a('string');
    const after = await live(paying, (v) => v.payment?.status === 'paid' && ['issuing', 'delivering', 'completed'].includes(v.status), 'paid', 120_000);
    expect(after.payment.status).to.equal('paid');
    const received = await eventually(() => direct('case_events').where({ case_no: paying, type: 'payment-received' }).first(), 'the payment event', 60_000);
    expect(received.payload).to.include({ via: 'status-query' });
    expect(await direct('payments').where({ case_no: paying }).first()).to.include({ status: 'paid' });
  });

  it("when PostgreSQL stays down longer than the journal sink's budget while a payment reaches the case, then its workflow task fails, and once the database is back the case records the payment once and goes on", async () => {
    const caseNo = await file('QR-330000-00010.xh-gaj', 'resident-id-card-renewal', { delivery: { method: 'courier', address } });
    await approveUntil(caseNo, 'awaiting_payment');
    const payment = (await live(caseNo, (v) => v.payment?.status === 'open', 'ordered')).payment as { paymentId: string; amountFen: number };
    await proxy.stop();
    const downAt = Date.now();
    try {
      await stack.sims.payment.control.pay(payment.paymentId); // its callback is lost: the API cannot reach its database
      // What the callback would have signalled, sent to the case directly: the case takes it, and its batch cannot be written.
      await stack.client.workflow.getHandle(caseNo).signal(paymentConfirmedSignal, { paymentId: payment.paymentId, amountFen: payment.amountFen, paidAt: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, Math.max(0, 12_000 - (Date.now() - downAt)))); // past the sink's 7-second budget
    } finally {
      await proxy.start();
    }
    await live(caseNo, (v) => v.payment?.status === 'paid' && ['issuing', 'delivering', 'completed'].includes(v.status), 'paid after the outage', 120_000);
    const history = await stack.client.workflow.getHandle(caseNo).fetchHistory();
    const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).map((e) => e.workflowTaskFailedEventAttributes?.failure?.message ?? '');
    expect(failed.some((m) => /ECONNREFUSED|Connection terminated|took longer than/.test(m)), `the workflow task failed for the database: ${JSON.stringify(failed)}`).to.equal(true);
    expect(await direct('case_events').where({ case_no: caseNo, type: 'payment-received' }).count<{ count: string }[]>('* as count')).to.deep.equal([{ count: '1' }]);
    const seqs = await direct('case_events').where({ case_no: caseNo }).where('seq', '<', 1_000_000_000).orderBy('seq').pluck('seq') as number[];
    expect(seqs, 'no event lost or written twice').to.deep.equal(seqs.map((_, k) => k + 1));
  });

  it('when a condition that the catalogue would refuse is written into a published version directly, then the case opens a manual task and other cases keep running', async () => {
    const code = 'XK-330000-00001.xh-scjg';
    // A draft another suite left on the shared database would refuse a new one (409 draft-exists).
    await direct('implementation_versions').where({ implementation_code: code, state: 'draft' }).delete();
    const draft = await http(stack, 'POST', `/api/implementations/${code}/drafts`, undefined, await asStaff(stack, 'admin-qian'));
    expect(draft.status, JSON.stringify(draft.body)).to.be.oneOf([200, 201]);
    const version = draft.body.version as number;
    const row = await direct('implementation_versions').where({ implementation_code: code, version }).first<{ entry: Record<string, any> }>('entry');
    // About 10⁸ evaluations of nested maps hidden in a var default: what took the worker down.
    const list = Array.from({ length: 40 }, (_, i) => i);
    let heavy: unknown = { '+': [1, 1] };
    for (let d = 0; d < 5; d++) heavy = { map: [list, heavy] };
    const steps = row.entry.process.steps.map((s: Record<string, unknown>) => ({ ...s, when: { var: ['form.none', heavy] } }));
    await direct('implementation_versions').where({ implementation_code: code, version }).update({ entry: JSON.stringify({ ...row.entry, process: { steps } }) });
    const current = await direct('implementation_versions').where({ implementation_code: code, state: 'published' }).first<{ version: number }>('version');
    await direct('implementation_versions').where({ implementation_code: code, version: current.version }).update({ state: 'superseded' });
    await direct('implementation_versions').where({ implementation_code: code, version }).update({ state: 'published' });
    try {
      await brokenCaseGoesToAPerson(code);
    } finally {
      // The other test files see the sample as it was.
      await direct('implementation_versions').where({ implementation_code: code, version }).update({ state: 'superseded' });
      await direct('implementation_versions').where({ implementation_code: code, version: current.version }).update({ state: 'published' });
    }
  });

  it('when a case\'s workflow task keeps failing, then supervisors find it in the list of stuck cases and other cases are not affected', async () => {
    const good = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
    // A case whose pinned process the engine cannot run (a step type it does not know): an instant
    // case reaches it right after its identity check (an activity in its history), so its
    // workflow task fails on every attempt from then on.
    const filing = await direct('case_filings').where({ case_no: good }).first<{ input: CaseInput }>('input');
    const broken = { ...filing.input.implementation, caseType: 'instant' as const, process: { steps: [{ type: 'bogus', id: 'x' } as unknown as ProcessStep] } };
    const input: CaseInput = { ...filing.input, caseNo: `${good.slice(0, 14)}99${good.slice(16)}`, implementation: broken };
    await stack.client.workflow.start('caseWorkflow', {
      workflowId: input.caseNo, taskQueue: stack.taskQueue, args: [input],
      typedSearchAttributes: [{ key: ItemCode, value: input.implementation.itemCode }, { key: Department, value: input.implementation.department }],
    });
    const stuck = await eventually(async () => {
      const r = await http(stack, 'GET', '/api/supervision/stuck-cases?scan=50');
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.cases.find((c: { caseNo: string }) => c.caseNo === input.caseNo);
    }, 'the stuck case in the list', 60_000);
    expect(stuck.attempts).to.be.at.least(2);
    const listed = (await http(stack, 'GET', '/api/supervision/stuck-cases?scan=50')).body.cases.map((c: { caseNo: string }) => c.caseNo);
    expect(listed).not.to.include(good);
    // The worker goes on with the healthy case.
    const goodPre = await nextTask(good, 'precheck');
    expect((await http(stack, 'POST', `/api/tasks/${goodPre.taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, goodPre.as)).status).to.equal(200);
    await nextTask(good, 'review');
    await stack.client.workflow.getHandle(input.caseNo).terminate('test: a deliberately broken case');
  });

  it('when an operator terminates an open case\'s workflow, then actions on it are refused as stopped (not as closed), supervisors and administrators find it among the stopped cases, and an administrator revives it: it goes on from where it stood', async () => {
    const caseNo = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
    const pre = await nextTask(caseNo, 'precheck');
    const stoppedRun = (await stack.client.workflow.getHandle(caseNo).describe()).runId;
    await stack.client.workflow.getHandle(caseNo).terminate('an operator\'s mistake (test)');
    const accept = { action: 'accept', opinion: '同意', missingMaterialsReason: '材料已当面核验，纸质件另行归档' };
    const refused = await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, accept, pre.as);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
    expect(refused.body.type).to.match(/\/case-stopped$/);
    expect(refused.body.detail).to.contain('revive');

    const urged = await http(stack, 'POST', `/api/cases/${caseNo}/urges`, { message: '请尽快办理', replyBy: new Date(Date.now() + 86_400_000).toISOString() });
    expect([urged.status, urged.body.type], JSON.stringify(urged.body)).to.satisfy(([st, type]: [number, string]) => st === 409 && /\/case-stopped$/.test(type));
    expect((await http(stack, 'GET', '/api/supervision/stopped-cases?scan=abc')).status).to.equal(400);
    const listed = await http(stack, 'GET', '/api/supervision/stopped-cases?scan=200');
    expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
    expect(listed.body.cases.find((c: { caseNo: string }) => c.caseNo === caseNo)).to.deep.include({ caseNo, ended: 'terminated', caseStatus: 'prechecking', itemName: '个体工商户设立登记', department: 'xh-scjg', runId: stoppedRun });
    const admin = await asStaff(stack, 'ops-jiang');
    expect((await http(stack, 'GET', '/api/supervision/stopped-cases?scan=200', undefined, admin)).body.cases.map((c: { caseNo: string }) => c.caseNo)).to.include(caseNo);
    // A supervisor of another county does not learn of it.
    await direct('departments').insert({ code: 'zz-other-county', name: '测试县政务服务管理办公室', level: 'county', region_code: '330108' }).onConflict('code').ignore();
    await direct('staff_users').insert({ id: 'supervisor-other-county', name: '钱监察', department_code: 'zz-other-county', roles: ['supervisor'], password_hash: await hashPassword(testStaffPassword), must_change_password: false }).onConflict('id').ignore();
    const elsewhere = await http(stack, 'GET', '/api/supervision/stopped-cases?scan=200', undefined, await asStaff(stack, 'supervisor-other-county'));
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).to.equal(200);
    expect(elsewhere.body.cases.map((c: { caseNo: string }) => c.caseNo)).not.to.include(caseNo);

    // Only a platform administrator revives, and says why.
    expect((await http(stack, 'POST', `/api/supervision/stopped-cases/${caseNo}/revive`, { reason: '误操作终止' })).status).to.equal(403);
    expect((await http(stack, 'POST', `/api/supervision/stopped-cases/${caseNo}/revive`, { reason: '' }, admin)).status).to.equal(400);
    expect((await http(stack, 'POST', `/api/supervision/stopped-cases/${'9'.repeat(22)}/revive`, { reason: '误操作终止' }, admin)).status).to.equal(404);
    // Two administrators revive it in the same moment: one reset, one new run.
    const both = await Promise.all([0, 1].map(() => http(stack, 'POST', `/api/supervision/stopped-cases/${caseNo}/revive`, { reason: '误操作终止，恢复办理' }, admin)));
    const revived = both.find((r) => r.status === 200)!;
    expect(revived, JSON.stringify(both.map((r) => r.body))).to.not.equal(undefined);
    expect(revived.body).to.include({ caseNo, caughtUp: true });
    expect(revived.body.runId).to.be.a('string').and.not.equal(stoppedRun);
    for (const r of both) expect(r.status === 200 ? r.body.runId : r.body.type, JSON.stringify(r.body)).to.satisfy((x: string) => x === revived.body.runId || /\/case-running$/.test(x));
    const now = await stack.client.workflow.getHandle(caseNo).describe();
    expect([now.status.name, now.runId]).to.deep.equal(['RUNNING', revived.body.runId]);
    // An action that reached the stopped run just before the revive is told to send it again, not that the case is closed.
    const raced = await updateCase({ db: direct, client: stack.client, taskQueue: stack.taskQueue }, caseNo, 'clerk-wang', 'completeTask',
      () => Promise.reject(new WorkflowNotFoundError('workflow execution already completed', caseNo, stoppedRun))).then(() => null, (e: unknown) => e);
    expect(raced).to.be.instanceOf(AppError).and.to.include({ status: 409, code: 'case-revived' });
    // One reset: the stopped run and the one new run, no third.
    const runs = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${caseNo}'` })) ids.push(wf.runId);
      return ids.length >= 2 && ids;
    }, 'both runs in the visibility store');
    expect([...runs].sort()).to.deep.equal([stoppedRun, revived.body.runId].sort());
    const again = await http(stack, 'POST', `/api/supervision/stopped-cases/${caseNo}/revive`, { reason: '再次恢复' }, admin);
    expect([again.status, again.body.type]).to.satisfy(([st, type]: [number, string]) => st === 409 && /\/case-running$/.test(type));

    // The same task, still open, now taken; the case goes on to its review.
    const accepted = await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, accept, pre.as);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    await nextTask(caseNo, 'review');
    expect((await http(stack, 'GET', '/api/supervision/stopped-cases?scan=200')).body.cases.map((c: { caseNo: string }) => c.caseNo)).not.to.include(caseNo);
    // Each request is in the audit log (both administrators asked), each naming the one run the case goes on in.
    const audit = await direct('audit_log').where({ case_no: caseNo, action: 'case.revived' }).select('actor', 'detail');
    expect(audit.length).to.be.within(1, 2);
    for (const a of audit) expect([a.actor, a.detail.runId, a.detail.reason]).to.deep.equal(['ops-jiang', revived.body.runId, '误操作终止，恢复办理']);
  });

  it('when an administrator corrects a day inside a running case\'s clock, then the case recomputes its deadline (the case was handed the calendar at its start and never asked for it)', async () => {
    const caseNo = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
    const pre = await nextTask(caseNo, 'precheck');
    // The API handed the calendar in with the start (not kept in the filing); the case, at its
    // pre-check by now, did not ask for one.
    const history = await stack.client.workflow.getHandle(caseNo).fetchHistory();
    const started = startedInput(history);
    expect(started.calendar).to.deep.equal(await calendarSnapshot(direct));
    expect(started.calendar!.years).to.include(new Date(Date.now() + 8 * 3_600_000).getUTCFullYear());
    const filing = await direct('case_filings').where({ case_no: caseNo }).first<{ input: CaseInput }>('input');
    expect(filing.input).to.not.have.property('calendar');
    const localActivities = history.events!.map((e) => e.markerRecordedEventAttributes).filter((m) => m?.markerName === 'core_local_activity')
      .map((m) => (payloadJson(m!.details!.data.payloads![0]) as { activity_type: string }).activity_type);
    expect(localActivities).to.not.include('calendarSnapshot');
    expect((await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, pre.as)).status).to.equal(200);
    const before = await live(caseNo, (v) => Boolean(v.clock?.promisedDeadline), 'the clock');
    // The first working day the clock counts becomes a holiday.
    const first = await http(stack, 'GET', `/api/calendar/add?from=${encodeURIComponent(before.clock.acceptedAt)}&days=1`);
    const day = new Date(Date.parse(first.body.deadline) + 8 * 3_600_000 - 1).toISOString().slice(0, 10);
    const admin = await asStaff(stack, 'admin-qian');
    const corrected = await http(stack, 'PUT', `/api/calendar/days/${day}`, { kind: 'holiday', name: '临时放假（测试）' }, admin);
    try {
      expect(corrected.status, JSON.stringify(corrected.body)).to.equal(200);
      expect(corrected.body.recompute.workflowId).to.be.a('string');
      const after = await live(caseNo, (v) => v.clock.promisedDeadline !== before.clock.promisedDeadline, 'the recomputed deadline');
      expect(Date.parse(after.clock.promisedDeadline)).to.be.greaterThan(Date.parse(before.clock.promisedDeadline));
      const types = await eventually(async () => {
        const t = (await direct('case_events').where({ case_no: caseNo }).pluck('type')) as string[];
        return t.includes('deadlines-recomputed') && t;
      }, 'the recorded recomputation');
      expect(types).to.include('deadlines-recomputed');
    } finally {
      await http(stack, 'PUT', `/api/calendar/days/${day}`, { kind: 'normal', name: '恢复' }, admin);
    }
  });

  it('when the calendar changed while a case was being started (no broadcast reached it), then the API\'s look after a late start tells the case, and a second look finds nothing to tell', async () => {
    const caseNo = await file('XK-330000-00001.xh-scjg', 'individual-business-registration');
    const pre = await nextTask(caseNo, 'precheck');
    expect((await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, pre.as)).status).to.equal(200);
    const before = await live(caseNo, (v) => Boolean(v.clock?.promisedDeadline), 'the clock');
    const handed = startedInput(await stack.client.workflow.getHandle(caseNo).fetchHistory()).calendar!;
    const deps = { db: direct, client: stack.client };
    expect(await tellIfCalendarMoved(deps, caseNo, handed)).to.equal(false);
    // The first working day the clock counts becomes a holiday, written straight to the database (no broadcast).
    const first = await http(stack, 'GET', `/api/calendar/add?from=${encodeURIComponent(before.clock.acceptedAt)}&days=1`);
    const day = new Date(Date.parse(first.body.deadline) + 8 * 3_600_000 - 1).toISOString().slice(0, 10);
    await correctDay(direct, day, 'holiday', '临时放假（测试）', 'admin-qian');
    try {
      expect(await tellIfCalendarMoved(deps, caseNo, handed)).to.equal(true);
      const after = await live(caseNo, (v) => v.clock.promisedDeadline !== before.clock.promisedDeadline, 'the recomputed deadline');
      expect(Date.parse(after.clock.promisedDeadline)).to.be.greaterThan(Date.parse(before.clock.promisedDeadline));
      expect(await tellIfCalendarMoved(deps, caseNo, await calendarSnapshot(direct))).to.equal(false);
    } finally {
      await correctDay(direct, day, 'normal', '恢复', 'admin-qian');
    }
  });

  /** A JSON payload of a history event, decoded. */
  const payloadJson = (p: { data?: Uint8Array | null }): unknown => JSON.parse(Buffer.from(p.data!).toString('utf8'));
  /** The input the case's workflow was started with, as its history holds it. */
  const startedInput = (history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>) =>
    payloadJson(history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0]) as CaseInput;

  async function brokenCaseGoesToAPerson(code: string): Promise<void> {

    const broken = await file(code, 'individual-business-registration');
    const pre = await nextTask(broken, 'precheck');
    expect((await http(stack, 'POST', `/api/tasks/${pre.taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, pre.as)).status).to.equal(200);
    const manual = await nextTask(broken, 'manual');
    expect(manual.stepName).to.match(/人工判断/);

    // The same worker keeps serving other cases.
    const other = await file('XK-330000-00003.xh-scjg', 'food-business-licence');
    const otherPre = await nextTask(other, 'precheck');
    expect((await http(stack, 'POST', `/api/tasks/${otherPre.taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, otherPre.as)).status).to.equal(200);
    await nextTask(other, 'review');

    // The department head decides that the step applies; it runs.
    expect((await http(stack, 'POST', `/api/tasks/${manual.taskId}/complete`, { action: 'approve', opinion: '本环节应当办理' }, manual.as)).status).to.equal(200);
    const review = await nextTask(broken, 'review');
    expect(review.kind).to.equal('review');
    const events = await direct('case_events').where({ case_no: broken }).pluck('type');
    expect(events).to.include.members(['condition-failed', 'condition-decided']);
  }
});
