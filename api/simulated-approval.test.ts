/**
 * 模拟审批 over HTTP on the real stack (dev server, PostgreSQL, worker, API, simulators): a
 * construction permit filed as simulated before its land certificate exists is reviewed in
 * parallel, stamped 模拟; once the e-certificate platform holds the land certificate the applicant
 * reports it, with one changed field, and only that field's branch is reviewed again; the formal
 * certificate is issued and the indicators count the conversion. Filing refusals change nothing.
 */
import { expect } from 'chai';
import { CertificateClient } from '../adapters/certificates';
import { readFormFolder } from '../lib/forms';
import { asClerkFor, asStaff, eventually, http, platformSecret, sharedStack, type Stack } from '../test/harness';

const PERMIT = 'XK-330000-00004.xh-zjj';
/** A company the identity simulator knows, holding no land certificate yet. */
const company = { kind: 'legal_person', name: '杭州顺通达物流有限公司', idNumber: '91330106MA2J1PQE65', legalRepresentative: { idNumber: '330102197103254035', name: '何志刚' } };
/** A person the sample certificate library already credits with a 不动产权证书. */
const zhang = { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' };

interface TaskRow { id: string; kind: string; step_id: string; step_name: string; actions: string[]; detail: { simulated?: boolean }; department_code: string; role: string }

describe('模拟审批 over HTTP (dev server + database + simulators)', function () {
  this.timeout(180_000);
  let stack: Stack;
  const form = readFormFolder({ key: 'construction-permit', version: 1 }).example;
  before(async () => {
    stack = await sharedStack();
    stack.defaultHeaders = await asStaff(stack, 'supervisor-zhao');
  });
  after(async () => {
    await stack?.stop();
  });

  async function fileAs(applicant: Record<string, unknown>, code = PERMIT, formData: Record<string, unknown> = form) {
    return http(stack, 'POST', '/api/cases', { implementationCode: code, channel: 'window', applicant, formData, simulated: true }, await asClerkFor(stack, code));
  }

  async function openTasks(caseNo: string): Promise<TaskRow[]> {
    return stack.db('tasks').where({ case_no: caseNo, status: 'open' }).orderBy('created_at').select<TaskRow[]>('id', 'kind', 'step_id', 'step_name', 'actions', 'detail', 'department_code', 'role');
  }

  async function complete(t: TaskRow, action: string) {
    const user = await stack.db('staff_users').where({ department_code: t.department_code }).whereRaw('? = any(roles)', [t.role]).first<{ id: string }>('id');
    const body = { action, opinion: '同意', ...(action === 'accept' ? { missingMaterialsReason: '材料已当面核验，纸质件另行归档' } : {}) };
    const r = await http(stack, 'POST', `/api/tasks/${t.id}/complete`, body, await asStaff(stack, user.id));
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
  }

  async function caseView(caseNo: string) {
    return (await http(stack, 'GET', `/api/cases/${caseNo}`)).body;
  }

  /** Completes every open task the positive way (and passes face checks) until the case reaches `status`; the tasks completed. */
  async function driveTo(caseNo: string, status: string): Promise<TaskRow[]> {
    const done: TaskRow[] = [];
    const positive: Record<string, string> = { precheck: 'accept', review: 'approve', 'lead-decision': 'approve', handover: 'handover' };
    // A face check is finished once: its row stays pending until the workflow has recorded the result.
    const finished = new Set<string>();
    for (let i = 0; i < 600; i++) {
      if ((await caseView(caseNo)).status === status) return done;
      const pending = await stack.db('face_checks').where({ case_no: caseNo, status: 'pending' }).first<{ check_id: string } | undefined>('check_id');
      if (pending && !finished.has(pending.check_id)) {
        await stack.sims.identity.control.finishFaceCheck(pending.check_id, 'pass');
        finished.add(pending.check_id);
      }
      const [t] = await openTasks(caseNo);
      if (t && positive[t.kind]) {
        await complete(t, positive[t.kind]);
        done.push(t);
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${caseNo} did not reach ${status}`);
  }

  it('when a simulated filing names an entry that does not allow simulation, or an applicant who already holds the precondition, then it is refused with a clear problem and no case is filed', async () => {
    const before = Number((await stack.db('case_filings').count<{ count: string }[]>('* as count'))[0].count);
    const notAllowed = await fileAs(zhang, 'XK-330000-00001.xh-scjg', readFormFolder({ key: 'individual-business-registration', version: 1 }).example);
    expect(notAllowed.status).to.equal(422);
    expect(notAllowed.body.type).to.match(/simulation-not-allowed$/);
    const present = await fileAs(zhang);
    expect(present.status).to.equal(409);
    expect(present.body.type).to.match(/preconditions-present$/);
    expect(present.body.detail).to.include('不动产权证书');
    expect(Number((await stack.db('case_filings').count<{ count: string }[]>('* as count'))[0].count)).to.equal(before);
  });

  it('when the land certificate appears after the simulated parallel review and the contractor changed, then only that branch and the lead decision are reviewed again and the formal certificate is issued', async () => {
    const filed = await fileAs(company);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const caseNo: string = filed.body.caseNo;

    // The simulated review: every task stamped 模拟, through the parallel step, ending in a simulated opinion.
    const simulated = await driveTo(caseNo, 'awaiting_precondition');
    expect(simulated.map((t) => t.step_id)).to.include.members(['precheck', 'accept-review', 'planning-check', 'muck-disposal-check', 'quality-safety-check', 'quality-safety-confirm', 'joint-review', 'decision']);
    expect(simulated.every((t) => t.step_name.startsWith('（模拟）') && t.detail.simulated === true)).to.equal(true);
    let view = await caseView(caseNo);
    expect(view.simulation).to.include({ state: 'awaiting' });
    expect(view.simulation.simulatedDays).to.be.a('number');
    expect(view.simulation.lapseAt).to.be.a('string');
    expect(view.decision).to.equal(null);
    expect(await stack.db('certificates').where({ case_no: caseNo })).to.have.length(0);
    const live = (await http(stack, 'GET', `/api/cases/${caseNo}/live`)).body;
    expect(live.simulation.opinion.conditions).to.include('不动产权证书');
    expect(live.simulation.missing).to.deep.equal(['land-use-right']);

    // Bad reports change nothing; a change reported before the certificate exists leaves it missing.
    const clerk = await asClerkFor(stack, PERMIT);
    const invalid = await http(stack, 'POST', `/api/cases/${caseNo}/precondition`, { formData: { contractPrice: -1 } }, clerk);
    expect(invalid.status).to.equal(422);
    const strayFile = await http(stack, 'POST', `/api/cases/${caseNo}/precondition`, { files: ['mat_nothere'] }, clerk);
    expect(strayFile.status).to.equal(422);
    expect((await http(stack, 'GET', `/api/cases/${caseNo}/live`)).body.formData.contractPrice).to.equal(form.contractPrice);
    const changed = { contractor: { ...(form.contractor as object), projectManager: '陈建新' } };
    const early = await http(stack, 'POST', `/api/cases/${caseNo}/precondition`, { formData: changed, note: '项目经理变更' }, clerk);
    expect(early.status, JSON.stringify(early.body)).to.equal(200);
    expect(early.body).to.deep.equal({ status: 'awaiting_precondition', missing: ['land-use-right'] });

    // The land certificate is issued on the e-certificate platform; reported, the case finds it and converts.
    const certificates = new CertificateClient({ baseUrl: stack.sims.urls.certificates, secret: platformSecret });
    const land = await certificates.issue({
      type: '不动产权证书', holder: { name: company.name, idNumber: company.idNumber }, issuer: 'xh-zrzy',
      fields: { 坐落: form.projectAddress as string, 权利类型: '国有建设用地使用权' }, validFrom: '2026-11-30', validUntil: null,
    }, `it-land-${caseNo}`);
    const met = await http(stack, 'POST', `/api/cases/${caseNo}/precondition`, { note: '已取得不动产权证书' }, clerk);
    expect(met.status, JSON.stringify(met.body)).to.equal(200);
    expect(met.body).to.deep.equal({ status: 'in_review', missing: [] });
    const converting = (await http(stack, 'GET', `/api/cases/${caseNo}/live`)).body.simulation;
    expect(converting.met.map((m: { how: string }) => m.how)).to.deep.equal([`电子证照 ${land.number}`]);
    expect(converting.changedFields).to.deep.equal(['contractor']);
    expect(converting.rerun).to.have.members(['quality-safety-check', 'quality-safety-confirm', 'joint-review']);
    expect(converting.carriedOver).to.have.members(['accept-review', 'planning-check', 'muck-disposal-check', 'decision']);

    // The formal part: the changed branch and the lead decision only, unstamped; then the certificate and hand-over.
    const formal = await driveTo(caseNo, 'completed');
    expect(formal.filter((t) => t.kind !== 'handover').map((t) => t.step_id)).to.deep.equal(['quality-safety-check', 'quality-safety-confirm', 'joint-review']);
    expect(formal.some((t) => t.step_name.startsWith('（模拟）') || t.detail.simulated)).to.equal(false);
    view = await caseView(caseNo);
    expect(view.decision).to.equal('approved');
    expect(view.simulation).to.include({ state: 'converted' });
    expect(view.simulation.formalDays).to.be.a('number');
    expect(view.simulation.preconditionMetAt).to.be.a('string');
    const types = view.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'step-carried-over')).to.have.length(4);
    expect(types).to.include.members(['simulated-opinion', 'precondition-certificate-found', 'simulation-converting', 'simulation-converted', 'certificate-issued']);
    const cert = await stack.db('certificates').where({ case_no: caseNo }).first<{ type: string }>('type');
    expect(cert.type).to.equal('建筑工程施工许可证');

    // The indicators count it: converted, none lapsed, its simulated and formal days.
    const ind = await eventually(async () => {
      const r = await http(stack, 'GET', '/api/supervision/simulation');
      return r.status === 200 && r.body.rows.find((x: { itemCode: string; converted: number }) => x.itemCode === 'XK-330000-00004' && x.converted >= 1);
    }, 'the simulation indicators');
    expect(ind.conversionRate).to.be.a('number').and.above(0);
    expect(ind.avgFormalDays).to.be.a('number');
    expect(ind.avgSavedDays).to.be.a('number');
  });
});
