/**
 * The floor: a bare workflow that asks the engine for what a real case asked for, in the same
 * shape, and does nothing else. Its plan comes from a real case's history (bench/history.ts):
 * for the start and for each incoming update or signal, the batches of commands one workflow
 * task produced: local activities and activities (empty ones here, run in parallel within a
 * batch), timers started, timers cancelled, search-attribute upserts.
 * Deterministic: imports only @temporalio/workflow and pure modules.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Phase } from './history';
import { CaseStatus } from '../workflows/search-attributes';

const acts = proxyActivities<{ empty(): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const locals = proxyLocalActivities<{ empty(): Promise<void> }>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The n-th message (1-based) of the plan, as an update: answers once its phase is done. */
export const floorUpdate = defineUpdate<number, [number]>('floorStep');
/** The n-th message of the plan, as a signal. */
export const floorSignal = defineSignal<[number]>('floorSignal');

export async function floorWorkflow(plan: Phase[]): Promise<number> {
  let arrived = 0;
  let done = 0;
  setHandler(floorUpdate, async (n: number) => {
    arrived = Math.max(arrived, n);
    await condition(() => done > n);
    return n;
  });
  setHandler(floorSignal, (n: number) => {
    arrived = Math.max(arrived, n);
  });
  // Timers run until the plan cancels them. A timer started and cancelled in the same workflow
  // task would never reach the server, so a cancel takes only timers from earlier tasks (a
  // cancel with none to take waits for the next batch).
  const timers: { scope: CancellationScope; task: number }[] = [];
  let task = 0;
  let cancelsOwed = 0;
  for (let i = 0; i < plan.length; i++) {
    if (i > 0) {
      await condition(() => arrived >= i);
      task++;
    }
    for (const b of plan[i].batches) {
      cancelsOwed += b.cancels;
      while (cancelsOwed > 0 && timers.length > 0 && timers[0].task < task) {
        timers.shift()!.scope.cancel();
        cancelsOwed--;
      }
      for (let k = 0; k < b.timers; k++) {
        const scope = new CancellationScope();
        timers.push({ scope, task });
        scope.run(() => sleep('30 days')).catch((err: unknown) => {
          if (!isCancellation(err)) throw err;
        });
      }
      for (let k = 0; k < b.upserts; k++) upsertSearchAttributes([{ key: CaseStatus, value: `phase-${i}` }]);
      // Local activities run inside the workflow task (no new one), as the case's projection writes do.
      if (b.locals) await Promise.all(Array.from({ length: b.locals }, () => locals.empty()));
      if (b.activities) {
        await Promise.all(Array.from({ length: b.activities }, () => acts.empty()));
        task++;
      }
    }
    done = i + 1;
  }
  await condition(allHandlersFinished);
  return plan.length;
}

/**
 * The midnight burst's floor: what the engine itself takes to wake many workflows at one
 * instant. Each sleeps until `instantMs`, then runs one empty local activity in the workflow task
 * the timer wakes (as a case records its warning) and ends.
 */
export async function burstFloorWorkflow(instantMs: number): Promise<void> {
  await sleep(Math.max(1, instantMs - Date.now()));
  await locals.empty();
}
