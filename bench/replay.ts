/**
 * `npm run bench:replay`: the CPU the workflow code itself costs, without servers. Replays the
 * newest release's recorded sample cases (workflows/fixtures/<newest>/) through one replay worker,
 * in rounds, and prints the process's CPU per case replayed. A replay runs every activation the
 * case had, in the same sandbox and threads as a live worker, so this is the workflow threads'
 * share of a case, free of the Temporal server, PostgreSQL and the other processes that make the
 * full bench noisy. Useful to compare two versions of the workflow code, or the SDK's settings
 * (WORKER_STACK_TRACES=on).
 *
 *   npm run bench:replay -- [rounds per sample, default 10] [runs, default 3]
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { journalSinks } from '../worker/journal-sink';
import { workflowBundleOptions } from '../worker/worker';
import { runMain } from '../lib/runtime';
import { positiveIntegerArg } from './args';
import { machineAtStart } from './results';

runMain('bench-replay', async () => {
  const rounds = positiveIntegerArg(0, 10, 'the rounds per sample');
  const runs = positiveIntegerArg(1, 3, 'the number of runs');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const fixtures = path.join(__dirname, '..', 'workflows', 'fixtures');
  const newest = fs.readdirSync(fixtures, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort().pop()!;
  const at = path.join(fixtures, newest);
  const files = fs.readdirSync(at).filter((f) => f.endsWith('.json')).sort();
  const recorded: unknown[] = files.map((f) => JSON.parse(fs.readFileSync(path.join(at, f), 'utf8')) as unknown);
  const workflowBundle = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });

  async function replay(times: number): Promise<{ cases: number; cpuMs: number; wallMs: number }> {
    const histories = [];
    for (let i = 0; i < times; i++) for (let j = 0; j < files.length; j++) histories.push({ workflowId: `r${i}-${files[j]}`, history: historyFromJSON(recorded[j]) });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for await (const r of Worker.runReplayHistories({ workflowBundle, sinks: journalSinks({ applyProjection: () => Promise.resolve() }) }, histories)) {
      if (r.error) throw new Error(`${r.workflowId} did not replay: ${r.error.message}`);
    }
    const cpu = process.cpuUsage(cpu0);
    return { cases: histories.length, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 };
  }

  const machine = machineAtStart();
  console.log(`Replaying ${files.length} recorded cases of ${newest}, ${rounds} rounds a run, ${runs} runs (after a warm-up), on ${machine.cpus} × ${machine.cpuModel ?? 'CPU'}, load ${machine.loadAverageAtStart.join(' / ')}; WORKER_STACK_TRACES=${process.env.WORKER_STACK_TRACES ?? '(unset)'}`);
  await replay(2);
  const perCase: number[] = [];
  for (let k = 0; k < runs; k++) {
    const r = await replay(rounds);
    perCase.push(r.cpuMs / r.cases);
    console.log(`run ${k + 1}: ${r.cases} cases in ${(r.wallMs / 1000).toFixed(1)} s, CPU ${(r.cpuMs / r.cases).toFixed(1)} ms a case`);
  }
  perCase.sort((a, b) => a - b);
  console.log(`median CPU a case replayed: ${perCase[Math.floor(perCase.length / 2)].toFixed(1)} ms (lowest ${perCase[0].toFixed(1)})`);
});
