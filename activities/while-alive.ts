import { asyncLocalStorage } from '@temporalio/activity';

/**
 * Runs `work` while telling Temporal every `everyMs` that the worker running this activity is
 * alive. With a heartbeat timeout on the activity, a worker killed in the middle is then found out
 * within that timeout and the activity runs again on another worker, instead of waiting out its
 * start-to-close timeout. The beat is a timer, not a call between steps, so a step that rightly
 * takes long (a platform's whole retry budget) does not look like a dead worker; a step that hangs
 * is still ended by the start-to-close timeout. Outside an activity (a test calling the code
 * directly) it only runs `work`.
 */
export async function whileAlive<T>(work: () => Promise<T>, everyMs: number): Promise<T> {
  const ctx = asyncLocalStorage.getStore();
  const beat = ctx ? setInterval(() => ctx.heartbeat(), everyMs) : undefined;
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
