import { expect } from 'chai';
import { describe, it } from 'mocha';
import { addItem, moveItem, pathToPointer, removeItem, rowErrorCount, toggleValue } from './array-edit';

describe('editing lists in forms', () => {
  const people = [{ name: '甲' }, { name: '乙' }, { name: '丙' }];

  it('when a row is added, removed or moved, then a new list results and the old one is untouched', () => {
    expect(addItem(undefined, { name: '甲' })).to.deep.equal([{ name: '甲' }]);
    expect(addItem<{ name?: string }>(people, {})).to.have.length(4);
    expect(removeItem(people, 1)).to.deep.equal([{ name: '甲' }, { name: '丙' }]);
    expect(removeItem([{ name: '甲' }], 0), 'the last row gone: the optional list is dropped').to.equal(undefined);
    expect(removeItem(people, 3), 'out of range: unchanged').to.deep.equal(people);
    expect(moveItem(people, 2, 0).map((p) => p.name)).to.deep.equal(['丙', '甲', '乙']);
    expect(moveItem(people, 0, 1).map((p) => p.name)).to.deep.equal(['乙', '甲', '丙']);
    expect(moveItem(people, 0, -1).map((p) => p.name), 'cannot move above the first').to.deep.equal(['甲', '乙', '丙']);
    expect(moveItem(people, 2, 3).map((p) => p.name), 'cannot move below the last').to.deep.equal(['甲', '乙', '丙']);
    expect(people.map((p) => p.name)).to.deep.equal(['甲', '乙', '丙']);
  });

  it('when options are ticked in any order, then the stored values follow the options\' order, and none is undefined', () => {
    const options = ['散装食品销售', '热食类食品制售', '冷食类食品制售'];
    let v = toggleValue(undefined, '冷食类食品制售', true, options);
    v = toggleValue(v, '散装食品销售', true, options);
    expect(v).to.deep.equal(['散装食品销售', '冷食类食品制售']);
    v = toggleValue(v, '散装食品销售', true, options);
    expect(v, 'ticking twice keeps one').to.deep.equal(['散装食品销售', '冷食类食品制售']);
    v = toggleValue(v, '散装食品销售', false, options);
    expect(toggleValue(v, '冷食类食品制售', false, options)).to.equal(undefined);
    expect(toggleValue(['旧选项', '热食类食品制售'], '散装食品销售', true, options), 'an unknown old value stays').to.deep.equal(['散装食品销售', '热食类食品制售', '旧选项']);
  });

  it('when errors are counted per row, then each row gets its own', () => {
    const errors = [
      { instancePath: '/members/0/idNumber', keyword: 'pattern' },
      { instancePath: '/members/1', keyword: 'required', params: { missingProperty: 'name' } },
      { instancePath: '/members/1/relation', keyword: 'enum' },
      { instancePath: '/members/10/name', keyword: 'minLength' },
      { instancePath: '/members', keyword: 'minItems' },
    ];
    expect([0, 1, 2, 10].map((i) => rowErrorCount(errors, '/members', i))).to.deep.equal([1, 2, 0, 1]);
    expect(pathToPointer('members.1.name')).to.equal('/members/1/name');
    expect(pathToPointer('')).to.equal('');
  });
});
