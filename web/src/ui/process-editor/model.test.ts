import { expect } from 'chai';
import { describe, it } from 'mocha';
import { addBranch, addStep, earlierSteps, flatten, moveStep, moveStepTo, moveTargets, newStep, pointerOf, problemsByStep, removeStep, renameStep, stepOfPointer, type Step } from './model';
import { describeCondition, conditionFields, fromLogic, ruleProblems, toLogic, typedValue } from './conditions';
import { problemText } from './messages';

const task = (id: string, extra: Partial<Step> = {}): Step => ({ type: 'task', id, name: id, department: 'xh-scjg', role: 'approver', actions: ['approve'], ...extra });
const process = (): Step[] => [
  task('a'),
  { type: 'parallel', id: 'p', name: '并联', lead: 'xh-scjg', join: 'any-refusal-refuses', branches: [{ id: 'b1', name: '一', steps: [task('x'), task('y')] }, { id: 'b2', name: '二', steps: [task('z')] }] },
  task('c', { actions: ['approve', 'return'], returnTo: ['a'] }),
];
const ids = (steps: Step[]) => flatten(steps).map((f) => f.step.id);

describe('process editor: edits of the steps', () => {
  it('when steps are addressed, then paths and pointers name the same step both ways', () => {
    expect(pointerOf([1, 0, 1])).to.equal('/process/steps/1/branches/0/steps/1');
    expect(stepOfPointer('/process/steps/1/branches/0/steps/1/department')).to.deep.equal({ path: [1, 0, 1], field: 'department' });
    expect(stepOfPointer('/process/steps/1/branches/0/id')).to.deep.equal({ path: [1], field: 'branches/0/id' });
    expect(stepOfPointer('/process/steps')).to.equal(undefined);
    const m = problemsByStep([{ pointer: '/process/steps/1/branches/1/steps/0/role', detail: 'r' }, { pointer: '/process/steps', detail: 's' }, { pointer: '/process/steps/1/branches', detail: 'b' }]);
    expect(m.get('/process/steps/1/branches/1/steps/0')![0]).to.include({ field: 'role' });
    expect(m.get('/process/steps/1')![0]).to.include({ field: 'branches' });
    expect(m.get('')![0]).to.include({ detail: 's' });
  });

  it('when a step moves up, down, into a branch and out again, then the others keep their order and the old steps are untouched', () => {
    const before = process();
    const snapshot = JSON.stringify(before);
    expect(ids(moveStep(before, [2], -1))).to.deep.equal(['a', 'c', 'p', 'x', 'y', 'z']);
    expect(ids(moveStep(before, [0], -1)), 'the first cannot go up').to.deep.equal(ids(before));
    expect(ids(moveStep(before, [1, 0, 0], 1))).to.deep.equal(['a', 'p', 'y', 'x', 'z', 'c']);
    // Into branch 二, from the top level (the step above the parallel step shifts the target's index).
    const into = moveStepTo(before, [0], [1, 1]);
    expect(ids(into)).to.deep.equal(['p', 'x', 'y', 'z', 'a', 'c']);
    // Out of the branch: right after its parallel step.
    const out = moveStepTo(into, [0, 1, 1], []);
    expect(ids(out)).to.deep.equal(['p', 'x', 'y', 'z', 'a', 'c']);
    expect(out.map((s) => s.id)).to.deep.equal(['p', 'a', 'c']);
    // From one branch to the other.
    expect(ids(moveStepTo(before, [1, 0, 0], [1, 1]))).to.deep.equal(['a', 'p', 'y', 'z', 'x', 'c']);
    // A parallel step cannot go into its own branch.
    expect(moveStepTo(before, [1], [1, 0])).to.equal(before);
    expect(moveTargets(before, [1]).map((t) => t.seq)).to.deep.equal([]);
    expect(moveTargets(before, [1, 0, 0]).map((t) => t.seq)).to.deep.equal([[], [1, 1]]);
    expect(JSON.stringify(before)).to.equal(snapshot);
  });

  it('when steps and branches are added, removed or renamed, then ids stay unique and returns follow a renamed step', () => {
    let s = process();
    const fresh = newStep(s, 'parallel', 'xh-zjj');
    const all = [fresh.id, ...fresh.branches!.flatMap((b) => [b.id, ...b.steps.map((x) => x.id)])];
    expect(new Set(all).size).to.equal(all.length);
    s = addStep(s, [], fresh);
    expect(s).to.have.length(4);
    s = addBranch(s, [1], 'xh-wjj');
    expect(s[1].branches).to.have.length(3);
    s = removeStep(s, [1, 2, 0]);
    expect(s[1].branches![2].steps).to.deep.equal([]);
    const renamed = renameStep(process(), [0], 'accept');
    expect(renamed[2].returnTo).to.deep.equal(['accept']);
    expect(earlierSteps(process(), [1, 0, 1]).map((x) => x.id)).to.deep.equal(['a', 'x']);
    expect(earlierSteps(process(), [2]).map((x) => x.id)).to.deep.equal(['a', 'p']);
  });
});

describe('process editor: the condition builder', () => {
  const schema = { properties: { capital: { type: 'number', title: '资金数额' }, scope: { type: 'string', title: '经营范围' }, kinds: { type: 'array', title: '类别', items: { enum: ['甲', '乙'] } } } };
  const fields = conditionFields(schema);

  it('when rules are built, then the engine\'s JsonLogic comes out and reads back as the same rules', () => {
    expect(fields.map((f) => f.path)).to.deep.equal(['form.capital', 'form.scope', 'form.kinds', 'applicant.kind']);
    const one = { join: 'and' as const, rules: [{ field: 'form.capital', op: '>' as const, value: typedValue(fields[0], '100') }] };
    expect(toLogic(one)).to.deep.equal({ '>': [{ var: 'form.capital' }, 100] });
    const two = { join: 'or' as const, rules: [...one.rules, { field: 'form.kinds', op: 'contains' as const, value: '甲' }, { field: 'form.scope', op: 'filled' as const, value: '' }] };
    const logic = toLogic(two);
    expect(logic).to.deep.equal({ or: [{ '>': [{ var: 'form.capital' }, 100] }, { in: ['甲', { var: 'form.kinds' }] }, { '!!': [{ var: 'form.scope' }] }] });
    expect(fromLogic(logic)).to.deep.equal(two);
    expect(toLogic({ join: 'and', rules: [] })).to.equal(undefined);
    expect(fromLogic({ if: [true, 1, 2] }), 'beyond the builder: edited as JSON').to.equal(undefined);
    expect(describeCondition(logic, fields)).to.equal('资金数额 大于 100 或 类别 包含 甲 或 经营范围 已填写');
    expect(ruleProblems(logic, fields)).to.deep.equal([]);
    expect(ruleProblems({ and: [{ '>': [{ var: 'form.capital' }, ''] }, { '<': [{ var: 'form.capital' }, '很多'] }] }, fields)).to.deep.equal(['rule 1 has no value', 'rule 2 compares a number field with text']);
    expect(problemText('rule 2 compares a number field with text', 'zh')).to.equal('条件 2 的字段是数字，请填写数字');
  });

  it('when the server words a problem in English, then the editor shows it in Chinese without codes', () => {
    expect(problemText('parallel approval involves at least two departments', 'zh')).to.equal('并联审批至少涉及两个部门：请让各分支由不同部门办理');
    expect(problemText('department "nope" does not exist', 'zh')).to.equal('所选部门不存在，请从列表中选择');
    expect(problemText('must NOT have fewer than 1 characters', 'zh')).to.equal('至少填写 1 个字符');
    expect(problemText('something new the server says', 'zh')).to.equal('此处内容不符合要求');
  });
});
