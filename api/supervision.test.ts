/**
 * Supervision over HTTP: indicators on a seeded data set with figures worked out by hand,
 * urging and its answer, refusals, orders, and Temporal's own list query on the same cases.
 */
import { expect } from 'chai';
import { direct } from '../lib/statements';
import { createProjectionActivities, type CaseEventInput } from '../activities/projection';
import { rollUpCases } from '../activities/rollups';
import { readFormFolder } from '../lib/forms';
import { asStaff, eventually, http, sharedStack, type Stack } from '../test/harness';

let sup: Record<string, string>;
const day = (d: number, h = 2) => new Date(Date.UTC(2026, 5, d, h)).toISOString(); // June 2026

describe('supervision over HTTP (dev server + database)', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
    sup = await asStaff(stack, 'supervisor-zhao');
    stack.defaultHeaders = await asStaff(stack, 'clerk-wang');
  });
  after(async () => {
    await stack?.stop();
  });

  it('when indicators are asked for a seeded period, then each figure follows its formula', async () => {
    // A test department inside the supervisor's province (行政区划 33…), so it is in his jurisdiction.
    await stack.db('departments').insert({ code: 'zz-test', name: '测试局', level: 'county', region_code: '330106' }).onConflict('code').ignore();
    // 10 cases filed in June: 7 decided (2 late, 1 refused, 1 instant), 3 open (1 overdue, 1 warning).
    const rows = [
      { n: 1, decided: day(10), promised: day(12), used: 5, statutory: 20, decision: 'approved', type: 'promised' },
      { n: 2, decided: day(11), promised: day(12), used: 6, statutory: 20, decision: 'approved', type: 'promised' },
      { n: 3, decided: day(5), promised: day(5, 16), used: 0, statutory: 0, decision: 'approved', type: 'instant' },
      { n: 4, decided: day(12), promised: day(20), used: 4, statutory: 20, decision: 'refused', type: 'promised' },
      { n: 5, decided: day(25), promised: day(20), used: 22, statutory: 20, decision: 'approved', type: 'promised' },
      { n: 6, decided: day(26), promised: day(21), used: 18, statutory: 20, decision: 'approved', type: 'promised' },
      { n: 7, decided: day(9), promised: day(15), used: 5, statutory: 20, decision: 'approved', type: 'promised' },
      { n: 8, state: 'overdue', promised: day(18) },
      { n: 9, state: 'warning', promised: day(29) },
      { n: 10, promised: day(29) },
    ] as const;
    const cn = (n: number) => `99000020260601${String(n).padStart(8, '0')}`;
    // Written as the case workflow writes them, through the projection (which keeps the roll-ups the indicators read).
    const projection = createProjectionActivities(stack.db);
    for (const r of rows) {
      const d = 'decided' in r ? r : undefined;
      const events: Omit<CaseEventInput, 'caseNo' | 'seq'>[] = [
        {
          type: 'filed', at: day(r.n), patch: { status: 'filed' },
          create: {
            implementationCode: 'ZZ-TEST.zz', implementationVersion: 1, itemCode: 'ZZ-TEST', itemName: '测试事项', department: 'zz-test', channel: 'window',
            applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, formData: {}, filedAt: day(r.n),
            caseType: d?.type ?? 'promised', statutoryLimitDays: d?.statutory ?? 20, promisedLimitDays: 10,
          },
        },
        { type: 'accepted', at: day(r.n, 3), patch: { status: 'in_review', acceptedAt: day(r.n, 3), promisedDeadline: r.promised } },
      ];
      if ([5, 8, 9].includes(r.n)) events.push({ type: 'warning', at: day(r.n + 3), patch: { supervisionState: 'warning' }, supervision: { scope: 'case', stepId: null, level: 'warning', cause: 'promised-limit-near', department: 'zz-test', deadline: r.promised } });
      if ('state' in r && r.state === 'overdue') events.push({ type: 'overdue', at: day(r.n + 10), patch: { supervisionState: 'overdue' } });
      if (d) events.push({ type: 'decided', at: d.decided, patch: { status: 'completed', decidedAt: d.decided, decision: d.decision, usedDays: d.used } });
      for (const [i, e] of events.entries()) await projection.recordCaseEvent({ ...e, caseNo: cn(r.n), seq: i + 1 });
    }
    // As the evaluation activity records a rating: with the case's roll-up, in one transaction.
    await stack.db.transaction(async (trx) => {
      await trx('evaluations').insert([[1, 5], [2, 4], [5, 2]].map(([n, level]) => ({ case_no: cn(n), level, comment: '', department_code: 'zz-test', item_code: 'ZZ-TEST', at: day(28) })));
      await rollUpCases(direct(trx), [1, 2, 5].map(cn));
    });

    const r = await http(stack, 'GET', `/api/supervision/indicators?by=department&from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z`, undefined, sup);
    expect(r.status).to.equal(200);
    const row = r.body.rows.find((x: { department: string }) => x.department === 'zz-test');
    expect(row).to.deep.equal({
      department: 'zz-test',
      received: 10,
      accepted: 10,
      completed: 7,
      onTimeRate: 0.7143, // 5 of 7 decided by the promised deadline
      overdue: 3, // 2 decided late + 1 open and overdue
      warningRate: 0.3, // 3 of 10 warned
      instantRate: 0.1429, // 1 of 7
      speedUpRate: 0.5, // 1 − (5+6+4+22+18+5) / (6 × 20) = 1 − 60/120
      satisfactionRate: 0.6667, // 2 of 3 ratings are 4 or 5
      refusalRate: 0.1429, // 1 of 7
    });
    // The same month in China days is read from the roll-ups alone (above, the ends of the month came from the cases).
    const aligned = await http(stack, 'GET', `/api/supervision/indicators?by=department&from=${encodeURIComponent('2026-06-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-07-01T00:00:00+08:00')}`, undefined, sup);
    expect(aligned.body.rows.find((x: { department: string }) => x.department === 'zz-test')).to.deep.equal(row);
    const byItem = await http(stack, 'GET', `/api/supervision/indicators?by=item&from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z`, undefined, sup);
    expect(byItem.body.rows.find((x: { item: string }) => x.item === 'ZZ-TEST').completed).to.equal(7);
    expect((await http(stack, 'GET', '/api/supervision/indicators?by=weather', undefined, sup)).status).to.equal(400);
    expect((await http(stack, 'GET', '/api/supervision/indicators', undefined, await asStaff(stack, 'approver-li'))).status).to.equal(403);
    const overdue = await http(stack, 'GET', '/api/supervision/cases?state=overdue&department=zz-test', undefined, sup);
    expect(overdue.body.cases.map((c: { caseNo: string }) => c.caseNo)).to.deep.equal([cn(8)]);
  });

  it('when a supervisor urges a running case, then the handler answers it; a finished case cannot be urged', async () => {
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' }, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example });
    const caseNo = filed.body.caseNo;
    const replyBy = new Date(Date.now() + 3 * 86_400_000).toISOString();
    await eventually(async () => (await http(stack, 'GET', `/api/cases/${caseNo}`)).status === 200, 'the case in the read model');
    expect((await http(stack, 'POST', `/api/cases/${caseNo}/urges`, { message: '请加快办理', replyBy }, await asStaff(stack, 'approver-li'))).status).to.equal(403);
    expect((await http(stack, 'POST', `/api/cases/${caseNo}/urges`, { message: '请加快办理', replyBy: '2020-01-01T00:00:00Z' }, sup)).status).to.equal(400);
    const urged = await http(stack, 'POST', `/api/cases/${caseNo}/urges`, { message: '请加快办理', replyBy }, sup);
    expect(urged.status).to.equal(202);
    const urgeId = urged.body.urgeId;
    const stranger = await http(stack, 'POST', `/api/cases/${caseNo}/urges/${urgeId}/answer`, { answer: '已处理' }, await asStaff(stack, 'xh-gaj-approver'));
    expect(stranger.status).to.equal(403);
    const answered = await http(stack, 'POST', `/api/cases/${caseNo}/urges/${urgeId}/answer`, { answer: '已安排专人，今日办结' }, await asStaff(stack, 'approver-li'));
    expect(answered.status).to.equal(200);
    expect(answered.body.answer).to.include({ text: '已安排专人，今日办结', by: 'approver-li' });
    const again = await http(stack, 'POST', `/api/cases/${caseNo}/urges/${urgeId}/answer`, { answer: 'x' }, await asStaff(stack, 'approver-li'));
    expect(again.status).to.equal(409);
    const events = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}`);
      const types = r.body.events?.map((e: { type: string }) => e.type) ?? [];
      return types.includes('urge-answered') && types;
    }, 'the urge events');
    expect(events).to.include('urged');

    const complaint = await http(stack, 'POST', `/api/cases/${caseNo}/orders`, { kind: 'complaint', content: '申请人投诉窗口态度' }, sup);
    expect(complaint.status).to.equal(201);
    const orders = await http(stack, 'GET', `/api/cases/${caseNo}/orders`, undefined, sup);
    expect(orders.body.orders.map((o: { kind: string }) => o.kind)).to.deep.equal(['urge', 'complaint']);

    const listed = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/supervision/workflows?department=xh-scjg&status=prechecking`, undefined, sup);
      return r.body.workflows?.some((w: { caseNo: string }) => w.caseNo === caseNo) && r.body;
    }, 'the case in a Temporal list query');
    expect(listed.query).to.contain(`Department = 'xh-scjg'`);
    expect((await http(stack, 'GET', `/api/supervision/workflows?department=${encodeURIComponent("x' OR '1'='1")}`, undefined, sup)).status).to.equal(400);

    await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, { reason: '不办了' });
    const late = await http(stack, 'POST', `/api/cases/${caseNo}/urges`, { message: '请加快', replyBy }, sup);
    expect(late.status).to.equal(409);
  });

  it('when a supervisor asks for archived runs on a server that archives none, then the list is what the cluster holds and the archive part says it is disabled', async () => {
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' }, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example });
    expect(filed.status).to.equal(201);
    const caseNo: string = filed.body.caseNo;
    const plain = await eventually(async () => {
      const r = await http(stack, 'GET', '/api/supervision/workflows?department=xh-scjg', undefined, sup);
      return r.body.workflows?.some((w: { caseNo: string }) => w.caseNo === caseNo) && r.body;
    }, 'the case in a Temporal list query');
    expect(plain.archive).to.deep.equal({ state: 'not-asked', query: null, scanned: 0, listed: 0, more: false });
    const withArchive = await http(stack, 'GET', '/api/supervision/workflows?department=xh-scjg&archived=include', undefined, sup);
    expect(withArchive.status).to.equal(200);
    expect(withArchive.body.archive).to.include({ state: 'disabled', scanned: 0, listed: 0, more: false, query: "WorkflowType = 'caseWorkflow'" });
    expect(withArchive.body.archive.detail).to.match(/not configured for .*visibility/i);
    const row = withArchive.body.workflows.find((w: { caseNo: string }) => w.caseNo === caseNo);
    expect(row).to.include({ status: 'RUNNING', archived: false, closeTime: null });
    expect(row.runId).to.match(/^[0-9a-f-]{36}$/);
    expect(withArchive.body.workflows.every((w: { archived: boolean }) => w.archived === false)).to.equal(true);
    // A closing period leaves the running case out, on the cluster's side and in the archive's query alike.
    const closedSince = await http(stack, 'GET', `/api/supervision/workflows?department=xh-scjg&archived=include&closedAfter=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`, undefined, sup);
    expect(closedSince.status).to.equal(200);
    expect(closedSince.body.query).to.match(/CloseTime >= '/);
    expect(closedSince.body.archive.query).to.match(/^WorkflowType = 'caseWorkflow' AND CloseTime >= '/);
    expect(closedSince.body.workflows.map((w: { caseNo: string }) => w.caseNo)).not.to.include(caseNo);
    // Bad input is a 400 and lists nothing.
    for (const q of ['archived=yes', 'state=red', 'closedAfter=yesterday', 'closedAfter=2026-02-01T00:00:00Z&closedBefore=2026-01-01T00:00:00Z']) {
      const r = await http(stack, 'GET', `/api/supervision/workflows?${q}`, undefined, sup);
      expect(r.status, q).to.equal(400);
      expect(r.body.workflows, q).to.equal(undefined);
    }
    expect((await http(stack, 'GET', '/api/supervision/workflows?archived=include', undefined, await asStaff(stack, 'approver-li'))).status).to.equal(403);
  });
});
