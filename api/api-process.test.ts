/**
 * `npm run api` as a real process against the run's database and Temporal dev server: SIGTERM with
 * five keep-alive clients polling it ends the process in well under two seconds.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { freePort, waitForPort } from '../lib/servers';
import { ctx } from '../test/context';

const repoRoot = path.resolve(__dirname, '..');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function poll(port: number, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/health', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('npm run api as a process', function () {
  this.timeout(120_000);

  it('when it gets SIGTERM while five keep-alive clients poll it, then it exits cleanly in well under two seconds', async () => {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: '0', DATABASE_URL: ctx.databaseUrl, TEMPORAL_ADDRESS: ctx.temporalAddress };
    const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/api.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      await waitForPort('127.0.0.1', port, 90_000, proc);
      let running = true;
      const answers: number[] = [];
      const agents = Array.from({ length: 5 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
      const loops = agents.map(async (agent) => {
        while (running) {
          try {
            answers.push(await poll(port, agent));
          } catch {
            await wait(20); // refused once the server stops accepting
          }
        }
      });
      await wait(1_000);
      expect(answers.length, 'the clients were served').to.be.greaterThan(5);
      expect(answers.every((s) => s === 200), stderr).to.equal(true);
      const started = Date.now();
      proc.kill('SIGTERM');
      const code = await exited;
      const took = Date.now() - started;
      running = false;
      await Promise.all(loops);
      agents.forEach((a) => a.destroy());
      expect(code, stderr).to.equal(0);
      expect(took).to.be.below(2_000);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });
});
