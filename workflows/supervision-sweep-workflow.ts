/**
 * supervisionSweepWorkflow: 电子监察's one clock for every case that publishes its own
 * (activities/supervision-sweep.ts). Each round sweeps once, then sleeps until the next instant a
 * published clock passes, or `intervalMs` at most (a clock published meanwhile with an earlier
 * instant is seen then). Started by the worker (lib/supervision-sweep.ts), one per task queue;
 * it continues as new every few hundred rounds so its history stays short.
 */
import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

// The sweep heartbeats between batches and notices (a batch of 1,000 cases takes about a second;
// a notice, the notifier's own timeout at most), so a worker killed mid-sweep is found out in
// 20 s, not after the 2 minutes a long sweep may take.
const acts = proxyActivities<Pick<Activities, 'sweepSupervision'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export interface SupervisionSweepInput {
  /** Longest sleep between sweeps, ms. */
  intervalMs: number;
}

const ROUNDS = 300;
const MIN_PAUSE_MS = 250;

export async function supervisionSweepWorkflow(input: SupervisionSweepInput): Promise<void> {
  for (let round = 0; round < ROUNDS && !workflowInfo().continueAsNewSuggested; round++) {
    const r = await acts.sweepSupervision();
    const untilNext = r.next === null ? input.intervalMs : Date.parse(r.next) - Date.now();
    // Notices still waiting because the sweep's time for them ran out go on at once; those the
    // notifier failed wait for the next round as everything else does.
    // A clock still due after the sweep (its row was held by a projection) is looked at again soon, not at once.
    const more = r.noticesLeft > 0 && r.noticesSent > 0;
    await sleep(more ? 1 : Math.min(input.intervalMs, Math.max(MIN_PAUSE_MS, untilNext)));
  }
  await continueAsNew<typeof supervisionSweepWorkflow>(input);
}
