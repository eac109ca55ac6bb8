/**
 * Materials as part of the case, over HTTP against the real stack: the checklist each case keeps
 * (paper, uploaded, e-certificate, missing), acceptance refused while a required material is
 * missing unless the clerk says why, bad input refused with nothing changed, and a correction
 * reply's files kept beside the problems they answer.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { testStaffPassword } from '../test/context';
import { asApplicant, asStaff, eventually, http, startStack, type HttpResult, type Stack } from '../test/harness';
import { samplePng } from '../test/sample-files';

const huang = { idNumber: '330102198802164527', name: '黄丽娟', phone: '13588036752' }; // holds no e-certificates
const liu = { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' }; // holds an ID card, a household register, a marriage certificate

interface Entry { materialId: string; state: string; setBy: string | null; certificateNo: string | null; waiverReason: string | null; files: { id: string; fileName: string }[] }

describe('materials as part of the case: checklist, uploads, acceptance, correction files', function () {
  this.timeout(120_000);
  let stack: Stack;
  let clerk: Record<string, string>;

  before(async () => {
    stack = await startStack();
    clerk = await asStaff(stack, 'clerk-wang');
  });
  after(async () => {
    await stack?.stop();
  });

  async function file(person: { idNumber: string; name: string }): Promise<string> {
    const filed = await http(stack, 'POST', '/api/cases', {
      implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window',
      applicant: { kind: 'person', name: person.name, idNumber: person.idNumber },
      formData: { ...readFormFolder({ key: 'individual-business-registration', version: 1 }).example, operatorName: person.name },
    }, clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    return filed.body.caseNo as string;
  }
  const precheckOf = (caseNo: string) => eventually(async () => (await stack.db('tasks').where({ case_no: caseNo, kind: 'precheck', status: 'open' }).first<{ id: string } | undefined>('id'))?.id, `the pre-check of ${caseNo}`, 30_000);
  const checklistOf = async (caseNo: string, as = clerk) => {
    const r = await http(stack, 'GET', `/api/cases/${caseNo}/checklist`, undefined, as);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body as { materials: Entry[]; missingRequired: string[]; corrections: { id: string; answersProblem: string; materialId: string | null }[] };
  };
  const upload = (caseNo: string, o: Record<string, unknown>, as = clerk) => http(stack, 'POST', `/api/cases/${caseNo}/materials`, {
    materialName: '经营者身份证明', fileName: '身份证.png', contentType: 'image/png', dataBase64: samplePng().toString('base64'), ...o,
  }, as);
  const setState = (caseNo: string, materialId: string, body: unknown, as = clerk) => http(stack, 'PUT', `/api/cases/${caseNo}/checklist/${materialId}`, body, as);
  const stored = async (caseNo: string) => ({
    states: Number((await stack.db('case_material_states').where({ case_no: caseNo }).count<{ n: string }[]>('* as n'))[0].n),
    files: Number((await stack.db('case_materials').where({ case_no: caseNo }).count<{ n: string }[]>('* as n'))[0].n),
  });

  it('when a case is filed and nothing is recorded, then every required material is missing and acceptance is a 422 in Chinese that changes nothing', async () => {
    const caseNo = await file(huang);
    const list = await checklistOf(caseNo);
    expect(list.materials.map((m) => m.materialId)).to.deep.equal(['application', 'operator-id', 'premises-proof', 'agent-authorisation', 'pre-approval']);
    expect(list.materials.every((m) => m.state === 'missing' && m.setBy === null)).to.equal(true);
    expect(list.missingRequired).to.deep.equal(['application', 'operator-id', 'premises-proof']);

    const taskId = await precheckOf(caseNo);
    const refused = await http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'accept', opinion: '予以受理' }, clerk);
    expect(refused.status).to.equal(422);
    expect(refused.contentType).to.contain('application/problem+json');
    expect(refused.body.type).to.match(/materials-missing$/);
    expect(refused.body.title).to.equal('必需材料不齐，不能受理');
    expect(refused.body.detail).to.contain('个体工商户登记（备案）申请书').and.to.contain('经营者身份证明').and.to.contain('经营场所使用证明');
    expect(refused.body.errors[0].pointer).to.equal('/missingMaterialsReason');
    // A blank reason is no reason.
    expect((await http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '   ' }, clerk)).status).to.equal(422);

    const live = await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk);
    expect(live.body.status).to.equal('prechecking');
    expect(live.body.openTasks.map((t: { taskId: string }) => t.taskId)).to.deep.equal([taskId]);
    expect(await stored(caseNo)).to.deep.equal({ states: 0, files: 0 });
    const audit = await stack.db('audit_log').where({ case_no: caseNo, action: 'refused.completeTask' }).select('detail');
    expect(audit.length, 'each refusal is in the audit log').to.equal(2);
  });

  it('when the input is bad, then each is a clear 4xx and the checklist and files stay as they were', async () => {
    const caseNo = await file(huang);
    const taskId = await precheckOf(caseNo);
    const before = await checklistOf(caseNo);
    const owner = await asApplicant(stack, huang);

    const cases: [string, Promise<HttpResult>, number, string?][] = [
      ['unknown material', setState(caseNo, 'no-such-material', { state: 'paper' }), 404],
      ['a material id that is no id', setState(caseNo, 'Bad%20Id', { state: 'paper' }), 404],
      ['unknown state', setState(caseNo, 'application', { state: 'teleported' }), 400, '/state'],
      ['an extra field', setState(caseNo, 'application', { state: 'paper', by: 'me' }), 400],
      ['uploaded without a file', setState(caseNo, 'application', { state: 'uploaded' }), 422, '/state'],
      ['certificate without a number', setState(caseNo, 'operator-id', { state: 'certificate' }), 422, '/certificateNo'],
      ['certificate for a material no certificate replaces', setState(caseNo, 'application', { state: 'certificate', certificateNo: 'X1' }), 422, '/state'],
      ['a certificate number nobody issued', setState(caseNo, 'operator-id', { state: 'certificate', certificateNo: 'NO-SUCH-1' }), 422, '/certificateNo'],
      ['a number with paper', setState(caseNo, 'application', { state: 'paper', certificateNo: 'X1' }), 422, '/certificateNo'],
      ['paper recorded by the applicant online', setState(caseNo, 'application', { state: 'paper' }, owner), 403],
      ['a supervisor acting', setState(caseNo, 'application', { state: 'paper' }, await asStaff(stack, 'supervisor-zhao')), 403],
      ['an upload for a material the case does not have', upload(caseNo, { materialId: 'no-such-material' }), 422, '/materialId'],
      ['an upload with a material id that is no id', upload(caseNo, { materialId: '../etc' }), 400, '/materialId'],
      ['a reason with another action', http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'correction', opinion: '请补正', problems: ['缺少申请书'], missingMaterialsReason: '另行核验' }, clerk), 422, '/missingMaterialsReason'],
      ['a reason too long', http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'accept', opinion: '', missingMaterialsReason: '长'.repeat(501) }, clerk), 400, '/missingMaterialsReason'],
    ];
    // Someone else's certificate: 张三's ID card is genuine and valid, but not the applicant's.
    const zhangCards = await http(stack, 'GET', '/api/views/certificates?holder=330106199003073514', undefined, clerk);
    const zhangId = zhangCards.body.certificates.find((c: { type: string }) => c.type === '居民身份证').number as string;
    cases.push(['another person\'s certificate', setState(caseNo, 'operator-id', { state: 'certificate', certificateNo: zhangId }), 422, '/certificateNo']);
    for (const [what, pending, status, pointer] of cases) {
      const r = await pending;
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(status);
      expect(r.contentType, what).to.contain('application/problem+json');
      if (pointer) expect(r.body.errors.map((e: { pointer: string }) => e.pointer), what).to.include(pointer);
    }
    const certRefusal = await setState(caseNo, 'operator-id', { state: 'certificate', certificateNo: zhangId });
    expect(certRefusal.body.errors[0].detail).to.equal('该证照的持证人不是本案申请人');

    expect(await checklistOf(caseNo)).to.deep.equal(before);
    expect(await stored(caseNo)).to.deep.equal({ states: 0, files: 0 });
    expect((await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk)).body.status).to.equal('prechecking');
  });

  it('when the clerk records paper and an upload, then another session sees the stored checklist, and acceptance with one missing needs and keeps a reason', async () => {
    const caseNo = await file(huang);
    const paper = await setState(caseNo, 'application', { state: 'paper' });
    expect(paper.status, JSON.stringify(paper.body)).to.equal(200);
    expect(paper.body).to.include({ materialId: 'application', state: 'paper', setBy: 'staff:clerk-wang' });
    const up = await upload(caseNo, { materialId: 'operator-id' });
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    expect(up.body.materialId).to.equal('operator-id');

    // A second sign-in of the same clerk, as another browser tab or machine would have.
    const other = await http(stack, 'POST', '/api/auth/login', { username: 'clerk-wang', password: testStaffPassword });
    const list = await checklistOf(caseNo, { authorization: `Bearer ${other.body.token}` });
    const byId = Object.fromEntries(list.materials.map((m) => [m.materialId, m]));
    expect(byId.application.state).to.equal('paper');
    expect(byId['operator-id'].state).to.equal('uploaded');
    expect(byId['operator-id'].files.map((f) => f.fileName)).to.deep.equal(['身份证.png']);
    expect(list.missingRequired).to.deep.equal(['premises-proof']);
    // The material list of the case names the checklist entry too.
    const files = await http(stack, 'GET', `/api/cases/${caseNo}/materials`, undefined, clerk);
    expect(files.body.materials[0]).to.include({ materialId: 'operator-id', fileName: '身份证.png' });

    const taskId = await precheckOf(caseNo);
    const refused = await http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'accept', opinion: '予以受理' }, clerk);
    expect(refused.status).to.equal(422);
    expect(refused.body.detail).to.contain('经营场所使用证明').and.not.to.contain('经营者身份证明');

    const accepted = await http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'accept', opinion: '予以受理', missingMaterialsReason: '场所证明原件已核验，复印件次日补交' }, clerk);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    const after = await checklistOf(caseNo);
    const premises = after.materials.find((m) => m.materialId === 'premises-proof') as Entry;
    expect(premises).to.include({ state: 'missing', waiverReason: '场所证明原件已核验，复印件次日补交', setBy: 'clerk-wang' });
    const view = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
      return r.body.tasks?.find((t: { kind: string; outcome: unknown }) => t.kind === 'precheck' && t.outcome) ? r.body : undefined;
    }, 'the acceptance in the read model');
    const opinion = view.tasks.find((t: { kind: string }) => t.kind === 'precheck').outcome.opinion as string;
    expect(opinion).to.contain('缺少经营场所使用证明，先行受理，理由：场所证明原件已核验，复印件次日补交');
  });

  it('when the applicant replies to a correction with files, then they are attached beside the problems they answer; bad references change nothing', async () => {
    const caseNo = await file(liu);
    const owner = await asApplicant(stack, liu);
    // His ID card replaces the operator's identity proof: the case fetched it, or the clerk records it by number.
    const cards = await http(stack, 'GET', `/api/views/certificates?holder=${liu.idNumber}`, undefined, clerk);
    const idCard = cards.body.certificates.find((c: { type: string }) => c.type === '居民身份证').number as string;
    const cert = await setState(caseNo, 'operator-id', { state: 'certificate', certificateNo: idCard });
    expect(cert.status, JSON.stringify(cert.body)).to.equal(200);
    expect(cert.body).to.include({ state: 'certificate', certificateNo: idCard });

    const taskId = await precheckOf(caseNo);
    const problems = ['缺少经营场所使用证明', '申请书未经本人签字'];
    expect((await http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'correction', opinion: '请一次性补正', problems }, clerk)).status).to.equal(200);
    await eventually(async () => (await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, owner)).body.status === 'awaiting_correction', 'awaiting correction');

    const lease = await upload(caseNo, { materialId: 'premises-proof', materialName: '经营场所使用证明', fileName: '租赁合同.png' }, owner);
    const signed = await upload(caseNo, { materialId: 'application', materialName: '申请书', fileName: '申请书签字页.png' }, owner);
    expect([lease.status, signed.status]).to.deep.equal([201, 201]);

    for (const [what, files, pointer] of [
      ['an unknown file', [{ id: 'mat_nosuchfile', problem: 0 }], '/files/0/id'],
      ['a problem the notice does not have', [{ id: lease.body.id, problem: 2 }], '/files/0/problem'],
      ['the same file twice', [{ id: lease.body.id, problem: 0 }, { id: lease.body.id, problem: 1 }], '/files/1/id'],
    ] as const) {
      const r = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '已补正', files }, owner);
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(422);
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer), what).to.include(pointer);
    }
    expect((await checklistOf(caseNo, owner)).corrections).to.deep.equal([]);
    expect((await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, owner)).body.status).to.equal('awaiting_correction');

    const reply = await http(stack, 'POST', `/api/cases/${caseNo}/correction`, { note: '已补交租赁合同和签字页', files: [{ id: lease.body.id, problem: 0 }, { id: signed.body.id, problem: 1 }] }, owner);
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    const list = await checklistOf(caseNo);
    expect(list.corrections.map((c) => [c.id, c.answersProblem, c.materialId])).to.deep.equal([
      [lease.body.id, '缺少经营场所使用证明', 'premises-proof'],
      [signed.body.id, '申请书未经本人签字', 'application'],
    ]);
    expect(list.missingRequired).to.deep.equal([]);
    // A file already sent with a reply is not sent again.
    await precheckOf(caseNo);
    const history = await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk);
    expect(history.body.status).to.equal('prechecking');
  });
});
