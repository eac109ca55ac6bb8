/**
 * CPU time and memory of processes, from /proc (Linux): utime + stime of /proc/<pid>/stat and
 * VmRSS / VmHWM of /proc/<pid>/status. A Sampler follows named groups of processes (a group may
 * be several processes, e.g. the PostgreSQL backends serving one database) and reports, per
 * phase, the CPU seconds they used and the peak resident memory seen.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux in practice). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout?.trim());
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) a process has used, or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStatCpuTicks(text) / clockTicks();
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat line; the command name may hold spaces. */
export function parseStatCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS and VmHWM (peak) in MiB of a process, or undefined when it is gone. */
export function memoryMiB(pid: number): { rss: number; peak: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStatusMemory(text);
}

export function parseStatusMemory(status: string): { rss: number; peak: number } {
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

export interface GroupUsage {
  /** CPU seconds used during the phase. */
  cpuSeconds: number;
  /** Average share of one core during the phase (cpuSeconds ÷ wall seconds). */
  cpuPercent: number;
  /** Highest resident memory seen (sum over the group's processes), sampled. */
  peakRssMiB: number;
  processes: number;
}

interface GroupState {
  pids: () => number[] | Promise<number[]>;
  /** Last CPU seconds seen per pid, and at phase start. */
  last: Map<number, number>;
  atStart: Map<number, number>;
  peakRss: number;
  seen: Set<number>;
}

export class Sampler {
  private readonly groups = new Map<string, GroupState>();
  private timer: NodeJS.Timeout | undefined;
  private phaseStarted = Date.now();
  private sampling: Promise<void> = Promise.resolve();

  /** Follows a group of processes; `pids` is asked again at every sample. */
  watch(name: string, pids: () => number[] | Promise<number[]>): void {
    this.groups.set(name, { pids, last: new Map(), atStart: new Map(), peakRss: 0, seen: new Set() });
  }

  unwatch(name: string): void {
    this.groups.delete(name);
  }

  /** Starts a phase: CPU counters from now, peaks cleared; samples every `everyMs`. */
  async begin(everyMs = 500): Promise<void> {
    await this.sample();
    for (const g of this.groups.values()) {
      g.atStart = new Map(g.last);
      g.peakRss = 0;
      g.seen = new Set();
    }
    this.phaseStarted = Date.now();
    await this.sample();
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined);
    }, everyMs);
    this.timer.unref();
  }

  /** Ends the phase: usage of every group since `begin`. */
  async end(): Promise<Record<string, GroupUsage>> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
    await this.sample();
    const wall = (Date.now() - this.phaseStarted) / 1000;
    const out: Record<string, GroupUsage> = {};
    for (const [name, g] of this.groups) {
      let cpu = 0;
      // A process born during the phase counts from zero.
      for (const [pid, now] of g.last) cpu += now - (g.atStart.get(pid) ?? 0);
      out[name] = { cpuSeconds: round(cpu), cpuPercent: round((cpu / wall) * 100), peakRssMiB: round(g.peakRss), processes: g.seen.size };
    }
    return out;
  }

  private async sample(): Promise<void> {
    for (const g of this.groups.values()) {
      let pids: number[];
      try {
        pids = await g.pids();
      } catch {
        continue;
      }
      let rss = 0;
      for (const pid of pids) {
        const cpu = cpuSeconds(pid);
        const mem = memoryMiB(pid);
        if (cpu === undefined || mem === undefined) continue;
        g.last.set(pid, cpu);
        g.seen.add(pid);
        rss += mem.rss;
      }
      g.peakRss = Math.max(g.peakRss, rss);
    }
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
