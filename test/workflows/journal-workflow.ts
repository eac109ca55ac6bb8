/**
 * A workflow that only keeps a Journal (workflows/case/journal.ts) carrying a view, for the
 * journal's own test: signals change the view with or without a change to write, and the
 * workflow settles after each, as a case does when it parks; an update changes it and answers
 * after flushing, as a case's update does.
 */
import { condition, defineSignal, defineUpdate, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { ProjectionOp } from '../../activities/projection';
import { Journal } from '../../workflows/case/journal';

export const changeSignal = defineSignal<[{ view: number; op?: boolean }]>('change');
export const endSignal = defineSignal('end');
/** Changes the view and answers once it is written (as a case's update answers). */
export const setViewUpdate = defineUpdate<number, [number]>('setView');

export interface JournalActivities {
  write(ops: ProjectionOp[]): Promise<void>;
}

const local = proxyLocalActivities<JournalActivities>({ startToCloseTimeout: '10 seconds' });

export async function journalWorkflow(): Promise<void> {
  let view = 0;
  let changes = 0;
  let seen = 0;
  let ended = false;
  const journal = new Journal('c-journal', (ops) => local.write(ops));
  journal.carryView(() => ({ view }));
  setHandler(changeSignal, (c) => {
    view = c.view;
    changes += 1;
    if (c.op) journal.push({ op: 'task-assign', taskId: `t-${changes}`, assignee: null });
  });
  setHandler(endSignal, () => { ended = true; });
  setHandler(setViewUpdate, async (v) => {
    view = v;
    await journal.flush();
    return v;
  });
  while (!ended) {
    journal.settle();
    await condition(() => ended || changes !== seen);
    seen = changes;
  }
  await journal.flush();
}
