/** The one start/stop loop behind the webhook, exchange and archive workers. */
import { expect } from 'chai';
import { PollingLoop } from './polling-loop';

/** Resolves once `cond` holds (checked every few ms); fails after `limitMs`. */
async function until(cond: () => boolean, limitMs = 5000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('PollingLoop', () => {
  it('when started, then it ticks at once and again after each tick, and no more once stopped', async () => {
    let ticks = 0;
    const loop = new PollingLoop({ everyMs: 1, tick: () => { ticks += 1; return Promise.resolve(); }, onError: (e) => { throw e; } });
    loop.start();
    expect(ticks).to.equal(1);
    await until(() => ticks >= 3);
    await loop.stop();
    const atStop = ticks;
    await new Promise((r) => setTimeout(r, 20));
    expect(ticks).to.equal(atStop);
    expect(loop.stopped).to.equal(true);
  });

  it('when stopped while a tick runs, then stop resolves only after that tick has ended', async () => {
    const gate = deferred();
    let ticks = 0;
    let tickEnded = false;
    const loop = new PollingLoop({
      everyMs: 1,
      tick: async () => { ticks += 1; await gate.promise; tickEnded = true; },
      onError: (e) => { throw e; },
    });
    loop.start();
    let stopResolved = false;
    const stopping = loop.stop().then(() => { stopResolved = true; });
    expect(loop.stopped).to.equal(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(stopResolved).to.equal(false);
    gate.resolve();
    await stopping;
    expect(tickEnded).to.equal(true);
    expect(ticks).to.equal(1);
  });

  it('when a tick fails, then the error goes to onError and the loop ticks again', async () => {
    let ticks = 0;
    const errors: unknown[] = [];
    const loop = new PollingLoop({
      everyMs: 1,
      tick: () => { ticks += 1; return ticks === 1 ? Promise.reject(new Error('database unreachable')) : Promise.resolve(); },
      onError: (e) => errors.push(e),
    });
    loop.start();
    await until(() => ticks >= 3);
    await loop.stop();
    expect(errors).to.have.length(1);
    expect((errors[0] as Error).message).to.equal('database unreachable');
  });

  it('when a tick throws synchronously and onError itself throws, then the loop still goes on', async () => {
    let ticks = 0;
    const loop = new PollingLoop({
      everyMs: 1,
      // Thrown before any promise exists: the loop must catch it all the same.
      tick: () => { ticks += 1; throw new Error('again'); },
      onError: () => { throw new Error('the logger broke'); },
    });
    loop.start();
    await until(() => ticks >= 3);
    await loop.stop();
  });

  it('when ticks take longer than the period, then they never overlap, even if start is called twice', async () => {
    let inFlight = 0;
    let most = 0;
    let ticks = 0;
    const loop = new PollingLoop({
      everyMs: 0,
      tick: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        ticks += 1;
        await new Promise((r) => setTimeout(r, 3));
        inFlight -= 1;
      },
      onError: (e) => { throw e; },
    });
    loop.start();
    loop.start();
    await until(() => ticks >= 6);
    await loop.stop();
    expect(most).to.equal(1);
    expect(inFlight).to.equal(0);
  });

  it('when stop is called twice, or start after stop, then both stops resolve and nothing ticks again', async () => {
    let ticks = 0;
    const loop = new PollingLoop({ everyMs: 1, tick: () => { ticks += 1; return Promise.resolve(); }, onError: (e) => { throw e; } });
    loop.start();
    await Promise.all([loop.stop(), loop.stop()]);
    await loop.stop();
    const atStop = ticks;
    loop.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(ticks).to.equal(atStop);
  });

  it('when stopped before it was started, then stop resolves and start does nothing', async () => {
    let ticks = 0;
    const loop = new PollingLoop({ everyMs: 1, tick: () => { ticks += 1; return Promise.resolve(); }, onError: (e) => { throw e; } });
    await loop.stop();
    loop.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(ticks).to.equal(0);
  });
});
