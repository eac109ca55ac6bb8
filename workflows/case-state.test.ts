import { expect } from 'chai';
import { CaseState } from './case-state';
import type { CaseInput, TaskStep } from './definitions';

const step: TaskStep = { type: 'task', id: 'review', name: '审核', department: 'd1', role: 'approver', actions: ['approve'] };
const input = { caseNo: 'C1' } as CaseInput;

describe('CaseState', () => {
  it('when a step runs again, then its task gets a new id', () => {
    const s = new CaseState(input);
    expect(s.openTask(step).taskId).to.equal('C1-review-1');
    expect(s.openTask(step).taskId).to.equal('C1-review-2');
  });

  it('when a completion has begun, then a second one for the same task is refused', () => {
    const s = new CaseState(input);
    const t = s.openTask(step);
    const req = { taskId: t.taskId, action: 'approve' as const, opinion: '', actor: { userId: 'u', department: 'd1', roles: ['approver'] } };
    s.validateCompletion(req);
    s.beginCompletion(req);
    expect(() => s.validateCompletion(req)).to.throw(/already completed/);
    expect(() => s.beginCompletion(req)).to.throw(/already completed/);
    expect(s.view().openTasks).to.deep.equal([]);
  });

  it('when sequence numbers are drawn, then they count up from 1', () => {
    const s = new CaseState(input);
    expect([s.nextSeq(), s.nextSeq(), s.nextSeq()]).to.deep.equal([1, 2, 3]);
  });
});
