import { MockActivityEnvironment } from '@temporalio/testing';
import { expect } from 'chai';
import { whileAlive } from './while-alive';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('whileAlive: an activity that heartbeats while its work runs', () => {
  it('when the work runs for several beats, then Temporal is told the worker is alive at each beat, and no more once the work ends', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    // The work ends at the third beat, however late a busy machine fires the timer (a work of a
    // fixed 230 ms saw a single beat when CI's event loop was held up).
    let thirdBeat!: () => void;
    const third = new Promise<void>((r) => { thirdBeat = r; });
    env.on('heartbeat', () => { beats += 1; if (beats === 3) thirdBeat(); });
    const out = await env.run(() => whileAlive(async () => { await third; return 'done'; }, 50));
    expect(out).to.equal('done');
    expect(beats).to.equal(3);
    await pause(150);
    expect(beats).to.equal(3);
  });

  it('when the work fails, then the failure is the activity\'s and the beat stops', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => { beats += 1; });
    const err = await env.run(() => whileAlive(async () => { await pause(120); throw new Error('数据库拒绝'); }, 50)).catch((e: unknown) => e);
    expect(String(err)).to.contain('数据库拒绝');
    const after = beats;
    expect(after).to.be.at.least(1);
    await pause(150);
    expect(beats).to.equal(after);
  });

  it('when called outside an activity (a test calling the code directly), then it only runs the work', async () => {
    expect(await whileAlive(() => Promise.resolve(7), 10)).to.equal(7);
  });
});
