/**
 * Runs `tick` now and then again `everyMs` after each run ends, so two runs never overlap. A
 * failing run goes to `onError` and the loop goes on; `stop` clears the timer and waits for the
 * run under way, so nothing of it writes after the caller has moved on (closing the pool, say).
 */
export interface PollingLoopOptions {
  everyMs: number;
  tick: () => Promise<unknown>;
  onError: (err: unknown) => void;
}

export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private halted = false;

  constructor(private readonly o: PollingLoopOptions) {}

  /** True once `stop` was called: a long run checks it between its items. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Starts the loop; a second call, or one after `stop`, does nothing. */
  start(): void {
    if (this.started || this.halted) return;
    this.started = true;
    const run = () => {
      this.timer = undefined;
      if (this.halted) return;
      // The executor runs the tick now and turns a synchronous throw into a rejection.
      this.running = new Promise<unknown>((resolve) => resolve(this.o.tick())).then(() => undefined, (err: unknown) => this.report(err))
        .finally(() => { if (!this.halted) this.timer = setTimeout(run, this.o.everyMs); });
    };
    run();
  }

  /** Stops the loop and resolves once the run under way (if any) has ended; safe to call again. */
  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private report(err: unknown): void {
    try {
      this.o.onError(err);
    } catch {
      // A logger that throws must not end the loop.
    }
  }
}
