/**
 * The foundation's vertical slice, end to end over HTTP on the real Temporal dev server and
 * the real database: file → task in the inbox → complete (an Update) → case completed →
 * rate → history from Temporal. Plus the refusals the slice must give.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { asApplicant, asStaff, eventually, http, sharedStack, type Stack } from '../test/harness';

/** The one-step sample entry: 个体工商户设立登记, reviewed by one approver of xh-scjg. */
const impl = 'XK-330000-00001.xh-scjg';
const example = readFormFolder({ key: 'individual-business-registration', version: 1 }).example;
const application = (over: Record<string, unknown> = {}) => ({
  implementationCode: impl,
  channel: 'window',
  applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' },
  formData: example,
  ...over,
});
let asApprover: Record<string, string>;
let asClerk: Record<string, string>;

describe('vertical slice over HTTP (dev server + database)', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await sharedStack();
    asClerk = await asStaff(stack, 'clerk-wang');
    asApprover = await asStaff(stack, 'approver-li');
    stack.defaultHeaders = await asStaff(stack, 'clerk-wang');
  });
  after(async () => {
    await stack?.stop();
  });

  async function openTaskOf(caseNo: string, as: Record<string, string>): Promise<{ taskId: string; caseNo: string; kind: string; actions: string[] }> {
    return eventually(async () => {
      const inbox = await http<{ tasks: { taskId: string; caseNo: string; kind: string; actions: string[] }[] }>(stack, 'GET', '/api/tasks', undefined, as);
      return inbox.body.tasks.find((t) => t.caseNo === caseNo);
    }, `a task for ${caseNo} in the inbox`);
  }

  it('when a case is filed, accepted, approved and handed over, then it completes, can be rated, and its history is readable', async () => {
    const filed = await http(stack, 'POST', '/api/cases', application());
    expect(filed.status).to.equal(201);
    const caseNo: string = filed.body.caseNo;
    expect(caseNo).to.match(/^330106\d{8}\d{8}$/);

    const described = await stack.client.workflow.getHandle(caseNo).describe();
    expect(described.type).to.equal('caseWorkflow');
    expect(described.taskQueue).to.equal(stack.taskQueue);

    const precheck = await openTaskOf(caseNo, asClerk);
    expect(precheck).to.include({ kind: 'precheck' });
    expect(precheck.actions).to.deep.equal(['accept', 'correction', 'reject']);
    const accepted = await http(stack, 'POST', `/api/tasks/${precheck.taskId}/complete`, { action: 'accept', opinion: '材料齐全，予以受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, asClerk);
    expect(accepted.body.status).to.equal('in_review');

    const task = await openTaskOf(caseNo, asApprover);
    expect(task.actions).to.deep.equal(['approve', 'refuse']);
    const done = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'approve', opinion: '材料齐全，准予登记' }, asApprover);
    expect(done.status).to.equal(200);
    // The update answers once the case has moved on: decided, and the certificate being issued.
    expect(done.body).to.deep.equal({ taskId: task.taskId, action: 'approve', status: 'issuing' });
    const decided = await http(stack, 'GET', `/api/cases/${caseNo}`);
    expect(decided.body.decision).to.equal('approved');

    const view = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}`);
      return r.body.status === 'delivering' && r;
    }, 'the result waiting for pick-up');
    expect(view.body).to.include({ status: 'delivering', decision: 'approved' });
    expect(view.body.acceptedAt).to.be.a('string');
    expect(Date.parse(view.body.statutoryDeadline)).to.be.greaterThan(Date.parse(view.body.acceptedAt));
    const guide = await http(stack, 'GET', `/api/implementations/${impl}`);
    expect(view.body.implementationVersion).to.equal(guide.body.version);
    expect(view.body.events.map((e: { type: string }) => e.type)).to.include.members(['filed', 'accepted', 'decided', 'certificate-issued', 'awaiting-pickup']);
    const review = view.body.tasks.find((t: { taskId: string }) => t.taskId === task.taskId);
    expect(review.outcome).to.deep.equal({ action: 'approve', opinion: '材料齐全，准予登记', by: 'approver-li' });
    const cert = await stack.db('certificates').where({ case_no: caseNo }).first();
    expect(cert).to.include({ holder_name: '张三', type: '营业执照', issuer_department: 'xh-scjg' });
    // Anyone can verify it; one changed character of the document shows.
    const genuine = await http(stack, 'GET', `/api/certificates/${encodeURIComponent(cert.number)}/verify`);
    expect(genuine.body).to.include({ number: cert.number, verdict: 'genuine' });
    const presented = await http(stack, 'POST', '/api/certificates/verify', cert.fields);
    expect(presented.body.verdict).to.equal('genuine');
    const tampered = await http(stack, 'POST', '/api/certificates/verify', { ...cert.fields, holder: { ...cert.fields.holder, name: '李三' } });
    expect(tampered.body.verdict).to.equal('tampered');
    expect((await http(stack, 'GET', '/api/certificates/nope/verify')).status).to.equal(404);

    const handover = await openTaskOf(caseNo, asClerk);
    expect(handover.kind).to.equal('handover');
    const handed = await http(stack, 'POST', `/api/tasks/${handover.taskId}/complete`, { action: 'handover', opinion: '已领取' }, asClerk);
    expect(handed.body.status).to.equal('completed');

    const asZhang = await asApplicant(stack, { idNumber: '330106199003073514', name: '张三', phone: '13800138000' });
    expect((await http(stack, 'POST', `/api/cases/${caseNo}/evaluation`, { level: 5, comment: '很快' })).status, 'the clerk does not rate').to.equal(403);
    const rated = await http(stack, 'POST', `/api/cases/${caseNo}/evaluation`, { level: 5, comment: '很快' }, asZhang);
    expect(rated.status).to.equal(204);
    await stack.client.workflow.getHandle(caseNo).result();
    const closed = await http(stack, 'GET', `/api/cases/${caseNo}`);
    expect(closed.body.status).to.equal('closed');
    // The workflow has finished: further updates are refused with a reason, and audited.
    const late = await http(stack, 'POST', `/api/cases/${caseNo}/evaluation`, { level: 1, comment: '再评一次' }, asZhang);
    expect(late.status).to.equal(409);
    expect(late.body.type).to.match(/case-closed$/);
    const lateWithdrawal = await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, { reason: '撤回' });
    expect(lateWithdrawal.status).to.equal(409);
    expect(await stack.db('audit_log').where({ case_no: caseNo, action: 'refused.evaluate' }).first()).to.not.equal(undefined);
    expect(await stack.db('evaluations').where({ case_no: caseNo }).first()).to.include({ level: 5 });

    const history = await http(stack, 'GET', `/api/cases/${caseNo}/history`);
    expect(history.status).to.equal(200);
    const kinds: string[] = history.body.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds[0]).to.equal('case-started');
    expect(kinds).to.include('update:completeTask');
    expect(kinds).to.include('update:evaluate');
    expect(kinds[kinds.length - 1]).to.equal('case-closed');
    const approval = history.body.timeline.find((e: { kind: string; summary: string }) => e.kind === 'update:completeTask' && e.summary.includes('准予登记'));
    expect(approval.actor).to.equal('approver-li');

    const raw = await http(stack, 'GET', `/api/cases/${caseNo}/history?format=raw`);
    expect(raw.body.events[0].eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(raw.body.events.length).to.be.greaterThan(history.body.timeline.length);
    const audit = await stack.db('audit_log').where({ case_no: caseNo }).orderBy('id').pluck('action');
    expect(audit).to.include.members(['case.filed', 'case.accepted', 'case.decided', 'case.closed']);
  });

  it('when the same Idempotency-Key is sent twice, then one case exists; with another body it is refused', async () => {
    const key = `slice-${Date.now()}`;
    const first = await http(stack, 'POST', '/api/cases', application(), { 'idempotency-key': key });
    const again = await http(stack, 'POST', '/api/cases', application(), { 'idempotency-key': key });
    expect(first.status).to.equal(201);
    // The repeat gets the first answer again, marked as a replay.
    expect(again.status).to.equal(201);
    expect(again.body.caseNo).to.equal(first.body.caseNo);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    const other = await http(stack, 'POST', '/api/cases', application({ channel: 'online' }), { 'idempotency-key': key });
    expect(other.status).to.equal(409);
    expect(other.contentType).to.contain('application/problem+json');
    const count = await stack.db('case_filings').where({ idempotency_key: `staff:clerk-wang:${key}` }).count<{ count: string }[]>('* as count');
    expect(Number(count[0].count)).to.equal(1);
  });

  it('when a task is completed by the wrong department, twice, or with a foreign action, then it is refused, audited, and the case is unchanged', async () => {
    const filed = await http(stack, 'POST', '/api/cases', application());
    const caseNo: string = filed.body.caseNo;
    const precheck = await openTaskOf(caseNo, asClerk);
    expect((await http(stack, 'POST', `/api/tasks/${precheck.taskId}/complete`, { action: 'accept', opinion: '' }, asApprover)).status).to.equal(403);
    await http(stack, 'POST', `/api/tasks/${precheck.taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, asClerk);
    const task = await openTaskOf(caseNo, asApprover);

    const wrongDept = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'approve', opinion: 'x' }, await asStaff(stack, 'approver-chen'));
    expect(wrongDept.status).to.equal(403);
    expect(wrongDept.body.detail).to.contain('xh-scjg');
    const clerk = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'approve', opinion: 'x' }, asClerk);
    expect(clerk.status).to.equal(403);
    const noOne = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'approve', opinion: 'x' }, { authorization: '' });
    expect(noOne.status).to.equal(401);
    const badAction = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'teleport', opinion: 'x' }, asApprover);
    expect(badAction.status).to.equal(400);
    expect(badAction.body.errors[0].pointer).to.equal('/action');
    const foreign = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'void', opinion: 'x' }, asApprover);
    expect(foreign.status).to.equal(422);
    const noReasons = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'refuse', opinion: '' }, asApprover);
    expect(noReasons.status).to.equal(422);
    const early = await http(stack, 'POST', `/api/cases/${caseNo}/evaluation`, { level: 5 }, await asApplicant(stack, { idNumber: '330106199003073514', name: '张三', phone: '13800138000' }));
    expect(early.status).to.equal(409);

    const still = await http(stack, 'GET', `/api/cases/${caseNo}`);
    expect(still.body.status).to.equal('in_review');
    expect(still.body.tasks.map((t: { status: string }) => t.status)).to.deep.equal(['done', 'open']);
    const refusals = await stack.db('audit_log').where({ case_no: caseNo }).andWhere('action', 'like', 'refused.%').pluck('detail');
    expect(refusals.length).to.be.at.least(5);

    const refused = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'refuse', opinion: '经营场所不符合规定' }, asApprover);
    expect(refused.status).to.equal(200);
    expect(refused.body.status).to.equal('completed');
    const twice = await http(stack, 'POST', `/api/tasks/${task.taskId}/complete`, { action: 'approve', opinion: 'x' }, asApprover);
    expect(twice.status).to.equal(409);
    expect(twice.body.detail).to.contain('already completed');
  });

  it('when the input is bad, then a 4xx problem+json names every problem and nothing is stored', async () => {
    const before = await stack.db('case_filings').count<{ count: string }[]>('* as count');
    const malformed = await http(stack, 'POST', '/api/cases', '{"implementationCode": ');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.type).to.match(/malformed-json$/);

    const unknownField = await http(stack, 'POST', '/api/cases', { ...application(), extra: 1 });
    expect(unknownField.status).to.equal(400);
    expect(unknownField.body.errors.map((e: { pointer: string }) => e.pointer)).to.include('/extra');

    const badForm = await http(stack, 'POST', '/api/cases', application({ formData: { ...example, capital: -1, phone: '123', address: undefined } }));
    expect(badForm.status).to.equal(422);
    expect(badForm.body.errors.map((e: { pointer: string }) => e.pointer).sort()).to.deep.equal(['/formData/address', '/formData/capital', '/formData/phone']);

    const unknownItem = await http(stack, 'POST', '/api/cases', application({ implementationCode: 'no-such-entry' }));
    expect(unknownItem.status).to.equal(404);

    const badId = await http(stack, 'POST', '/api/cases', application({ applicant: { kind: 'person', name: '张三', idNumber: '110105194912310021' }, delivery: { method: 'courier' } }));
    expect(badId.status).to.equal(422);
    expect(badId.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/applicant/idNumber', '/delivery/address']);

    const tooBig = await http(stack, 'POST', '/api/cases', application({ formData: { ...example, businessScope: 'x'.repeat(300_000) } }));
    expect(tooBig.status).to.equal(413);

    const unknownCase = await http(stack, 'GET', '/api/cases/3301062026010199999999');
    expect(unknownCase.status).to.equal(404);
    const badCaseNo = await http(stack, 'GET', '/api/cases/..%2F..%2Fetc');
    expect(badCaseNo.status).to.equal(400);
    const noTask = await http(stack, 'POST', '/api/tasks/nope/complete', { action: 'approve', opinion: '' }, asApprover);
    expect(noTask.status).to.equal(404);

    const after = await stack.db('case_filings').count<{ count: string }[]>('* as count');
    expect(after[0].count).to.equal(before[0].count);
  });
});
