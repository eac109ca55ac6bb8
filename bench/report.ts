/** The benchmark's results as Markdown tables, and the marks they are read against. */
import type { E2eResult } from './e2e';
import type { FloorResult } from './floor';
import type { HistoryCounts } from './history';
import type { GroupUsage } from './procstat';
import type { QueriesResult } from './queries';
import type { Machine, TeardownProblem } from './results';
import type { Summary } from './stats';
import type { BurstFloorResult, BurstResult } from './burst';
import type { SupervisionResult } from './supervision';
import type { RoundFigures, RoundsSummary, Spread } from './rounds';
import type { DbCounters } from './pgstat';

export interface BenchResults {
  at: string;
  machine: Machine;
  options: { cases: number; concurrency: number; supervisionCases: number; workingDayMs: number; queryCases: number; rounds?: number };
  /** `database`: what PostgreSQL counted for the measured cases, per case (bench/pgstat.ts). */
  e2e?: Omit<E2eResult, 'caseNumbers'> & { history: HistoryCounts; usage: Record<string, GroupUsage>; database?: DbCounters };
  floor?: FloorResult & { usage: Record<string, GroupUsage> };
  /** The floor of the case's shape as the first release ran it (its recorded history), and our throughput over it. */
  firstReleaseFloor?: FloorResult & { usage: Record<string, GroupUsage> };
  ratio?: number;
  firstReleaseRatio?: number;
  cpuRatio?: number;
  peakDays?: number;
  /** Each round of the end-to-end part (round 1 is the one detailed above), and their medians once there are two or more. */
  rounds?: RoundFigures[];
  roundsSummary?: RoundsSummary;
  supervision?: SupervisionResult & { usage: Record<string, GroupUsage> };
  /** `usage`: from a second before the instant to the last warning recorded; `startUsage`: starting the cases before. */
  burst?: BurstResult & { usage: Record<string, GroupUsage>; startUsage?: Record<string, GroupUsage>; floor?: BurstFloorResult & { usage: Record<string, GroupUsage> } };
  queries?: QueriesResult;
  totalSeconds?: number;
  /** Written by bench/results.ts: whether every part ended, and what failed while tearing down. */
  complete?: boolean;
  teardownProblems?: TeardownProblem[];
}

const f = (x: number | undefined, digits = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** CPU seconds the processes of a phase used per case. */
export function cpuPerCase(usage: Record<string, GroupUsage>, cases: number): number {
  return Object.values(usage).reduce((s, u) => s + u.cpuSeconds, 0) / cases;
}

/** The processes a benchmark runs beside the platform: the load it makes, the platforms it stands in for, the floor's own worker. */
export const notThePlatform: readonly string[] = ['bench driver', 'simulators', 'floor worker'];

/** CPU seconds per case of the platform's own processes (Temporal, PostgreSQL, worker, API). */
export function platformCpuPerCase(usage: Record<string, GroupUsage>, cases: number): number {
  return Object.entries(usage).filter(([name]) => !notThePlatform.includes(name)).reduce((s, [, u]) => s + u.cpuSeconds, 0) / cases;
}

export function renderReport(r: BenchResults): string {
  const parts: string[] = [];
  const m = r.machine;
  parts.push(`Machine: ${m.cpus} cores (${m.cpuModel ?? '?'}), ${m.memoryGiB} GiB; load average at start ${m.loadAverageAtStart.join(' / ')}${m.loadAverageAtEnd ? `, at end ${m.loadAverageAtEnd.join(' / ')}` : ''}.`);
  if (r.e2e && r.floor) {
    const e = r.e2e;
    const fl = r.floor;
    parts.push(`\n### End-to-end case throughput and the floor (${e.cases} cases, concurrency ${e.concurrency})\n`);
    parts.push(table(['', 'cases', 'seconds', 'cases/s', 'CPU s per case (all processes)'], [
      ['onewindow over HTTP', e.cases, f(e.seconds), f(e.casesPerSecond, 2), f(cpuPerCase(e.usage, e.cases), 2)],
      ['floor: bare workflow, empty activities', fl.cases, f(fl.seconds), f(fl.casesPerSecond, 2), f(cpuPerCase(fl.usage, fl.cases), 2)],
      ['ratio onewindow ÷ floor', '', '', f(r.ratio, 2), f(r.cpuRatio, 2)],
      ...(r.firstReleaseFloor ? [
        [`floor of the first release's case (${r.firstReleaseFloor.counts.workflowTasks} workflow tasks, recorded)`, r.firstReleaseFloor.cases, f(r.firstReleaseFloor.seconds), f(r.firstReleaseFloor.casesPerSecond, 2), f(cpuPerCase(r.firstReleaseFloor.usage, r.firstReleaseFloor.cases), 2)],
        ['ratio onewindow ÷ that floor', '', '', f(r.firstReleaseRatio, 2), ''],
      ] : []),
    ]));
    const h = e.history;
    const g = fl.counts;
    parts.push(`\nWhat one case asks of the engine (counted from a completed case's history) and what the floor's history holds:\n`);
    parts.push(table(['per case', 'case', 'floor'], [
      ['workflow starts', h.starts, g.starts], ['updates', h.updates, g.updates], ['signals', h.signals, g.signals],
      ['activities', h.activities, g.activities], ['timers started / cancelled', `${h.timersStarted} / ${h.timersCancelled}`, `${g.timersStarted} / ${g.timersCancelled}`],
      ['search-attribute upserts', h.upserts, g.upserts], ['workflow tasks', h.workflowTasks, g.workflowTasks], ['history events', h.events, g.events],
    ]));
    parts.push(`\nLatency of the requests the simulated people and platforms made (ms):\n`);
    parts.push(table(['request', 'count', 'p50', 'p95', 'p99', 'max'], Object.entries(e.latencies).map(([k, s]: [string, Summary]) => [k, s.count, f(s.p50), f(s.p95), f(s.p99), f(s.max)])));
    parts.push(`\n${e.requests} requests, ${e.errors} errors.\n\nProcesses (CPU seconds during the phase, average share of one core, CPU ms per case, peak resident memory):\n`);
    const names = Object.keys(e.usage);
    parts.push(table(['process', 'e2e CPU s', 'e2e cores', 'e2e CPU ms/case', 'e2e peak RSS MiB', 'floor CPU s', 'floor cores', 'floor CPU ms/case', 'floor peak RSS MiB'], names.map((n) => {
      const a = e.usage[n];
      const b = fl.usage[n];
      return [n, f(a.cpuSeconds), f(a.cpuPercent / 100, 2), f((a.cpuSeconds / e.cases) * 1000, 0), f(a.peakRssMiB, 0), f(b?.cpuSeconds), f((b?.cpuPercent ?? NaN) / 100, 2), f(((b?.cpuSeconds ?? NaN) / fl.cases) * 1000, 0), f(b?.peakRssMiB, 0)];
    })));
    if (e.database) {
      const d = e.database;
      parts.push(`\nThe database per case (PostgreSQL's own counters): ${f(d.commits)} transactions committed (a statement outside BEGIN … COMMIT is one of its own), ${f(d.rollbacks)} rolled back; rows inserted ${f(d.inserted)}, updated ${f(d.updated)}, deleted ${f(d.deleted)}, fetched ${f(d.fetched)}.`);
    }
    if (r.rounds && r.rounds.length > 1 && r.roundsSummary) parts.push(renderRounds(r.rounds, r.roundsSummary));
    parts.push(`\n### Province peak day\n\n400,000 cases a day at peak (about 4.6 a second): at ${f(e.casesPerSecond, 2)} cases/s this machine sustains ${f(r.peakDays, 2)} such days per day (${f(e.casesPerSecond * 86_400, 0)} cases a day).`);
    const own = platformCpuPerCase(e.usage, e.cases);
    parts.push(`The platform's own processes (${names.filter((n) => !notThePlatform.includes(n)).join(', ')}) used ${f(own, 2)} CPU s per case of the ${f(cpuPerCase(e.usage, e.cases), 2)} measured; the rest went to the bench's driver, the simulated platforms and the floor's worker, which share these cores. With all ${m.cpus} cores to itself and no waiting, the platform's CPU would carry at most ${f(m.cpus / own, 2)} cases/s: a ceiling for sizing, not a measurement.`);
  }
  if (r.supervision) {
    const s = r.supervision;
    parts.push(`\n### Supervision latency (${s.cases} cases, one working day compressed to ${s.workingDayMs} ms)\n`);
    parts.push(table(['event', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [
      ['all: instant → recorded', s.recorded.count, f(s.recorded.p50), f(s.recorded.p95), f(s.recorded.p99), f(s.recorded.max)],
      ['all: instant → fired (workflow time)', s.fired.count, f(s.fired.p50), f(s.fired.p95), f(s.fired.p99), f(s.fired.max)],
      ...Object.entries(s.byCause).map(([k, v]) => [`${k}: instant → recorded`, v.count, f(v.p50), f(v.p95), f(v.p99), f(v.max)]),
    ]));
    parts.push(`\n${s.events} of ${s.expected} expected events recorded; ${s.over2s} later than 2 s after their instant.`);
  }
  if (r.burst) {
    const b = r.burst;
    parts.push(`\n### Midnight burst (${b.cases.toLocaleString('en')} open cases, every case warning${b.steps ? ' and every first step\'s warning' : ''} due at one instant)\n`);
    parts.push(`Started at ${f(b.startRate, 1)} cases/s, all accepted ${f(b.readySeconds, 0)} s after the start, the instant at ${f(b.leadSeconds, 0)} s. Case warnings recorded: ${b.recorded} of ${b.expected}; instant → recorded p50 ${f(b.latency.p50 / 1000, 2)} s, p95 ${f(b.latency.p95 / 1000, 2)} s, max ${f(b.latency.max / 1000, 2)} s.${b.steps ? ` Step warnings recorded: ${b.steps.recorded} of ${b.steps.expected}; instant → recorded p50 ${f(b.steps.latency.p50 / 1000, 2)} s, p95 ${f(b.steps.latency.p95 / 1000, 2)} s, max ${f(b.steps.latency.max / 1000, 2)} s.` : ''}\n`);
    if (b.startUsage) {
      const st = b.startUsage;
      parts.push(table(['process', 'starting the cases: CPU s', 'peak RSS MiB', 'the burst (instant → last recorded): CPU s', 'peak RSS MiB'],
        Object.entries(b.usage).map(([n, u]) => [n, f(st[n]?.cpuSeconds), f(st[n]?.peakRssMiB, 0), f(u.cpuSeconds), f(u.peakRssMiB, 0)])));
    } else {
      parts.push(table(['process', 'CPU s', 'peak RSS MiB'], Object.entries(b.usage).map(([n, u]) => [n, f(u.cpuSeconds), f(u.peakRssMiB, 0)])));
    }
    if (b.floor) {
      const fl = b.floor;
      parts.push(`\nThe floor, run first: ${fl.cases.toLocaleString('en')} bare workflows woken at one instant ${f(fl.leadSeconds, 0)} s after their start, each running one empty local activity and ending (the engine alone, no database, no platform): ${fl.recorded} closed; instant → closed p50 ${f(fl.latency.p50 / 1000, 2)} s, p95 ${f(fl.latency.p95 / 1000, 2)} s, max ${f(fl.latency.max / 1000, 2)} s.\n`);
      parts.push(table(['process (floor)', 'CPU s', 'peak RSS MiB'], Object.entries(fl.usage).map(([n, u]) => [n, f(u.cpuSeconds), f(u.peakRssMiB, 0)])));
    }
  }
  if (r.queries) {
    const q = r.queries;
    parts.push(`\n### Queries at ${q.cases.toLocaleString('en')} cases (seeded in ${f(q.seedSeconds, 0)} s)\n`);
    parts.push(table(['query', 'runs', 'p50 ms', 'p95 ms'], q.results.map((x) => [x.query, x.runs, f(x.p50ms), f(x.p95ms)])));
  }
  parts.push(`\n### Marks\n`);
  parts.push(table(['mark', 'target', 'measured', 'met'], marks(r).map((x) => [x.mark, x.target, x.measured, x.met ? 'yes' : '**no**'])));
  if (r.totalSeconds !== undefined) parts.push(`\nWhole run: ${f(r.totalSeconds / 60, 1)} minutes.`);
  if (r.teardownProblems?.length) parts.push(`\nTeardown problems (the figures above are complete):\n\n${r.teardownProblems.map((p) => `- ${p.step}: ${p.error}`).join('\n')}`);
  return parts.join('\n');
}

function renderRounds(rounds: RoundFigures[], sum: RoundsSummary): string {
  const range = (x: Spread, d = 2) => `**${f(x.median, d)}** (${f(x.min, d)}–${f(x.max, d)})`;
  return [
    `\n### Rounds (${rounds.length}, alternating order; the tables above are round 1's)\n`,
    table(['round', 'order', 'load at start', 'onewindow cases/s', 'platform CPU s per case', 'floor cases/s', 'first-release floor cases/s', 'ratio to the floor', 'ratio to the first release\'s floor'],
      rounds.map((x) => [x.round, x.order.join(' → '), x.loadAverage[0] ?? '–', f(x.casesPerSecond, 2), f(x.platformCpuPerCase, 2), f(x.floorCasesPerSecond, 2), f(x.firstReleaseFloorCasesPerSecond, 2), f(x.ratio, 2), f(x.firstReleaseRatio, 2)])),
    `\nMedian (range) over the rounds: ${range(sum.casesPerSecond)} cases/s, ${range(sum.platformCpuPerCase)} platform CPU s per case, ${range(sum.ratio)} of the floor, ${range(sum.firstReleaseRatio)} of the first release's floor. The marks below read the medians.`,
  ].join('\n');
}

export function marks(r: BenchResults): { mark: string; target: string; measured: string; met: boolean }[] {
  const out: { mark: string; target: string; measured: string; met: boolean }[] = [];
  // With rounds, the throughput marks read each figure's median over them (bench/rounds.ts).
  const sum = r.rounds && r.rounds.length > 1 ? r.roundsSummary : undefined;
  const of = sum ? ` (median of ${sum.rounds} rounds)` : '';
  const cps = sum?.casesPerSecond.median ?? r.e2e?.casesPerSecond;
  const ratio = sum?.ratio.median ?? r.ratio;
  const firstRatio = sum?.firstReleaseRatio.median ?? r.firstReleaseRatio;
  if (cps !== undefined) out.push({ mark: `full-lifecycle cases per second${of}`, target: '≥ 3', measured: f(cps, 2), met: cps >= 3 });
  if (ratio !== undefined) out.push({ mark: `throughput ÷ floor (this release's case shape)${of}`, target: '≥ 0.8', measured: f(ratio, 2), met: ratio >= 0.8 });
  if (firstRatio !== undefined) out.push({ mark: `throughput ÷ floor of the case shape the issue measured (first release)${of}`, target: '≥ 0.8', measured: f(firstRatio, 2), met: firstRatio >= 0.8 });
  if (r.e2e) out.push({ mark: 'workflow tasks per case', target: '≤ 20', measured: String(r.e2e.history.workflowTasks), met: r.e2e.history.workflowTasks <= 20 });
  const tc = r.e2e?.latencies['task completion'];
  if (tc && r.e2e) out.push({ mark: `task completion p99 at concurrency ${r.e2e.concurrency}`, target: '< 150 ms', measured: `${f(tc.p99)} ms`, met: tc.p99 < 150 });
  const claim = r.e2e?.latencies['task claim'];
  if (claim) out.push({ mark: 'task claim p50', target: '< 30 ms', measured: `${f(claim.p50)} ms`, met: claim.p50 < 30 });
  const pre = r.e2e?.latencies['filing → pre-check task'];
  if (pre) out.push({ mark: 'filing → pre-check task p95', target: '< 300 ms', measured: `${f(pre.p95)} ms`, met: pre.p95 < 300 });
  if (r.queries) {
    const worst = [...r.queries.results].sort((a, b) => b.p95ms - a.p95ms)[0];
    const slow = r.queries.results.filter((q) => q.p95ms >= 50);
    out.push({ mark: `every query p95 at ${r.queries.cases.toLocaleString('en')} cases`, target: '< 50 ms', measured: slow.length ? `${slow.length} over: worst ${worst.query} ${f(worst.p95ms)} ms` : `worst ${f(worst.p95ms)} ms`, met: slow.length === 0 });
  }
  if (r.burst) {
    const b = r.burst;
    const rss = b.usage.worker?.peakRssMiB;
    out.push({ mark: `midnight burst: ${b.cases.toLocaleString('en')} warnings at one instant all recorded`, target: '≤ 60 s', measured: b.allWithinSeconds === null ? `${b.recorded} of ${b.expected} recorded` : `${f(b.allWithinSeconds, 1)} s`, met: b.allWithinSeconds !== null && b.allWithinSeconds <= 60 });
    if (b.steps) {
      const st = b.steps;
      out.push({ mark: `midnight burst: ${st.expected.toLocaleString('en')} step warnings at the same instant all recorded`, target: '≤ 60 s', measured: st.allWithinSeconds === null ? `${st.recorded} of ${st.expected} recorded` : `${f(st.allWithinSeconds, 1)} s`, met: st.allWithinSeconds !== null && st.allWithinSeconds <= 60 });
    }
    out.push({ mark: 'midnight burst: worker peak RSS', target: '< 500 MiB', measured: `${f(rss, 0)} MiB`, met: rss !== undefined && rss < 500 });
  }
  if (r.supervision) out.push({ mark: 'supervision events recorded after their instant', target: '≤ 2 s', measured: `max ${f(r.supervision.recorded.max / 1000, 2)} s, p99 ${f(r.supervision.recorded.p99 / 1000, 2)} s`, met: r.supervision.over2s === 0 && r.supervision.events === r.supervision.expected });
  return out;
}
