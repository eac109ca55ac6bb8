/**
 * `npm run bench -- --cluster`: the end-to-end benchmark (bench/e2e.ts) against the platform on
 * Temporal's production server (lib/cluster.ts: frontend, history, matching and worker as
 * separate processes on PostgreSQL; two workers and two API processes behind nginx), brought up
 * from nothing on fresh databases and torn down after. Prints cases/s, latencies and each
 * process group's CPU and memory; writes bench/results/bench-cluster.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../lib/config';
import { dropTemporalDatabases, freePortRun, portsNeeded, startCluster } from '../lib/cluster';
import { runE2e } from './e2e';
import { Sampler } from './procstat';
import { cpuPerCase } from './report';
import { freshDatabase, prepareDatabase, resultsDir } from './stack';
import { createAuth } from './staff-auth';

export async function runClusterBench(config: Config, adminUrl: string, o: { cases: number; concurrency: number; caseViewWait?: number; warmUp?: number }, say: (line: string) => void): Promise<void> {
  const shape = { historyProcesses: 1, workers: 2, apis: 2 };
  const temporalDb = 'temporal_bench';
  const visibilityDb = 'temporal_visibility_bench';
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-bench-cluster-'));
  await dropTemporalDatabases(adminUrl, [temporalDb, visibilityDb]);
  const database = await freshDatabase(adminUrl, 'onewindow_bench_cluster');
  try {
    await prepareDatabase(database.db, config.demoStaffPassword);
    const portBase = await freePortRun(portsNeeded(shape) + 1);
    const started = Date.now();
    const cluster = await startCluster({
      config, databaseUrl: database.url, temporalDb, visibilityDb, runDir, portBase, httpPort: portBase + portsNeeded(shape), ...shape,
      namespace: 'onewindow', taskQueue: 'bench-cases', log: say,
    });
    say(`cluster up in ${Math.round((Date.now() - started) / 1000)} s`);
    try {
      const sampler = new Sampler();
      // Each supervised process with its children (nginx's master and its worker).
      const withChildren = (pid: number): number[] => {
        try {
          return [pid, ...fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
        } catch {
          return [pid];
        }
      };
      const pidsOf = (prefix: string) => () => cluster.names.filter((n) => n.startsWith(prefix)).map((n) => cluster.supervisor.current(n)?.pid).filter((p): p is number => p !== undefined).flatMap(withChildren);
      sampler.watch('Temporal services', pidsOf('temporal '));
      sampler.watch('workers', pidsOf('worker '));
      sampler.watch('APIs', pidsOf('api '));
      sampler.watch('nginx', pidsOf('nginx'));
      sampler.watch('PostgreSQL backends', async () => {
        const { rows } = await database.db.raw<{ rows: { pid: number }[] }>('select pid from pg_stat_activity where datname in (current_database(), ?, ?)', [temporalDb, visibilityDb]);
        return rows.map((r) => r.pid);
      });
      const auth = createAuth({ baseUrl: cluster.baseUrl, staffPassword: config.demoStaffPassword, identityUrl: cluster.simulatorUrls.identity });
      const e2eOpts = { baseUrl: cluster.baseUrl, auth, paymentUrl: cluster.simulatorUrls.payment, logisticsUrl: cluster.simulatorUrls.logistics, db: database.db, concurrency: o.concurrency, waitS: o.caseViewWait };
      const warmup = o.warmUp ?? 60;
      say(`warm-up: ${warmup} cases`);
      if (warmup > 0) await runE2e({ ...e2eOpts, cases: warmup });
      say(`${o.cases} cases at concurrency ${o.concurrency}…`);
      await sampler.begin();
      const { caseNumbers: _numbers, ...e2e } = await runE2e({ ...e2eOpts, cases: o.cases, onCaseDone: (n) => { if (n % 20 === 0) say(`${n}/${o.cases}`); } });
      const usage = await sampler.end();
      const result = { at: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) }, topology: shape, ...e2e, usage, cpuSecondsPerCase: cpuPerCase(usage, o.cases) };
      fs.mkdirSync(resultsDir, { recursive: true });
      fs.writeFileSync(path.join(resultsDir, 'bench-cluster.json'), `${JSON.stringify(result, null, 2)}\n`);
      console.log([
        '',
        `## End-to-end on the Temporal cluster (${shape.historyProcesses} history, ${shape.workers} workers, ${shape.apis} APIs behind nginx)`,
        '',
        `| cases | concurrency | seconds | cases/s | CPU s per case | errors |`,
        `|---:|---:|---:|---:|---:|---:|`,
        `| ${o.cases} | ${o.concurrency} | ${e2e.seconds.toFixed(1)} | **${e2e.casesPerSecond.toFixed(2)}** | ${result.cpuSecondsPerCase.toFixed(2)} | ${e2e.errors} |`,
        '',
        `| process group | CPU s | CPU % | peak RSS MiB | processes |`,
        `|---|---:|---:|---:|---:|`,
        ...Object.entries(usage).map(([name, u]) => `| ${name} | ${u.cpuSeconds.toFixed(1)} | ${u.cpuPercent.toFixed(0)} | ${u.peakRssMiB.toFixed(0)} | ${u.processes} |`),
        '',
        `(also in ${path.relative(process.cwd(), path.join(resultsDir, 'bench-cluster.json'))})`,
      ].join('\n'));
    } finally {
      await cluster.stop();
    }
  } finally {
    await database.drop();
    await dropTemporalDatabases(adminUrl, [temporalDb, visibilityDb]);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
