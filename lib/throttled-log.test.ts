/** One line per period, and the next line says how many were left out. */
import { expect } from 'chai';
import { ThrottledLog } from './throttled-log';

describe('ThrottledLog', () => {
  it('when a line repeats thirty times a second for 25 s, then three lines are written, each after the first counting the ones left out', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new ThrottledLog(10_000, (l) => lines.push(l), () => now);
    for (; now < 25_000; now += 33) log.report('[api] 503: database unreachable');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.equal('[api] 503: database unreachable');
    expect(lines[1]).to.match(/^\[api\] 503: database unreachable \((30[0-9]) more like it since the last line\)$/);
    expect(lines[2]).to.match(/\(30[0-9] more like it since the last line\)$/);
  });
});
