import { expect } from 'chai';
import type { ProcessStep } from '../../workflows/definitions';
import { previewProcess } from './preview';

const task = (id: string, department: string, when?: Record<string, unknown>): ProcessStep => ({ type: 'task', id, name: id, department, role: 'approver', actions: ['approve'], ...(when ? { when } : {}) });

const steps: ProcessStep[] = [
  task('accept', 'xh-scjg'),
  {
    type: 'parallel', id: 'joint', name: '并联审查', lead: 'xh-scjg', join: 'lead-decides', when: { '>': [{ var: 'form.capital' }, 100] },
    branches: [
      { id: 'a', name: '甲', steps: [task('fire', 'xh-cgj')] },
      { id: 'b', name: '乙', steps: [task('health', 'xh-wjj', { '==': [{ var: 'applicant.kind' }, 'legal_person'] })] },
    ],
  },
  task('sign', 'xh-scjg', { in: ['x', { var: 'form.scope' }] }),
];

describe('process preview (the engine\'s conditions over a definition)', () => {
  it('when the parallel step applies, then its branches are decided one by one with the engine\'s conditions', () => {
    const rows = previewProcess(steps, { form: { capital: 500, scope: 'x' }, applicant: { kind: 'person' } });
    expect(rows.map((r) => [r.stepId, r.result, r.depth, r.pointer])).to.deep.equal([
      ['accept', 'runs', 0, '/process/steps/0'],
      ['joint', 'runs', 0, '/process/steps/1'],
      ['fire', 'runs', 1, '/process/steps/1/branches/0/steps/0'],
      ['health', 'skipped', 1, '/process/steps/1/branches/1/steps/0'],
      ['sign', 'runs', 0, '/process/steps/2'],
    ]);
    expect(rows[1]).to.include({ leadDecides: true, department: 'xh-scjg', conditional: true });
    expect(rows[2]).to.include({ branch: '甲', department: 'xh-cgj', role: 'approver', conditional: false });
  });

  it('when the parallel step\'s condition is false, then nothing inside it is reached', () => {
    const rows = previewProcess(steps, { form: { capital: 5, scope: 'y' }, applicant: { kind: 'legal_person' } });
    expect(rows.map((r) => r.result)).to.deep.equal(['runs', 'skipped', 'not-reached', 'not-reached', 'skipped']);
  });

  it('when a condition cannot be decided, then the step goes to its department\'s head, with the engine\'s reason', () => {
    const rows = previewProcess(steps, { form: { capital: 500, scope: { indexOf: 1 } }, applicant: { kind: 'person' } });
    const sign = rows.find((r) => r.stepId === 'sign')!;
    expect(sign.result).to.equal('ask');
    expect(sign.reason).to.equal('条件表达式无法对该表单数据求值');
  });
});
