import { expect } from 'chai';
import { checkImplementationCode, checkItemCode } from './codes';

describe('catalogue coding rule', () => {
  it('when an item code follows the rule for its type, then it passes', () => {
    expect(checkItemCode('XK-330000-00001', '行政许可', '/c')).to.deep.equal([]);
    expect(checkItemCode('GG-330106-12345', '公共服务', '/c')).to.deep.equal([]);
  });

  for (const [code, type, why] of [
    ['XK-330000-0001', '行政许可', /does not follow the rule/],
    ['xk-330000-00001', '行政许可', /does not follow the rule/],
    ['XK-030000-00001', '行政许可', /does not follow the rule/],
    ['QR-330000-00001', '行政许可', /starts with QR, but a 行政许可 item's code starts with XK/],
    ['XK-330000-00000', '行政许可', /starts at 00001/],
  ] as const) {
    it(`when the code is ${code} for a ${type}, then it is refused`, () => {
      const problems = checkItemCode(code, type, '/item/code');
      expect(problems).to.have.length(1);
      expect(problems[0].pointer).to.equal('/item/code');
      expect(problems[0].detail).to.match(why);
    });
  }

  it('when an implementation code is not item code + "." + department, then it is refused', () => {
    expect(checkImplementationCode('XK-330000-00001.d1', 'XK-330000-00001', 'd1', '/p')).to.deep.equal([]);
    expect(checkImplementationCode('XK-330000-00001-d1', 'XK-330000-00001', 'd1', '/p')[0].detail).to.contain('XK-330000-00001.d1');
  });
});
