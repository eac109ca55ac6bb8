/**
 * A benchmark run that never loses its figures: each part's figures go to disk the moment the
 * part ends (the run's file rewritten whole, through a temporary file and a rename, so it is
 * never half-written), and whatever goes wrong while tearing down afterwards (a child that will
 * not stop, a database that cannot be dropped) is recorded beside them and reported, never
 * thrown over them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../lib/drop-database';

/** The machine a run is on, as every results file records it (load averages to two places). */
export interface Machine {
  cpus: number;
  cpuModel?: string;
  memoryGiB: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export const loadAverage = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

export function machineAtStart(): Machine {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverageAtStart: loadAverage() };
}

/** A teardown step that failed: what it was, and why. */
export interface TeardownProblem {
  step: string;
  error: string;
}

/** The figures of one run as they are kept on disk. */
export interface RunFile {
  /** True once every part has ended (teardown problems or not). */
  complete: boolean;
  teardownProblems?: TeardownProblem[];
}

export class RunRecord<T extends object> {
  private readonly problems: TeardownProblem[] = [];
  private complete = false;

  /** `file` is written at once, with the figures known so far (none), and after each part. */
  constructor(readonly file: string, private readonly figures: T) {
    this.write();
  }

  /** Records a part's figures and writes them out at once. */
  part<K extends keyof T>(name: K, value: T[K]): void {
    this.figures[name] = value;
    this.write();
  }

  /** Records more figures about the run (totals, load at the end) without a part ending. */
  note(values: Partial<T>): void {
    Object.assign(this.figures, values);
    this.write();
  }

  /** Records a teardown problem beside the figures. */
  teardownFailed(step: string, err: unknown): void {
    this.problems.push({ step, error: describeError(err) });
    this.write();
  }

  /** Marks the run complete; the figures stay as they were written. */
  finish(): void {
    this.complete = true;
    this.write();
  }

  get teardownProblems(): readonly TeardownProblem[] {
    return this.problems;
  }

  get current(): T & RunFile {
    return { ...this.figures, complete: this.complete, ...(this.problems.length ? { teardownProblems: [...this.problems] } : {}) };
  }

  private write(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.current, null, 2));
    fs.renameSync(tmp, this.file);
  }
}

/**
 * Runs every teardown step, latest first, even when one fails; returns the failures (also
 * handed to `onProblem` as they happen) instead of throwing.
 */
export async function tearDown(steps: { step: string; run: () => Promise<void> }[], onProblem: (p: TeardownProblem) => void = () => undefined): Promise<TeardownProblem[]> {
  const problems: TeardownProblem[] = [];
  while (steps.length) {
    const { step, run } = steps.pop()!;
    try {
      await run();
    } catch (err) {
      const p = { step, error: describeError(err) };
      problems.push(p);
      onProblem(p);
    }
  }
  return problems;
}
