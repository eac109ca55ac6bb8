/** The benchmark's helpers, checked cheaply (the benchmarks themselves never run in `npm test`). */
import { expect } from 'chai';
import { phasesOf, countHistory } from './history';
import { parseStatCpuTicks, parseStatusMemory } from './procstat';
import { median, percentile, pool, summarise } from './stats';
import { portBelowEphemeralRange } from './stack';
import { cpuPerCase, marks, platformCpuPerCase, renderReport, type BenchResults } from './report';
import { roundFigures, roundOrder, summariseRounds } from './rounds';
import type { GroupUsage } from './procstat';
import fs from 'node:fs';
import net from 'node:net';

describe('bench helpers', () => {
  it('when asked for percentiles, then they follow the nearest-rank method', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    expect(percentile(values, 50)).to.equal(50);
    expect(percentile(values, 95)).to.equal(95);
    expect(percentile(values, 99)).to.equal(99);
    expect(percentile(values, 100)).to.equal(100);
    expect(percentile(values, 0)).to.equal(1);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentile([1, 2, 3, 4], 50)).to.equal(2);
    expect(percentile([], 50)).to.be.NaN;
    expect(() => percentile([1], 101)).to.throw(RangeError);
  });

  it('when summarising, then count, p50, p95, p99, max and mean come back rounded', () => {
    expect(summarise([3, 1, 2, 10])).to.deep.equal({ count: 4, p50: 2, p95: 10, p99: 10, max: 10, mean: 4 });
  });

  it('when work runs in a pool, then every item runs once and never more than the concurrency at once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await pool(25, 4, async (i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(i);
      running--;
    });
    expect(most).to.equal(4);
    expect([...seen].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 25 }, (_, i) => i));
  });

  it('when /proc lines are read, then CPU ticks and memory come out, names with spaces included', () => {
    const stat = '1234 (node worker) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 11 0 100 1000000 20000';
    expect(parseStatCpuTicks(stat)).to.equal(325);
    expect(parseStatusMemory('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n')).to.deep.equal({ rss: 100, peak: 200 });
  });

  it('when a history is split into phases, then each update or signal starts one and commands group by workflow task', () => {
    const t = (type: string, name?: string) => ({ type, name });
    const events = [
      t('WORKFLOW_EXECUTION_STARTED'), t('WORKFLOW_TASK_SCHEDULED'), t('WORKFLOW_TASK_STARTED'), t('WORKFLOW_TASK_COMPLETED'),
      t('ACTIVITY_TASK_SCHEDULED'), t('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'), t('MARKER_RECORDED', 'core_local_activity'), t('MARKER_RECORDED', 'core_patch'), t('ACTIVITY_TASK_STARTED'), t('ACTIVITY_TASK_COMPLETED'),
      t('WORKFLOW_TASK_SCHEDULED'), t('WORKFLOW_TASK_STARTED'), t('WORKFLOW_TASK_COMPLETED'), t('TIMER_STARTED'),
      t('WORKFLOW_TASK_SCHEDULED'), t('WORKFLOW_TASK_STARTED'), t('WORKFLOW_TASK_COMPLETED'),
      t('WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'completeTask'), t('TIMER_CANCELED'), t('ACTIVITY_TASK_SCHEDULED'), t('ACTIVITY_TASK_SCHEDULED'),
      t('WORKFLOW_EXECUTION_SIGNALED', 'delivered'), t('WORKFLOW_TASK_SCHEDULED'), t('WORKFLOW_TASK_STARTED'), t('WORKFLOW_TASK_COMPLETED'),
      t('ACTIVITY_TASK_SCHEDULED'), t('WORKFLOW_EXECUTION_COMPLETED'),
    ];
    expect(phasesOf(events)).to.deep.equal([
      { trigger: 'start', name: '', batches: [{ activities: 1, locals: 1, timers: 0, cancels: 0, upserts: 1 }, { activities: 0, locals: 0, timers: 1, cancels: 0, upserts: 0 }] },
      { trigger: 'update', name: 'completeTask', batches: [{ activities: 2, locals: 0, timers: 0, cancels: 1, upserts: 0 }] },
      { trigger: 'signal', name: 'delivered', batches: [{ activities: 1, locals: 0, timers: 0, cancels: 0, upserts: 0 }] },
    ]);
    const c = countHistory(events.map((e) => e.type));
    expect(c).to.include({ starts: 1, updates: 1, signals: 1, activities: 4, timersStarted: 1, timersCancelled: 1, upserts: 1, workflowTasks: 4, markers: 2 });
  });
  it("when the API's port is chosen, then it lies below the kernel's ephemeral range (where listen(0) and outgoing connections never land) and is free to bind", async () => {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    for (let i = 0; i < 5; i++) {
      const port = await portBelowEphemeralRange();
      // (a kernel whose range starts near 20,000 leaves no room below it: then any free port will do)
      if (low - 20_000 >= 1_000) expect(port).to.be.within(20_000, low - 1);
      const srv = net.createServer();
      await new Promise<void>((resolve, reject) => srv.once('error', reject).listen({ host: '127.0.0.1', port }, resolve));
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
  it("when a run's CPU is split, then the platform's share leaves out the bench's driver, the simulators and the floor's worker", () => {
    const u = (cpuSeconds: number) => ({ cpuSeconds, cpuPercent: 0, peakRssMiB: 0 }) as GroupUsage;
    const usage = { 'Temporal dev server': u(10), 'PostgreSQL backends': u(12), worker: u(20), API: u(8), simulators: u(3), 'bench driver': u(4), 'floor worker': u(1) };
    expect(platformCpuPerCase(usage, 100)).to.equal(0.5);
    expect(cpuPerCase(usage, 100)).to.equal(0.58);
  });

  it('when the end-to-end part runs in rounds, then their order alternates and round 1 runs our cases first', () => {
    expect(roundOrder(1)).to.deep.equal(['e2e', 'floor', 'first-release floor']);
    expect(roundOrder(2)).to.deep.equal(['first-release floor', 'floor', 'e2e']);
    expect(roundOrder(3)).to.deep.equal(roundOrder(1));
    expect(() => roundOrder(0)).to.throw(RangeError);
    expect(() => roundOrder(1.5)).to.throw(RangeError);
  });

  it('when rounds are summarised, then each ratio is its own round\'s and the marks read the medians', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([])).to.be.NaN;
    const u = (cpuSeconds: number) => ({ worker: { cpuSeconds, cpuPercent: 0, peakRssMiB: 0 } as GroupUsage });
    // Round 2's host was slower for everything: its own ratio stays what the code does.
    const rounds = [
      roundFigures(1, [1], { cases: 10, casesPerSecond: 2, usage: u(10) }, { cases: 10, casesPerSecond: 8, usage: u(2) }, { cases: 10, casesPerSecond: 2.5, usage: u(6) }),
      roundFigures(2, [3], { cases: 10, casesPerSecond: 1, usage: u(12) }, { cases: 10, casesPerSecond: 4, usage: u(3) }, { cases: 10, casesPerSecond: 1.1, usage: u(7) }),
      roundFigures(3, [2], { cases: 10, casesPerSecond: 1.8, usage: u(11) }, { cases: 10, casesPerSecond: 6, usage: u(2) }, { cases: 10, casesPerSecond: 2.0, usage: u(6) }),
    ];
    expect(rounds[1].order[0]).to.equal('first-release floor');
    expect(rounds.map((r) => r.firstReleaseRatio)).to.deep.equal([0.8, 1 / 1.1, 0.9]);
    const sum = summariseRounds(rounds);
    expect(sum.casesPerSecond).to.deep.equal({ median: 1.8, min: 1, max: 2 });
    expect(sum.firstReleaseRatio.median).to.equal(0.9);
    expect(sum.ratio).to.deep.equal({ median: 0.25, min: 0.25, max: 0.3 });
    expect(sum.platformCpuPerCase.median).to.equal(1.1);
    expect(() => summariseRounds([])).to.throw(RangeError);
    const results = { at: '', machine: { cpus: 2, memoryGiB: 24, loadAverageAtStart: [1] }, options: { cases: 10, concurrency: 2, supervisionCases: 0, workingDayMs: 0, queryCases: 0 }, rounds, roundsSummary: sum, firstReleaseRatio: 0.8, ratio: 0.25 } as BenchResults;
    const m = marks(results);
    expect(m.find((x) => x.mark.startsWith('full-lifecycle'))).to.include({ measured: '1.80', met: false, mark: 'full-lifecycle cases per second (median of 3 rounds)' });
    expect(m.find((x) => x.mark.includes('first release'))).to.include({ measured: '0.90', met: true });
    // One round: the marks read that round's own figures, as before rounds existed.
    const one = marks({ ...results, rounds: rounds.slice(0, 1), roundsSummary: undefined });
    expect(one.find((x) => x.mark.includes('first release'))).to.include({ measured: '0.80', met: true, mark: 'throughput ÷ floor of the case shape the issue measured (first release)' });
    expect(renderReport(results)).to.include('Marks');
  });
});
