import { expect } from 'chai';
import { validateEntry, type EntryContext } from './validate-entry';

const ctx: EntryContext = {
  departments: new Set(['d-window', 'd-a', 'd-b']),
  roles: new Set(['approver', 'head']),
  formSchema: { properties: { area: {}, cold: {} } },
};

const task = (id: string, over: Record<string, unknown> = {}) => ({ type: 'task', id, name: id, department: 'd-a', role: 'approver', actions: ['approve', 'refuse'], limitDays: 2, ...over });

function entry(steps: unknown[], over: Record<string, unknown> = {}) {
  return {
    caseType: 'promised', statutoryLimitDays: 20, promisedLimitDays: 10, materials: [], conditions: '条件', fee: { charged: false },
    visits: 0, authLevel: 'basic', online: true, result: { type: 'approval', name: '批文' }, delivery: ['window'],
    windows: [{ name: '窗口', address: '地址', hours: '工作日' }], supervisionPhone: '0571-12345', form: { key: 'f', version: 1 },
    evaluationWindowDays: 30, process: { steps }, ...over,
  };
}

const pointers = (steps: unknown[], over: Record<string, unknown> = {}) => validateEntry(entry(steps, over), ctx).map((p) => p.pointer);

describe('validateEntry', () => {
  it('when the entry is sound, then there is no problem', () => {
    const steps = [
      task('accept'),
      { type: 'parallel', id: 'joint', name: '并联', lead: 'd-a', join: 'lead-decides', branches: [
        { id: 'ba', name: 'A', steps: [task('a1')] },
        { id: 'bb', name: 'B', steps: [task('b1', { department: 'd-b' })] },
      ] },
      { type: 'department', id: 'dispatch', name: '部门办理', department: 'd-b', system: 'sys-b', limitDays: 3 },
      { type: 'service', id: 'verify', name: '核验', adapter: 'identity', operation: 'verifyPerson' },
      task('decide', { role: 'head', actions: ['approve', 'refuse', 'return'], returnTo: ['accept'], when: { '>': [{ var: 'form.area' }, 10] } }),
    ];
    expect(validateEntry(entry(steps), ctx)).to.deep.equal([]);
  });

  it('when a node type is unknown, then the schema names its path', () => {
    expect(pointers([task('a'), { type: 'lottery', id: 'x' }])).to.include('/process/steps/1/type');
  });

  it('when step ids repeat, also inside a parallel branch, then each repeat is named', () => {
    const steps = [task('a'), { type: 'parallel', id: 'p', name: 'p', lead: 'd-a', join: 'any-refusal-refuses', branches: [
      { id: 'x', name: 'x', steps: [task('a')] }, { id: 'y', name: 'y', steps: [task('b', { department: 'd-b' })] },
    ] }];
    expect(pointers(steps)).to.deep.equal(['/process/steps/1/branches/0/steps/0/id']);
  });

  it('when a department or role does not exist, then each is named', () => {
    expect(pointers([task('a', { department: 'nowhere' }), task('b', { role: 'wizard' })])).to.deep.equal(['/process/steps/0/department', '/process/steps/1/role']);
  });

  it('when a return points forward, to itself or nowhere, then the cycle or dangling reference is named', () => {
    const steps = [
      task('a', { actions: ['approve', 'return'], returnTo: ['b'] }),
      task('b', { actions: ['approve', 'return'], returnTo: ['b', 'ghost'] }),
    ];
    const problems = validateEntry(entry(steps), ctx);
    expect(problems.map((p) => p.pointer)).to.deep.equal(['/process/steps/0/returnTo/0', '/process/steps/1/returnTo/0', '/process/steps/1/returnTo/1']);
    expect(problems[0].detail).to.match(/not an earlier step/);
    expect(problems[2].detail).to.match(/not a step of this process/);
  });

  it('when a condition uses an unknown operator or a field the form lacks, then it is named', () => {
    const problems = validateEntry(entry([
      task('a', { when: { eval: ['1+1'] } }),
      task('b', { when: { and: [{ '==': [{ var: 'form.nope' }, 1] }, { '==': [{ var: 'secret' }, 1] }] } }),
    ]), ctx);
    expect(problems.map((p) => p.pointer)).to.deep.equal(['/process/steps/0/when/eval', '/process/steps/1/when/and/0/==/0/var', '/process/steps/1/when/and/1/==/0/var']);
  });

  it('when a parallel step has an empty or single branch, then it is refused', () => {
    const one = [{ type: 'parallel', id: 'p', name: 'p', lead: 'd-a', join: 'lead-decides', branches: [{ id: 'x', name: 'x', steps: [task('a')] }] }];
    expect(pointers(one)).to.include('/process/steps/0/branches');
    const empty = [{ type: 'parallel', id: 'p', name: 'p', lead: 'd-a', join: 'lead-decides', branches: [{ id: 'x', name: 'x', steps: [] }, { id: 'y', name: 'y', steps: [task('b')] }] }];
    expect(pointers(empty)).to.include('/process/steps/0/branches/0/steps');
  });

  it('when limits exceed the statutory limit, then the step, the sum and the promise are each named', () => {
    expect(pointers([task('a', { limitDays: 25 })])).to.deep.equal(['/process/steps/0/limitDays', '/process/steps']);
    expect(pointers([task('a', { limitDays: 12 }), task('b', { limitDays: 12 })])).to.deep.equal(['/process/steps']);
    expect(pointers([task('a')], { promisedLimitDays: 30 })).to.deep.equal(['/promisedLimitDays']);
  });

  it('when an instant item has a promised limit or two steps, then it is refused', () => {
    expect(pointers([task('a'), task('b')], { caseType: 'instant', promisedLimitDays: 1 })).to.deep.equal(['/promisedLimitDays', '/process/steps']);
  });

  it('when a warning would come after the limit starts, then the rule is refused', () => {
    expect(pointers([task('a', { supervision: { warnDaysLeft: 2 } })], { supervision: { warnDaysLeft: 10 } })).to.deep.equal(['/supervision/warnDaysLeft', '/process/steps/0/supervision/warnDaysLeft']);
  });

  it('when many things are wrong, then every problem is reported at once', () => {
    const problems = validateEntry(entry([task('a', { department: 'x', role: 'y', limitDays: 30 })], { promisedLimitDays: 21 }), ctx);
    expect(problems).to.have.length(5);
  });

  it('when the input is not an entry at all, then the schema reports the missing parts', () => {
    const problems = validateEntry({ process: 'no' }, ctx, '/entry');
    expect(problems.map((p) => p.pointer)).to.include.members(['/entry/caseType', '/entry/process', '/entry/statutoryLimitDays']);
  });
});
