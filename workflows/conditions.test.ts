/**
 * The condition evaluator: the same answers as json-logic-js (the oracle, a test dependency
 * only) for every expression over the allowed operators, own properties only, and a bounded
 * amount of work whatever the expression.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { applies, conditionOperators, defaultConditionLimits, evaluateCondition, evaluateLogic, type ConditionData } from './conditions';

/** json-logic-js on the same input: its value, or that it threw. */
function oracle(logic: unknown, data: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: jsonLogic.apply(logic as jsonLogic.RulesLogic, data) };
  } catch {
    return { ok: false };
  }
}

// Paths and keys never name anything on Object.prototype: there the evaluator differs on purpose.
const segment = fc.constantFrom('form', 'applicant', 'kind', 'a', 'b', 'list', 's', 'obj', 'k', '0', '1', 'length', 'nothing');
const varName = fc.oneof(
  fc.constantFrom('form.a', 'form.b', 'form.list', 'form.s', 'form.obj.k', 'form.list.0', 'form.list.length', 'form.s.length', 'applicant.kind', 'form.nothing', '', 'form'),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.')),
  fc.integer({ min: 0, max: 2 }),
);
const scalar = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -0, 1e21),
  fc.constantFrom('', 'a', 'b', 'ab', '1', '0', ' ', 'person', 'company', '1,2', 'a,', '[object Object]', 'true', 'null'),
);
const key = fc.constantFrom('k', '0', 'x', 'length', 'a');
const value: fc.Arbitrary<unknown> = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 4 }),
  fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }),
  fc.dictionary(key, scalar, { maxKeys: 3, noNullPrototype: true }),
  fc.jsonValue({ maxDepth: 2 }),
);
const data = fc.record({
  form: fc.record({ a: value, b: value, list: fc.array(value, { maxLength: 4 }), s: fc.oneof(fc.string({ maxLength: 4 }), scalar), obj: value }, { requiredKeys: [] }),
  applicant: fc.record({ kind: fc.constantFrom('person', 'company', '') }),
});

// Operators over plain operands (values, `var`s, small arrays): most differences would show here.
const leaf = fc.oneof(scalar, varName.map((name) => ({ var: name })), fc.array(scalar, { maxLength: 3 }));
const text = fc.constantFrom('', 'a', 'b', 'ab', '1', '0', ' ', 'person', 'company', '1,2', 'a,', 'true', 'null');
const haystack = fc.oneof(text, fc.constantFrom({ var: 'form.s' }, { var: 'applicant.kind' }, { var: 'form.list' }, { var: 'form.a' }), fc.array(scalar, { maxLength: 3 }));
const inOp = fc.tuple(leaf, haystack).map((args) => ({ in: args }));
const flat = fc.tuple(fc.constantFrom(...conditionOperators), fc.array(leaf, { maxLength: 3 })).map(([op, args]) => ({ [op]: args }));

const { operation } = fc.letrec<{ expr: unknown; operation: Record<string, unknown> }>((tie) => ({
  expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('operation'), fc.array(tie('expr'), { maxLength: 3 })),
  operation: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: flat },
    { weight: 1, arbitrary: inOp },
    { weight: 1, arbitrary: fc.record({ var: fc.oneof(varName, fc.tuple(varName), fc.tuple(varName, tie('expr')), tie('operation')) }) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...conditionOperators), fc.oneof(fc.array(tie('expr'), { maxLength: 4 }), tie('expr'))).map(([op, args]) => ({ [op]: args })) },
  ),
}));

const generous = { maxSteps: 1_000_000, maxDepth: 1_000 };

describe('conditions: evaluateCondition', () => {
  it('when any expression over the allowed operators meets any data, then the answer is json-logic-js\'s', () => {
    fc.assert(
      fc.property(operation, data, (logic, d) => {
        const expected = oracle(logic, d);
        const got = evaluateLogic(logic, d, generous);
        if (!expected.ok) {
          expect(got.ok, 'json-logic-js threw, so the evaluator gives no answer').to.equal(false);
          return;
        }
        expect(got).to.deep.equal({ ok: true, value: expected.value });
        expect(evaluateCondition(logic, d, generous)).to.deep.equal({ ok: true, value: jsonLogic.truthy(expected.value) });
      }),
      { numRuns: 10_000 },
    );
  });

  it('when a few hand-picked cases meet the oracle, then they agree (truthiness, loose equality, var, in, if)', () => {
    const d: ConditionData = { form: { list: [], n: 0, s: '10', arr: [1, 2], nested: { k: [null] } }, applicant: { kind: 'person' } };
    const cases: [unknown, unknown][] = [
      [{ var: 'form.list' }, []],
      [{ '!': { var: 'form.list' } }, true],
      [{ '==': [{ var: 'form.s' }, 10] }, true],
      [{ '===': [{ var: 'form.s' }, 10] }, false],
      [{ '==': [{ var: 'form.arr' }, '1,2'] }, true],
      [{ '==': [null, { var: 'form.nothing' }] }, true],
      [{ var: ['form.nothing', 5] }, 5],
      [{ var: ['form.nested.k.0', 5] }, null],
      [{ var: 'form.arr.1' }, 2],
      [{ var: 1 }, null],
      [{ in: ['ers', { var: 'applicant.kind' }] }, true],
      [{ in: [2, { var: 'form.arr' }] }, true],
      [{ in: ['2', { var: 'form.arr' }] }, false],
      [{ if: [{ var: 'form.n' }, 'a', { var: 'form.list' }, 'b', 'c'] }, 'c'],
      [{ if: [false, 1] }, null],
      [{ and: [] }, undefined],
      [{ or: [0, '', { var: 'form.arr' }, 3] }, [1, 2]],
      [{ '<': [1, { var: 'form.s' }, 11] }, true],
      [{ '<=': [10, { var: 'form.s' }, 10] }, true],
    ];
    for (const [logic, want] of cases) {
      expect(oracle(logic, d), JSON.stringify(logic)).to.deep.equal({ ok: true, value: want });
      expect(evaluateLogic(logic, d), JSON.stringify(logic)).to.deep.equal({ ok: true, value: want });
    }
    expect(evaluateCondition({ var: 'form.list' }, d)).to.deep.equal({ ok: true, value: false });
    expect(evaluateCondition(undefined, d)).to.deep.equal({ ok: true, value: true });
  });

  it('when the expression probes the prototype, then it reads null, never a function or Object.prototype', () => {
    const d = { form: { a: 1, s: 'x', list: [1] }, applicant: { kind: 'person' } };
    const probes = ['form.__proto__', 'form.constructor', 'form.hasOwnProperty', 'form.toString', 'form.valueOf', '__proto__', 'constructor',
      'form.a.toFixed', 'form.s.toString', 'form.list.map', 'form.constructor.prototype', 'form.__proto__.hasOwnProperty', 'applicant.__proto__'];
    for (const name of probes) {
      // json-logic-js walks the prototype chain, which is what the evaluator must not do.
      expect(oracle({ var: name }, d), name).to.not.deep.equal({ ok: true, value: null });
      expect(evaluateLogic({ var: name }, d), name).to.deep.equal({ ok: true, value: null });
      expect(evaluateLogic({ var: [name, 'fallback'] }, d), name).to.deep.equal({ ok: true, value: 'fallback' });
      expect(evaluateCondition({ var: name }, d), name).to.deep.equal({ ok: true, value: false });
      expect(evaluateCondition({ '!=': [{ var: name }, null] }, d), name).to.deep.equal({ ok: true, value: false });
    }
    // Own properties with those names are data like any other.
    const own = JSON.parse('{"form":{"__proto__":{"x":1},"constructor":"c"},"applicant":{"kind":"person"}}') as ConditionData;
    expect(evaluateLogic({ var: 'form.__proto__.x' }, own)).to.deep.equal({ ok: true, value: 1 });
    expect(evaluateLogic({ var: 'form.constructor' }, own)).to.deep.equal({ ok: true, value: 'c' });
    expect(evaluateLogic({ var: 'form.s.length' }, d)).to.deep.equal({ ok: true, value: 1 });
  });

  it('when the 6 KB nested-map expression of issue 13 is evaluated, then it stops at once with a reason and throws nothing', () => {
    const items = Array.from({ length: 300 }, (_, i) => i);
    let body: unknown = { '==': [1, 1] };
    for (let i = 0; i < 5; i++) body = { map: [items, body] };
    const when = { or: [{ '==': [{ var: 'applicant.kind' }, 'company'] }, { var: ['form.x', body] }] };
    expect(JSON.stringify(when).length).to.be.within(5_000, 7_000);
    const r = evaluateCondition(when, { form: {}, applicant: { kind: 'person' } });
    expect(r).to.deep.equal({ ok: false, reason: '条件表达式使用了不支持的运算符“map”' });
    expect(() => applies(when, { form: {}, applicant: { kind: 'person' } })).to.throw('不支持的运算符');
    // The same work written with allowed operators only is stopped by the step budget.
    let big: unknown = { '==': [1, 1] };
    for (let i = 0; i < 5; i++) big = { and: Array.from({ length: 40 }, () => big) };
    expect(evaluateCondition(big as Record<string, unknown>, { form: {}, applicant: { kind: 'person' } }))
      .to.deep.equal({ ok: false, reason: `条件表达式计算量超过上限（${defaultConditionLimits.maxSteps} 步）` });
  });

  it('when the budget is counted, then every node, path segment and compared array element counts', () => {
    const d = { form: { list: Array.from({ length: 100 }, (_, i) => i) }, applicant: { kind: 'person' } };
    const when = { '==': [{ var: 'form.list' }, 'x'] };
    // 1 (==) + 1 (var) + 1 ("form.list") + 2 (segments) + 1 ("x") + 100 (the array compared) = 106
    expect(evaluateCondition(when, d, { maxSteps: 106 })).to.deep.equal({ ok: true, value: false });
    expect(evaluateCondition(when, d, { maxSteps: 105 })).to.deep.equal({ ok: false, reason: '条件表达式计算量超过上限（105 步）' });
    const many = { or: Array.from({ length: 200 }, () => ({ in: ['x', { var: 'form.list' }] })) };
    expect(evaluateCondition(many, d).ok).to.equal(false);
    expect(evaluateCondition(many, { ...d, form: { list: [1] } })).to.deep.equal({ ok: true, value: false });
  });

  it('when an expression is nested far deeper than the limit, then it stops without a stack overflow', () => {
    let deep: Record<string, unknown> = { var: 'form.a' };
    for (let i = 0; i < 200_000; i++) deep = { '!': deep };
    expect(evaluateCondition(deep, { form: { a: 1 }, applicant: { kind: 'person' } }))
      .to.deep.equal({ ok: false, reason: `条件表达式嵌套过深（超过 ${defaultConditionLimits.maxDepth} 层）` });
    let arrays: unknown = 1;
    for (let i = 0; i < 200_000; i++) arrays = [arrays];
    expect(evaluateCondition({ '!!': [arrays] }, { form: {}, applicant: { kind: 'person' } }).ok).to.equal(false);
    let ok: Record<string, unknown> = { var: 'form.a' };
    for (let i = 1; i < defaultConditionLimits.maxDepth; i++) ok = { '!': ok };
    expect(evaluateCondition(ok, { form: { a: 1 }, applicant: { kind: 'person' } }).ok).to.equal(true);
  });

  it('when a value cannot be compared or an operator is unknown, then the outcome says so instead of throwing', () => {
    const d = JSON.parse('{"form":{"o":{"toString":1,"valueOf":2},"h":{"indexOf":3}},"applicant":{"kind":"person"}}') as ConditionData;
    for (const when of [{ '==': [{ var: 'form.o' }, 'x'] }, { in: ['x', { var: 'form.h' }] }]) {
      expect(oracle(when, d).ok, JSON.stringify(when)).to.equal(false);
      const r = evaluateCondition(when, d);
      expect(r.ok).to.equal(false);
      expect(r.ok ? '' : r.reason).to.match(/^条件表达式/);
    }
    for (const op of ['map', '__proto__', 'toString', 'hasOwnProperty', 'constructor', 'log', 'Math.max']) {
      expect(evaluateCondition({ [op]: [1] }, d), op).to.deep.equal({ ok: false, reason: `条件表达式使用了不支持的运算符“${op}”` });
    }
    expect(applies({ '==': [{ var: 'applicant.kind' }, 'person'] }, d)).to.equal(true);
  });
});
