/**
 * The working lists and the documents over HTTP: 已办, 办结, 我的办件, the case search by
 * applicant, item and day, the window's draft box, and numbered documents whose content is the
 * case's own (a refusal notice quotes the refusal, not the correction before it).
 */
import { expect } from 'chai';
import { readFormFolder } from '../../lib/forms';
import { asApplicant, asStaff, eventually, http, startStack, type Stack } from '../../test/harness';

const code = 'XK-330000-00001.xh-scjg';
const zhang = { kind: 'person', name: '张三', idNumber: '330106199003073514' };
const numberPattern = /^XH-SCJG (收|受|补正|不受|准许|不许|送)〔\d{4}〕\d{6}号$/;

describe('working lists, drafts and documents over HTTP', function () {
  this.timeout(120_000);
  let stack: Stack;
  let clerk: Record<string, string>;
  let approver: Record<string, string>;
  let supervisor: Record<string, string>;

  before(async () => {
    stack = await startStack();
    [clerk, approver, supervisor] = await Promise.all([asStaff(stack, 'clerk-wang'), asStaff(stack, 'approver-li'), asStaff(stack, 'supervisor-zhao')]);
  });
  after(async () => {
    await stack?.stop();
  });

  async function file(): Promise<string> {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode: code, channel: 'window', applicant: zhang, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example }, clerk);
    expect(r.status).to.equal(201);
    return r.body.caseNo as string;
  }

  async function openTask(caseNo: string, kind: string, who: Record<string, string>): Promise<string> {
    // In the inbox (the read model), as the person would find it.
    const t = await eventually(() => stack.db('tasks').where({ case_no: caseNo, kind, status: 'open' }).first<{ id: string } | undefined>('id'), `${kind} task of ${caseNo}`, 30_000);
    expect((await http(stack, 'GET', `/api/views/inbox?q=${caseNo}`, undefined, who)).body.tasks.map((x: { taskId: string }) => x.taskId)).to.include(t.id);
    return t.id;
  }

  async function complete(caseNo: string, kind: string, who: Record<string, string>, body: Record<string, unknown>): Promise<void> {
    const r = await http(stack, 'POST', `/api/tasks/${await openTask(caseNo, kind, who)}/complete`, body, who);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
  }

  async function status(caseNo: string, wanted: (s: string) => boolean): Promise<string> {
    return eventually(async () => {
      const s = (await stack.db('cases').where({ case_no: caseNo }).first<{ status: string } | undefined>('status'))?.status;
      return s && wanted(s) ? s : undefined;
    }, `case ${caseNo} to move on`, 30_000);
  }

  const doc = (caseNo: string, kind: string, who: Record<string, string>) => http(stack, 'POST', `/api/cases/${caseNo}/documents/${kind}`, undefined, who);

  it('when a pre-check asks for a correction and then refuses, then the refusal notice quotes the refusal\'s reasons, and each document keeps its number', async () => {
    const caseNo = await file();
    const early = await doc(caseNo, 'receipt', clerk);
    expect([200, 409], 'filed, perhaps not projected yet').to.include(early.status);
    const receipt = await eventually(async () => { const r = await doc(caseNo, 'receipt', clerk); return r.status === 200 ? r : undefined; }, 'the receipt');
    expect(receipt.body).to.include({ caseNo, kind: 'receipt', title: '收件回执', itemName: '个体工商户设立登记', channel: 'window' });
    expect(receipt.body.number).to.match(numberPattern);
    expect(receipt.body.applicant).to.deep.equal(zhang);
    expect(receipt.body.materials.length, 'the pinned materials are listed on the receipt').to.be.greaterThan(0);

    await complete(caseNo, 'precheck', clerk, { action: 'correction', opinion: '请补正经营场所证明', problems: ['缺少经营场所使用证明'] });
    await status(caseNo, (s) => s === 'awaiting_correction');
    expect((await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '已补交场所证明' }, clerk)).status).to.equal(200);
    const reasons = '经营场所位于禁止从事餐饮经营的区域，不符合登记条件';
    await complete(caseNo, 'precheck', clerk, { action: 'reject', opinion: reasons });
    await status(caseNo, (s) => s === 'not_accepted');

    const correction = await doc(caseNo, 'correction', clerk);
    expect(correction.body.problems).to.deep.equal(['缺少经营场所使用证明']);
    const reject = await doc(caseNo, 'reject', clerk);
    expect(reject.status).to.equal(200);
    expect(reject.body.title).to.equal('不予受理通知书');
    expect(reject.body.reasons, 'the refusal\'s own reasons, not the correction opinion').to.equal(reasons);
    expect(reject.body.number).to.match(/^XH-SCJG 不受〔\d{4}〕\d{6}号$/);
    const again = await doc(caseNo, 'reject', clerk);
    expect(again.body.number, 'a reprint has the same number').to.equal(reject.body.number);
    expect(again.body.issuedAt).to.equal(reject.body.issuedAt);

    const approval = await doc(caseNo, 'approval', clerk);
    expect(approval.status).to.equal(409);
    expect(approval.body.type).to.match(/document-not-available$/);
    expect(await stack.db('case_documents').where({ case_no: caseNo, kind: 'approval' }).first(), 'nothing issued on a refusal').to.equal(undefined);
    expect((await doc(caseNo, 'verdict', clerk)).status).to.equal(404);

    // A supervisor reads what was issued (personal data masked) and issues nothing.
    const seen = await doc(caseNo, 'reject', supervisor);
    expect(seen.status).to.equal(200);
    expect(seen.body.applicant.idNumber).to.not.equal(zhang.idNumber);
    const notYet = await doc(caseNo, 'service', supervisor);
    expect(notYet.status).to.equal(409);
    expect(notYet.body.type).to.match(/document-not-issued$/);
    const service = await doc(caseNo, 'service', clerk);
    expect(service.body.served).to.deep.equal({ title: '不予受理通知书', number: reject.body.number });

    const list = await http(stack, 'GET', `/api/cases/${caseNo}/documents`, undefined, clerk);
    expect(list.body.documents.map((d: { kind: string }) => d.kind)).to.deep.equal(['receipt', 'correction', 'reject', 'service']);

    const finished = await http(stack, 'GET', `/api/views/finished?q=${caseNo}`, undefined, approver);
    expect(finished.body.cases.map((c: { caseNo: string; status: string }) => [c.caseNo, c.status])).to.deep.equal([[caseNo, 'not_accepted']]);
  });

  it('when the department refuses one case and approves another, then each decision document says so, and the approver\'s 已办 lists both', async () => {
    const refused = await file();
    const approved = await file();
    for (const c of [refused, approved]) await complete(c, 'precheck', clerk, { action: 'accept', opinion: '材料齐全，予以受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档' });
    const why = '申请经营范围属于负面清单，依法不予许可';
    await complete(refused, 'review', approver, { action: 'refuse', opinion: why });
    await complete(approved, 'review', approver, { action: 'approve', opinion: '符合条件，准予登记' });
    await status(refused, (s) => !['in_review', 'prechecking', 'filed'].includes(s));
    await status(approved, (s) => !['in_review', 'prechecking', 'filed'].includes(s));

    const refusal = await doc(refused, 'refusal', approver);
    expect(refusal.status).to.equal(200);
    expect(refusal.body).to.include({ title: '不予行政许可决定书', reasons: why });
    expect(refusal.body.decision.outcome).to.equal('refused');
    expect((await doc(refused, 'approval', approver)).status).to.equal(409);
    const approval = await doc(approved, 'approval', approver);
    expect(approval.body).to.include({ title: '准予行政许可决定书' });
    expect(approval.body.decision).to.include({ outcome: 'approved', opinion: '符合条件，准予登记' });
    expect((await doc(approved, 'refusal', approver)).status).to.equal(409);
    expect(approval.body.number).to.not.equal(refusal.body.number);

    const handled = await http(stack, 'GET', '/api/views/handled', undefined, approver);
    expect(handled.status).to.equal(200);
    const mine = handled.body.tasks.filter((x: { caseNo: string }) => [refused, approved].includes(x.caseNo));
    expect(mine.map((x: { caseNo: string; action: string }) => [x.caseNo, x.action]).sort()).to.deep.equal([[approved, 'approve'], [refused, 'refuse']].sort());
    expect((await http(stack, 'GET', '/api/views/handled', undefined, clerk)).body.tasks.some((x: { caseNo: string }) => x.caseNo === refused), 'the clerk handled the pre-check').to.equal(true);
    expect((await http(stack, 'GET', '/api/views/handled?page=0', undefined, approver)).status).to.equal(400);

    // 我的办件: the applicant sees both with a next step.
    const me = await asApplicant(stack, { idNumber: zhang.idNumber, name: zhang.name, phone: '13800138000' });
    const mine2 = await http(stack, 'GET', '/api/views/my-cases', undefined, me);
    expect(mine2.status).to.equal(200);
    const rows = mine2.body.cases.filter((c: { caseNo: string }) => [refused, approved].includes(c.caseNo));
    expect(rows).to.have.length(2);
    for (const r of rows) expect(['correct', 'pay', 'receive', 'rate', 'wait', 'none']).to.include(r.nextStep);
    expect((await http(stack, 'GET', '/api/views/my-cases', undefined, clerk)).status).to.equal(403);

    // Case search by applicant, item and filing day.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const byApplicant = await http(stack, 'GET', `/api/views/cases?applicant=${encodeURIComponent('张')}&itemCode=XK-330000-00001&filedFrom=${today}&filedTo=${today}`, undefined, approver);
    expect(byApplicant.status).to.equal(200);
    expect(byApplicant.body.cases.map((c: { caseNo: string }) => c.caseNo)).to.include.members([refused, approved]);
    const byId = await http(stack, 'GET', `/api/views/cases?applicant=${zhang.idNumber}`, undefined, approver);
    expect(byId.body.cases.map((c: { caseNo: string }) => c.caseNo)).to.include(approved);
    const nobody = await http(stack, 'GET', `/api/views/cases?applicant=${encodeURIComponent('查无此人')}`, undefined, approver);
    expect(nobody.body.total).to.equal(0);
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const before = await http(stack, 'GET', `/api/views/cases?itemCode=XK-330000-00001&filedTo=${yesterday}`, undefined, approver);
    expect(before.body.cases.map((c: { caseNo: string }) => c.caseNo)).to.not.include(approved);
    const bad = await http(stack, 'GET', '/api/views/cases?filedFrom=2026-02-30', undefined, approver);
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].pointer).to.equal('/query/filedFrom');
  });

  it('when a clerk saves, resumes, changes and deletes a draft, then only that clerk sees it, and bad drafts are refused with nothing stored', async () => {
    expect((await http(stack, 'GET', '/api/drafts')).status).to.equal(401);
    expect((await http(stack, 'GET', '/api/drafts', undefined, approver)).status).to.equal(403);
    const saved = await http(stack, 'POST', '/api/drafts', { implementationCode: code, applicant: { name: '张三' }, formData: { businessName: '西湖小面馆' } }, clerk);
    expect(saved.status).to.equal(201);
    expect(saved.body).to.include({ implementationCode: code, itemName: '个体工商户设立登记' });
    const id = saved.body.id as string;
    const list = await http(stack, 'GET', '/api/drafts', undefined, clerk);
    expect(list.body.drafts.find((d: { id: string }) => d.id === id)).to.include({ applicantName: '张三', itemName: '个体工商户设立登记' });
    const resumed = await http(stack, 'GET', `/api/drafts/${id}`, undefined, clerk);
    expect(resumed.body.formData).to.deep.equal({ businessName: '西湖小面馆' });
    const changed = await http(stack, 'PUT', `/api/drafts/${id}`, { implementationCode: code, applicant: { name: '张三', idNumber: zhang.idNumber }, formData: { businessName: '西湖大面馆' } }, clerk);
    expect(changed.status).to.equal(200);
    expect(changed.body.formData.businessName).to.equal('西湖大面馆');

    const other = await asStaff(stack, 'clerk-he');
    expect((await http(stack, 'GET', `/api/drafts/${id}`, undefined, other)).status, 'another clerk\'s draft is not found').to.equal(404);
    expect((await http(stack, 'DELETE', `/api/drafts/${id}`, undefined, other)).status).to.equal(404);

    const count = async () => Number((await stack.db('window_drafts').count<{ count: string }[]>('* as count'))[0].count);
    const n = await count();
    const unknownField = await http(stack, 'POST', '/api/drafts', { implementationCode: code, applicant: { nickname: 'x' }, formData: {} }, clerk);
    expect(unknownField.status).to.equal(400);
    expect(unknownField.body.errors[0].pointer).to.equal('/applicant/nickname');
    const unknownItem = await http(stack, 'POST', '/api/drafts', { implementationCode: 'XX-000000-00000.none', applicant: {}, formData: {} }, clerk);
    expect(unknownItem.status).to.equal(422);
    expect(unknownItem.body.errors[0].pointer).to.equal('/implementationCode');
    expect(await count(), 'nothing stored by a refused request').to.equal(n);

    expect((await http(stack, 'DELETE', `/api/drafts/${id}`, undefined, clerk)).status).to.equal(204);
    expect((await http(stack, 'GET', `/api/drafts/${id}`, undefined, clerk)).status).to.equal(404);
    expect((await http(stack, 'GET', '/api/drafts/not-a-uuid', undefined, clerk)).status).to.equal(404);
  });
});
