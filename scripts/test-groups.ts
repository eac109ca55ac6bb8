/**
 * `npm test`: the static checks and the mocha suite of `.mocharc.json`, side by side.
 *
 * The checks (`tsc` of the root and of `web/`, `eslint .`) run at once beside the mocha groups
 * below; each is one process. `--no-checks` leaves them out (then `npm run typecheck` and
 * `npm run lint` stay the way to run them); any other argument goes to every mocha group.
 *
 * The mocha suite runs in two mocha processes side by side. Most of its wall time is spent
 * waiting (servers starting, workflows and projections landing, Chromium rendering), not
 * computing: run alone, one mocha process kept about 0.6 of a core busy. Each group is a whole
 * mocha run with its own global fixtures (its own Temporal dev server and its own fresh
 * database), so the groups share nothing but the machine: no test sees the other group's cases,
 * workers, stacks or rows. Group `browser+workflows` takes the Chromium tests and the workflow
 * tests (one Java time-skipping server each); group `rest` takes every other spec file of
 * `.mocharc.json` by ignoring the first group's patterns, so a new spec file always runs in one
 * group or the other. (Three groups, `api/` apart, were tried on this 2-core machine: no faster.)
 *
 * Each part's lines are printed as they come, prefixed with its name; the run fails when any part
 * fails. `npx mocha` (one process, every spec file) still works as before. `TEST_GROUPS=1` runs
 * the parts one after the other instead (a machine with a single core).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig } from '../lib/config';
import { ensureTemporalCli, ensureTestServer } from '../lib/servers';

const root = path.resolve(__dirname, '..');

interface MochaRc { require: string[]; extension: string[]; spec: string[]; timeout: number; exit: boolean }
const rc = JSON.parse(fs.readFileSync(path.join(root, '.mocharc.json'), 'utf8')) as MochaRc;
// The groups pass these options on by name: one added to .mocharc.json must be added here too, or
// `npm test` would run without it while `npx mocha` ran with it.
const known: (keyof MochaRc)[] = ['require', 'extension', 'spec', 'timeout', 'exit'];
const unknown = Object.keys(rc).filter((k) => !known.includes(k as keyof MochaRc));
if (unknown.length) throw new Error(`.mocharc.json has options scripts/test-groups.ts does not pass on: ${unknown.join(', ')}`);

/**
 * The groups: each but the last takes the spec files matching its patterns (each pattern lies
 * inside one of `.mocharc.json`'s); the last takes every other spec file of `.mocharc.json`.
 */
const patterns: { name: string; spec: string[] }[] = [
  { name: 'browser+workflows', spec: ['web/e2e/**/*.test.ts', 'workflows/**/*.test.ts'] },
];

/** The options of `.mocharc.json` other than its spec, for a run that names its own files. */
const common = [
  '--no-config',
  ...rc.require.flatMap((r) => ['--require', r]),
  ...rc.extension.flatMap((e) => ['--extension', e]),
  '--timeout', String(rc.timeout),
  ...(rc.exit ? ['--exit'] : []),
];

const bin = (pkg: string, file: string) => path.join(root, 'node_modules', pkg, file);
const mochaBin = bin('mocha', 'bin/mocha.js');
const mochaArgs = process.argv.slice(2).filter((a) => a !== '--no-checks');
const withChecks = !process.argv.includes('--no-checks');

interface Task { name: string; args: string[] }
const checks: Task[] = [
  { name: 'typecheck', args: [bin('typescript', 'bin/tsc'), '--noEmit'] },
  { name: 'typecheck web', args: [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'web'] },
  { name: 'lint', args: [bin('eslint', 'bin/eslint.js'), '.'] },
];
const groups: Task[] = [
  ...patterns.map((p) => ({ name: p.name, args: [mochaBin, ...common, ...p.spec, ...mochaArgs] })),
  { name: 'rest', args: [mochaBin, ...common, ...rc.spec, ...patterns.flatMap((p) => p.spec.flatMap((g) => ['--ignore', g])), ...mochaArgs] },
];

const width = Math.max(...[...checks, ...groups].map((g) => g.name.length));
const children = new Set<ChildProcess>();

const said = (r: { code: number; seconds: number }) => `${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s`;

function run(group: Task): Promise<{ name: string; code: number; seconds: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, group.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const prefix = `${group.name.padEnd(width)} │ `;
  for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    readline.createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix}${line}\n`));
  }
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      const result = { name: group.name, code: code ?? (signal ? 1 : 0), seconds: (Date.now() - started) / 1000 };
      process.stdout.write(`${prefix}${said(result)}\n`);
      resolve(result);
    });
  });
}

// Stopped from outside (Ctrl-C, CI's timeout): the groups stop too, each tearing its servers down.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const c of children) c.kill(sig);
  });
}

async function main(): Promise<void> {
  // Built or fetched here once, before the groups' global fixtures both look for them.
  const config = loadConfig();
  await Promise.all([ensureTemporalCli(config.cacheDir, config.temporalCliVersion, config.temporalCliPath), ensureTestServer(config.cacheDir, config.testServerVersion)]);
  const tasks = [...(withChecks ? checks : []), ...groups];
  const serial = process.env.TEST_GROUPS === '1';
  const results = serial ? [] : await Promise.all(tasks.map(run));
  if (serial) for (const t of tasks) results.push(await run(t));
  for (const r of results) process.stdout.write(`[npm test] ${r.name}: ${said(r)}\n`);
  process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`[npm test] ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
