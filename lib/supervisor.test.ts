/**
 * The supervisor of `npm start` with real child processes: a crashing child is started again
 * after a doubling, capped backoff (one line each time) while a healthy sibling keeps running; a
 * child that ran long enough starts again after the initial delay; stop() ends everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { Supervisor } from './supervisor';

const node = (code: string) => () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
const alive = (p: ChildProcess | undefined) => p !== undefined && p.exitCode === null && p.signalCode === null;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await wait(20);
  }
}

describe('Supervisor (real child processes)', function () {
  this.timeout(60_000);
  let sup: Supervisor | undefined;
  afterEach(async () => {
    await sup?.stop();
    sup = undefined;
  });

  it('when a child keeps crashing, then it is restarted with a doubling delay up to the cap, one line each time, and its sibling keeps running', async () => {
    const lines: string[] = [];
    sup = new Supervisor({ log: (l) => lines.push(l), initialDelayMs: 100, maxDelayMs: 400, resetAfterMs: 30_000 });
    const steady = sup.add('api', node('setInterval(() => {}, 1000)'));
    sup.add('worker', node('process.exit(1)'));
    await until(() => sup!.restarts('worker') >= 4 && lines.length >= 5, 'four restarts and a fifth exit');
    expect(lines.slice(0, 5)).to.deep.equal([
      'start: worker exited (code 1); restarting in 0.1 s',
      'start: worker exited (code 1); restarting in 0.2 s',
      'start: worker exited (code 1); restarting in 0.4 s',
      'start: worker exited (code 1); restarting in 0.4 s',
      'start: worker exited (code 1); restarting in 0.4 s',
    ]);
    // The sibling is the very process started first, never restarted.
    expect(sup.current('api')).to.equal(steady);
    expect(alive(steady)).to.equal(true);
    expect(sup.restarts('api')).to.equal(0);
  });

  it('when a child ran longer than the reset period before dying, then it starts again after the initial delay', async () => {
    const lines: string[] = [];
    sup = new Supervisor({ log: (l) => lines.push(l), initialDelayMs: 100, maxDelayMs: 10_000, resetAfterMs: 300 });
    sup.add('worker', node('setTimeout(() => process.exit(3), 500)'));
    await until(() => lines.length >= 3, 'three exits');
    expect(lines.slice(0, 3)).to.deep.equal([
      'start: worker exited (code 3); restarting in 0.1 s',
      'start: worker exited (code 3); restarting in 0.1 s',
      'start: worker exited (code 3); restarting in 0.1 s',
    ]);
  });

  it('when a child is killed by a signal, then the line names the signal and it comes back as a new process', async () => {
    const lines: string[] = [];
    sup = new Supervisor({ log: (l) => lines.push(l), initialDelayMs: 100 });
    const first = sup.add('worker', node('setInterval(() => {}, 1000)'));
    first.kill('SIGKILL');
    await until(() => sup!.restarts('worker') === 1 && alive(sup!.current('worker')), 'the restart');
    expect(lines).to.deep.equal(['start: worker exited (signal SIGKILL); restarting in 0.1 s']);
    expect(sup.current('worker')!.pid).to.not.equal(first.pid);
  });

  it('when stopped, then every child ends and a crashed one is not started again', async () => {
    const lines: string[] = [];
    sup = new Supervisor({ log: (l) => lines.push(l), initialDelayMs: 300, stopGraceMs: 2_000 });
    const steady = sup.add('api', node('setInterval(() => {}, 1000)'));
    sup.add('worker', node('process.exit(1)'));
    await until(() => lines.length === 1, 'the first crash');
    const started = Date.now();
    await sup.stop();
    expect(Date.now() - started).to.be.below(2_000);
    expect(alive(steady)).to.equal(false);
    await wait(600);
    expect(sup.restarts('worker')).to.equal(0);
    expect(lines).to.have.length(1);
  });

  it('when a child ignores SIGTERM, then stop() kills it after the grace', async () => {
    sup = new Supervisor({ log: () => undefined, stopGraceMs: 500 });
    const stubborn = sup.add('api', () => spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"], { stdio: ['ignore', 'pipe', 'ignore'] }));
    await new Promise((r) => stubborn.stdout!.once('data', r));
    const started = Date.now();
    await sup.stop();
    await until(() => !alive(stubborn), 'the kill', 2_000);
    expect(Date.now() - started).to.be.within(400, 2_000);
    expect(stubborn.signalCode).to.equal('SIGKILL');
  });
});
