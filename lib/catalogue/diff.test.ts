import { expect } from 'chai';
import { diffJson } from './diff';

describe('diffJson', () => {
  it('when values differ at depth, then each change is located by its pointer', () => {
    const a = { limit: 10, steps: [{ id: 'a', role: 'x' }], gone: true };
    const b = { limit: 8, steps: [{ id: 'a', role: 'y' }, { id: 'b' }], added: 'n/a' };
    expect(diffJson(a, b)).to.deep.equal([
      { pointer: '/added', op: 'added', to: 'n/a' },
      { pointer: '/gone', op: 'removed', from: true },
      { pointer: '/limit', op: 'changed', from: 10, to: 8 },
      { pointer: '/steps/0/role', op: 'changed', from: 'x', to: 'y' },
      { pointer: '/steps/1', op: 'added', to: { id: 'b' } },
    ]);
  });

  it('when values are equal, then there is no change', () => {
    expect(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).to.deep.equal([]);
  });
});
