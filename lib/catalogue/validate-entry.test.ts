import { expect } from 'chai';
import fc from 'fast-check';
import { conditionOperators, evaluateCondition } from '../../workflows/conditions';
import { analyseCondition, conditionRules, validateEntry, type EntryContext } from './validate-entry';

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

describe('validateEntry: conditions', () => {
  const formSchema = { properties: { area: { type: 'number' }, kind: { type: 'string' }, rooms: { type: 'array', maxItems: 1000 }, tags: { type: 'array' }, free: {} } };
  const problems = (when: unknown, schema: EntryContext['formSchema'] = formSchema) =>
    validateEntry(entry([task('a', { when })]), { ...ctx, formSchema: schema });
  const at = (when: unknown, schema?: EntryContext['formSchema']) => problems(when, schema).map((p) => p.pointer);
  const inRooms = { in: ['x', { var: 'form.rooms' }] };

  it('when a condition is sound, then it passes, and a sample-sized one costs a few steps', () => {
    const when = { and: [{ '>': [{ var: 'form.area' }, 10] }, { in: [{ var: 'applicant.kind' }, ['person', 'company']] }, { var: ['form.kind', 'none'] }] };
    expect(problems(when)).to.deep.equal([]);
    expect(analyseCondition(when, formSchema).cost).to.be.below(30);
  });

  it('when an operator outside the list hides in a var default or any argument, then its node is named', () => {
    expect(at({ var: ['form.area', { someop: [1] }] })).to.deep.equal(['/process/steps/0/when/var/1/someop']);
    expect(at({ var: ['form.area', { if: [true, { '!': { map: [[1], 1] } }] }] })).to.deep.equal(['/process/steps/0/when/var/1/if/1/!/map']);
    expect(at({ if: [true, [{ reduce: [] }], { or: [{ log: 1 }] }] })).to.deep.equal(['/process/steps/0/when/if/1/0/reduce', '/process/steps/0/when/if/2/or/0/log']);
    expect(at(JSON.parse('{"==": [{"__proto__": [1]}, 1]}'))).to.deep.equal(['/process/steps/0/when/==/0/__proto__']);
    expect(at({ var: ['form.area', 1, 2] })).to.deep.equal(['/process/steps/0/when/var/2']);
    expect(problems({ var: ['form.area', { toString: [] }] })[0].detail).to.contain(conditionOperators.join(' '));
  });

  it('when a var names what every object inherits, then it is refused, with or without the form schema', () => {
    for (const field of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf']) {
      const when = { '==': [{ var: `form.${field}` }, null] };
      expect(at(when), field).to.deep.equal(['/process/steps/0/when/==/0/var']);
      expect(at(when, undefined), field).to.deep.equal(['/process/steps/0/when/==/0/var']);
      expect(at(when, JSON.parse(`{"properties":{"${field}":{}}}`) as EntryContext['formSchema']), field).to.deep.equal(['/process/steps/0/when/==/0/var']);
    }
    expect(at({ var: 'form.area' }, undefined)).to.deep.equal([]);
    expect(at({ var: 'form.ghost' })).to.deep.equal(['/process/steps/0/when/var']);
  });

  it('when a condition is too long, too deep or has too many parts, then the limit is named', () => {
    const long = { in: [{ var: 'form.kind' }, Array.from({ length: 60 }, (_, i) => `option ${i}: ${'a long name for a choice '.repeat(3)}`)] };
    expect(JSON.stringify(long).length).to.be.above(conditionRules.maxLength);
    expect(at(long)).to.deep.equal(['/process/steps/0/when']);
    expect(problems(long)[0].detail).to.match(/characters long, more than 4096/);
    let deep: unknown = { var: 'form.area' };
    for (let i = 0; i < 10; i++) deep = { '!': deep };
    expect(at(deep)).to.deep.equal([`/process/steps/0/when${'/!'.repeat(10)}`]);
    let ok: unknown = { var: 'form.area' };
    for (let i = 0; i < 9; i++) ok = { '!': ok };
    expect(at(ok)).to.deep.equal([]);
    let abyss: unknown = 1;
    for (let i = 0; i < 100_000; i++) abyss = [abyss];
    expect(at({ '!': [abyss] })).to.deep.equal([`/process/steps/0/when/!/0${'/0'.repeat(9)}`]);
    // Past the node limit the rest is not walked, nor serialized (it could be nested too deep for that).
    expect(at({ or: [...Array.from({ length: 300 }, () => 1), abyss] })).to.deep.equal(['/process/steps/0/when']);
    const wide = { or: Array.from({ length: 90 }, () => ({ '>': [{ var: 'form.area' }, 1] })) };
    expect(at(wide)).to.deep.equal(['/process/steps/0/when']);
    expect(problems(wide)[0].detail).to.contain(`more than ${conditionRules.maxNodes} parts`);
  });

  it('when comparisons over form lists could exceed the run-time budget, then the condition is refused', () => {
    // rooms: maxItems 1000, so each `in` may walk 1000 items: 9 fit in 10,000 steps, 10 do not.
    expect(at({ or: Array.from({ length: 9 }, () => inRooms) })).to.deep.equal([]);
    const costly = problems({ or: Array.from({ length: 10 }, () => inRooms) });
    expect(costly.map((p) => p.pointer)).to.deep.equal(['/process/steps/0/when']);
    expect(costly[0].detail).to.match(/may take up to 10\d\d\d steps/);
    // tags and free give no maxItems: 200 assumed; a number field is never a list.
    expect(analyseCondition({ '==': [{ var: 'form.tags' }, { var: 'form.free' }] }, formSchema).cost).to.equal(1 + 4 + 4 + 400);
    expect(analyseCondition({ '==': [{ var: 'form.area' }, { var: 'form.kind' }] }, formSchema).cost).to.equal(1 + 4 + 4);
    expect(analyseCondition({ '==': [{ var: 'form.area' }, 1] }, undefined).cost).to.equal(1 + 4 + 1 + 200);
    // A list reaching the comparison through if / or / a var default counts too.
    expect(analyseCondition({ '==': [{ if: [true, { var: ['form.area', { var: 'form.rooms' }] }, [1, 2]] }, 1] }, formSchema).cost).to.equal(1 + (1 + 1 + (4 + 4) + 3) + 1 + 1000);
  });

  it('when the nested-map condition of issue 13 is saved, then it is refused at the map and for its size', () => {
    const items = Array.from({ length: 300 }, (_, i) => i);
    let body: unknown = { '==': [1, 1] };
    for (let i = 0; i < 5; i++) body = { map: [items, body] };
    const when = { or: [{ '==': [{ var: 'form.kind' }, 'x'] }, { var: ['form.area', body] }] };
    expect(at(when)).to.deep.equal(['/process/steps/0/when/or/1/var/1/map', '/process/steps/0/when']);
  });

  it('when any condition passes the save check, then evaluating it on lists at their limits stays within its cost bound', () => {
    const schema = { properties: { n: { type: 'integer' }, s: { type: 'string' }, list: { type: 'array', maxItems: 30 }, tags: { type: 'array' } } };
    const names = fc.constantFrom('form.n', 'form.s', 'form.list', 'form.tags', 'applicant.kind');
    const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -2, max: 2 }), fc.constantFrom('', 'a', 'person'));
    const { operation } = fc.letrec<{ expr: unknown; operation: Record<string, unknown> }>((tie) => ({
      expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('operation'), fc.array(scalar, { maxLength: 5 })),
      operation: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ var: fc.oneof(names, fc.tuple(names, tie('expr'))) }),
        fc.tuple(fc.constantFrom(...conditionOperators.filter((o) => o !== 'var')), fc.array(tie('expr'), { maxLength: 4 })).map(([op, args]) => ({ [op]: args })),
      ),
    }));
    const data = fc.record({
      form: fc.record({ n: fc.integer(), s: fc.string({ maxLength: 3 }), list: fc.array(scalar, { minLength: 30, maxLength: 30 }), tags: fc.array(scalar, { minLength: 200, maxLength: 200 }) }),
      applicant: fc.record({ kind: fc.constantFrom('person', 'company') }),
    });
    let checked = 0;
    fc.assert(
      fc.property(operation, data, (when, d) => {
        const { problems: found, cost } = analyseCondition(when, schema);
        if (found.length > 0) return;
        checked += 1;
        expect(evaluateCondition(when, d, { maxSteps: cost, maxDepth: conditionRules.maxDepth }), JSON.stringify(when)).to.have.property('ok', true);
      }),
      { numRuns: 2000 },
    );
    expect(checked).to.be.above(1000);
  });

  describe('模拟审批 (simulation) and reviewed content', () => {
    const materials = [{ id: 'land', name: '用地批准文件', required: true, form: 'copy' }, { id: 'plan', name: '方案', required: true, form: 'original' }];
    const simulation = (preconditions: unknown[]) => ({ preconditions, conversionDays: 183, conditions: '取得不动产权证书后转正' });

    it('when an entry allows simulation with an e-certificate precondition and a material precondition, and steps name the fields and materials they review, then there is no problem', () => {
      const steps = [task('a', { reviews: { fields: ['area'], materials: ['plan'] } }), task('b', { reviews: { fields: ['cold'] } })];
      expect(validateEntry(entry(steps, { materials, simulation: simulation([
        { id: 'land-right', name: '不动产权证书', certificateType: '不动产权证书' },
        { id: 'land-file', name: '用地批准文件', materialId: 'land' },
      ]) }), ctx)).to.deep.equal([]);
    });

    it('when a precondition names both kinds or neither, a material the entry lacks, or repeats an id, then each problem is named where it is', () => {
      const problems = validateEntry(entry([task('a')], { materials, simulation: simulation([
        { id: 'x', name: '两者', certificateType: '不动产权证书', materialId: 'land' },
        { id: 'y', name: '皆无' },
        { id: 'x', name: '未知材料', materialId: 'nope' },
      ]) }), ctx);
      expect(problems.map((p) => p.pointer)).to.have.members(['/simulation/preconditions/0', '/simulation/preconditions/1', '/simulation/preconditions/2/id', '/simulation/preconditions/2/materialId']);
      expect(problems.find((p) => p.pointer === '/simulation/preconditions/2/materialId')!.detail).to.include('"nope" is not a material');
    });

    it('when an instant item allows simulation, then it is refused', () => {
      const problems = validateEntry(entry([task('a')], { caseType: 'instant', promisedLimitDays: 0, simulation: simulation([{ id: 'c', name: '证', certificateType: '证' }]) }), ctx);
      expect(problems.map((p) => p.pointer)).to.include('/simulation');
    });

    it('when a simulation lacks its conversion deadline or has none of its preconditions, then the schema names it', () => {
      expect(pointers([task('a')], { simulation: { preconditions: [], conditions: '条件' } })).to.include.members(['/simulation/conversionDays', '/simulation/preconditions']);
    });

    it("when a step's reviewed content names a field the form lacks or a material the entry lacks, then both are named", () => {
      expect(pointers([task('a', { reviews: { fields: ['area', 'height'], materials: ['plan', 'deed'] } })], { materials })).to.deep.equal(['/process/steps/0/reviews/fields/1', '/process/steps/0/reviews/materials/1']);
    });
  });
});
