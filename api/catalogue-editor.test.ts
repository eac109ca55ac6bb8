/**
 * The process editor's operations over HTTP on the real database: the lists it picks from, an
 * entry checked without being saved, and the preview of which steps form data would run.
 */
import { expect } from 'chai';
import { sampleDocuments } from '../db/seed';
import { asStaff, http, sharedStack, type Stack } from '../test/harness';

describe('catalogue editor operations over HTTP', function () {
  this.timeout(60_000);
  let stack: Stack;
  let admin: Record<string, string>;

  before(async () => {
    stack = await sharedStack();
    admin = await asStaff(stack, 'admin-qian');
  });
  after(async () => {
    await stack?.stop();
  });

  it('when the editor asks for its lists, then departments, roles, the department systems in use and the adapter operations come back', async () => {
    const r = await http(stack, 'GET', '/api/catalogue/options', undefined, admin);
    expect(r.status).to.equal(200);
    expect(r.body.departments.map((d: { code: string }) => d.code)).to.include.members(['xh-scjg', 'xh-zjj', 'hz-jtys']);
    expect(r.body.roles).to.deep.include({ code: 'approver', name: '承办人' });
    expect(r.body.systems).to.deep.include({ department: 'hz-jtys', system: 'hz-transport-system' });
    expect(r.body.services).to.deep.include({ adapter: 'identity', operation: 'verifyPerson', name: '人口信息核验' });
    const clerk = await http(stack, 'GET', '/api/catalogue/options', undefined, await asStaff(stack, 'clerk-wang'));
    expect(clerk.status).to.equal(403);
  });

  it('when an entry is checked, then every problem comes back with its pointer and nothing is saved', async () => {
    const doc = sampleDocuments()[3]; // the construction permit: parallel approval
    const code = doc.implementation.code;
    const before = await stack.db('implementation_versions').where({ implementation_code: code }).select('version', 'entry');
    const entry = structuredClone(doc.entry) as any;
    const ok = await http(stack, 'POST', '/api/catalogue/validate', { entry }, admin);
    expect(ok.status).to.equal(200);
    expect(ok.body).to.deep.equal({ valid: true, problems: [] });

    const parallel = entry.process.steps.findIndex((s: { type: string }) => s.type === 'parallel');
    entry.process.steps[parallel].branches[0].steps[0].department = 'no-such-dept';
    entry.process.steps[0].when = { '==': [{ var: 'form.noSuchField' }, 1] };
    const bad = await http(stack, 'POST', '/api/catalogue/validate', { entry }, admin);
    expect(bad.status).to.equal(200);
    expect(bad.body.valid).to.equal(false);
    const pointers = bad.body.problems.map((p: { pointer: string }) => p.pointer);
    expect(pointers).to.include(`/process/steps/${parallel}/branches/0/steps/0/department`);
    expect(pointers).to.include('/process/steps/0/when/==/0/var');
    expect(await stack.db('implementation_versions').where({ implementation_code: code }).select('version', 'entry')).to.deep.equal(before);

    const notAnEntry = await http(stack, 'POST', '/api/catalogue/validate', { entry: 'x' }, admin);
    expect(notAnEntry.status).to.equal(400);
  });

  it('when a path is previewed, then the engine\'s conditions decide each step, and steps that are no process are a 422 with their pointers', async () => {
    const steps = [
      { type: 'task', id: 'accept', name: '受理审查', department: 'xh-scjg', role: 'reviewer', actions: ['approve'] },
      {
        type: 'parallel', id: 'joint', name: '并联审查', lead: 'xh-scjg', join: 'any-refusal-refuses', branches: [
          { id: 'a', name: '城管', steps: [{ type: 'task', id: 'city', name: '城管审查', department: 'xh-cgj', role: 'reviewer', actions: ['approve'], when: { '>': [{ var: 'form.capital' }, 100] } }] },
          { id: 'b', name: '卫健', steps: [{ type: 'task', id: 'health', name: '卫健审查', department: 'xh-wjj', role: 'reviewer', actions: ['approve'] }] },
        ],
      },
    ];
    const small = await http(stack, 'POST', '/api/catalogue/preview', { steps, formData: { capital: 50 } }, admin);
    expect(small.status).to.equal(200);
    expect(small.body.steps.map((s: { stepId: string; result: string }) => [s.stepId, s.result])).to.deep.equal([['accept', 'runs'], ['joint', 'runs'], ['city', 'skipped'], ['health', 'runs']]);
    const big = await http(stack, 'POST', '/api/catalogue/preview', { steps, formData: { capital: 500 }, applicantKind: 'legal_person' }, admin);
    expect(big.body.steps[2]).to.include({ stepId: 'city', result: 'runs', branch: '城管', pointer: '/process/steps/1/branches/0/steps/0' });

    const broken = await http(stack, 'POST', '/api/catalogue/preview', { steps: [{ type: 'task', id: 'x' }], formData: {} }, admin);
    expect(broken.status).to.equal(422);
    expect(broken.body.errors.map((e: { pointer: string }) => e.pointer)).to.include('/steps/0/name');
  });
});
