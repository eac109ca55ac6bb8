/**
 * Time-skipping test environments on the Java test server, with our search attributes: one per
 * test file (`timeSkippingSuite`), and what it takes to share one across tests.
 *
 * The test server skips time only while nothing holds its time lock. Every workflow task and every
 * activity it hands out holds the lock until it is completed, and terminating a workflow does not
 * release the locks of the tasks it still had outstanding: a worker that completes them afterwards
 * is told the workflow is closed, and the lock stays taken for the life of the server. A case left
 * running after its test is as bad: its next timer schedules a workflow task on a queue nobody
 * polls any more. Either way every later `env.sleep` and every timer of the file runs in real
 * time. So a test ends its cases with `endWorkflow` while its worker still runs (it waits until the
 * case has nothing outstanding, then terminates it), and `timeSkippingSuite` checks after each test
 * that time still skips (and gives back a lock a test leaked, saying so on stderr).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Deadline, keywordAttributes } from '../workflows/search-attributes';
import { ctx, starts } from './context';

/** A fresh time-skipping test server; `startAt` sets its clock (ISO instant), else it starts now. */
export async function createTimeSkippingEnv(startAt?: string): Promise<TestWorkflowEnvironment> {
  const env = await startWithRetries(startAt);
  const types = temporal.api.enums.v1.IndexedValueType;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: { ...Object.fromEntries(keywordAttributes.map((k) => [k.name, types.INDEXED_VALUE_TYPE_KEYWORD])), [Deadline.name]: types.INDEXED_VALUE_TYPE_DATETIME },
  });
  return env;
}

/**
 * The SDK gives the Java server 5 s to listen; on a loaded 2-core machine a JVM can take longer.
 * A start that timed out is tried again (a new server on a new port), up to three times.
 */
async function startWithRetries(startAt: string | undefined): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    starts.testServers += 1;
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: ctx.testServerPath }, extraArgs: startAt ? ['--start-at', startAt] : [] },
      });
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
    }
  }
}

export interface TimeSkippingSuite {
  /** The suite's environment (from its `before` on). */
  readonly env: TestWorkflowEnvironment;
}

/**
 * One time-skipping environment for the enclosing `describe`: started before its first test, torn
 * down after its last. The clock is the server's and only moves forward, so a test reads the time
 * with `env.currentTimeMs()` rather than assuming where the previous tests left it. After each
 * test it checks that time still skips (see the top of this file).
 */
export function timeSkippingSuite(startAt?: string): TimeSkippingSuite {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    env = await createTimeSkippingEnv(startAt);
  });
  afterEach(async function () {
    if (env) await keepSkipping(env, this.currentTest?.fullTitle() ?? 'a test');
  });
  after(async () => {
    await env?.teardown();
    env = undefined;
  });
  return {
    get env() {
      if (!env) throw new Error('the time-skipping environment starts in the suite\'s before hook');
      return env;
    },
  };
}

const EventType = temporal.api.enums.v1.EventType;
const taskClosed = new Set([EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT]);

/** Whether the workflow is running with a workflow task or an activity outstanding. */
async function busy(h: WorkflowHandle): Promise<boolean> {
  const d = await h.describe();
  if (d.status.name !== 'RUNNING') return false;
  if ((d.raw.pendingActivities ?? []).length > 0) return true;
  const events = (await h.fetchHistory()).events ?? [];
  let scheduled = -1;
  let closed = -1;
  events.forEach((e, i) => {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) scheduled = i;
    else if (e.eventType != null && taskClosed.has(e.eventType)) closed = i;
  });
  return scheduled > closed;
}

/**
 * Ends a workflow that a test leaves running, without leaking the test server's time lock: call it
 * while the test's worker still runs. It waits (up to `waitMs` of real time) until the workflow has
 * no workflow task and no activity outstanding, then terminates it. A workflow already closed is
 * left as it is.
 */
export async function endWorkflow(h: WorkflowHandle, waitMs = 10_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const d = await h.describe();
    if (d.status.name !== 'RUNNING') return;
    if (!(await busy(h)) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await h.terminate('test over').catch(() => undefined);
}

/**
 * Checks that the test server still skips time, as it must once a test's worker has stopped and
 * its cases are closed: a sleep of an hour must return at once. If it does not, a lock was left
 * taken; it is given back one at a time until the sleep returns, and the count is reported.
 */
async function keepSkipping(env: TestWorkflowEnvironment, title: string): Promise<void> {
  const probe = env.sleep('1 hour');
  const within = (ms: number) => Promise.race([probe.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ms))]);
  if (await within(5_000)) return;
  const service = env.connection.testService;
  if (!service) throw new Error('not a time-skipping environment');
  let released = 0;
  while (released < 100) {
    try {
      await service.unlockTimeSkipping({});
    } catch {
      break; // nothing left to give back
    }
    released += 1;
    if (await within(1_000)) break;
  }
  starts.leakedLocks += released;
  process.stderr.write(`[onewindow] the time-skipping server stopped skipping time after "${title}": ${released} lock(s) left outstanding were given back\n`);
}
