/**
 * `npm run bench`: every benchmark in one run, against servers it starts itself.
 *   1. end-to-end case throughput over HTTP (e2e.ts), with latencies and each process's CPU and memory;
 *   2. the floor: the same engine work per case through a bare workflow (floor.ts), same run, same dev server;
 *   3. the province's peak day, from 1;
 *   4. supervision latency: deadline instant → supervision event recorded (supervision.ts);
 *   5. read-model queries at a million cases (queries.ts).
 * Prints the tables (Markdown), writes bench/results/bench.json, shows a progress bar on stderr.
 *
 * Options: --cases N (default 80), --concurrency C (20), --supervision-cases N (60),
 * --working-day-ms N (2000), --query-cases N (1000000), --case-view-wait S (20: the e2e actors
 * hold the case view until the case moves, as the web app does; 0: they poll every 50 ms),
 * --live-view 1 (the e2e clerk also reads the live view whenever the case view moves, as the web
 * app's case page does; default 0), --warm-up N (60: cases run by us and by the floor before the
 * measured ones), --rounds N (3: the end-to-end part and both floors run N times in alternating
 * order and the ratios are summarised by their median, bench/rounds.ts), --only
 * e2e,supervision,queries (the floor runs with e2e); --cluster runs the end-to-end part on a local
 * Temporal cluster instead (bench/cluster.ts).
 */
import { Client, Connection } from '@temporalio/client';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { ConfigError } from '../lib/errors';
import { runMain } from '../lib/runtime';
import { benchItem, runE2e } from './e2e';
import { planFromCase, planFromRecording, runFloor } from './floor';
import { Sampler, type GroupUsage } from './procstat';
import { perCase, readDbCounters } from './pgstat';
import { roundFigures, roundOrder, summariseRounds, type RoundPart } from './rounds';
import { createAuth } from './staff-auth';
import { Progress } from './progress';
import { runQueries } from './queries';
import { cpuPerCase, renderReport, type BenchResults } from './report';
import { loadAverage, machineAtStart, RunRecord, tearDown } from './results';
import { childEnv, freshDatabase, prepareDatabase, resultsDir, startApp, startEngine, startNode, stopChild, type AppStack, type Child } from './stack';
import { burstDayMs, fileTemplate, runBurst, runBurstFloor } from './burst';
import { prepareSupervision, runSupervision } from './supervision';
import { runClusterBench } from './cluster';

function option(name: string, fallback: number, min = 1): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${name} wants ${min === 1 ? 'a positive integer' : `an integer of at least ${min}`}`);
  return n;
}

const PEAK_DAY_CASES = 400_000;

const roundPhase = (round: number, part: RoundPart) => `round ${round}: ${part}`;

runMain('bench', async () => {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError('the benchmarks need DATABASE_URL (a PostgreSQL server whose role may create databases)');
  const adminUrl = config.databaseUrl;
  const options = {
    cases: option('cases', 80),
    concurrency: option('concurrency', 20),
    supervisionCases: option('supervision-cases', 60),
    workingDayMs: option('working-day-ms', 2000),
    queryCases: option('query-cases', 1_000_000),
    burstCases: option('burst-cases', 2_000),
    burstLeadSeconds: option('burst-lead-s', 300),
    caseViewWait: option('case-view-wait', 20, 0),
    liveView: option('live-view', 0, 0) > 0,
    rounds: option('rounds', 3),
    /** Cases run before the measured ones, by us and by the floor (not counted). */
    warmUp: option('warm-up', 60, 0),
  };
  if (process.argv.includes('--cluster')) {
    // The end-to-end benchmark on Temporal's production server instead of the dev server (bench/cluster.ts).
    await runClusterBench(config, adminUrl, options, (line) => process.stderr.write(`bench: ${line}\n`));
    return;
  }
  const onlyArg = process.argv.indexOf('--only');
  const only = new Set(onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : ['e2e', 'supervision', 'burst', 'queries']);
  for (const o of only) if (!['e2e', 'supervision', 'burst', 'queries'].includes(o)) throw new ConfigError(`--only takes e2e, supervision, burst and queries (got "${o}")`);
  const warmup = options.warmUp;
  const needsStack = only.has('e2e') || only.has('supervision') || only.has('burst');

  const phases = [
    ...(needsStack ? ['start servers'] : []),
    ...(only.has('e2e') ? ['e2e warm-up', 'e2e cases', 'floor warm-up', 'floor cases', 'first-release floor'] : []),
    ...(only.has('e2e') ? Array.from({ length: options.rounds - 1 }, (_, i) => roundOrder(i + 2).map((part) => roundPhase(i + 2, part))).flat() : []),
    ...(only.has('supervision') ? ['supervision'] : []),
    ...(only.has('burst') ? ['burst'] : []),
    ...(only.has('queries') ? ['queries'] : []),
  ];
  const progress = new Progress(phases);
  const runStarted = Date.now();
  // Every part's figures are on disk as soon as the part ends; teardown problems are written beside them.
  const record = new RunRecord<BenchResults>(path.join(resultsDir, 'bench.json'), {
    at: new Date().toISOString(),
    machine: machineAtStart(),
    options,
  });
  const cleanups: { step: string; run: () => Promise<void> }[] = [];
  const cleanup = () => tearDown(cleanups, (p) => record.teardownFailed(p.step, p.error));
  /** Ends the latest thing started (a phase's processes) as a teardown step. */
  const endLatest = () => tearDown([cleanups.pop()!], (p) => record.teardownFailed(p.step, p.error));
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    if (needsStack) {
      progress.start('start servers', 3);
      const engine = await startEngine(config);
      cleanups.push({ step: 'stop the Temporal dev server', run: () => engine.stop() });
      progress.tick();
      const database = await freshDatabase(adminUrl, 'onewindow_bench_e2e');
      cleanups.push({ step: 'drop the end-to-end database', run: () => database.drop() });
      await prepareDatabase(database.db, config.demoStaffPassword);
      progress.tick();
      const connection = await Connection.connect({ address: engine.address });
      cleanups.push({ step: 'close the Temporal connection', run: () => connection.close() });
      const client = new Client({ connection });

      const sampler = new Sampler();
      const watchCommon = () => {
        sampler.watch('Temporal dev server', () => [engine.devServer.pid]);
        sampler.watch('PostgreSQL backends', async () => {
          const { rows } = await database.db.raw<{ rows: { pid: number }[] }>('select pid from pg_stat_activity where datname = current_database()');
          return rows.map((r) => r.pid);
        });
      };
      const watchApp = (app: AppStack) => {
        sampler.watch('simulators', () => [app.simulators.pid]);
        sampler.watch('worker', () => [app.worker.pid]);
        sampler.watch('API', () => [app.api.pid]);
      };
      watchCommon();
      progress.tick();

      if (only.has('e2e')) {
        const app = await startApp({ config, temporalAddress: engine.address, databaseUrl: database.url, taskQueue: 'bench-cases' });
        const floorQueue = 'bench-floor';
        const floorWorker: Child = await startNode('floor-worker', 'bench/floor-worker.ts', { env: childEnv({}), args: [engine.address, floorQueue], ready: /polling/ });
        const stopPhase = async () => {
          await stopChild(floorWorker);
          await app.stop();
        };
        cleanups.push({ step: 'stop the end-to-end processes', run: stopPhase });
        watchApp(app);
        sampler.watch('floor worker', () => [floorWorker.pid]);
        sampler.watch('bench driver', () => [process.pid]);

        const auth = createAuth({ baseUrl: app.baseUrl, staffPassword: config.demoStaffPassword, identityUrl: app.simulatorUrls.identity });
        const e2eOpts = { baseUrl: app.baseUrl, auth, paymentUrl: app.simulatorUrls.payment, logisticsUrl: app.simulatorUrls.logistics, db: database.db, concurrency: options.concurrency, waitS: options.caseViewWait, liveReads: options.liveView };
        progress.start('e2e warm-up', warmup);
        if (warmup > 0) await runE2e({ ...e2eOpts, cases: warmup, onCaseDone: (n) => progress.set(n) });
        progress.start('e2e cases', options.cases);
        const firstRoundLoad = loadAverage();
        // The database's own counters around the measured cases; the bench's own queries (its
        // sampler's, its actors' few reads) are counted apart and taken out of the transactions.
        const dbBefore = await readDbCounters(database.db); // (after the warm-up's last counts are published)
        let ownQueries = 0;
        const countOwn = () => void ownQueries++;
        database.db.on('query', countOwn);
        await sampler.begin();
        const { caseNumbers, ...e2e } = await runE2e({ ...e2eOpts, cases: options.cases, onCaseDone: (n) => progress.set(n) });
        const e2eUsage = await sampler.end();
        database.db.removeListener('query', countOwn);
        const dbAfter = await readDbCounters(database.db);
        const dbPerCase = perCase(dbBefore, { ...dbAfter, commits: dbAfter.commits - ownQueries }, e2e.cases);
        // The floor mirrors what a real case asked of the engine, read from its history.
        const { plan, counts } = await planFromCase(client, caseNumbers[caseNumbers.length - 1]);

        progress.start('floor warm-up', warmup);
        if (warmup > 0) await runFloor({ client, taskQueue: floorQueue, plan, cases: warmup, concurrency: options.concurrency, idPrefix: 'floor-warmup', onCaseDone: (n) => progress.set(n) });
        progress.start('floor cases', options.cases);
        await sampler.begin();
        const floor = await runFloor({ client, taskQueue: floorQueue, plan, cases: options.cases, concurrency: options.concurrency, idPrefix: 'floor', onCaseDone: (n) => progress.set(n) });
        const floorUsage = await sampler.end();
        // And the floor of the case's shape when the issue was filed: the first release's recorded
        // history of the same item, replayed the same way (the floor above follows our own shape,
        // so it gets faster as the case asks less of the engine).
        const filing = planFromRecording(path.join(__dirname, '..', 'workflows', 'fixtures', `${benchItem.implementationCode.split('.')[0]}.json`));
        progress.start('first-release floor', options.cases);
        await sampler.begin();
        const filingFloor = await runFloor({ client, taskQueue: floorQueue, plan: filing.plan, cases: options.cases, concurrency: options.concurrency, idPrefix: 'floor-first-release', onCaseDone: (n) => progress.set(n) });
        const filingUsage = await sampler.end();
        const rounds = [roundFigures(1, firstRoundLoad, { ...e2e, usage: e2eUsage }, { ...floor, usage: floorUsage }, { ...filingFloor, usage: filingUsage })];
        record.note({
          rounds: [...rounds],
          e2e: { ...e2e, history: counts, usage: e2eUsage, database: dbPerCase },
          floor: { ...floor, usage: floorUsage },
          firstReleaseFloor: { ...filingFloor, counts: filing.counts, usage: filingUsage },
          ratio: e2e.casesPerSecond / floor.casesPerSecond,
          firstReleaseRatio: e2e.casesPerSecond / filingFloor.casesPerSecond,
          cpuRatio: cpuPerCase(floorUsage, floor.cases) / cpuPerCase(e2eUsage, e2e.cases),
          peakDays: (e2e.casesPerSecond * 86_400) / PEAK_DAY_CASES,
        });
        // More rounds, each in the other order than the one before (bench/rounds.ts).
        for (let round = 2; round <= options.rounds; round++) {
          const load = loadAverage();
          const got: Partial<Record<RoundPart, { cases: number; casesPerSecond: number; usage: Record<string, GroupUsage> }>> = {};
          for (const part of roundOrder(round)) {
            progress.start(roundPhase(round, part), options.cases);
            await sampler.begin();
            const onCaseDone = (n: number) => progress.set(n);
            const res = part === 'e2e'
              ? await runE2e({ ...e2eOpts, cases: options.cases, onCaseDone })
              : await runFloor({ client, taskQueue: floorQueue, plan: part === 'floor' ? plan : filing.plan, cases: options.cases, concurrency: options.concurrency, idPrefix: `${part === 'floor' ? 'floor' : 'floor-first-release'}-r${round}`, onCaseDone });
            got[part] = { cases: res.cases, casesPerSecond: res.casesPerSecond, usage: await sampler.end() };
          }
          rounds.push(roundFigures(round, load, got.e2e!, got.floor!, got['first-release floor']!));
          record.note({ rounds: [...rounds], roundsSummary: summariseRounds(rounds) });
        }
        await endLatest();
        for (const n of ['simulators', 'worker', 'API', 'floor worker']) sampler.unwatch(n);
      }

      if (only.has('supervision')) {
        progress.start('supervision', options.supervisionCases * 2);
        await prepareSupervision(database.db);
        const app = await startApp({
          config, temporalAddress: engine.address, databaseUrl: database.url, taskQueue: 'bench-supervision',
          workerScript: 'bench/supervision-worker.ts', workerArgs: [String(options.workingDayMs)], namePrefix: 'supervision-',
        });
        cleanups.push({ step: 'stop the supervision processes', run: () => app.stop() });
        watchApp(app);
        await sampler.begin();
        const s = await runSupervision({ baseUrl: app.baseUrl, db: database.db, auth: createAuth({ baseUrl: app.baseUrl, staffPassword: config.demoStaffPassword, identityUrl: app.simulatorUrls.identity }), cases: options.supervisionCases, concurrency: 10, dayMs: options.workingDayMs, onProgress: (d) => progress.set(d) });
        record.part('supervision', { ...s, usage: await sampler.end() });
        await endLatest();
      }

      if (only.has('burst')) {
        // First the floor: the same number of bare workflows woken at one instant (the engine
        // alone), before the cases, whose later timers would otherwise fall in its wait.
        progress.start('burst floor', options.burstCases);
        const floorQueue = 'bench-burst-floor';
        const floorWorker: Child = await startNode('burst-floor-worker', 'bench/floor-worker.ts', { env: childEnv({}), args: [engine.address, floorQueue], ready: /polling/ });
        cleanups.push({ step: 'stop the burst floor worker', run: () => stopChild(floorWorker) });
        sampler.watch('floor worker', () => [floorWorker.pid]);
        await sampler.begin();
        const burstFloor = await runBurstFloor({ client, taskQueue: floorQueue, cases: options.burstCases, concurrency: 50, idPrefix: `burst-floor-${Date.now()}`, onProgress: (d) => progress.set(d) });
        const burstFloorUsage = await sampler.end();
        await stopChild(floorWorker);
        sampler.unwatch('floor worker');

        progress.start('burst', options.burstCases * 2);
        await prepareSupervision(database.db);
        // The template: one case of the supervision item filed over HTTP by a plain worker.
        const filer = await startApp({ config, temporalAddress: engine.address, databaseUrl: database.url, taskQueue: 'bench-burst-template', namePrefix: 'burst-template-' });
        cleanups.push({ step: 'stop the burst template processes', run: () => filer.stop() });
        const template = await fileTemplate(filer.baseUrl, database.db, createAuth({ baseUrl: filer.baseUrl, staffPassword: config.demoStaffPassword, identityUrl: filer.simulatorUrls.identity }));
        await endLatest();
        const dayMs = burstDayMs(template, options.burstLeadSeconds * 1000);
        // The compressed calendar's days begin now, so the cases are filed on its first day.
        const epochMs = Date.now();
        const app = await startApp({
          config, temporalAddress: engine.address, databaseUrl: database.url, taskQueue: 'bench-burst',
          workerScript: 'bench/supervision-worker.ts', workerArgs: [String(dayMs), String(epochMs)], namePrefix: 'burst-',
        });
        cleanups.push({ step: 'stop the burst processes', run: () => app.stop() });
        watchApp(app);
        await sampler.begin();
        let startUsage: Awaited<ReturnType<typeof sampler.end>> | undefined;
        const b = await runBurst({
          client, db: database.db, taskQueue: 'bench-burst', template, cases: options.burstCases, concurrency: 50, dayMs, epochMs, onProgress: (d) => progress.set(d),
          // Starting the cases and the burst itself are measured apart.
          atInstant: async () => { startUsage = await sampler.end(); await sampler.begin(); },
        });
        record.part('burst', { ...b, usage: await sampler.end(), startUsage, floor: { ...burstFloor, usage: burstFloorUsage } });
        await endLatest();
      }
      await cleanup();
    }

    if (only.has('queries')) {
      let begun = false;
      const q = await runQueries(adminUrl, options.queryCases, {
        report: (done, total) => {
          if (!begun) progress.start('queries', total);
          begun = true;
          progress.set(done);
        },
        onFigures: (figures) => record.part('queries', figures),
      });
      for (const p of q.teardownProblems ?? []) record.teardownFailed(p.step, p.error);
    }
    record.note({ totalSeconds: (Date.now() - runStarted) / 1000, machine: { ...record.current.machine, loadAverageAtEnd: loadAverage() } });
    record.finish();
  } finally {
    progress.stop();
    await cleanup();
  }
  const out = record.current;
  console.log(renderReport(out));
  console.log(`\n(also in ${path.relative(process.cwd(), record.file)})`);
  if (out.teardownProblems?.length) {
    process.stderr.write(`\nbench: every figure above is kept, but tearing down failed:\n${out.teardownProblems.map((p) => `  - ${p.step}: ${p.error}`).join('\n')}\n`);
    process.exitCode = 1;
  }
});
