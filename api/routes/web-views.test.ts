/**
 * The web app's read views over HTTP: departments, the inbox with supervision levels and
 * counts, the paginated case search, and the certificates an applicant holds.
 */
import { expect } from 'chai';
import { readFormFolder } from '../../lib/forms';
import { asStaff, eventually, http, sharedStack, type Stack } from '../../test/harness';


describe('web views over HTTP', function () {
  this.timeout(60_000);
  let stack: Stack;
  let clerk: Record<string, string>;
  let approver: Record<string, string>;
  before(async () => {
    stack = await sharedStack();
    clerk = await asStaff(stack, 'clerk-wang');
    approver = await asStaff(stack, 'approver-li');
  });
  after(async () => {
    await stack?.stop();
  });

  it('when the departments are asked for, then every seeded department is listed with its level', async () => {
    const r = await http(stack, 'GET', '/api/views/departments');
    expect(r.status).to.equal(200);
    expect(r.body.departments.find((d: { code: string }) => d.code === 'xh-gaj')).to.deep.equal({ code: 'xh-gaj', name: '杭州市公安局西湖区分局', level: 'county' });
  });

  it('when a case waits for pre-check and is marked on warning, then the clerk\'s inbox counts it under warning and the case search finds it', async () => {
    expect((await http(stack, 'GET', '/api/views/inbox')).status).to.equal(401);
    const filed = await http(stack, 'POST', '/api/cases', {
      implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' },
      formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example,
    }, clerk);
    expect(filed.status).to.equal(201);
    const caseNo: string = filed.body.caseNo;
    const inbox = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/views/inbox?q=${caseNo}`, undefined, clerk);
      return r.body.tasks?.length ? r.body : undefined;
    }, 'the pre-check task in the inbox');
    expect(inbox.tasks[0]).to.include({ caseNo, kind: 'precheck', supervisionState: 'normal', itemName: '个体工商户设立登记' });
    expect(inbox.tasks[0].applicant.name).to.equal('张三');
    expect(inbox.counts).to.deep.equal({ normal: 1, warning: 0, overdue: 0 });
    expect(inbox.tasks[0]).to.include({ assignee: null, assigneeName: null });

    // Claimed, the task shows who holds it by name, in the inbox and in the case view.
    expect((await http(stack, 'POST', `/api/tasks/${encodeURIComponent(inbox.tasks[0].taskId)}/claim`, undefined, clerk)).status).to.equal(200);
    const claimed = await http(stack, 'GET', `/api/views/inbox?q=${caseNo}`, undefined, clerk);
    expect(claimed.body.tasks[0]).to.include({ assignee: 'clerk-wang', assigneeName: '王丽' });
    const view = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
      return r.body.events?.some((e: { type: string }) => e.type === 'task-assigned') ? r.body : undefined;
    }, 'the claim in the case view');
    expect(view.staffNames).to.deep.equal({ 'clerk-wang': '王丽' });

    await stack.db('cases').where({ case_no: caseNo }).update({ supervision_state: 'warning' });
    const warned = await http(stack, 'GET', `/api/views/inbox?q=${caseNo}&level=warning`, undefined, clerk);
    expect(warned.body.counts).to.deep.equal({ normal: 0, warning: 1, overdue: 0 });
    expect(warned.body.total).to.equal(1);
    expect((await http(stack, 'GET', `/api/views/inbox?q=${caseNo}&level=normal`, undefined, clerk)).body.tasks).to.deep.equal([]);
    expect((await http(stack, 'GET', `/api/views/inbox?q=${caseNo}`, undefined, approver)).body.tasks, 'another department sees nothing').to.deep.equal([]);
    expect((await http(stack, 'GET', '/api/views/inbox?level=red', undefined, clerk)).status).to.equal(400);

    const found = await http(stack, 'GET', `/api/views/cases?q=${caseNo.slice(0, 18)}&level=warning&department=xh-scjg`, undefined, approver);
    expect(found.status).to.equal(200);
    expect(found.body.cases.map((c: { caseNo: string }) => c.caseNo)).to.include(caseNo);
    expect(found.body).to.include({ page: 1, pageSize: 20 });
    const byName = await http(stack, 'GET', `/api/views/cases?q=${encodeURIComponent('个体工商户')}&page=1`, undefined, approver);
    expect(byName.body.total).to.be.at.least(1);
    expect((await http(stack, 'GET', '/api/views/cases?page=0', undefined, approver)).status).to.equal(400);
  });

  it('when a clerk looks up an applicant\'s certificates, then the e-certificate platform\'s list comes back; others may not look', async () => {
    const r = await http(stack, 'GET', '/api/views/certificates?holder=330106199307223120', undefined, clerk);
    expect(r.status).to.equal(200);
    expect(r.body.available).to.equal(true);
    const card = r.body.certificates.find((c: { type: string }) => c.type === '居民身份证');
    expect(card).to.include({ holderName: '徐婷婷', validUntil: '2023-07-22' });
    expect((await http(stack, 'GET', '/api/views/certificates?holder=330106199307223120', undefined, approver)).status).to.equal(403);
    expect((await http(stack, 'GET', '/api/views/certificates?holder=nope', undefined, clerk)).status).to.equal(400);
  });
});
