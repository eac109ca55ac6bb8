import { expect } from 'chai';
import type { CompleteTaskRequest } from './definitions';
import { TaskBoard, type Scope } from './task-board';

const spec = { kind: 'review' as const, stepId: 'review', stepName: '审核', department: 'd1', role: 'approver', actions: ['approve' as const, 'refuse' as const] };
const req = (taskId: string): CompleteTaskRequest => ({ taskId, action: 'approve', opinion: '同意', actor: { userId: 'u', department: 'd1', roles: ['approver'] } });

describe('TaskBoard: one owner of each task\'s phases', () => {
  it('when a completion is taken by the main flow, then the task is done and a cancellation no longer touches it', () => {
    const b = new TaskBoard('C1');
    const t = b.add(spec);
    b.begin(t, req(t.taskId));
    expect(b.takeable(t)).to.equal(true);
    expect(b.take(t).opinion).to.equal('同意');
    expect(t.phase).to.equal('done');
    expect(b.cancel(t, 'branch ended')).to.equal(false);
    expect(t.phase).to.equal('done');
    expect(() => b.take(t)).to.throw(/not closing/);
  });

  it('when a closing task is cancelled before the main flow takes it, then it is cancelled, handled, and says why', () => {
    const b = new TaskBoard('C1');
    const t = b.add(spec);
    b.begin(t, req(t.taskId));
    expect(b.cancel(t, '其他分支不予许可')).to.equal(true);
    expect(t).to.include({ phase: 'cancelled', handled: true, cancelledBecause: '其他分支不予许可' });
    expect(b.takeable(t)).to.equal(false);
    expect(b.open()).to.deep.equal([]);
  });

  it('when an open task is cancelled twice, then only the first changes it', () => {
    const b = new TaskBoard('C1');
    const t = b.add(spec, { cancelled: false } satisfies Scope);
    expect(b.cancel(t, 'first')).to.equal(true);
    expect(b.cancel(t, 'second')).to.equal(false);
    expect(t.cancelledBecause).to.equal('first');
  });

  it('when settled, then taken and cancelled tasks may answer and a completion not yet taken waits', () => {
    const b = new TaskBoard('C1');
    const [taken, waiting, cancelled] = [b.add(spec), b.add(spec), b.add(spec)];
    b.begin(taken, req(taken.taskId));
    b.take(taken);
    b.begin(waiting, req(waiting.taskId));
    b.cancel(cancelled, 'x');
    b.settle();
    expect([taken.handled, waiting.handled, cancelled.handled]).to.deep.equal([true, false, true]);
  });

  it('when a step runs again, then its task id carries the new round', () => {
    const b = new TaskBoard('C1');
    expect([b.add(spec).taskId, b.add(spec).taskId]).to.deep.equal(['C1-review-1', 'C1-review-2']);
    expect(b.add({ ...spec, kind: 'manual' }).taskId).to.equal('C1-review-manual-1');
  });
});
