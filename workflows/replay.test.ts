/**
 * Replay of recorded histories: today's workflow code must make exactly the decisions it made
 * when each sample item's case was recorded (npm run record-histories), for every release's
 * recordings: the first ones in workflows/fixtures/ itself, each later release in its own folder.
 * A failure here means a change would break running cases: guard it with patching instead.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { sampleDocuments } from '../db/seed';
import { silent, workflowBundle } from '../test/harness';
import { journalSinks } from '../worker/journal-sink';
import { workflowBundleOptions } from '../worker/worker';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PatchRegistry } from './patches';

const dir = path.join(__dirname, 'fixtures');
/**
 * The journal sink, registered as the worker registers it, so that the replay resolves the
 * workflow's sink calls (the SDK never calls a sink without `callDuringReplay` on a replay worker).
 */
const replaySinks = journalSinks({ applyProjection: () => Promise.resolve() });
const releases = ['.', ...fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()];

describe('replay of recorded case histories', function () {
  this.timeout(180_000);

  it('when there are recordings of more than one release, then the newest was recorded with this release\'s engine (its patch marker)', () => {
    expect(releases.length).to.be.at.least(2);
    const newest = path.join(dir, releases[releases.length - 1]);
    for (const f of fs.readdirSync(newest).filter((x) => x.endsWith('.json'))) {
      const history = JSON.parse(fs.readFileSync(path.join(newest, f), 'utf8')) as { events: { markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads: { data: string }[] }> } }[] };
      // Patch markers only (local activities' results are markers too).
      const patches = history.events
        .map((e) => e.markerRecordedEventAttributes)
        .filter((m) => m?.markerName === 'core_patch')
        .flatMap((m) => Object.values(m!.details ?? {}).flatMap((d) => d.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8'))));
      expect(patches.some((p) => p.includes(`"${PatchRegistry[PatchRegistry.length - 1].id}"`)), `${f}: ${patches.join(' ')}`).to.equal(true);
    }
  });

  for (const release of releases) {
    it(`when every sample item has a recorded history (${release === '.' ? 'first release' : release}), then each replays without nondeterminism`, async () => {
      const at = path.join(dir, release);
      const files = fs.readdirSync(at).filter((f) => f.endsWith('.json')).sort();
      expect(files.map((f) => f.replace('.json', ''))).to.deep.equal(sampleDocuments().map((d) => d.item.code).sort());
      const histories = files.map((f) => ({ workflowId: `${release}/${f}`, history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(at, f), 'utf8'))) }));
      const failures: string[] = [];
      for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), sinks: replaySinks }, histories)) {
        if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
      }
      expect(failures).to.deep.equal([]);
    });
  }

  it('when the bundle also has the OpenTelemetry workflow interceptors (tracing on), then every recording of every release still replays: they add spans and headers, not commands', async () => {
    const traced = await bundleWorkflowCode({ ...workflowBundleOptions({ tracing: true }), logger: silent });
    const spans = new InMemorySpanExporter();
    const sinks = { ...replaySinks, exporter: makeWorkflowExporter(new SimpleSpanProcessor(spans), new Resource({ 'service.name': 'replay' })) };
    const histories = releases.flatMap((release) => fs.readdirSync(path.join(dir, release)).filter((f) => f.endsWith('.json')).sort()
      .map((f) => ({ workflowId: `${release}/${f}`, history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, release, f), 'utf8'))) })));
    expect(histories.length).to.be.greaterThan(10);
    const failures: string[] = [];
    let replayed = 0;
    for await (const r of Worker.runReplayHistories({ workflowBundle: traced, sinks }, histories)) {
      replayed += 1;
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(replayed).to.equal(histories.length);
    expect(failures).to.deep.equal([]);
  });
});
