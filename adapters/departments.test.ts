import { expect } from 'chai';
import type { RunningSimulator } from '../simulators/kit';
import { startCallbackSink, type CallbackSink } from '../simulators/callback-sink';
import { startDepartmentSimulator, type DepartmentControl } from '../simulators/departments';
import { AdapterRefusal } from './errors';
import { DepartmentSystemsClient, type PushedCase } from './departments';

const secrets: Record<string, string> = { 'hz-jtys': 'transport-secret', 'xh-wjj': 'health-secret' };
const fast = { timeoutMs: 600, retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 40 } };
const pushed = (caseNo: string, stepId = 'transport-system'): PushedCase => ({
  caseNo, stepId, itemCode: '330106-XK-0007', acceptedAt: '2025-03-03T02:00:00.000Z',
  applicant: { kind: 'legal-person', name: '杭州顺通达物流有限公司', idNumber: '91330106MA2J1PQE65' }, formData: { vehicles: 3 },
});

describe('department systems adapter against the department simulator, with signed milestone and result callbacks', () => {
  let sink: CallbackSink;
  let sim: RunningSimulator<DepartmentControl>;
  let departments: DepartmentSystemsClient;

  before(async () => {
    sink = await startCallbackSink({ secret: (sender) => secrets[sender] });
    sim = await startDepartmentSimulator({ secret: 'unused-default', secrets, hangMs: 2_000, callbackUrl: `${sink.url}/callbacks/department` });
    departments = new DepartmentSystemsClient(
      Object.fromEntries(Object.entries(secrets).map(([code, secret]) => [code, { baseUrl: sim.control.departmentUrl(code), secret }])),
      fast,
    );
  });
  after(async () => {
    await sim.close();
    await sink.close();
  });
  beforeEach(async () => {
    await sim.control.reset();
    sink.records.length = 0;
  });

  it('when a case is pushed through 503s and a late answer, then the department receives it exactly once', async () => {
    await sim.control.setFaults({ failNext: 2, timeoutNext: 1 });
    const receipt = await departments.pushCase('hz-jtys', pushed('330106202503030000000101'));
    expect(await departments.pushCase('hz-jtys', pushed('330106202503030000000101'))).to.deep.equal(receipt);
    expect(receipt.department).to.equal('hz-jtys');
    expect(await sim.control.effects('case.received')).to.have.length(1);
  });

  it('when the department reports milestones and its result, then each arrives signed with that department’s secret', async () => {
    await departments.pushCase('hz-jtys', pushed('330106202503030000000102'));
    const step = { department: 'hz-jtys', caseNo: '330106202503030000000102', stepId: 'transport-system' };
    await sim.control.milestone({ ...step, milestone: '受理' });
    await sim.control.result({ ...step, outcome: 'approved', opinion: '符合道路货运经营条件' });
    expect(sink.applied().map((e) => e.type)).to.deep.equal(['department.milestone', 'department.result']);
    expect(sink.records.every((r) => r.headers['x-ow-sender'] === 'hz-jtys')).to.equal(true);
    expect(sink.applied('department.result')[0].data).to.include({ caseNo: step.caseNo, stepId: step.stepId, type: 'result', outcome: 'approved' });
  });

  it('when the result and a milestone arrive late, duplicated and out of order, then the result takes effect once and the old milestone is stale', async () => {
    await departments.pushCase('hz-jtys', pushed('330106202503030000000103'));
    const step = { department: 'hz-jtys', caseNo: '330106202503030000000103', stepId: 'transport-system' };
    await sim.control.setFaults({ reorderCallbacks: true, duplicateCallbacks: true });
    await sim.control.milestone({ ...step, milestone: '审查' });
    await sim.control.result({ ...step, outcome: 'refused', opinion: '车辆技术等级不符合要求' });
    expect(sink.records).to.have.length(0);
    await sim.control.flush();
    expect(sink.records.map((r) => `${r.event?.type} ${r.outcome}`)).to.deep.equal([
      'department.result new', 'department.result duplicate', 'department.milestone stale', 'department.milestone duplicate',
    ]);
    expect(sink.applied()).to.have.length(1);
  });

  it('when callbacks are forged, then the receiver refuses every one of them', async () => {
    await departments.pushCase('hz-jtys', pushed('330106202503030000000104'));
    await sim.control.setFaults({ badSignature: true });
    await sim.control.milestone({ department: 'hz-jtys', caseNo: '330106202503030000000104', stepId: 'transport-system', milestone: '受理' });
    expect(sink.refusals().map((r) => r.reason)).to.deep.equal(['bad-signature']);
  });

  it('when a department’s secret is wrong, then its system refuses the push as a bad signature', async () => {
    const wrong = new DepartmentSystemsClient({ 'hz-jtys': { baseUrl: sim.control.departmentUrl('hz-jtys'), secret: secrets['xh-wjj'] } }, fast);
    expect(await wrong.pushCase('hz-jtys', pushed('330106202503030000000105')).catch((e: unknown) => e)).to.be.instanceOf(AdapterRefusal).and.include({ code: 'bad-signature', status: 401 });
  });

  it('when a department has no system in the directory, then the client refuses without a request', async () => {
    expect(await departments.pushCase('xh-mzj', pushed('330106202503030000000106')).catch((e: unknown) => e)).to.be.instanceOf(AdapterRefusal).and.include({ code: 'unknown-department' });
    expect(await sim.control.requests()).to.have.length(0);
  });

  it('when pre-check asks for verification, then good items pass and a known problem or a bad code is reported', async () => {
    expect(await departments.verify('xh-wjj', { caseNo: '330106202503030000000107', items: [{ name: 'creditCode', value: '91330106MA8B9JHW3F' }] })).to.deep.equal({ ok: true, problems: [] });
    await sim.control.addProblem('91330106MA2J1PQE65', '该单位道路运输经营许可证已被吊销');
    const result = await departments.verify('hz-jtys', {
      caseNo: '330106202503030000000107',
      items: [{ name: 'creditCode', value: '91330106MA2J1PQE65' }, { name: '负责人身份证号', value: '330102197103254036' }, { name: '车辆数', value: '3' }],
    });
    expect(result).to.deep.equal({
      ok: false,
      problems: [{ item: 'creditCode', detail: '该单位道路运输经营许可证已被吊销' }, { item: '负责人身份证号', detail: '公民身份号码校验码不正确' }],
    });
  });

  it('when onewindow asks for a dispatch’s status, then it gets the milestones and result so far, even those whose callbacks never arrived', async () => {
    const step = { department: 'hz-jtys', caseNo: '330106202503030000000108', stepId: 'transport-system' };
    const receipt = await departments.pushCase('hz-jtys', pushed(step.caseNo));
    expect(await departments.dispatchStatus('hz-jtys', step)).to.deep.include({ caseNo: step.caseNo, stepId: step.stepId, round: 1, receiptNo: receipt.receiptNo, milestones: [], result: null });
    await sim.control.milestone({ ...step, milestone: '受理' });
    // The receiver is gone: the next milestone and the result reach nobody, and the department still has them.
    await sim.control.configure({ callbackUrl: 'http://127.0.0.1:1/callbacks/department' });
    await sim.control.milestone({ ...step, milestone: '审查' });
    await sim.control.result({ ...step, outcome: 'refused', opinion: '车辆技术等级不符合要求' });
    await sim.control.configure({ callbackUrl: `${sink.url}/callbacks/department` });
    const status = await departments.dispatchStatus('hz-jtys', step);
    expect(status?.milestones.map((m) => m.milestone)).to.deep.equal(['受理', '审查']);
    expect(status?.result).to.deep.include({ outcome: 'refused', opinion: '车辆技术等级不符合要求' });
    expect(sink.applied().map((e) => e.type)).to.deep.equal(['department.milestone']);
    expect(Date.parse(status?.result?.at ?? '')).to.be.closeTo(Date.now(), 60_000);
  });

  it('when the status of a dispatch the department never received is asked for, then the answer is null; another department’s secret is refused', async () => {
    expect(await departments.dispatchStatus('xh-wjj', { caseNo: '330106202503030000000109', stepId: 'health-system' })).to.equal(null);
    await departments.pushCase('hz-jtys', pushed('330106202503030000000109'));
    // Pushed to 交通运输 only: 卫健 does not have it.
    expect(await departments.dispatchStatus('xh-wjj', { caseNo: '330106202503030000000109', stepId: 'transport-system' })).to.equal(null);
    const wrong = new DepartmentSystemsClient({ 'hz-jtys': { baseUrl: sim.control.departmentUrl('hz-jtys'), secret: secrets['xh-wjj'] } }, fast);
    expect(await wrong.dispatchStatus('hz-jtys', { caseNo: '330106202503030000000109', stepId: 'transport-system' }).catch((e: unknown) => e)).to.be.instanceOf(AdapterRefusal).and.include({ code: 'bad-signature' });
  });

  it('when a step returned to is pushed again as round 2, then each round has its own status, and the department’s next result is for round 2', async () => {
    const step = { caseNo: '330106202503030000000110', stepId: 'transport-system' };
    await departments.pushCase('hz-jtys', pushed(step.caseNo));
    await sim.control.result({ department: 'hz-jtys', ...step, outcome: 'refused', opinion: '材料不全' });
    const again = await departments.pushCase('hz-jtys', { ...pushed(step.caseNo), round: 2 });
    expect(await sim.control.effects('case.received')).to.have.length(2);
    expect(await departments.dispatchStatus('hz-jtys', { ...step, round: 2 })).to.deep.include({ round: 2, receiptNo: again.receiptNo, result: null });
    expect((await departments.dispatchStatus('hz-jtys', step))?.result).to.include({ outcome: 'refused' });
    expect(await departments.dispatchStatus('hz-jtys', { ...step, round: 3 })).to.equal(null);
    await sim.control.result({ department: 'hz-jtys', ...step, outcome: 'approved', opinion: '补正后符合条件' });
    expect((await departments.dispatchStatus('hz-jtys', { ...step, round: 2 }))?.result).to.include({ outcome: 'approved' });
    expect(sink.applied('department.result').map((e) => (e.data as { round?: number }).round)).to.deep.equal([undefined, 2]);
  });

  it('when a callback is asked for a case the department never received, then the simulator refuses', async () => {
    const err = await sim.control.result({ department: 'hz-jtys', caseNo: '330106202503039999999999', stepId: 'x', outcome: 'approved' }).catch((e: unknown) => e);
    expect(String(err)).to.contain('404');
  });
});
