import { expect } from 'chai';
import { describe, it } from 'mocha';
import { fenToYuanDisplay, fenToYuanText, parseYuan } from './money';

describe('money in forms: 元 typed, 分 stored', () => {
  it('when an amount is typed in 元, then it becomes exact 分', () => {
    expect(parseYuan('850')).to.deep.equal({ kind: 'fen', fen: 85000 });
    expect(parseYuan('0.1')).to.deep.equal({ kind: 'fen', fen: 10 });
    expect(parseYuan('0.07')).to.deep.equal({ kind: 'fen', fen: 7 });
    // 0.1 + 0.2 is not 0.3 in floating point; in 分 it is.
    expect(parseYuan('0.29')).to.deep.equal({ kind: 'fen', fen: 29 });
    expect(parseYuan('1,234.56')).to.deep.equal({ kind: 'fen', fen: 123456 });
    expect(parseYuan(' ￥12 ')).to.deep.equal({ kind: 'fen', fen: 1200 });
    expect(parseYuan('3000元')).to.deep.equal({ kind: 'fen', fen: 300000 });
    expect(parseYuan('12.')).to.deep.equal({ kind: 'fen', fen: 1200 });
    expect(parseYuan('-5.5')).to.deep.equal({ kind: 'fen', fen: -550 });
    expect(parseYuan('9999999999999.99')).to.deep.equal({ kind: 'fen', fen: 999999999999999 });
  });

  it('when the text is empty or no amount, then it says so rather than guessing', () => {
    expect(parseYuan('')).to.deep.equal({ kind: 'empty' });
    expect(parseYuan('   ')).to.deep.equal({ kind: 'empty' });
    for (const bad of ['1.234', 'abc', '1e3', '12,5.3.1', '.5', '0x10', '１２', '1 000', 'NaN', 'Infinity']) {
      expect(parseYuan(bad), bad).to.deep.equal({ kind: 'invalid' });
    }
  });

  it('when 分 are shown, then they read as 元 with two decimals and back to the same 分', () => {
    expect(fenToYuanText(85000)).to.equal('850.00');
    expect(fenToYuanText(7)).to.equal('0.07');
    expect(fenToYuanText(-550)).to.equal('-5.50');
    expect(fenToYuanText(1.5), 'not an integer: nothing').to.equal('');
    expect(fenToYuanDisplay(123456789)).to.equal('¥1,234,567.89');
    expect(fenToYuanDisplay(0)).to.equal('¥0.00');
    for (const fen of [0, 1, 10, 99, 100, 12345, 99999999, -1, -12345]) {
      expect(parseYuan(fenToYuanText(fen)), String(fen)).to.deep.equal({ kind: 'fen', fen });
    }
  });
});
