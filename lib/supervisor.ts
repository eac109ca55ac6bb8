/**
 * Keeps child processes running for `npm start`: a child that exits is started again after a
 * backoff (1 s, doubling, at most 60 s; back to 1 s once it has run a minute), with one line
 * saying so, while the others keep serving. `stop()` ends them all (SIGTERM, then SIGKILL after
 * a grace) and restarts nothing more.
 */
import type { ChildProcess } from 'node:child_process';

export interface SupervisorOptions {
  /** Where the one line per restart goes. */
  log: (line: string) => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A child that ran this long before exiting starts again after `initialDelayMs`. */
  resetAfterMs?: number;
  /** How long `stop()` waits for a child after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** Prefix of the log lines. */
  label?: string;
}

interface Entry {
  name: string;
  start: () => ChildProcess;
  proc: ChildProcess;
  startedAt: number;
  delayMs: number;
  timer?: NodeJS.Timeout;
  restarts: number;
}

const seconds = (ms: number) => `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

export class Supervisor {
  private readonly entries: Entry[] = [];
  private stopping = false;
  private readonly o: Required<SupervisorOptions>;

  constructor(opts: SupervisorOptions) {
    this.o = { initialDelayMs: 1_000, maxDelayMs: 60_000, resetAfterMs: 60_000, stopGraceMs: 15_000, label: 'start', ...opts };
  }

  /** Starts a child now and keeps it running; `start` spawns a fresh process each time. */
  add(name: string, start: () => ChildProcess): ChildProcess {
    const entry: Entry = { name, start, proc: start(), startedAt: Date.now(), delayMs: this.o.initialDelayMs, restarts: 0 };
    this.entries.push(entry);
    this.watch(entry);
    return entry.proc;
  }

  /** The child's current process (a new one after each restart). */
  current(name: string): ChildProcess | undefined {
    return this.entries.find((e) => e.name === name)?.proc;
  }

  /** How many times the child has been started again. */
  restarts(name: string): number {
    return this.entries.find((e) => e.name === name)?.restarts ?? 0;
  }

  private watch(entry: Entry): void {
    const proc = entry.proc;
    proc.once('exit', (code, signal) => {
      // A Ctrl-C in the terminal reaches the children too; let the parent's own signal handler
      // (which calls stop()) run before deciding this was a crash.
      setTimeout(() => this.exited(entry, proc, code, signal), 50);
    });
    // A child that cannot be spawned at all reports 'error' and then 'exit'; the exit is enough.
    proc.on('error', () => undefined);
  }

  private exited(entry: Entry, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || entry.proc !== proc) return;
    if (Date.now() - entry.startedAt >= this.o.resetAfterMs) entry.delayMs = this.o.initialDelayMs;
    const delay = entry.delayMs;
    entry.delayMs = Math.min(entry.delayMs * 2, this.o.maxDelayMs);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.o.log(`${this.o.label}: ${entry.name} exited (${how}); restarting in ${seconds(delay)}`);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.stopping) return;
      entry.proc = entry.start();
      entry.startedAt = Date.now();
      entry.restarts++;
      this.watch(entry);
    }, delay);
  }

  /** Stops every child, last added first, and starts none again. */
  async stop(onStopping?: (name: string) => void): Promise<void> {
    this.stopping = true;
    for (const entry of [...this.entries].reverse()) {
      clearTimeout(entry.timer);
      const proc = entry.proc;
      if (proc.exitCode !== null || proc.signalCode !== null) continue;
      onStopping?.(entry.name);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, this.o.stopGraceMs);
        proc.once('exit', () => { clearTimeout(t); resolve(); });
        proc.kill('SIGTERM');
      });
    }
  }
}
