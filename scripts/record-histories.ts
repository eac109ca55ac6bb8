/**
 * `npm run record-histories -- <release>`: runs one case of every sample item to its end on the
 * time-skipping test server and writes each workflow history to workflows/fixtures/<release>/,
 * where the replay test checks that today's workflow code still replays them, beside every
 * earlier release's recordings. Record a new release whenever the workflow's path changes
 * (guarded by patching); an existing release folder is never written again.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { sampleDocuments } from '../db/seed';
import { loadConfig } from '../lib/config';
import { readFormFolder } from '../lib/forms';
import { runMain } from '../lib/runtime';
import { ensureTestServer } from '../lib/servers';
import { ctx } from '../test/context';
import { driveToCompletion } from '../test/drive-case';
import { fakeActivities } from '../test/fake-activities';
import { workflowBundle } from '../test/harness';
import { createTimeSkippingEnv } from '../test/time-skipping';
import { pinnedSample } from '../test/sample-cases';
import type { CaseInput } from '../workflows/definitions';
import { journalSinks } from '../worker/journal-sink';

const fixtures = path.resolve(__dirname, '..', 'workflows', 'fixtures');

runMain('record-histories', async () => {
  const release = process.argv[2];
  if (!release || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}[a-z0-9-]*$/.test(release)) {
    throw new Error('name the release folder, e.g. npm run record-histories -- 2026-11-29-never-stalls');
  }
  const outDir = path.join(fixtures, release);
  if (fs.existsSync(outDir)) throw new Error(`workflows/fixtures/${release} exists: recordings of a release are never overwritten; name a new release`);
  fs.mkdirSync(outDir);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  ctx.testServerPath = await ensureTestServer(config.cacheDir, config.testServerVersion);
  const env = await createTimeSkippingEnv();
  try {
    for (const [i, doc] of sampleDocuments().entries()) {
      const fake = fakeActivities();
      const taskQueue = `record-${i}`;
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fake.activities, sinks: journalSinks(fake.activities) });
      const impl = pinnedSample(doc.implementation.code);
      const caseNo = `3301062026112100${String(i + 1).padStart(6, '0')}`;
      const courier = impl.delivery.includes('courier');
      const input: CaseInput = {
        caseNo, implementation: impl, applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, channel: 'window',
        formData: readFormFolder(doc.form).example,
        delivery: courier ? { method: 'courier', address: { name: '张三', phone: '13800138000', address: '杭州市西湖区文三路100号' } } : { method: 'window' },
        filedAt: new Date(await env.currentTimeMs()).toISOString(),
        // As the platform files every case now: the supervision sweep records its clock's levels.
        supervisedBy: 'sweep',
        // As the API starts every case now: handed the calendar (here the fake's), not asking for it.
        calendar: await fake.activities.calendarSnapshot(),
      };
      await worker.runUntil(async () => {
        const h = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: caseNo, args: [input] });
        await driveToCompletion(h, () => fake.dispatches.map((d) => d.stepId));
        await h.result();
        const file = path.join(outDir, `${doc.item.code}.json`);
        fs.writeFileSync(file, `${historyToJSON(await h.fetchHistory())}\n`);
        console.log(`recorded ${path.relative(process.cwd(), file)}`);
      });
    }
  } finally {
    await env.teardown();
  }
});
