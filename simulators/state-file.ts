/**
 * A simulator's platform data on disk, so a restart of `npm start` strands no case: one JSON file
 * per platform (`<dataDir>/simulators/<platform>.json`), written whole after each change (writes
 * are coalesced: a change while a write runs leads to one more write after it), always to a temp
 * file first and then renamed over the old one, so a crash leaves the old file or the new one,
 * never half of either. `flush()` waits for the last write; closing a simulator flushes.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The layout of the file; a file of another version is refused rather than misread. */
const FORMAT = 1;

export class StateFile {
  private dirty = false;
  private writing: Promise<void> | null = null;
  private snapshot: (() => unknown) | null = null;
  private failure: Error | null = null;

  constructor(readonly file: string) {}

  static of(dataDir: string, platform: string): StateFile {
    return new StateFile(path.join(dataDir, 'simulators', `${platform}.json`));
  }

  /** What was saved last, or undefined when there is no file yet. A damaged file is an error that names it. */
  read(): unknown {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let parsed: { format?: unknown; data?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new Error(`simulator state ${this.file} is not valid JSON; delete it to start that platform empty`);
    }
    if (parsed.format !== FORMAT) throw new Error(`simulator state ${this.file} has format ${String(parsed.format)}, not ${FORMAT}; delete it to start that platform empty`);
    return parsed.data;
  }

  /** Saves what `snapshot()` gives, soon; repeated calls before the write starts make one write. */
  changed(snapshot: () => unknown): void {
    this.snapshot = snapshot;
    this.dirty = true;
    this.writing ??= this.drain();
  }

  /** Resolves once everything changed so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) {
      const err = this.failure;
      this.failure = null;
      throw err;
    }
  }

  private async drain(): Promise<void> {
    try {
      // Let the rest of the current request's changes land first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.dirty) {
        this.dirty = false;
        await this.write(JSON.stringify({ format: FORMAT, savedAt: new Date().toISOString(), data: this.snapshot!() }));
      }
    } catch (err) {
      // Kept for flush(); the simulator goes on serving from memory, and the next change tries again.
      this.failure = err instanceof Error ? err : new Error(String(err));
      process.stderr.write(`simulator state: cannot write ${this.file}: ${this.failure.message}\n`);
    } finally {
      this.writing = null;
    }
  }

  private async write(text: string): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const handle = await fs.promises.open(tmp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, this.file);
  }
}
