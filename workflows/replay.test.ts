/**
 * Replay of recorded histories: today's workflow code must make exactly the decisions it made
 * when each sample item's case was recorded (npm run record-histories). A failure here means a
 * change would break running cases: guard it with patching instead.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { sampleDocuments } from '../db/seed';
import { workflowBundle } from '../test/harness';

const dir = path.join(__dirname, 'fixtures');

describe('replay of recorded case histories', function () {
  this.timeout(120_000);

  it('when every sample item has a recorded history, then each replays without nondeterminism', async () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(files.map((f) => f.replace('.json', ''))).to.deep.equal(sampleDocuments().map((d) => d.item.code).sort());
    const histories = files.map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) }));
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(failures).to.deep.equal([]);
  });
});
