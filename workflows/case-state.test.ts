import { expect } from 'chai';
import { CaseState } from './case-state';
import type { CaseInput, CompleteTaskRequest } from './definitions';

const input = { caseNo: 'C1', formData: {}, implementation: { statutoryLimitDays: 20, promisedLimitDays: 10 } } as unknown as CaseInput;
const spec = { kind: 'review' as const, stepId: 'review', stepName: '审核', department: 'd1', role: 'approver', actions: ['approve' as const, 'refuse' as const] };
const actor = { userId: 'u', department: 'd1', roles: ['approver'] };

describe('CaseState', () => {
  it('when a step runs again, then its task gets a new id', () => {
    const s = new CaseState(input);
    expect(s.board.add(spec).taskId).to.equal('C1-review-1');
    expect(s.board.add(spec).taskId).to.equal('C1-review-2');
    expect(s.board.add({ ...spec, kind: 'precheck', stepId: 'precheck' }).taskId).to.equal('C1-precheck-precheck-1');
  });

  it('when a completion has begun, then a second one for the same task is refused', () => {
    const s = new CaseState(input);
    const t = s.board.add(spec);
    const req: CompleteTaskRequest = { taskId: t.taskId, action: 'approve', opinion: '', actor };
    s.validateCompletion(req);
    s.beginCompletion(req);
    expect(() => s.validateCompletion(req)).to.throw(/already completed/);
    expect(() => s.beginCompletion(req)).to.throw(/already completed/);
    expect(s.view().openTasks).to.deep.equal([]);
  });

  it('when a refusal has no reasons or an action is foreign, then the validator says why', () => {
    const s = new CaseState(input);
    const t = s.board.add(spec);
    expect(() => s.validateCompletion({ taskId: t.taskId, action: 'refuse', opinion: ' ', actor })).to.throw(/written reasons/);
    expect(() => s.validateCompletion({ taskId: t.taskId, action: 'void', opinion: 'x', actor })).to.throw(/not allowed/);
    expect(() => s.validateCompletion({ taskId: t.taskId, action: 'approve', opinion: '', actor: { ...actor, department: 'd2' } })).to.throw(/department d1/);
  });

  it('when the case is still under review, then it cannot be rated', () => {
    const s = new CaseState(input);
    s.status = 'in_review';
    expect(() => s.validateEvaluation({ level: 5, comment: '' })).to.throw(/once it is completed/);
    s.status = 'completed';
    expect(() => s.validateEvaluation({ level: 5, comment: '' })).not.to.throw();
  });

  it('when sequence numbers are drawn, then they count up from 1', () => {
    const s = new CaseState(input);
    expect([s.nextSeq(), s.nextSeq(), s.nextSeq()]).to.deep.equal([1, 2, 3]);
  });
});
