/** A one-line progress bar on stderr for the whole `npm run bench` run. */

export class Progress {
  private phase = '';
  private done = 0;
  private total = 1;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastPrinted = '';

  constructor(private readonly phases: string[]) {
    this.timer = setInterval(() => this.draw(), this.tty ? 250 : 10_000);
    this.timer.unref();
  }

  /** Starts phase `name` with `total` units of work. */
  start(name: string, total: number): void {
    if (this.phase) this.draw(true);
    this.phase = name;
    this.done = 0;
    this.total = Math.max(1, total);
    this.draw(true);
  }

  /** Sets how many units of the current phase are done. */
  set(done: number): void {
    this.done = Math.min(done, this.total);
    if (this.tty) return;
    // Without a terminal, print each tenth of the phase once.
    const tenth = Math.floor((this.done / this.total) * 10);
    const key = `${this.phase}:${tenth}`;
    if (key !== this.lastPrinted && tenth > 0) {
      this.lastPrinted = key;
      this.draw(true);
    }
  }

  tick(n = 1): void {
    this.set(this.done + n);
  }

  /** A note on its own line, above the bar. */
  note(text: string): void {
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`bench: ${text}\n`);
    this.draw(true);
  }

  private draw(force = false): void {
    if (!this.phase || (!this.tty && !force)) return;
    const width = 28;
    const filled = Math.round((this.done / this.total) * width);
    const index = this.phases.indexOf(this.phase) + 1;
    const elapsed = Math.round((Date.now() - this.started) / 1000);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${index}/${this.phases.length} ${this.phase} ${this.done}/${this.total}  ${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, '0')}`;
    if (this.tty) process.stderr.write(`\r\x1b[2K${line}`);
    else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) process.stderr.write('\n');
  }
}
